"""Loading pretrained weights into a module (``init_cfg: {type: Pretrained, checkpoint, prefix}``).

Only local files are read, through :mod:`clscore.checkpoint` (torchvision state dicts,
MMClassification and clscore checkpoints, ``.safetensors``); nothing is ever downloaded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from clscore.checkpoint import extract_state_dict, load_state_dict, read_checkpoint
from clscore.config._remote import remote_message
from clscore.errors import CheckpointError

logger = logging.getLogger("clscore")

#: The keys of a ``Pretrained`` init_cfg entry.
PRETRAINED_KEYS = {"type", "checkpoint", "prefix", "map_location"}
#: Where a backbone's weights sit in a classifier checkpoint (MMClassification's and ours).
CLASSIFIER_BACKBONE_PREFIX = "backbone"


def remote_checkpoint_message(checkpoint: str) -> str | None:
    """What to do instead, when ``checkpoint`` names a download rather than a local file."""
    return remote_message("checkpoint", checkpoint)


def _under(state: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    lead = prefix.rstrip(".") + "."
    return {k[len(lead) :]: v for k, v in state.items() if k.startswith(lead)}


def _abbreviate(keys: Iterable[Any], limit: int = 5) -> str:
    items = [str(k) for k in keys]
    return ", ".join(items[:limit]) + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def load_pretrained(
    module: nn.Module,
    checkpoint: str | os.PathLike[str],
    prefix: str | None = None,
    map_location: Any = "cpu",
) -> dict[str, list[Any]]:
    """Load ``checkpoint`` into ``module`` non-strictly; return the missing/unexpected/mismatched keys.

    ``prefix`` keeps the keys under ``prefix.`` and strips it (a classifier's ``backbone`` loaded
    into a bare backbone). Without it, the file is used as it is, unless none of its keys fit the
    module while its ``backbone.`` keys do: then those are used. The file is read once; a file of
    which no weight fits raises :class:`~clscore.errors.CheckpointError` saying what it holds.
    """
    owner = type(module).__name__
    remote = remote_checkpoint_message(str(checkpoint))
    if remote:
        raise CheckpointError(f"{owner}: {remote}")
    state = extract_state_dict(read_checkpoint(checkpoint, map_location), checkpoint)
    if prefix:
        state = _under(state, prefix)
        if not state:
            raise CheckpointError(
                f"{checkpoint} has no weights under the prefix {prefix.rstrip('.') + '.'!r}"
            )
    own = set(module.state_dict())
    if not prefix and not own & set(state):
        backbone = _under(state, CLASSIFIER_BACKBONE_PREFIX)
        if own & set(backbone):
            state = backbone
    if not own & set(state):
        raise CheckpointError(
            f"no weight in {checkpoint} matches {owner} (it has {_abbreviate(state)}). "
            "If the weights sit under a prefix, name it: "
            "init_cfg: {type: Pretrained, checkpoint: FILE, prefix: backbone}"
        )
    report = load_state_dict(module, state, strict=False, source=str(checkpoint))
    logger.info("%s: loaded pretrained weights from %s", owner, checkpoint)
    return report
