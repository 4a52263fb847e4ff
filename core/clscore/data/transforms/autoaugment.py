"""Learned augmentation policies, on torchvision's implementations.

MMClassification configs pass their policies as lists of sub-transform dicts; here the policies
are torchvision's (AutoAugment's published ImageNet/CIFAR-10/SVHN policies, RandAugment's op set),
chosen by name. Both draw from torch's global RNG.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torchvision.transforms import v2

from clscore.data.transforms._common import BaseTransform, get_image, interpolation_mode, set_image

_AUTO_POLICIES = {
    "imagenet": v2.AutoAugmentPolicy.IMAGENET,
    "cifar10": v2.AutoAugmentPolicy.CIFAR10,
    "svhn": v2.AutoAugmentPolicy.SVHN,
}


def _named_policy(policies: Any, allowed: Sequence[str], transform: str) -> str:
    if isinstance(policies, str) and policies.lower() in allowed:
        return policies.lower()
    raise ValueError(
        f"{transform} policies must be one of {', '.join(repr(a) for a in allowed)}; lists of "
        f"MMClassification policy dicts are not supported (got {str(policies)[:80]!r})"
    )


def _fill_and_interpolation(hparams: dict | None, interpolation: str) -> tuple[Any, str]:
    hparams = dict(hparams or {})
    fill = hparams.get("pad_val")
    if isinstance(fill, Sequence):
        fill = [float(v) for v in fill]
    return fill, hparams.get("interpolation", interpolation)


def _as_uint8(img: torch.Tensor, transform: str) -> torch.Tensor:
    if img.dtype != torch.uint8:
        raise ValueError(f"{transform} works on uint8 images (0-255); put it before Normalize")
    return img


class AutoAugment(BaseTransform):
    """AutoAugment (Cubuk et al., 2019) with torchvision's policy ``policies`` ("imagenet" by default).

    ``hparams`` may give MMClassification's ``pad_val`` (the fill for geometric ops) and
    ``interpolation``.
    """

    def __init__(
        self,
        policies: str = "imagenet",
        hparams: dict | None = None,
        interpolation: str = "nearest",
    ) -> None:
        self.policies = _named_policy(policies, list(_AUTO_POLICIES), "AutoAugment")
        fill, interpolation = _fill_and_interpolation(hparams, interpolation)
        self.interpolation = interpolation
        self._op = v2.AutoAugment(
            policy=_AUTO_POLICIES[self.policies], interpolation=interpolation_mode(interpolation), fill=fill
        )

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        set_image(results, self._op(_as_uint8(get_image(results), "AutoAugment")))
        return results


class RandAugment(BaseTransform):
    """RandAugment (Cubuk et al., 2020) on torchvision's op set.

    ``num_policies`` ops per image at ``magnitude_level`` out of ``total_level`` (MMClassification's
    scale: magnitude = level / total_level of each op's maximum, which is torchvision's bin
    ``magnitude_level`` of ``total_level + 1``). ``magnitude_std`` > 0 draws the level per image from
    N(``magnitude_level``, ``magnitude_std``) (``"inf"``: uniform in ``[0, total_level]``), rounded to
    the nearest level and clipped to ``[0, total_level]``. ``policies`` selects the op set; only
    torchvision's (the default) is available.
    """

    def __init__(
        self,
        policies: str = "torchvision",
        num_policies: int = 2,
        magnitude_level: float = 9,
        magnitude_std: float | str = 0.0,
        total_level: int = 30,
        hparams: dict | None = None,
        interpolation: str = "nearest",
    ) -> None:
        self.policies = _named_policy(policies, ["torchvision"], "RandAugment")
        if num_policies < 0:
            raise ValueError(f"num_policies must be >= 0, got {num_policies}")
        if total_level < 1 or not 0 <= magnitude_level <= total_level:
            raise ValueError(
                f"need 0 <= magnitude_level <= total_level, got {magnitude_level}, {total_level}"
            )
        if isinstance(magnitude_std, str) and magnitude_std != "inf":
            raise ValueError(f"magnitude_std must be a number or 'inf', got {magnitude_std!r}")
        self.num_policies = int(num_policies)
        self.magnitude_level = magnitude_level
        self.magnitude_std = magnitude_std
        self.total_level = int(total_level)
        fill, interpolation = _fill_and_interpolation(hparams, interpolation)
        self.interpolation = interpolation
        self._op = v2.RandAugment(
            num_ops=self.num_policies,
            magnitude=round(magnitude_level),
            num_magnitude_bins=self.total_level + 1,
            interpolation=interpolation_mode(interpolation),
            fill=fill,
        )

    def _level(self) -> int:
        if self.magnitude_std == "inf":
            return int(torch.randint(0, self.total_level + 1, ()))
        if self.magnitude_std and float(self.magnitude_std) > 0:
            level = float(torch.normal(float(self.magnitude_level), float(self.magnitude_std), ()))
            return min(max(round(level), 0), self.total_level)
        return round(self.magnitude_level)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = _as_uint8(get_image(results), "RandAugment")
        self._op.magnitude = self._level()
        set_image(results, self._op(img))
        return results
