"""The Done-when checks of the foundation, with the core's real built-in components."""

from __future__ import annotations

import pytest

CONFIG = """
model:
  type: ImageClassifier
  backbone: {type: LeNet5}
  neck: {type: GlobalAveragePoolin}
  head: {type: LinearClsHead, num_classes: 10, in_channels: 120, loss: {type: CrossEntropyLoss}}
"""


@pytest.fixture
def bad_neck(tmp_path):
    path = tmp_path / "bad_neck.yaml"
    path.write_text(CONFIG)
    return path


def test_misspelt_neck_answers_with_path_did_you_mean_exit_2_no_traceback(run_clsrun, bad_neck):
    result = run_clsrun("config", "validate", str(bad_neck))
    assert result.returncode == 2
    assert (
        "model.neck: unknown neck 'GlobalAveragePoolin'; did you mean 'GlobalAveragePooling'?"
        in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_debug_gives_the_traceback(run_clsrun, bad_neck):
    result = run_clsrun("--debug", "config", "validate", str(bad_neck))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_python_tag_is_refused_and_nothing_runs(run_clsrun, tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.yaml"
    path.write_text(f"model: !!python/object/apply:os.system ['touch {marker}']\n")
    result = run_clsrun("config", "validate", str(path))
    assert result.returncode == 2
    assert "tags that build Python objects are refused" in result.stderr
    assert not marker.exists()


def test_good_builtin_config_validates(run_clsrun, bad_neck):
    result = run_clsrun(
        "config",
        "validate",
        "--partial",
        str(bad_neck),
        "--cfg-options",
        "model.neck.type=GlobalAveragePooling",
    )
    assert result.returncode == 0, result.stderr
