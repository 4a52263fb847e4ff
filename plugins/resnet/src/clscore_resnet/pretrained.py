"""Loading pretrained weights into a backbone from ``pretrained:`` or ``init_cfg: {type: Pretrained}``.

Only local files are read (through :func:`clscore.load_checkpoint`, which accepts torchvision state
dicts, MMClassification and clscore checkpoints and ``.safetensors``); nothing is downloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clscore.errors import CheckpointError
from torch import nn

logger = logging.getLogger(__name__)

#: Schemes MMCV resolves by downloading; we name the file to fetch instead.
_REMOTE_SCHEMES = ("torchvision://", "open-mmlab://", "openmmlab://", "mmcls://", "http://", "https://")
_PRETRAINED_KEYS = {"type", "checkpoint", "prefix", "map_location"}
#: The prefix of a backbone inside an MMClassification/clscore classifier checkpoint.
CLASSIFIER_BACKBONE_PREFIX = "backbone"


@dataclass(frozen=True)
class PretrainedSource:
    """A local checkpoint file and, optionally, the key prefix of the weights inside it."""

    checkpoint: str
    prefix: str | None = None


def pretrained_source(
    pretrained: str | None,
    init_cfg: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    owner: str,
) -> PretrainedSource | None:
    """The checkpoint to load, from either argument; mistakes raise ``ValueError`` naming ``owner``."""
    if init_cfg is None:
        entries: list[Any] = []
    else:
        entries = [init_cfg] if isinstance(init_cfg, Mapping) else list(init_cfg)
    sources: list[PretrainedSource] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or "type" not in entry:
            raise ValueError(f"{owner}: each init_cfg entry must be a mapping with a 'type', got {entry!r}")
        if entry["type"] != "Pretrained":
            raise ValueError(
                f"{owner}: init_cfg type {entry['type']!r} is not supported; only "
                "{type: Pretrained, checkpoint: FILE, prefix: ...} is. Without it the backbone is "
                "initialised with Kaiming-normal (fan_out) convolutions and norm weights 1, biases 0."
            )
        unknown = sorted(set(entry) - _PRETRAINED_KEYS)
        if unknown:
            raise ValueError(
                f"{owner}: init_cfg Pretrained has no key(s) {unknown}; it takes checkpoint and prefix"
            )
        if not entry.get("checkpoint"):
            raise ValueError(f"{owner}: init_cfg Pretrained needs 'checkpoint: /path/to/file.pth'")
        sources.append(PretrainedSource(entry["checkpoint"], entry.get("prefix")))
    if pretrained is not None:
        sources.append(PretrainedSource(pretrained))
    if len(sources) > 1:
        raise ValueError(
            f"{owner}: give one pretrained checkpoint, either 'pretrained' or init_cfg, not both"
        )
    if not sources:
        return None
    source = sources[0]
    if not isinstance(source.checkpoint, str):
        raise TypeError(f"{owner}: the pretrained checkpoint must be a file path, got {source.checkpoint!r}")
    if source.checkpoint.startswith(_REMOTE_SCHEMES):
        raise ValueError(
            f"{owner}: {source.checkpoint!r} would need a download, and clscore never downloads weights. "
            "Fetch the file yourself on a machine with internet access (for torchvision: "
            "torch.save(torchvision.models.get_model_weights('resnet50').DEFAULT.get_state_dict(), "
            "'r50.pth'), "
            "with your model's name) and give its local path as checkpoint."
        )
    return source


def load_pretrained(module: nn.Module, source: PretrainedSource, owner: str) -> dict[str, list[Any]]:
    """Load ``source`` into ``module`` non-strictly; :func:`clscore.load_checkpoint` logs what it skipped.

    Without an explicit prefix, a classifier checkpoint (keys ``backbone.*``, as MMClassification and
    clscore save them) contributes its backbone part, and any other file is loaded as it is (a
    torchvision state dict, whose ``fc.*`` keys are skipped and reported).
    """
    from clscore import load_checkpoint  # the checkpoint engine is only needed when weights are loaded

    def load(prefix: str | None) -> dict[str, list[Any]]:
        return load_checkpoint(module, source.checkpoint, map_location="cpu", strict=False, prefix=prefix)

    if source.prefix is not None:
        result = load(source.prefix)
    else:
        try:
            result = load(CLASSIFIER_BACKBONE_PREFIX)
        except CheckpointError:  # no backbone.* keys (or an unreadable file, which fails again below)
            result = load(None)
    if _loaded_count(module, result) == 0:
        found = _abbreviate(result.get("unexpected_keys", ()), 5)
        raise CheckpointError(
            f"{owner}: no weight in {source.checkpoint} matches the backbone (it has {found}). "
            "If the weights sit under a prefix, name it: "
            "init_cfg: {type: Pretrained, checkpoint: FILE, prefix: backbone}"
        )
    logger.info("%s: loaded pretrained weights from %s", owner, source.checkpoint)
    return result


def _loaded_count(module: nn.Module, result: Mapping[str, Iterable[Any]]) -> int:
    """How many of the module's tensors came from the file (BN's batch counters do not count)."""
    not_loaded = {str(k) for k in result.get("missing_keys", ())}
    not_loaded |= {str(k[0] if isinstance(k, tuple) else k) for k in result.get("mismatched_keys", ())}
    own = [k for k in module.state_dict() if not k.endswith("num_batches_tracked")]
    return sum(k not in not_loaded for k in own)


def _abbreviate(keys: Iterable[Any], limit: int) -> str:
    items = [str(k) for k in keys]
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")
