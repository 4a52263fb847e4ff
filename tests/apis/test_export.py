"""Export helpers: ONNX (both exporters) and TorchScript files that match eager PyTorch."""

from __future__ import annotations

import pytest
import torch

from clscore.apis import export as export_mod
from clscore.apis.export import ScoresModule, export_model
from clscore.errors import ClsCoreError
from clscore.models.builder import build_model

MODEL = {
    "backbone": {"type": "LeNet5"},
    "neck": {"type": "GlobalAveragePooling"},
    "head": {"type": "LinearClsHead", "num_classes": 4, "in_channels": 120},
}


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(MODEL).eval()


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning")
def test_torchscript_matches_eager(model, tmp_path):
    report = export_model(model, tmp_path / "m.pt", fmt="torchscript", shape=(32, 32), dynamic_batch=True)
    assert report.ok and report.max_abs_diff is not None and report.max_abs_diff <= 1e-4
    assert report.check_shape == (3, 3, 32, 32)  # a batch other than the traced one
    loaded = torch.jit.load(str(tmp_path / "m.pt"))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), ScoresModule(model)(x), atol=1e-5, rtol=0)


def test_onnx_legacy_exporter_with_dynamic_batch(model, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    report = export_model(
        model, tmp_path / "m.onnx", fmt="onnx", shape=(36, 32), dynamic_batch=True, exporter="legacy"
    )
    assert report.exporter == "legacy" and report.checked_with.startswith("onnxruntime")
    assert report.max_abs_diff <= 1e-4
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[0] == "batch"
    assert session.get_outputs()[0].name == "scores"


def test_a_difference_past_the_tolerance_fails(model, tmp_path, monkeypatch):
    real = export_mod.run_exported

    def off_by_a_bit(path, fmt, batch):
        out, how = real(path, fmt, batch)
        return out + 1e-3, how

    monkeypatch.setattr(export_mod, "run_exported", off_by_a_bit)
    with pytest.raises(ClsCoreError, match=r"differs from eager PyTorch by up to 0\.001"):
        export_model(model, tmp_path / "m.pt", fmt="torchscript", shape=(32, 32))


def test_bad_arguments(model, tmp_path):
    with pytest.raises(ClsCoreError, match="opset"):
        export_model(model, tmp_path / "m.onnx", fmt="onnx", shape=(32, 32), opset=13)
    with pytest.raises(ClsCoreError, match="--format"):
        export_model(model, tmp_path / "m.x", fmt="tflite", shape=(32, 32))  # type: ignore[arg-type]
