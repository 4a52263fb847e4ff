"""``clsrun test`` on the shared digits run."""

from __future__ import annotations

import json

import pytest
from apis.digits_run import DigitsRun, shared_digits_run
from click.testing import CliRunner

from clscore.cli import cli
from clscore.cli._options import spread
from clscore.cli.test import EvalCommand, parse_metric_options


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> DigitsRun:
    return shared_digits_run(tmp_path_factory)


def clsrun(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_reproduces_the_logged_top1_exactly(run, tmp_path):
    out = tmp_path / "results.json"
    result = clsrun("test", run.config, run.work_dir / "latest", "--device", "cpu", "--out", out)
    assert result.exit_code == 0, result.output
    logged = run.last_val["accuracy_top-1"]
    report = json.loads(out.read_text())
    assert report["metrics"]["accuracy_top-1"] == logged  # bit for bit, as the run logged it
    assert report["metrics"]["accuracy_top-5"] == run.last_val["accuracy_top-5"]
    assert report["split"] == "test" and report["num_samples"] == 355 and "predictions" not in report
    assert f"accuracy_top-1  {logged:8.4f}" in result.output


def test_all_metrics_options_and_predictions(run, tmp_path):
    out = tmp_path / "r.json"
    result = clsrun(
        "test",
        run.config,
        run.checkpoint,
        "--device",
        "cpu",
        "--metrics",
        "accuracy",
        "precision",
        "recall",
        "f1_score",
        "support",
        "confusion_matrix",
        "--metric-options",
        "topk=1,3",
        "average_mode=macro",
        "--out",
        out,
        "--with-predictions",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    metrics = report["metrics"]
    assert set(metrics) == {
        "accuracy_top-1",
        "accuracy_top-3",
        "precision",
        "recall",
        "f1_score",
        "support",
        "confusion_matrix",
    }
    matrix = metrics["confusion_matrix"]
    assert len(matrix) == 10 and sum(map(sum, matrix)) == 355 == metrics["support"]
    assert sum(matrix[i][i] for i in range(10)) / 355 * 100 == pytest.approx(metrics["accuracy_top-1"])
    preds = report["predictions"]
    assert len(preds) == 355 and [p["index"] for p in preds] == list(range(355))
    assert sum(p["pred_label"] == p["gt_label"] for p in preds) == sum(matrix[i][i] for i in range(10))
    assert "confusion matrix (rows: true class, columns: predicted)" in result.output


def test_per_class_values(run):
    result = clsrun(
        "test",
        run.config,
        run.checkpoint,
        "--device",
        "cpu",
        "--metrics",
        "recall",
        "--metric-options",
        "average=none",
    )
    assert result.exit_code == 0, result.output
    assert "recall per class: 0: " in result.output


def test_unknown_metric_option_is_one_clear_error(run):
    result = clsrun(
        "test", run.config, run.checkpoint, "--metrics", "accuracy", "--metric-options", "average_mode=macro"
    )
    assert result.exit_code == 1
    assert "none of the metrics accuracy takes it" in result.output
    assert "Traceback" not in result.output


def test_not_a_checkpoint(run, tmp_path):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    result = clsrun("test", run.config, bad, "--device", "cpu")
    assert result.exit_code != 0 and result.output.startswith("Error: ") and "bad.pth" in result.output


def test_spread_and_parse_options():
    args = ["c.yaml", "--metrics", "accuracy", "precision", "ck.pth", "--metric-options", "topk=1,5", "a=b"]
    assert spread(args, EvalCommand.multi_value) == [
        "c.yaml",
        "--metrics",
        "accuracy",
        "--metrics",
        "precision",
        "ck.pth",
        "--metric-options",
        "topk=1,5",
        "--metric-options",
        "a=b",
    ]
    assert parse_metric_options(("topk=1,5", "average_mode=macro", "thrs=0.5")) == {
        "topk": [1, 5],
        "average_mode": "macro",
        "thrs": 0.5,
    }


@pytest.mark.slow
def test_two_processes_count_each_sample_once(run, tmp_path, run_clsrun):
    out = tmp_path / "ddp.json"
    # 355 samples in batches of 50 on 2 ranks: the sampler pads, the evaluation must drop the padding
    done = run_clsrun(
        "test",
        str(run.config),
        str(run.checkpoint),
        "--device",
        "cpu",
        "--nproc",
        "2",
        "--cfg-options",
        "data.samples_per_gpu=50",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert report["num_samples"] == 355
    assert report["metrics"]["accuracy_top-1"] == run.last_val["accuracy_top-1"]
