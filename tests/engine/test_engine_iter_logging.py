"""Iteration-based runs log every due training iteration, also those that end with an evaluation."""

from __future__ import annotations

import json
from pathlib import Path

from clscore import train


def test_train_line_kept_when_an_evaluation_runs_at_the_same_iteration(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg.update(
        runner={"type": "IterBasedRunner", "max_iters": 4},
        log_config={"interval": 2},
        evaluation={"interval": 4},
        checkpoint_config={"interval": 4},
    )
    result = train(tiny_cfg, work_dir=tmp_path, device="cpu")
    lines = [json.loads(line) for line in Path(result["json_log"]).read_text().splitlines()[1:]]
    assert [x["iter"] for x in lines if x["mode"] == "train"] == [2, 4]
    assert [x["iter"] for x in lines if x["mode"] == "val"] == [4]
    assert "Iter [4/4]" in Path(result["log_file"]).read_text()
