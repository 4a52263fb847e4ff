"""Necks: GlobalAveragePooling and GeneralizedMeanPooling."""

from __future__ import annotations

import pytest
import torch

from clscore.errors import ComponentError
from clscore.models.necks import GeneralizedMeanPooling, GlobalAveragePooling
from clscore.plugins import build


@pytest.mark.parametrize(("dim", "shape"), [(1, (1, 16, 24)), (2, (1, 16, 24, 24)), (3, (1, 16, 24, 24, 5))])
def test_gap_shapes(dim, shape):
    x = torch.rand(shape)
    out = GlobalAveragePooling(dim=dim)(x)
    assert out.shape == (1, 16)
    torch.testing.assert_close(out, x.reshape(1, 16, -1).mean(-1))


def test_gap_tuple_in_tuple_out():
    feats = (torch.rand(2, 8, 4, 4), torch.rand(2, 16, 2, 2))
    out = GlobalAveragePooling()(feats)
    assert isinstance(out, tuple)
    assert [o.shape for o in out] == [(2, 8), (2, 16)]


def test_gap_errors():
    with pytest.raises(ValueError, match="dim must be 1, 2 or 3"):
        GlobalAveragePooling(dim="other")
    with pytest.raises(ComponentError, match="dim"):
        build("neck", {"type": "GlobalAveragePooling", "dim": 4})
    with pytest.raises(ValueError, match=r"set neck\.dim to 1"):
        GlobalAveragePooling()(torch.rand(1, 16, 24))
    with pytest.raises(TypeError, match="tensor or a tuple"):
        GlobalAveragePooling()("not a tensor")


def test_gem_pooling():
    x = torch.rand(2, 4, 5, 5) + 0.1
    gem = GeneralizedMeanPooling()
    out = gem(x)
    assert out.shape == (2, 4)
    expected = x.pow(3).mean(dim=(2, 3)).pow(1 / 3)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(GeneralizedMeanPooling(p=1.0)(x), x.mean(dim=(2, 3)))
    out.sum().backward()
    assert gem.p.grad is not None  # p is learned
    # negative activations are clamped, so the fractional power stays finite
    assert torch.isfinite(gem(-x)).all()
    assert [o.shape for o in gem((x, x))] == [(2, 4), (2, 4)]
    with pytest.raises(ValueError, match="p must be >= 1"):
        GeneralizedMeanPooling(p=0.5)
