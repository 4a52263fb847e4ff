"""Safe YAML for configs: no object-building tags, no duplicate keys, ``1e-4`` is a float."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

import yaml

from clscore.errors import ConfigError

MAX_NESTING = 64  # containers inside containers, in any config
MAX_NODES = 1_000_000  # values in one file once aliases and shared references are expanded

# YAML 1.1 (PyYAML) wants a dot in a float; YAML 1.2 and every user reads 1e-4 as a number.
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and reads exponent floats."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                mark = key_node.start_mark
                raise ConfigError(
                    f"{mark.name}:{mark.line + 1}:{mark.column + 1}: duplicate key {key!r} "
                    f"(first at line {seen[key].start_mark.line + 1}); each key may appear once per mapping"
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _first, _resolvers in _Loader.yaml_implicit_resolvers.items():
    _resolvers[:] = [(tag, rx) for tag, rx in _resolvers if tag != "tag:yaml.org,2002:float"]
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)


class _Dumper(yaml.SafeDumper):
    """Dumps tuples as lists and never writes anchors, so the output reads like hand-written YAML."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))


def loads(text: str, *, source: str = "<string>") -> Any:
    """Parse YAML text safely; the result shares no objects between aliased places."""
    try:
        stream = io.StringIO(text)
        stream.name = source  # PyYAML's error marks name the file
        data = yaml.load(stream, Loader=_Loader)
    except ConfigError:
        raise
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ConfigError(
            f"{where}: {exc.problem}; configs are plain YAML: tags that build Python objects are refused"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    except (RecursionError, MemoryError):
        raise ConfigError(f"{source}: nested too deeply or too large to read as a config") from None
    return unshare(data, source=source)


def unshare(value: Any, *, source: str = "<config>") -> Any:
    """A copy in which no two places share an object, with tuples and sets as lists.

    ``copy.deepcopy`` would keep aliases shared. The copy is bounded: an alias of an alias of ...
    (the "billion laughs") is refused instead of expanded.
    """
    budget = [MAX_NODES]

    def copy_of(item: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ConfigError(
                f"{source}: the config expands to more than {MAX_NODES:,} values "
                "(are aliases or shared names repeated many times?)"
            )
        if depth > MAX_NESTING:
            raise ConfigError(f"{source}: the config nests more than {MAX_NESTING} levels deep")
        if isinstance(item, dict):
            return {k: copy_of(v, depth + 1) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [copy_of(v, depth + 1) for v in item]
        if isinstance(item, set | frozenset):
            try:
                members = sorted(item)
            except TypeError:
                members = list(item)
            return [copy_of(v, depth + 1) for v in members]
        return copy.copy(item)

    return copy_of(value, 0)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def dumps(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=100)
