"""Hostile ``.py`` configs are refused with file:line before anything runs, and reading stays bounded.

Each config would create a sentinel file if it were executed; the sentinel must never exist.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from clscore.cli import cli
from clscore.config import Config
from clscore.errors import ConfigError

REFUSED = "is refused: .py configs are read as data, never executed"


def sentinel_cases(marker: str) -> dict[str, tuple[str, str]]:
    """name -> (config text, expected ``line:col: message`` start); each would touch ``marker``."""
    touch = f"'touch {marker}'"
    return {
        "import": (f"x = 1\nimport os\nos.system({touch})\n", f"2:1: an import `import os` {REFUSED}"),
        "from_import": (
            f"from os import system\nsystem({touch})\n",
            f"1:1: an import `from os import system` {REFUSED}",
        ),
        "dunder_import": (
            f"x = __import__('os').system({touch})\n",
            "1:5: a call to the method .system() `__import__('os').system(",
        ),
        "dunder_name": (
            "x = __import__('os')\n",
            f"1:5: a call to __import__() `__import__('os')` {REFUSED}",
        ),
        "lambda": (f"f = lambda: open({marker!r}, 'w')\n", "1:5: a lambda `lambda: open("),
        "class_walk": (
            "x = ().__class__.__base__.__subclasses__()\n",
            "1:5: a call to the method .__subclasses__()",
        ),
        "attribute": ("x = ().__class__\n", f"1:5: attribute access '.__class__' `().__class__` {REFUSED}"),
        "open": (f"x = open({marker!r}, 'w')\n", "1:5: a call to open() `open("),
        "exec": (f'x = exec("open({marker!r}, 1)")\n', "1:5: a call to exec() `exec("),
        "eval": (f'x = eval("open({marker!r}, 1)")\n', "1:5: a call to eval() `eval("),
        "getattr": (
            f"x = getattr(__builtins__, 'open')({marker!r}, 'w')\n",
            "1:5: a call to the result of a Call",
        ),
        "def": (
            f"def f():\n    open({marker!r}, 'w')\nx = f()\n",
            f"1:1: a function definition `def f():` {REFUSED}",
        ),
        "class": (f"class A:\n    open({marker!r}, 'w')\n", f"1:1: a class definition `class A:` {REFUSED}"),
        # the refusal comes before the first line runs, wherever in the file it is
        "late": (f"x = open({marker!r}, 'w')\ny = 1\nimport os\n", "1:5: a call to open()"),
        "str_method": (f"x = 'a'.join([open({marker!r}, 'w')])\n", "1:5: a call to the method .join()"),
        "format_field_attribute": (
            "x = '{0.__class__.__mro__}'.format(1)\n",
            "1:5: the format field {0.__class__.__mro__} reads an attribute; refused",
        ),
        "walrus": (f"x = [(f := open({marker!r}, 'w'))]\n", "1:7: an assignment expression (:=)"),
        "custom_imports": (
            "custom_imports = dict(imports=['mmcls_extra'], allow_failed_imports=False)\n",
            "1:1: custom_imports is not supported; clscore never imports modules named in a config: "
            "components come from installed plugins (pip install clscore-plugin-<name>",
        ),
    }


@pytest.mark.parametrize("name", list(sentinel_cases("M")))
def test_hostile_config_is_refused_with_file_line_and_runs_nothing(tmp_path, name):
    marker = tmp_path / "executed"
    text, expected = sentinel_cases(str(marker))[name]
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        Config.fromfile(path)
    assert str(info.value).startswith(f"{path}:{expected}"), str(info.value)
    assert not marker.exists()


def test_cli_refuses_a_hostile_config_in_one_line(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.py"
    path.write_text(f"model = dict(type='ResNet')\nimport os\nos.system('touch {marker}')\n")
    for command in (["config", "show"], ["config", "validate"], ["train"]):
        result = CliRunner().invoke(cli, [*command, str(path)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert f"{path}:2:1: an import `import os` {REFUSED}" in result.output
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 'a' * 10**10\n", "1:5: the repetition would hold more than 1,000,000 items or characters"),
        ("x = [0] * 10**9\n", "1:5: the repetition would hold more than 1,000,000"),
        ("x = 10**9 * [0]\n", "1:5: the repetition would hold more than 1,000,000"),
        ("x = 2 ** 10**8\n", "1:5: the number would have more than 16,384 bits"),
        ("x = 1 << 10**8\n", "1:5: the number would have more than 16,384 bits"),
        ("a = 2 ** 5000\nb = a * a\nc = b * b\n", "3:5: the number would have more than 16,384 bits"),
        ("x = list(range(10**12))\n", "1:10: the range would hold more than 1,000,000"),
        ("x = sum(range(10**12))\n", "1:9: the range would hold more than 1,000,000"),
        ("s = 'a' * 900000\nt = s + s\n", "2:5: the concatenation would hold more than 1,000,000"),
        ("a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000\n", "2:5: the repetition would hold more than"),
        ("x = '{:1000000000}'.format(1)\n", "1:5: format width or precision 1000000000 is beyond the limit"),
        ("x = f'{1:.1000000000f}'\n", "1:5: format width or precision 1000000000 is beyond the limit"),
        ("x = '%1000000000d' % 1\n", "1:5: %-formatting of strings is refused"),
        ("x = round(5, -10**9)\n", "1:5: round() to -1000000000 digits is beyond the limit"),
        ("x = str([1.5] * 100000)\n", "1:5: str() would hold more than 1,000,000"),
        (
            "x = [i for i in range(10**6) for j in range(10**6)]\n",
            "reading the config takes more than 1,000,000 steps",
        ),
        ("x = " + "+".join(["1"] * 300) + "\n", "1:5: expression nested more than 100 levels deep"),
        ("x = " + "-" * 100_000 + "1\n", "1: an expression is nested too deeply for Python's parser"),
        (
            "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
            "1:205: not valid Python: too many nested parentheses",
        ),
        ("x = 1\n" + "x = [x]\n" * 100, "66:5: the value nests containers more than 64 levels deep"),
        ("x = (-8) ** 0.5\n", "1:5: the result is a complex, which is not config data"),
        ("x = 1j\n", "1:5: the literal 1j"),
    ],
)
def test_reading_is_bounded(tmp_path, text, expected):
    path = tmp_path / "big.py"
    path.write_text(text)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        Config.fromfile(path)
    assert expected in str(info.value), str(info.value)
    assert str(info.value).startswith(f"{path}:")
    assert time.perf_counter() - start < 10  # refused, not computed


def test_yaml_aliases_cannot_expand_without_bound(tmp_path):
    lines = ["a: &a [" + ", ".join(["x"] * 100) + "]"]
    for i, name in enumerate("bcdefg"):
        prev = "abcdefg"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 100) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match="expands to more than 1,000,000 values"):
        Config.fromfile(path)
