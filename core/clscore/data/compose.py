"""A pipeline: transforms applied in order to the sample dict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Transform = Callable[[dict[str, Any]], Any]


class Compose:
    """Apply transforms in order; each entry is a transform config dict or an already-built callable.

    Config dicts are built through the plugin registry (``type: RandomFlip`` finds any plugin's
    transform). A transform that returns ``None`` drops the sample: the pipeline returns ``None``.

    A loader followed by a step that can work on an undecoded image (LoadImageFromFile, then
    RandomResizedCrop or Resize) runs as one step: the loader reads the file and its header, and the
    next step decodes it only as large as its output needs (a JPEG at 1/2, 1/4 or 1/8 size). The
    result is that of the two steps in turn, with the same random draws.
    """

    def __init__(self, transforms: Sequence[dict | Callable] | None = None) -> None:
        from clscore.plugins import build

        if transforms is None:
            transforms = []
        if isinstance(transforms, Mapping) or not isinstance(transforms, Sequence):
            raise TypeError(f"a pipeline must be a list of transform configs, got {transforms!r}")
        self.transforms: list[Transform] = []
        for index, item in enumerate(transforms):
            if isinstance(item, Mapping):
                self.transforms.append(build("transform", item))
            elif callable(item):
                self.transforms.append(item)
            else:
                raise TypeError(
                    f"pipeline entry {index} must be a transform config dict or callable, got {item!r}"
                )
        self._planned: list[Transform] = []  # what ``_steps`` was planned from (compared by identity)
        self._steps: list[Transform] = []

    def __call__(self, results: dict[str, Any]) -> dict[str, Any] | None:
        if (
            self._planned != self.transforms
        ):  # planned on first use, and again if someone edits ``transforms``
            self._steps, self._planned = _fuse(self.transforms), list(self.transforms)
        for step in self._steps:
            results = step(results)
            if results is None:
                return None
        return results

    def __getstate__(self) -> dict[str, Any]:  # DataLoader workers re-plan after unpickling
        return {**self.__dict__, "_planned": [], "_steps": []}

    def __len__(self) -> int:
        return len(self.transforms)

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"{type(self).__name__}([{inner}\n])" if inner else f"{type(self).__name__}([])"


class _OpenThenApply:
    """A loader's ``open`` fused with the next step's ``apply_encoded``."""

    __slots__ = ("consumer", "loader")

    def __init__(self, loader: Any, consumer: Any) -> None:
        self.loader, self.consumer = loader, consumer

    def __call__(self, results: dict[str, Any]) -> Any:
        encoded = self.loader.open(results)
        if encoded is None:  # an in-memory sample: the two steps as usual
            return self.consumer(self.loader(results))
        return self.consumer.apply_encoded(results, encoded)


def _fuse(transforms: list[Transform]) -> list[Transform]:
    steps: list[Transform] = []
    index = 0
    while index < len(transforms):
        current = transforms[index]
        following = transforms[index + 1] if index + 1 < len(transforms) else None
        if getattr(current, "fusable", False) is True and callable(getattr(following, "apply_encoded", None)):
            steps.append(_OpenThenApply(current, following))
            index += 2
        else:
            steps.append(current)
            index += 1
    return steps
