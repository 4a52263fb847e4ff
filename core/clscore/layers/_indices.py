"""Which stages a multi-stage backbone returns (``out_indices``)."""

from __future__ import annotations

from collections.abc import Sequence


def normalize_out_indices(out_indices: int | Sequence[int], num_stages: int) -> tuple[int, ...]:
    """Sorted, distinct, non-negative stage indices; ``-1`` is the last stage.

    An empty list, a non-integer or an index outside ``-num_stages..num_stages - 1`` raises
    ``ValueError`` naming the valid range (MMClassification silently returned nothing for ``-1``).
    """
    raw = [out_indices] if isinstance(out_indices, int) else list(out_indices)
    if not raw:
        raise ValueError("out_indices is empty; name at least one stage, e.g. [3] or [-1]")
    result = set()
    for index in raw:
        if isinstance(index, bool) or not isinstance(index, int) or not -num_stages <= index < num_stages:
            raise ValueError(
                f"out_indices entry {index!r} is out of range for num_stages={num_stages}: "
                f"use 0..{num_stages - 1}, or -{num_stages}..-1 to count from the last stage"
            )
        result.add(index % num_stages)
    return tuple(sorted(result))
