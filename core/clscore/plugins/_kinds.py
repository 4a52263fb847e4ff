"""The component kinds and the hook that fills each one's registry."""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    name: str
    hook: str
    #: Look names up ignoring case and underscores (``policy: Linear``, ``metric: f1_score``).
    fold_case: bool = False


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("model", "register_models"),
        Kind("backbone", "register_backbones"),
        Kind("neck", "register_necks"),
        Kind("head", "register_heads"),
        Kind("loss", "register_losses"),
        Kind("batch_augment", "register_batch_augments"),
        Kind("transform", "register_transforms"),
        Kind("dataset", "register_datasets"),
        Kind("scheduler", "register_schedulers", fold_case=True),
        Kind("optimizer", "register_optimizers"),
        Kind("metric", "register_metrics", fold_case=True),
        Kind("runner_hook", "register_runner_hooks"),
    )
}
