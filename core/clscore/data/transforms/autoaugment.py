"""Learned augmentation policies: MMClassification's policy lists, or torchvision's by name.

``policies`` is either MMClassification 0.25's list of op configs (AutoAugment: a list of
sub-policies, each a list of ops; RandAugment: a list of ops, those with ``magnitude_key`` and
``magnitude_range`` getting their magnitude from the level), built from the transform registry
(see :mod:`clscore.data.transforms.augment_ops`), or a name choosing torchvision's implementation
(AutoAugment's published ImageNet/CIFAR-10/SVHN policies, RandAugment's op set). Both draw from
torch's global RNG.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import Any

import torch
from torchvision.transforms import v2

from clscore.data.transforms._common import (
    BaseTransform,
    get_image,
    interpolation_mode,
    randint,
    set_image,
    uniform,
)

_AUTO_POLICIES = {
    "imagenet": v2.AutoAugmentPolicy.IMAGENET,
    "cifar10": v2.AutoAugmentPolicy.CIFAR10,
    "svhn": v2.AutoAugmentPolicy.SVHN,
}
#: MMClassification's default ``hparams``: what fills the geometric ops' uncovered pixels.
_HPARAMS_DEFAULT = {"pad_val": 128}


def _named_policy(policies: str, allowed: Sequence[str], transform: str) -> str:
    if policies.lower() in allowed:
        return policies.lower()
    raise ValueError(
        f"{transform} policies must be one of {', '.join(repr(a) for a in allowed)} or a list of "
        f"MMClassification policy dicts, got {policies!r}"
    )


def _fill_and_interpolation(hparams: Mapping | None, interpolation: str) -> tuple[Any, str]:
    hparams = dict(hparams or {})
    fill = hparams.get("pad_val")
    if isinstance(fill, Sequence):
        fill = [float(v) for v in fill]
    return fill, hparams.get("interpolation", interpolation)


def _as_uint8(img: torch.Tensor, transform: str) -> torch.Tensor:
    if img.dtype != torch.uint8:
        raise ValueError(f"{transform} works on uint8 images (0-255); put it before Normalize")
    return img


def _policy_list(policies: Any, hparams: Mapping | None, transform: str) -> tuple[list, dict]:
    """A copy of a listed ``policies`` and the ``hparams`` to merge into its ops."""
    if isinstance(policies, Mapping) or not isinstance(policies, Sequence) or not policies:
        raise ValueError(f"{transform} policies must be a policy name or a non-empty list, got {policies!r}")
    return copy.deepcopy(list(policies)), dict(_HPARAMS_DEFAULT if hparams is None else hparams)


def _resolve(policy: Any, hparams: Mapping, where: str) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The op's factory and its keyword arguments, with ``hparams`` filled in where the op takes them
    and the policy leaves them unset (MMClassification's ``merge_hparams``)."""
    from clscore.errors import ClsCoreError
    from clscore.plugins import get_host

    if not isinstance(policy, Mapping) or "type" not in policy:
        raise ValueError(f"{where} must be a transform config with a 'type', got {policy!r}")
    kwargs = copy.deepcopy(dict(policy))
    name = kwargs.pop("type")
    try:
        component = get_host().registry("transform").get(name)
        factory = component.load()
    except ClsCoreError as exc:
        raise ValueError(f"{where}: {exc}") from None
    for key, value in hparams.items():
        if kwargs.get(key) is None and component.declares(key):
            kwargs[key] = copy.deepcopy(value)
    return factory, kwargs


def _build(factory: Callable[..., Any], kwargs: dict[str, Any], where: str) -> Callable[[dict], dict]:
    try:
        return factory(**kwargs)
    except (TypeError, ValueError, AssertionError, KeyError) as exc:
        raise ValueError(f"{where} ({kwargs}): {exc}") from None


class AutoAugment(BaseTransform):
    """AutoAugment (Cubuk et al., 2019): apply one sub-policy, chosen uniformly, per image.

    ``policies``: MMClassification's list of sub-policies, each a list of op configs applied in
    order (each op with its own ``prob``); or ``"imagenet"``/``"cifar10"``/``"svhn"`` for
    torchvision's implementation of the published policies. ``hparams`` (default ``pad_val: 128``)
    fills ``pad_val``/``interpolation`` of the ops that take them and do not set them; for a named
    policy it gives torchvision's fill and ``interpolation``.
    """

    def __init__(
        self,
        policies: str | list[list[dict]] = "imagenet",
        hparams: dict | None = None,
        interpolation: str = "nearest",
    ) -> None:
        if isinstance(policies, str):
            self.policies: str | list[list[dict]] = _named_policy(
                policies, list(_AUTO_POLICIES), "AutoAugment"
            )
            fill, interpolation = _fill_and_interpolation(hparams, interpolation)
            self.interpolation = interpolation
            self._op: Callable | None = v2.AutoAugment(
                policy=_AUTO_POLICIES[self.policies],
                interpolation=interpolation_mode(interpolation),
                fill=fill,
            )
            return
        self.policies, self.hparams = _policy_list(policies, hparams, "AutoAugment")
        self.interpolation = interpolation
        self._op = None
        self._sub_policies: list[list[Callable]] = []
        for i, sub in enumerate(self.policies):
            if isinstance(sub, Mapping) or not isinstance(sub, Sequence) or not sub:
                raise ValueError(
                    f"AutoAugment policies[{i}] must be a non-empty list of op configs, got {sub!r}"
                )
            ops = []
            for j, op in enumerate(sub):
                where = f"policies[{i}][{j}]"
                ops.append(_build(*_resolve(op, self.hparams, where), where))
            self._sub_policies.append(ops)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        if self._op is not None:
            set_image(results, self._op(_as_uint8(get_image(results), "AutoAugment")))
            return results
        for op in self._sub_policies[randint(0, len(self._sub_policies) - 1)]:
            results = op(results)
        return results


class _RandPolicy:
    """One RandAugment op: built once, or per call when its magnitude comes from the level."""

    def __init__(self, policy: Any, hparams: Mapping, where: str) -> None:
        self.factory, self.kwargs = _resolve(policy, hparams, where)
        self.where = where
        self.magnitude_key = self.kwargs.pop("magnitude_key", None)
        magnitude_range = self.kwargs.pop("magnitude_range", None)
        if (self.magnitude_key is None) != (magnitude_range is None):
            raise ValueError(f"{where}: magnitude_key and magnitude_range go together, got {policy!r}")
        if magnitude_range is not None and not (
            isinstance(magnitude_range, Sequence)
            and len(magnitude_range) == 2
            and all(isinstance(v, Real) and not isinstance(v, bool) for v in magnitude_range)
        ):
            raise ValueError(
                f"{where}: magnitude_range must be two numbers (start, end), got {magnitude_range!r}"
            )
        self.magnitude_range = None if magnitude_range is None else tuple(float(v) for v in magnitude_range)
        self.fixed = None if self.magnitude_key else _build(self.factory, self.kwargs, where)

    def op(self, level: float, total_level: float) -> Callable[[dict], dict]:
        """The op at ``level`` of ``total_level``: magnitude = level / total * (end - start) + start."""
        if self.fixed is not None:
            return self.fixed
        assert self.magnitude_range is not None and self.magnitude_key is not None  # set with magnitude_key
        start, end = self.magnitude_range
        kwargs = {**self.kwargs, self.magnitude_key: level / total_level * (end - start) + start}
        return _build(self.factory, kwargs, self.where)


class RandAugment(BaseTransform):
    """RandAugment (Cubuk et al., 2020): ``num_policies`` ops per image, drawn with replacement.

    ``policies``: MMClassification's list of op configs (e.g. the ``rand_increasing`` list in the
    docs), each applied with its own ``prob``; an op with ``magnitude_key``/``magnitude_range``
    ``(start, end)`` gets ``level / total_level * (end - start) + start`` as that parameter. The
    level is ``magnitude_level``, or, drawn for each such op, N(``magnitude_level``,
    ``magnitude_std``) clipped to ``[0, total_level]`` when ``magnitude_std`` > 0, or uniform in
    ``[0, magnitude_level]`` when it is ``"inf"``. ``hparams`` (default ``pad_val: 128``) fills
    ``pad_val``/``interpolation`` of the ops that take them and do not set them.

    ``policies="torchvision"`` uses torchvision's op set instead, at the level drawn as above,
    rounded to one of torchvision's ``total_level + 1`` bins (one level for all ops of an image).
    """

    def __init__(
        self,
        policies: str | list[dict] = "torchvision",
        num_policies: int = 2,
        magnitude_level: float = 9,
        magnitude_std: float | str = 0.0,
        total_level: float = 30,
        hparams: dict | None = None,
        interpolation: str = "nearest",
    ) -> None:
        if isinstance(num_policies, bool) or not isinstance(num_policies, int) or num_policies < 0:
            raise ValueError(f"num_policies must be an int >= 0, got {num_policies!r}")
        if not isinstance(total_level, Real) or total_level <= 0:
            raise ValueError(f"total_level must be a number > 0, got {total_level!r}")
        if not isinstance(magnitude_level, Real) or magnitude_level < 0:
            raise ValueError(f"magnitude_level must be a number >= 0, got {magnitude_level!r}")
        if isinstance(magnitude_std, str) and magnitude_std != "inf":
            raise ValueError(f"magnitude_std must be a number or 'inf', got {magnitude_std!r}")
        self.num_policies: int = num_policies
        self.magnitude_level: float = float(magnitude_level)
        self.magnitude_std: float | str = magnitude_std
        self.total_level: float = float(total_level)
        if isinstance(policies, str):
            self.policies: str | list[dict] = _named_policy(policies, ["torchvision"], "RandAugment")
            fill, interpolation = _fill_and_interpolation(hparams, interpolation)
            self.interpolation = interpolation
            self._op: v2.RandAugment | None = v2.RandAugment(
                num_ops=num_policies,
                magnitude=min(round(magnitude_level), int(total_level)),
                num_magnitude_bins=int(total_level) + 1,
                interpolation=interpolation_mode(interpolation),
                fill=fill,
            )
            return
        self.policies, self.hparams = _policy_list(policies, hparams, "RandAugment")
        self.interpolation = interpolation
        self._op = None
        self._policies: list[_RandPolicy] = [
            _RandPolicy(p, self.hparams, f"policies[{i}]") for i, p in enumerate(self.policies)
        ]
        for policy in self._policies:  # build each op once now, so a bad parameter fails here
            policy.op(float(magnitude_level), float(total_level))

    def level(self) -> float:
        """One draw of the magnitude level (MMClassification's rule)."""
        if self.magnitude_std == "inf":
            return uniform(0.0, float(self.magnitude_level))
        if float(self.magnitude_std) > 0:
            drawn = float(torch.normal(float(self.magnitude_level), float(self.magnitude_std), ()))
            return min(float(self.total_level), max(0.0, drawn))
        return float(self.magnitude_level)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        if self._op is not None:
            img = _as_uint8(get_image(results), "RandAugment")
            self._op.magnitude = min(round(self.level()), int(self.total_level))
            set_image(results, self._op(img))
            return results
        chosen = [self._policies[randint(0, len(self._policies) - 1)] for _ in range(self.num_policies)]
        for policy in chosen:
            level = self.level() if policy.magnitude_key else 0.0
            results = policy.op(level, float(self.total_level))(results)
        return results
