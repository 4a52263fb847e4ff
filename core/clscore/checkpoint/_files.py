"""Reading and writing checkpoints safely.

Reading never runs code: ``.pth`` files go through ``torch.load(..., weights_only=True)`` only, and
``.safetensors`` through safetensors. Writing is atomic (temporary file in the same folder, fsync,
``os.replace``), and the ``latest`` pointer is only moved once the file it names is complete.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import pickle
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from clscore.checkpoint._workdir import remove_file
from clscore.errors import CheckpointError, DiskFullError

logger = logging.getLogger("clscore")

TMP_MARK = ".tmp-"
_UNSAFE_ENV = "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"
_REPORT_KEYS = 10
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


# -- reading ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _weights_only_enforced() -> Iterator[None]:
    """Hide TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD for the call, so no torch version can drop weights_only."""
    saved = os.environ.pop(_UNSAFE_ENV, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[_UNSAFE_ENV] = saved


def _not_a_checkpoint(path: Path) -> CheckpointError:
    return CheckpointError(f"not a PyTorch checkpoint or truncated: {path}")


def _read_safetensors(path: Path, map_location: Any) -> dict[str, Any]:
    from safetensors.torch import load_file

    device = str(map_location) if isinstance(map_location, (str, torch.device)) else "cpu"
    try:
        return {"state_dict": load_file(str(path), device=device)}
    except Exception as exc:
        raise CheckpointError(f"corrupt safetensors file: {path} ({exc})") from None


def read_checkpoint(filename: str | os.PathLike[str], map_location: Any = "cpu") -> dict[str, Any]:
    """The checkpoint dict in ``filename``; anything unsafe, truncated or foreign is a CheckpointError."""
    path = Path(filename)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.suffix == ".safetensors":
        return _read_safetensors(path, map_location)
    if path.stat().st_size == 0:
        raise _not_a_checkpoint(path)
    try:
        with _weights_only_enforced():
            obj = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        text = str(exc)
        unsafe = re.search(r"GLOBAL (\S+)", text) or re.search(r"(?:function|object for) (\S+)", text)
        if unsafe:
            raise CheckpointError(
                f"refusing to load {path}: it contains the unsafe pickle global {unsafe.group(1).rstrip('.,')}. "
                "Checkpoints may hold only tensors and plain data; nothing in the file was run."
            ) from None
        raise _not_a_checkpoint(path) from None
    except (RuntimeError, EOFError, OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        raise _not_a_checkpoint(path) from None
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path} holds a {type(obj).__name__}, not a checkpoint dict or state dict")
    return dict(obj)


#: MMClassification's key names where ours differ (its heads keep the loss, e.g. SeesawLoss's
#: ``cum_samples`` buffer, as ``compute_loss``).
_MMCLS_RENAMES = ((".compute_loss.", ".loss_module."),)


def _our_key(key: str) -> str:
    for theirs, ours in _MMCLS_RENAMES:
        key = key.replace(theirs, ours)
    return key


def extract_state_dict(checkpoint: Mapping[str, Any], path: str | os.PathLike[str] = "?") -> dict[str, Any]:
    """The weights in ``checkpoint``: ours/MMClassification's ``state_dict``, ``model``, or a bare dict."""
    for key in ("state_dict", "model", "module"):
        value = checkpoint.get(key)
        if isinstance(value, Mapping) and value and all(torch.is_tensor(v) for v in value.values()):
            state = dict(value)
            break
    else:
        if checkpoint and all(torch.is_tensor(v) for v in checkpoint.values()):
            state = dict(checkpoint)
        else:
            raise CheckpointError(f"{path} has no state dict (keys: {', '.join(list(checkpoint)[:8])})")
    if all(k.startswith("module.") for k in state):
        state = {k[len("module.") :]: v for k, v in state.items()}
    return {_our_key(k): v for k, v in state.items()}


# -- loading into a model ---------------------------------------------------------------------------------
def unwrap_model(model: Any) -> nn.Module:
    """The plain module inside DDP / torch.compile wrappers."""
    while True:
        if hasattr(model, "_orig_mod"):
            model = model._orig_mod
        elif isinstance(model, nn.parallel.DistributedDataParallel) or hasattr(model, "module"):
            inner = getattr(model, "module", None)
            if not isinstance(inner, nn.Module):
                return model
            model = inner
        else:
            return model


def _listing(keys: list[str]) -> str:
    head = ", ".join(keys[:_REPORT_KEYS])
    return head + (f", ... ({len(keys)} in all)" if len(keys) > _REPORT_KEYS else "")


def load_state_dict(
    model: nn.Module,
    state_dict: Mapping[str, torch.Tensor],
    strict: bool = False,
    source: str = "the checkpoint",
) -> dict[str, list]:
    """Load matching weights; skip shape mismatches; report missing/unexpected/mismatched keys."""
    model = unwrap_model(model)
    own = model.state_dict()
    mismatched = [
        (k, tuple(v.shape), tuple(own[k].shape))
        for k, v in state_dict.items()
        if k in own and tuple(v.shape) != tuple(own[k].shape)
    ]
    skip = {k for k, _, _ in mismatched}
    usable = {k: v for k, v in state_dict.items() if k not in skip}
    result = model.load_state_dict(usable, strict=False)
    missing = [k for k in result.missing_keys if k not in skip]
    unexpected = list(result.unexpected_keys)
    report = {"missing_keys": missing, "unexpected_keys": unexpected, "mismatched_keys": mismatched}
    problems = []
    if missing:
        problems.append(f"missing keys: {_listing(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_listing(unexpected)}")
    if mismatched:
        shown = [f"{k} (checkpoint {list(a)}, model {list(b)})" for k, a, b in mismatched]
        problems.append(f"shape-mismatched keys, skipped: {_listing(shown)}")
    if problems:
        text = f"weights from {source} do not match the model: " + "; ".join(problems)
        if strict:
            raise CheckpointError(text)
        logger.warning(text)
    return report


def load_checkpoint(
    model: nn.Module,
    filename: str | os.PathLike[str],
    map_location: Any = "cpu",
    strict: bool = False,
    prefix: str | None = None,
) -> dict[str, list]:
    """Load weights from ours, MMClassification's, a bare state dict or ``.safetensors`` into ``model``.

    ``prefix="backbone"`` keeps only the keys under ``backbone.`` and strips that prefix (loading a
    classifier's backbone into a bare backbone). Returns the missing, unexpected and mismatched keys.
    """
    checkpoint = read_checkpoint(filename, map_location)
    state = extract_state_dict(checkpoint, filename)
    if prefix:
        lead = prefix.rstrip(".") + "."
        state = {k[len(lead) :]: v for k, v in state.items() if k.startswith(lead)}
        if not state:
            raise CheckpointError(f"{filename} has no weights under the prefix {lead!r}")
    return load_state_dict(model, state, strict=strict, source=str(filename))


# -- writing ------------------------------------------------------------------------------------------------
def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Any) -> None:
    """Write ``path`` through ``write(fh)`` on a temporary file that replaces it once complete."""
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        remove_file(tmp, path.parent)
        raise
    _fsync_dir(path.parent)


def _tensor_bytes(obj: Any) -> int:
    """The bytes of the tensors in ``obj`` (nested dicts, lists, tuples): about a checkpoint's file size."""
    if torch.is_tensor(obj):
        return obj.numel() * obj.element_size()
    if isinstance(obj, Mapping):
        return sum(_tensor_bytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_tensor_bytes(v) for v in obj)
    return 0


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` or an exception it chains (torch's zip writer wraps the OSError) is ENOSPC/EDQUOT."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        if "No space left on device" in str(current) or "Disk quota exceeded" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _disk_full(path: Path, needed: int, free: int | None) -> DiskFullError:
    previous = next(
        (p for p in sorted(path.parent.glob("*.pth"), key=_mtime, reverse=True) if p != path and p.is_file()),
        None,
    )
    kept = f"the previous checkpoint {previous} is intact" if previous else "no earlier checkpoint was lost"
    return DiskFullError(
        f"disk full while writing {path} ({_mb(needed)} MB needed, {_mb(free)} MB free); {kept}. "
        "Free some space (or move the work dir) and resume with --auto-resume"
    )


def _mb(size: int | None) -> str:
    if size is None:
        return "?"
    return "<0.1" if 0 < size < 2**20 / 10 else f"{size / 2**20:.1f}"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def save_checkpoint(filename: str | os.PathLike[str], checkpoint: Mapping[str, Any]) -> Path:
    """Write ``checkpoint`` atomically: readers see the old file or the complete new one, never a part.

    A disk without room for the tensors is refused before writing; running out of space while
    writing is a :class:`DiskFullError` (one line), the previous checkpoint untouched.
    """
    path = Path(filename)
    needed = _tensor_bytes(checkpoint)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        free = _free_bytes(path.parent)
        if free is not None and needed > free:
            raise _disk_full(path, needed, free)
        atomic_write(path, lambda fh: torch.save(dict(checkpoint), fh))
    except (OSError, RuntimeError) as exc:
        if _out_of_space(exc):
            raise _disk_full(path, needed, _free_bytes(path.parent)) from None
        if isinstance(exc, OSError):
            raise CheckpointError(f"cannot write checkpoint {path}: {exc.strerror or exc}") from None
        raise
    return path


def save_safetensors(
    filename: str | os.PathLike[str],
    state_dict: Mapping[str, torch.Tensor],
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write a state dict as ``.safetensors`` atomically (shared storage is copied apart first)."""
    from safetensors.torch import save

    path = Path(filename)
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in state_dict.items()}
    try:
        atomic_write(path, lambda fh: fh.write(save(tensors, metadata=dict(metadata or {}))))
    except OSError as exc:
        raise CheckpointError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
