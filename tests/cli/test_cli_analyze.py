"""``clsrun analyze``: every figure is a PNG that opens with sensible dimensions."""

from __future__ import annotations

import sys

import pytest
from apis.digits_run import DigitsRun, shared_digits_run
from click.testing import CliRunner
from PIL import Image

from clscore.cli import cli


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> DigitsRun:
    return shared_digits_run(tmp_path_factory)


def clsrun(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_png(path, min_size=(300, 200)):
    with Image.open(path) as img:
        assert img.format == "PNG"
        width, height = img.size
        img.load()
    assert min_size[0] <= width <= 4000 and min_size[1] <= height <= 4000, img.size
    return width, height


def test_flops(run):
    from clscore.apis.trained import load_trained_model

    params = sum(p.numel() for p in load_trained_model(run.checkpoint).model.parameters())
    result = clsrun("analyze", "flops", run.config)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "input (1, 3, 32, 32)"
    assert [line.split()[0] for line in lines[3:6]] == ["backbone", "neck", "head"]
    assert lines[-1].split()[:2] == ["total", f"{params:,}"]
    # LeNet-5 (one input channel, as MMClassification's) at 32x32: 6*1*25*28*28 + 16*6*25*10*10
    # + 120*16*25 = 405,600 multiply-accumulates in its three convolutions, 1,200 in the head
    assert "813.60 K" in lines[-1] and "406.80 K" in lines[-1]


def test_logs_draws_the_loss_curve(run, tmp_path):
    out = tmp_path / "curves.png"
    result = clsrun(
        "analyze",
        "logs",
        run.log_json,
        run.log_json,
        "--keys",
        "loss",
        "accuracy_top-1",
        "--legend",
        "run a",
        "run b",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    _, height = assert_png(out)
    single = tmp_path / "loss.png"
    assert clsrun("analyze", "logs", run.log_json, "--out", single).exit_code == 0  # --keys defaults to loss
    _, single_height = assert_png(single)
    assert height > 1.5 * single_height  # one panel per key, stacked


def test_logs_errors(run, tmp_path):
    result = clsrun("analyze", "logs", run.log_json, "--keys", "los", "--out", tmp_path / "c.png")
    assert result.exit_code == 1 and "no values for 'los'" in result.output and "loss" in result.output
    result = clsrun("analyze", "logs", run.log_json, "--legend", "a", "b", "--out", tmp_path / "c.png")
    assert result.exit_code == 2 and "--legend" in result.output


def test_logs_without_matplotlib_is_one_clear_error(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = clsrun("analyze", "logs", run.log_json, "--out", tmp_path / "c.png")
    assert result.exit_code == 1 and "pip install 'clscore[plot]'" in result.output
    assert "Traceback" not in result.output


def test_confusion_matrix(run, tmp_path):
    out = tmp_path / "cm.png"
    result = clsrun(
        "analyze", "confusion-matrix", run.config, run.checkpoint, "--out", out, "--device", "cpu"
    )
    assert result.exit_code == 0, result.output
    assert_png(out, (400, 400))


def test_lr(run, tmp_path):
    out = tmp_path / "lr.png"
    result = clsrun("analyze", "lr", run.config, "--out", out, "--dataset-size", "1442")
    assert result.exit_code == 0, result.output
    assert "lr from 0.01 to 0.001 (max 0.01) over 2 epochs x 23 iterations" in result.output
    assert_png(out)


def test_dataset_grid(run, tmp_path):
    out = tmp_path / "grid.png"
    result = clsrun("analyze", "dataset", run.config, "--n", "9", "--out", out)
    assert result.exit_code == 0, result.output
    width, height = assert_png(out)
    assert 0.5 < width / height < 2  # 3 x 3 tiles


def test_bad_out_name(run, tmp_path):
    result = clsrun("analyze", "lr", run.config, "--out", tmp_path / "lr.txt", "--iters-per-epoch", "3")
    assert result.exit_code == 1 and ".png" in result.output


def test_logs_keys_stop_at_the_next_log():
    from clscore.cli._options import spread
    from clscore.cli.analyze import LogsCommand

    args = ["a.log.json", "--keys", "loss", "accuracy_top-1", "b.log.json", "--legend", "run a", "run b"]
    assert spread(args, LogsCommand.multi_value) == [
        "a.log.json", "--keys", "loss", "--keys", "accuracy_top-1", "b.log.json",
        "--legend", "run a", "--legend", "run b",
    ]  # fmt: skip
