"""Lamb: steps against the LAMB formulas written out by hand, convergence, registry and state dict."""

from __future__ import annotations

import io
import math

import pytest
import torch
from torch import nn

from clscore.engine.optim import build_optimizer
from clscore.engine.optimizers import Lamb
from clscore.errors import ComponentError
from clscore.plugins import build


def reference_steps(w, grads, *, lr, wd, beta1=0.9, beta2=0.999, eps=1e-6, max_norm=1.0, adapt=None):
    """Plain-float LAMB on one tensor: clip to the global norm, Adam moments, L2 decay, trust ratio."""
    m = [0.0] * len(w)
    v = [0.0] * len(w)
    adapt = wd != 0 if adapt is None else adapt
    for t, g in enumerate(grads, start=1):
        norm = math.sqrt(sum(x * x for x in g))
        g = [x / max(norm / max_norm, 1.0) for x in g]
        m = [beta1 * a + (1 - beta1) * x for a, x in zip(m, g)]
        v = [beta2 * b + (1 - beta2) * x * x for b, x in zip(v, g)]
        m_hat = [a / (1 - beta1**t) for a in m]
        v_hat = [b / (1 - beta2**t) for b in v]
        update = [a / (math.sqrt(b) + eps) + wd * p for a, b, p in zip(m_hat, v_hat, w)]
        ratio = 1.0
        if adapt:
            ratio = math.sqrt(sum(p * p for p in w)) / math.sqrt(sum(u * u for u in update))
        w = [p - lr * ratio * u for p, u in zip(w, update)]
    return w


def run(w0, grads, **kwargs):
    param = nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = Lamb([param], **kwargs)
    for g in grads:
        param.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return param.detach().tolist()


def test_one_step_by_hand():
    # w = (3, 4): ||w|| = 5. g = (6, 8): ||g|| = 10 > max_grad_norm 1, so g becomes (0.6, 0.8).
    # Step 1: m_hat = g, v_hat = g², so the Adam direction is g / (|g| + eps) ≈ (1, 1);
    # with L2 decay 0.02 the update is (1.06, 1.08) (less eps), scaled by 5 / ||update||.
    lr, wd, eps = 0.005, 0.02, 1e-6
    u = (0.6 / (0.6 + eps) + wd * 3, 0.8 / (0.8 + eps) + wd * 4)
    trust = 5.0 / math.hypot(*u)
    expected = [3 - lr * trust * u[0], 4 - lr * trust * u[1]]
    got = run([3.0, 4.0], [[6.0, 8.0]], lr=lr, weight_decay=wd)
    assert got == pytest.approx(expected, rel=1e-12)
    assert trust == pytest.approx(5 / math.hypot(1.06, 1.08), rel=1e-5)


def test_three_steps_match_the_formulas():
    grads = [[0.3, -0.2, 0.1], [2.0, 1.0, -2.0], [-0.05, 0.4, 0.0]]  # the second is clipped (norm 3)
    got = run([0.5, -1.0, 2.0], grads, lr=0.01, weight_decay=0.05)
    assert got == pytest.approx(reference_steps([0.5, -1.0, 2.0], grads, lr=0.01, wd=0.05), rel=1e-12)


def test_clipping_is_global_over_all_parameters():
    # Two tensors whose joint gradient norm is 5: both are divided by 5, not each by its own norm.
    a = nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    b = nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    opt = Lamb([a, b], lr=0.1, weight_decay=0.0, betas=(0.0, 0.0), eps=0.0)
    a.grad = torch.tensor([3.0], dtype=torch.float64)
    b.grad = torch.tensor([4.0], dtype=torch.float64)
    opt.step()
    # beta 0 and no decay: the update is g / |g| = 1 per element whatever the clipping, so check the moments
    assert opt.state[a]["exp_avg"].item() == pytest.approx(3 / 5)
    assert opt.state[b]["exp_avg"].item() == pytest.approx(4 / 5)
    assert a.grad.item() == 3.0  # the stored gradient is left as it was
    no_clip = Lamb([a], max_grad_norm=None, betas=(0.0, 0.0))
    no_clip.step()
    assert no_clip.state[a]["exp_avg"].item() == pytest.approx(3.0)


def test_no_weight_decay_skips_the_trust_ratio_unless_always_adapt():
    w0, grads = [3.0, 4.0], [[0.3, -0.1]]
    plain = run(w0, grads, lr=0.1, weight_decay=0.0)
    assert plain == pytest.approx(reference_steps(w0, grads, lr=0.1, wd=0.0), rel=1e-12)
    # Adam's first step moves each element by about lr, without a trust ratio.
    assert plain == pytest.approx([2.9, 4.1], rel=1e-5)
    adapted = run(w0, grads, lr=0.1, weight_decay=0.0, always_adapt=True)
    assert adapted == pytest.approx(reference_steps(w0, grads, lr=0.1, wd=0.0, adapt=True), rel=1e-12)
    # trust ratio 5 / sqrt(2) > 1; trust_clip caps it at 1, giving the plain step back.
    assert run(w0, grads, lr=0.1, weight_decay=0.0, always_adapt=True, trust_clip=True) == pytest.approx(
        plain
    )


def test_zero_weights_keep_a_trust_ratio_of_one():
    got = run([0.0, 0.0], [[0.5, -0.5]], lr=0.1, weight_decay=0.1)
    assert got == pytest.approx([-0.1, 0.1], rel=1e-5)


def test_a_few_steps_reduce_a_quadratic():
    target = torch.tensor([1.0, -2.0, 3.0, 0.5])
    w = nn.Parameter(torch.zeros(4) + 0.1)
    opt = Lamb([w], lr=0.1, weight_decay=0.0)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        losses.append(loss.item())
        opt.step()
    assert losses[-1] < 0.01 * losses[0]
    assert losses[10] < losses[5] < losses[0]


def test_state_dict_round_trip_continues_identically():
    def make():
        p = nn.Parameter(torch.tensor([0.5, -1.5, 2.0]))
        return p, Lamb([p], lr=0.01, weight_decay=0.02)

    p1, o1 = make()
    for g in ([0.1, 0.2, -0.3], [1.0, -2.0, 0.5]):
        p1.grad = torch.tensor(g)
        o1.step()
    buffer = io.BytesIO()
    torch.save(o1.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert state["param_groups"][0]["step"] == 2
    p2, o2 = make()
    with torch.no_grad():
        p2.copy_(p1)
    o2.load_state_dict(state)
    for p, o in ((p1, o1), (p2, o2)):
        p.grad = torch.tensor([0.3, 0.3, -0.1])
        o.step()
    assert torch.equal(p1, p2)
    assert torch.equal(o1.state[p1]["exp_avg_sq"], o2.state[p2]["exp_avg_sq"])


def test_built_from_the_rsb_config(clscore_host):
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    opt = build_optimizer(
        model,
        {"type": "Lamb", "lr": 0.005, "weight_decay": 0.02, "paramwise_cfg": {"norm_decay_mult": 0.0}},
    )
    assert isinstance(opt, Lamb)
    assert sorted(g.get("weight_decay", 0.02) for g in opt.param_groups) == [0.0, 0.02]
    defaults = opt.defaults
    assert defaults["betas"] == (0.9, 0.999) and defaults["eps"] == 1e-6 and defaults["max_grad_norm"] == 1.0
    assert defaults["grad_averaging"] and not defaults["trust_clip"] and not defaults["always_adapt"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -1}, "lr must be"),
        ({"betas": [0.9, 1.0]}, "betas"),
        ({"max_grad_norm": 0}, "max_grad_norm"),
        ({"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_bad_arguments(clscore_host, kwargs, message):
    with pytest.raises(ComponentError, match=message):
        build("optimizer", {"type": "Lamb", **kwargs}, [nn.Parameter(torch.zeros(1))])
