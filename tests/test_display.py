"""Figures beside a verdict never round across the threshold they are judged against."""

import pytest

from slatui.display import leads_to_date, number, percent, share, short_of


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


@pytest.mark.parametrize(
    ("value", "threshold", "shown"),
    [
        (5.96, 6, "5.96"),  # not "6.0" next to "behind"
        (5.9999, 6, "5.999"),
        (6.0, 6, "6.0"),
        (6.04, 6, "6.0"),
        (2.04, 6, "2.0"),
        (2.04, None, "2.0"),
        (None, 6, "—"),
    ],
)
def test_attempts_stay_on_their_side_of_the_minimum(value, threshold, shown):
    assert number(value, threshold, 1) == shown


def test_every_mean_keeps_its_verdict():
    for minimum in (1, 3, 6):
        for step in range(0, 80001, 7):
            value = step / 10000
            assert (float(number(value, minimum, 1)) >= minimum) == (value >= minimum)


def test_a_threshold_shows_as_typed_and_to_date_goals_in_whole_leads():
    assert [share(t) for t in (0.85, 0.875, 0.9, 0.9999)] == ["85%", "87.5%", "90%", "99.99%"]
    # On pace means actual ≥ goal to date: 15.48 needs 16 leads, 15.0 needs 15.
    assert (leads_to_date(15.48), leads_to_date(15.0)) == (16, 15)


def test_short_of_names_the_targets_behind_while_running_and_missed_once_judged():
    month = {"volume": {"met": False, "on_pace": True}, "speed": {"met": False}, "depth": {"met": True}}
    assert short_of({**month, "month_status": "in_progress"}) == ["speed"]
    assert short_of({**month, "month_status": "missed"}) == ["leads", "speed"]
