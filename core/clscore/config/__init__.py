"""Configs: safe YAML, ``.py`` configs read as data, ``_base_`` inheritance, overrides and validation."""

from clscore.config._config import Config, ConfigDict
from clscore.config._merge import ConfigDeprecationWarning, apply_options, merge, parse_options
from clscore.config._pyconfig import loads_python
from clscore.config._pyconfig_convert import convert
from clscore.config._validate import validate
from clscore.config._yaml import dumps, loads

__all__ = [
    "Config",
    "ConfigDeprecationWarning",
    "ConfigDict",
    "apply_options",
    "convert",
    "dumps",
    "loads",
    "loads_python",
    "merge",
    "parse_options",
    "validate",
]
