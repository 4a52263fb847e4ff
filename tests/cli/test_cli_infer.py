"""``clsrun infer`` on digit images written as PNG files."""

from __future__ import annotations

import json

import pytest
from apis.digits_run import DigitsRun, shared_digits_run
from click.testing import CliRunner
from PIL import Image

from clscore.cli import cli
from clscore.cli.infer import expand_inputs, split_config


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> DigitsRun:
    return shared_digits_run(tmp_path_factory)


@pytest.fixture(scope="module")
def digits(tmp_path_factory) -> tuple:
    """20 val digits as PNG files in class folders, with the arrays they were written from."""
    from clscore.plugins import build

    dataset = build("dataset", {"type": "Digits", "split": "val", "img_size": 32})
    root = tmp_path_factory.mktemp("digit-pngs")
    files, arrays, labels = [], [], []
    for i in range(0, 200, 10):
        label = int(dataset.gt_labels[i])
        array = dataset.get_sample(i)["img"].permute(1, 2, 0).numpy()
        path = root / str(label) / f"{i:03d}.png"
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(array).save(path)
        files.append(str(path))
        arrays.append(array)
        labels.append(label)
    return root, files, arrays, labels


def clsrun(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_classifies_a_folder_of_pngs(run, digits, tmp_path):
    root, files, _, labels = digits
    out = tmp_path / "preds.jsonl"
    result = clsrun("infer", run.work_dir, root, "--topk", "2", "--out", out, "--device", "cpu")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["filename"] for r in rows) == sorted(files)
    for row in rows:
        assert set(row) == {"filename", "pred_label", "pred_score", "pred_class", "topk"}
        assert len(row["topk"]) == 2 and row["topk"][0]["label"] == row["pred_label"]
        assert row["topk"][0]["score"] >= row["topk"][1]["score"]
    truth = dict(zip(files, labels))
    correct = sum(r["pred_label"] == truth[r["filename"]] for r in rows)
    assert correct >= 17, rows
    assert len(result.output.splitlines()) == 20
    first = rows[0]
    assert f"{first['filename']}: {first['pred_class']} ({first['pred_score'] * 100:.2f}%)" in result.output


def test_files_and_memory_agree(run, digits, tmp_path):
    from clscore import Inferencer

    _, files, arrays, _ = digits
    out = tmp_path / "p.jsonl"
    result = clsrun(
        "infer", run.config, run.checkpoint, *files[:6], "--out", out, "--batch-size", "4", "--device", "cpu"
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    memory = Inferencer(run.checkpoint)(arrays[:6])
    assert [r["pred_label"] for r in rows] == [m["pred_label"] for m in memory]
    assert [r["pred_score"] for r in rows] == pytest.approx([m["pred_score"] for m in memory], abs=1e-6)


def test_globs_and_errors(run, digits, tmp_path):
    root, files, *_ = digits
    result = clsrun("infer", run.work_dir / "latest", f"{root}/**/*.png", "--topk", "1", "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == len(files)
    missing = clsrun("infer", run.work_dir, tmp_path / "none.png")
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    partly = clsrun("infer", run.work_dir, files[0], broken, "--device", "cpu")
    assert partly.exit_code == 1
    assert (
        files[0] in partly.output
        and "broken.png: error:" in partly.output
        and "1 of 2 images" in partly.output
    )


def test_split_config_and_expand_inputs(tmp_path):
    assert split_config(["a.yaml", "ck.pth", "x.png"], needed=2) == ("a.yaml", ["ck.pth", "x.png"])
    assert split_config(["ck.pth", "x.png"], needed=2) == (None, ["ck.pth", "x.png"])
    (tmp_path / "sub").mkdir()
    for name in ("b.png", "a.JPG", "notes.txt", "sub/c.webp", ".hidden.png"):
        (tmp_path / name).write_bytes(b"")
    found = expand_inputs([str(tmp_path), str(tmp_path / "b.png")])
    assert [p.removeprefix(str(tmp_path)) for p in found] == ["/a.JPG", "/b.png", "/sub/c.webp"]


def test_as_a_user_runs_it(run, digits, run_clsrun):
    files = digits[1]
    done = run_clsrun("infer", str(run.work_dir), files[0], "--device", "cpu")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{files[0]}: ")
