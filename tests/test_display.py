"""Percentages beside a verdict never round across the threshold they are judged against."""

import pytest

from slatui.display import percent


@pytest.mark.parametrize(
    ("value", "threshold", "shown"),
    [
        (0.846, 0.85, "84.6%"),  # not "85%" next to a cross
        (0.8499999, 0.85, "84.99%"),
        (0.85, 0.85, "85%"),  # equal meets: 0.85 * 100 is 85.00000000000001 in floating point
        (0.8501, 0.85, "85%"),
        (0.999, 1.0, "99.9%"),
        (1.0, 1.0, "100%"),
        (0.6, 0.75, "60%"),
        (0.9, None, "90%"),
        (None, 0.8, "—"),
    ],
)
def test_percent_stays_on_its_side_of_the_threshold(value, threshold, shown):
    assert percent(value, threshold) == shown


def test_every_value_keeps_its_verdict():
    for threshold in (0.5, 0.8, 0.85, 0.9, 0.95):
        for step in range(0, 10001):
            value = step / 10000
            assert (float(percent(value, threshold).rstrip("%")) >= round(threshold * 100, 9)) == (value >= threshold)
