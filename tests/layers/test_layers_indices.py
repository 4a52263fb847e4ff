"""``normalize_out_indices``."""

from __future__ import annotations

import pytest

from clscore.layers import normalize_out_indices


@pytest.mark.parametrize(
    ("out_indices", "expected"),
    [
        ((3,), (3,)),
        (-1, (3,)),
        ((-1, 0), (0, 3)),
        ((2, 1, 2), (1, 2)),
        ((-4, -3), (0, 1)),
        (range(4), (0, 1, 2, 3)),
    ],
)
def test_sorted_distinct_and_counted_from_the_end(out_indices, expected) -> None:
    assert normalize_out_indices(out_indices, 4) == expected


@pytest.mark.parametrize("bad", [(4,), (-5,), (0, 7), (1.0,), (True,)])
def test_out_of_range_or_not_an_int(bad) -> None:
    with pytest.raises(ValueError, match=r"out of range for num_stages=4: use 0\.\.3, or -4\.\.-1"):
        normalize_out_indices(bad, 4)


def test_empty_is_an_error() -> None:
    with pytest.raises(ValueError, match="out_indices is empty"):
        normalize_out_indices((), 4)
