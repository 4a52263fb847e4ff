"""Configs: safe YAML, ``_base_`` inheritance, overrides and validation against the registries."""

from clscore.config._config import Config, ConfigDict
from clscore.config._merge import apply_options, merge, parse_options
from clscore.config._validate import validate
from clscore.config._yaml import dumps, loads

__all__ = ["Config", "ConfigDict", "apply_options", "dumps", "loads", "merge", "parse_options", "validate"]
