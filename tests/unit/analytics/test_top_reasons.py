"""The vectorised choice of reasons matches EarlyWarningModel.explain's row-by-row rule."""

from __future__ import annotations

import numpy as np
import pytest

from carpe.analytics.pipeline.risk import top_contributions


def _one_row(row: np.ndarray, top: int) -> list[int]:
    """explain()'s rule: the ``top`` largest, stably, cut before the first not positive."""
    chosen = []
    for j in np.argsort(-row, kind="stable")[:top]:
        if row[j] <= 0:
            break
        chosen.append(int(j))
    return chosen


@pytest.mark.parametrize("top", [1, 3, 8])
def test_top_contributions_choose_as_explain_does(top: int) -> None:
    rng = np.random.default_rng(7)
    # Few distinct values, so ties and non-positive values are frequent.
    values = rng.integers(-2, 3, size=(500, 6)).astype(np.float64) / 2
    values[::7, 2] = -0.0
    chosen, picked, kept = top_contributions(values, top)
    for i, row in enumerate(values):
        expected = _one_row(row, top)
        assert chosen[i][kept[i]].tolist() == expected
        assert picked[i][kept[i]].tolist() == row[expected].tolist()
        assert kept[i].tolist() == sorted(kept[i].tolist(), reverse=True)
