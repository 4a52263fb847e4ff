"""``clsrun export`` of the shared digits run: the files match eager PyTorch within 1e-4."""

from __future__ import annotations

import re

import pytest
import torch
from apis.digits_run import DigitsRun, shared_digits_run
from click.testing import CliRunner

from clscore.cli import cli
from clscore.cli.export import parse_shape


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> DigitsRun:
    return shared_digits_run(tmp_path_factory)


@pytest.fixture(scope="module")
def eager(run):
    from clscore.apis.trained import load_trained_model

    return load_trained_model(run.checkpoint).model


def clsrun(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def reported_diff(output: str) -> float:
    return float(re.search(r"max abs difference (\S+) <=", output).group(1))


def batch(n: int) -> torch.Tensor:
    return torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(7))


def test_onnx_with_dynamic_batch(run, eager, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    out = tmp_path / "digits.onnx"
    result = clsrun("export", run.work_dir, "--format", "onnx", "--out", out, "--dynamic-batch")
    assert result.exit_code == 0, result.output
    assert "input (1, 3, 32, 32)" in result.output  # the size from the config's Digits img_size
    assert reported_diff(result.output) <= 1e-4
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = batch(5)
    got = torch.from_numpy(session.run(None, {session.get_inputs()[0].name: x.numpy()})[0])
    with torch.no_grad():
        expected = eager.predict(x)
    assert (got - expected).abs().max() <= 1e-4
    assert not list(tmp_path.glob("*.data"))  # one self-contained file


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning")
def test_torchscript(run, eager, tmp_path):
    out = tmp_path / "digits.pt"
    result = clsrun(
        "export", run.config, run.checkpoint, "--format", "torchscript", "--out", out, "--batch-size", "2"
    )
    assert result.exit_code == 0, result.output
    assert "check with torch.jit on a random batch (2, 3, 32, 32)" in result.output
    assert reported_diff(result.output) <= 1e-4
    loaded = torch.jit.load(str(out))
    x = batch(2)
    with torch.no_grad():
        assert (loaded(x) - eager.predict(x)).abs().max() <= 1e-4


def test_legacy_onnx_exporter_and_shape(run, tmp_path):
    pytest.importorskip("onnxruntime")
    result = clsrun(
        "export",
        run.work_dir,
        "--format",
        "onnx",
        "--out",
        tmp_path / "m.onnx",
        "--exporter",
        "legacy",
        "--shape",
        "40,36",
    )
    assert result.exit_code == 0, result.output
    assert "legacy exporter" in result.output and "input (1, 3, 40, 36)" in result.output
    assert reported_diff(result.output) <= 1e-4


def test_usage_errors(run, tmp_path):
    result = clsrun(
        "export", run.work_dir, "--format", "onnx", "--out", tmp_path / "m.onnx", "--shape", "big"
    )
    assert result.exit_code == 2 and "--shape" in result.output
    result = clsrun("export", run.work_dir, "extra", "--format", "onnx", "--out", tmp_path / "m.onnx")
    assert result.exit_code == 2 and "unexpected arguments: extra" in result.output


def test_parse_shape():
    assert parse_shape("224") == (224, 224)
    assert parse_shape("224,320") == parse_shape("224x320") == parse_shape("224 320") == (224, 320)
    assert parse_shape(None) is None
