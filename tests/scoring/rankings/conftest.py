import pytest

from tests.helpers import recompute, save_scores


@pytest.fixture
def four_ranked(make_group, communes):
    """The sample group of the advice and what-if tests: items 1.1 (of 6) and 1.2 (of 4) give the
    four communes 9, 7, 6 and 3 points of 10 → 90, 70, 60 and 30 %. (framework, period, results
    by unit code)."""
    framework, period = make_group()
    points = [("5", "4"), ("4", "3"), ("3", "3"), ("1", "2")]
    save_scores(
        period, {c.code: {"1.1": a, "1.2": b} for c, (a, b) in zip(communes, points, strict=True)}
    )
    return framework, period, recompute(framework, period)
