"""Checkpoints: read safely (never runs code), written atomically, found again in a work dir."""

from clscore.checkpoint._files import (
    extract_state_dict,
    load_checkpoint,
    load_state_dict,
    read_checkpoint,
    save_checkpoint,
    save_safetensors,
    unwrap_model,
)
from clscore.checkpoint._latest import (
    LATEST_LINK,
    LATEST_POINTER,
    ResumeSearch,
    checkpoint_candidates,
    cleanup_temp_files,
    find_resume_checkpoint,
    latest_target,
    read_latest,
    search_resume,
    write_latest,
)
from clscore.checkpoint._workdir import (
    CORRUPT_DIR,
    LOCK_FILE,
    WorkDirLock,
    is_inside,
    move_aside,
    remove_file,
)

__all__ = [
    "CORRUPT_DIR",
    "LATEST_LINK",
    "LATEST_POINTER",
    "LOCK_FILE",
    "ResumeSearch",
    "WorkDirLock",
    "checkpoint_candidates",
    "cleanup_temp_files",
    "extract_state_dict",
    "find_resume_checkpoint",
    "is_inside",
    "latest_target",
    "load_checkpoint",
    "load_state_dict",
    "move_aside",
    "read_checkpoint",
    "read_latest",
    "remove_file",
    "save_checkpoint",
    "save_safetensors",
    "search_resume",
    "unwrap_model",
    "write_latest",
]
