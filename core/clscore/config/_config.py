"""The ``Config`` object: a dict with attribute access that remembers its file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from clscore.config._merge import apply_options, load_with_bases, parse_options
from clscore.config._pyconfig import loads_python
from clscore.config._yaml import dumps, loads


class ConfigDict(dict):  # type: ignore[type-arg]
    """A dict whose keys are also attributes, recursively (``cfg.model.backbone.depth``)."""

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__()
        for key, value in {**(data or {}), **kwargs}.items():
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, _wrap(value))

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists all the way down."""
        return _unwrap(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> ConfigDict:
        import copy

        return type(self)(copy.deepcopy(self.to_dict(), memo))


def _wrap(value: Any) -> Any:
    if isinstance(value, ConfigDict):
        return value
    if isinstance(value, Mapping):
        return ConfigDict(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _unwrap(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_unwrap(v) for v in value]
    return value


class Config(ConfigDict):
    """A loaded, merged config. ``Config.fromfile(path, cfg_options=...)`` is the usual way in."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, filename: str | Path | None = None) -> None:
        super().__init__(data)
        object.__setattr__(self, "filename", str(filename) if filename is not None else None)

    @classmethod
    def fromfile(
        cls,
        path: str | Path,
        cfg_options: Mapping[str, Any] | Iterable[str] | None = None,
    ) -> Config:
        """Load ``path`` (``.yaml``, ``.json`` or ``.py``, the last read as data) with its ``_base_`` files,
        then apply ``cfg_options`` overrides."""
        data = load_with_bases(Path(path))
        apply_options(data, parse_options(cfg_options))
        return cls(data, filename=path)

    @classmethod
    def fromstring(
        cls,
        text: str,
        cfg_options: Mapping[str, Any] | Iterable[str] | None = None,
        *,
        fmt: str = "yaml",
        source: str = "<string>",
    ) -> Config:
        """A config from text: ``fmt="yaml"`` (JSON too) or ``"py"`` (read as data, never executed).

        There is no file, so ``_base_`` is not available; ``source`` names the text in errors.
        """
        if fmt in ("py", ".py"):
            data = loads_python(text, source)
        elif fmt in ("yaml", ".yaml", "yml", ".yml", "json", ".json"):
            data = loads(text, source=source) or {}
        else:
            raise ValueError(f"fmt must be 'yaml' or 'py', not {fmt!r}")
        apply_options(data, parse_options(cfg_options))
        return cls(data)

    def merge_from_dict(self, options: Mapping[str, Any]) -> None:
        """Apply dotted-key overrides, as ``--cfg-options`` does."""
        data = self.to_dict()
        apply_options(data, dict(options))
        self.clear()
        self.update(data)

    @property
    def text(self) -> str:
        """The merged config as YAML."""
        return dumps(self.to_dict())

    def dump(self, file: str | Path | None = None) -> str:
        """Write the merged config as YAML to ``file`` (if given) and return the text."""
        text = self.text
        if file is not None:
            Path(file).write_text(text, encoding="utf-8")
        return text

    def __repr__(self) -> str:
        return f"Config(filename={self.filename!r}, keys={list(self)})"

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        import copy

        return type(self)(copy.deepcopy(self.to_dict(), memo), filename=self.filename)
