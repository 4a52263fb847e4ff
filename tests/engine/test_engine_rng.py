"""RNG states saved in checkpoints restore every generator a run draws from."""

from __future__ import annotations

import random

import numpy as np
import torch

from clscore.engine.rng import get_rng_state, set_rng_state


def test_rng_state_round_trip():
    state = get_rng_state()
    first = (torch.rand(3), random.random(), np.random.rand())
    set_rng_state(state)
    again = (torch.rand(3), random.random(), np.random.rand())
    assert torch.equal(first[0], again[0]) and first[1:] == again[1:]
