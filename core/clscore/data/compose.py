"""A pipeline: transforms applied in order to the sample dict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Transform = Callable[[dict[str, Any]], Any]


class Compose:
    """Apply transforms in order; each entry is a transform config dict or an already-built callable.

    Config dicts are built through the plugin registry (``type: RandomFlip`` finds any plugin's
    transform). A transform that returns ``None`` drops the sample: the pipeline returns ``None``.
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

    def __call__(self, results: dict[str, Any]) -> dict[str, Any] | None:
        for transform in self.transforms:
            results = transform(results)
            if results is None:
                return None
        return results

    def __len__(self) -> int:
        return len(self.transforms)

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"{type(self).__name__}([{inner}\n])" if inner else f"{type(self).__name__}([])"
