"""lr policies: the lr at every iteration against mmcv's LrUpdaterHook formulas."""

from __future__ import annotations

import io
import math

import pytest
import torch

from clscore.errors import ComponentError
from clscore.plugins import build


def lrs(
    lr_config: dict,
    *,
    iters_per_epoch: int,
    max_epochs: int | None = None,
    max_iters: int | None = None,
    base_lr: float = 0.1,
    groups: int = 1,
) -> list[list[float]]:
    """The lr of each group used at each iteration (read before the scheduler steps)."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    optim = torch.optim.SGD(
        [{"params": [p], "lr": base_lr * (i + 1)} for i, p in enumerate(params)], lr=base_lr
    )
    cfg = dict(lr_config)
    policy = build("scheduler", {"type": cfg.pop("policy"), **cfg})
    total = max_iters if max_iters is not None else max_epochs * iters_per_epoch  # type: ignore[operator]
    sched = policy.bind(optim, iters_per_epoch=iters_per_epoch, max_iters=total, max_epochs=max_epochs)
    out = []
    for _ in range(total):
        out.append([g["lr"] for g in optim.param_groups])
        optim.step()
        sched.step()
    return out


def first(values: list[list[float]]) -> list[float]:
    return [v[0] for v in values]


def test_seed_schedule_step_30_60_90_with_linear_warmup(clscore_host):
    cfg = {"policy": "step", "step": [30, 60, 90], "by_epoch": True, "warmup": "Linear", "warmup_iters": 5}
    got = first(lrs(cfg, iters_per_epoch=2, max_epochs=100))
    # warmup: iteration i < 5 gets 0.1 * (1 - (1 - i/5) * (1 - 0.1))
    for i in range(5):
        assert got[i] == pytest.approx(0.1 * (1 - (1 - i / 5) * 0.9))
    assert got[5] == pytest.approx(0.1)
    by_epoch = {e: got[2 * e] for e in range(100)}
    assert by_epoch[29] == pytest.approx(0.1) and got[2 * 29 + 1] == pytest.approx(0.1)
    assert by_epoch[30] == pytest.approx(0.01) and by_epoch[59] == pytest.approx(0.01)
    assert by_epoch[60] == pytest.approx(0.001) and by_epoch[89] == pytest.approx(0.001)
    assert by_epoch[90] == pytest.approx(0.0001) and by_epoch[99] == pytest.approx(0.0001)


def test_step_per_iteration_with_int_period_and_min_lr(clscore_host):
    got = first(
        lrs(
            {"policy": "Step", "step": 3, "gamma": 0.5, "by_epoch": False, "min_lr": 0.02},
            iters_per_epoch=4,
            max_iters=12,
        )
    )
    assert got == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025] * 3 + [0.02] * 3)


@pytest.mark.parametrize(
    ("warmup", "factor"),
    [
        ("constant", lambda i, w, r: r),
        ("linear", lambda i, w, r: 1 - (1 - i / w) * (1 - r)),
        ("exp", lambda i, w, r: r ** (1 - i / w)),
    ],
)
def test_warmup_kinds_by_epoch_count(clscore_host, warmup, factor):
    cfg = {
        "policy": "fixed",
        "warmup": warmup.upper(),
        "warmup_iters": 2,
        "warmup_ratio": 0.25,
        "warmup_by_epoch": True,
    }
    got = first(lrs(cfg, iters_per_epoch=3, max_epochs=4))
    # two warmup *epochs* of three iterations each = 6 warmup iterations
    assert got[:6] == pytest.approx([0.1 * factor(i, 6, 0.25) for i in range(6)])
    assert got[6:] == pytest.approx([0.1] * 6)


def test_warmup_multiplies_the_scheduled_lr_per_iteration(clscore_host):
    cfg = {
        "policy": "step",
        "step": [1],
        "by_epoch": True,
        "warmup": "linear",
        "warmup_iters": 4,
        "warmup_ratio": 0.5,
    }
    got = first(lrs(cfg, iters_per_epoch=2, max_epochs=3))
    expected = [0.1 * (1 - (1 - i / 4) * 0.5) * (0.1 if i >= 2 else 1) for i in range(4)] + [0.01] * 2
    assert got == pytest.approx(expected)


def test_exp_and_poly_and_inv(clscore_host):
    assert first(lrs({"policy": "exp", "gamma": 0.9}, iters_per_epoch=2, max_epochs=3)) == pytest.approx(
        [0.1, 0.1, 0.09, 0.09, 0.081, 0.081]
    )
    got = first(
        lrs(
            {"policy": "poly", "power": 2.0, "min_lr": 0.01, "by_epoch": False},
            iters_per_epoch=5,
            max_iters=10,
        )
    )
    assert got == pytest.approx([(0.1 - 0.01) * (1 - i / 10) ** 2 + 0.01 for i in range(10)])
    got = first(lrs({"policy": "inv", "gamma": 0.5, "power": 2.0}, iters_per_epoch=1, max_epochs=3))
    assert got == pytest.approx([0.1 * (1 + 0.5 * e) ** -2 for e in range(3)])


def test_cosine_annealing(clscore_host):
    got = first(
        lrs(
            {"policy": "CosineAnnealing", "min_lr_ratio": 0.01, "by_epoch": False},
            iters_per_epoch=5,
            max_iters=10,
        )
    )
    target = 0.1 * 0.01
    assert got == pytest.approx(
        [target + 0.5 * (0.1 - target) * (math.cos(math.pi * i / 10) + 1) for i in range(10)]
    )
    got = first(lrs({"policy": "cosine_annealing", "min_lr": 0.0}, iters_per_epoch=2, max_epochs=4))
    assert got[::2] == pytest.approx([0.05 * (math.cos(math.pi * e / 4) + 1) for e in range(4)])
    with pytest.raises(ComponentError, match="exactly one of min_lr and min_lr_ratio"):
        build("scheduler", {"type": "CosineAnnealing"})


def test_cosine_restart(clscore_host):
    cfg = {
        "policy": "CosineRestart",
        "periods": [4, 6],
        "restart_weights": [1.0, 0.5],
        "min_lr": 0.0,
        "by_epoch": False,
    }
    got = first(lrs(cfg, iters_per_epoch=10, max_iters=10))
    expected = [0.5 * 0.1 * (math.cos(math.pi * i / 4) + 1) for i in range(4)]
    expected += [0.5 * 0.5 * 0.1 * (math.cos(math.pi * i / 6) + 1) for i in range(6)]
    assert got == pytest.approx(expected)


def test_one_cycle_matches_torch(clscore_host):
    for three_phase in (False, True):
        cfg = {"policy": "OneCycle", "max_lr": 0.1, "pct_start": 0.3, "three_phase": three_phase}
        got = first(lrs(cfg, iters_per_epoch=5, max_iters=20))
        param = torch.nn.Parameter(torch.zeros(1))
        optim = torch.optim.SGD([param], lr=0.1)
        ref = torch.optim.lr_scheduler.OneCycleLR(
            optim, max_lr=0.1, total_steps=20, pct_start=0.3, cycle_momentum=False, three_phase=three_phase
        )
        expected = []
        for _ in range(20):
            expected.append(optim.param_groups[0]["lr"])
            optim.step()
            ref.step()
        assert got == pytest.approx(expected)


def test_each_param_group_scales_from_its_own_base_lr(clscore_host):
    got = lrs({"policy": "step", "step": [1]}, iters_per_epoch=1, max_epochs=2, groups=2)
    assert got == [pytest.approx([0.1, 0.2]), pytest.approx([0.01, 0.02])]


def test_state_dict_is_plain_and_resumes_the_schedule(clscore_host):
    param = torch.nn.Parameter(torch.zeros(1))
    optim = torch.optim.SGD([param], lr=0.1)
    policy = build("scheduler", {"type": "poly", "by_epoch": False})
    sched = policy.bind(optim, iters_per_epoch=2, max_iters=10)
    for _ in range(4):
        optim.step()
        sched.step()
    buffer = io.BytesIO()
    torch.save(sched.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    optim2 = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched2 = build("scheduler", {"type": "poly", "by_epoch": False}).bind(
        optim2, iters_per_epoch=2, max_iters=10
    )
    sched2.load_state_dict(state)
    optim.step()
    sched.step()
    sched2.step()
    assert (
        optim2.param_groups[0]["lr"]
        == pytest.approx(optim.param_groups[0]["lr"])
        == pytest.approx(0.1 * (1 - 5 / 10))
    )


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"type": "step", "step": [1], "warmup": "cubic", "warmup_iters": 3}, "warmup must be one of"),
        (
            {"type": "step", "step": [1], "warmup": "linear", "warmup_iters": 0},
            "warmup_iters must be a positive",
        ),
        (
            {"type": "step", "step": [1], "warmup": "linear", "warmup_iters": 2, "warmup_ratio": 0},
            "warmup_ratio",
        ),
        ({"type": "step", "step": [0, 3]}, "positive integers"),
        ({"type": "nosuchpolicy"}, "unknown scheduler"),
    ],
)
def test_bad_policy_configs(clscore_host, cfg, message):
    with pytest.raises(ComponentError, match=message):
        build("scheduler", cfg)
