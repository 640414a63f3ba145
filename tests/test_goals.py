import dataclasses
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slatui.goals import (
    Downtime,
    LeadsNeeded,
    Recalibration,
    allowed_downtime,
    goal_to_date,
    leads_needed,
    projected_month_end,
    recalibrate,
)

# --- leads_needed ----------------------------------------------------------


def test_leads_needed_guide_example():
    # The guide: $5,000 quota, 100 % from marketing, $100 deals, 50 % close rate → 100 leads.
    assert leads_needed(5000, 1.0, 100, 0.5) == LeadsNeeded(
        quota=5000,
        marketing_share=1.0,
        deal_size=100,
        close_rate=0.5,
        marketing_revenue_goal=5000,
        customers_needed=50,
        leads_needed=100,
    )


def test_leads_needed_rounds_up_to_whole_customers_and_leads():
    result = leads_needed(5000, 1.0, 300, 0.5)  # 16.7 customers → 17 → 34 leads
    assert (result.customers_needed, result.leads_needed) == (17, 34)
    result = leads_needed(1000, 0.6, 100, 0.35)  # 6 customers → 17.1 leads → 18
    assert (result.marketing_revenue_goal, result.customers_needed, result.leads_needed) == (600, 6, 18)


def test_leads_needed_ignores_float_noise():
    # 3 × 0.1 ÷ 0.1 is 3.0000000000000004 and 57 ÷ 0.57 is 100.00000000000001 in floats.
    assert leads_needed(3, 0.1, 0.1, 1.0).customers_needed == 3
    assert leads_needed(5700, 1.0, 100, 0.57).leads_needed == 100


def test_leads_needed_results_are_ints():
    result = leads_needed(5000, 1.0, 100, 0.5)
    assert type(result.customers_needed) is int and type(result.leads_needed) is int


def test_leads_needed_with_no_marketing_share_needs_no_leads():
    result = leads_needed(5000, 0.0, 100, 0.5)
    assert (result.customers_needed, result.leads_needed) == (0, 0)


def test_leads_needed_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        leads_needed(5000, 1.0, 100, 0.5).leads_needed = 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 1.0, 100, 0.5), "quota must be a number of 0 or more, got -1"),
        ((math.inf, 1.0, 100, 0.5), "quota must be a number of 0 or more, got inf"),
        ((5000, 60, 100, 0.5), "marketing share must be from 0 % to 100 %, got 6000 %"),
        ((5000, -0.1, 100, 0.5), "marketing share must be from 0 % to 100 %, got -10 %"),
        ((5000, math.nan, 100, 0.5), "marketing share must be from 0 % to 100 %, got nan %"),
        ((5000, 1.0, 0, 0.5), "deal size must be more than 0, got 0"),
        ((5000, 1.0, -100, 0.5), "deal size must be more than 0, got -100"),
        ((5000, 1.0, 100, 0), "close rate must be above 0 % and at most 100 %, got 0 %"),
        ((5000, 1.0, 100, 50), "close rate must be above 0 % and at most 100 %, got 5000 %"),
    ],
)
def test_leads_needed_rejects_invalid_input(args, message):
    with pytest.raises(ValueError) as error:
        leads_needed(*args)
    assert str(error.value) == message


@given(
    quota=st.integers(0, 10**6),
    share_pct=st.integers(0, 100),
    deal_size=st.integers(1, 10**4),
    close_pct=st.integers(1, 100),
)
def test_leads_needed_matches_exact_arithmetic(quota, share_pct, deal_size, close_pct):
    # With whole-number inputs exact fractions give the true answer; floats must agree.
    result = leads_needed(quota, share_pct / 100, deal_size, close_pct / 100)
    customers = math.ceil(Fraction(quota) * Fraction(share_pct, 100) / deal_size)
    assert result.customers_needed == customers
    assert result.leads_needed == math.ceil(customers / Fraction(close_pct, 100))


# --- goal line and projection ----------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [(0, 0), (1, 100 / 30), (15, 50), (30, 100)],
)
def test_goal_to_date_is_g_d_over_n(day, expected):
    assert goal_to_date(100, day, 30) == pytest.approx(expected)


def test_goal_to_date_uses_the_month_length():
    assert goal_to_date(28, 14, 28) == 14
    assert goal_to_date(31, 14, 31) == 14


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((100, 31, 30), "day must be from 0 to 30, got 31"),
        ((100, -1, 30), "day must be from 0 to 30, got -1"),
        ((100, 1, 0), "days in month must be at least 1, got 0"),
    ],
)
def test_goal_to_date_rejects_days_outside_the_month(args, message):
    with pytest.raises(ValueError) as error:
        goal_to_date(*args)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("actual", "elapsed", "expected"),
    [
        (40, 10, 120),
        (21, 10.5, 60),  # fractional days elapsed
        (0, 12, 0),
        (7, 0, 7),  # no pace yet
        (90, 30, 90),  # month over: the actual is final
        (90, 30.2, 90),
    ],
)
def test_projected_month_end(actual, elapsed, expected):
    assert projected_month_end(actual, elapsed, 30) == pytest.approx(expected)


def test_projected_month_end_rejects_negative_elapsed_days():
    with pytest.raises(ValueError, match=r"^elapsed days must be 0 or more, got -1$"):
        projected_month_end(10, -1, 30)


# --- allowed downtime ------------------------------------------------------


def test_allowed_downtime_five_nines():
    downtime = allowed_downtime(99.999)
    assert downtime.seconds_per_year == pytest.approx(315.36)
    assert downtime.seconds_per_year / 60 == pytest.approx(5.26, abs=0.005)


def test_allowed_downtime_six_nines():
    assert allowed_downtime(99.9999).seconds_per_year == pytest.approx(31.5, abs=0.05)


def test_allowed_downtime_three_nines_per_period():
    assert allowed_downtime(99.9) == Downtime(
        availability_pct=99.9,
        seconds_per_year=pytest.approx(31_536),
        seconds_per_month=pytest.approx(2_628),
        seconds_per_week=pytest.approx(604.8),
        seconds_per_day=pytest.approx(86.4),
    )


def test_allowed_downtime_bounds():
    assert allowed_downtime(100).seconds_per_year == 0
    assert allowed_downtime(0).seconds_per_day == 86_400


@pytest.mark.parametrize("pct", [-1, 100.1, math.nan])
def test_allowed_downtime_rejects_out_of_range(pct):
    with pytest.raises(ValueError, match=r"^availability must be a percentage from 0 to 100 \(e\.g\. 99\.9\), got "):
        allowed_downtime(pct)


# --- recalibration ---------------------------------------------------------


def test_recalibrate_guide_example():
    assert recalibrate(100, 50, 5000, 5000, 5000, 21.5, 5000) == Recalibration(
        close_rate=0.5,
        deal_size=100,
        marketing_share=1.0,
        avg_sales_cycle_days=21.5,
        implied_lead_goal=100,
    )


def test_recalibrate_with_partial_marketing_share():
    # The cohort's 20 customers brought 3,000; of 4,000 closed this month, 3,000 came from marketing leads.
    result = recalibrate(80, 20, 3000, 4000, 3000, None, 10_000)
    assert (result.close_rate, result.deal_size, result.marketing_share) == (0.25, 150, 0.75)
    assert result.avg_sales_cycle_days is None
    # 10,000 × 0.75 ÷ 150 = 50 customers; 50 ÷ 0.25 = 200 leads.
    assert result.implied_lead_goal == 200


def test_recalibrate_share_uses_revenue_closed_this_month_not_the_cohort():
    # The cohort's revenue may close later; the share counts what closed within the month.
    result = recalibrate(10, 2, 900, 1000, 250, None, None)
    assert (result.deal_size, result.marketing_share) == (450, 0.25)


def test_recalibrate_without_quota_implies_no_goal():
    assert recalibrate(100, 50, 5000, 5000, 5000, None, None).implied_lead_goal is None


def test_recalibrate_without_leads_leaves_ratios_undefined():
    assert recalibrate(0, 0, 0, 0, 0, None, 5000) == Recalibration(None, None, None, None, None)


def test_recalibrate_without_customers_has_no_deal_size_or_goal():
    result = recalibrate(40, 0, 0, 2500, 0, 30, 5000)
    assert (result.close_rate, result.deal_size, result.marketing_share) == (0, None, 0)
    assert result.implied_lead_goal is None


def test_recalibrate_with_free_customers_has_no_goal():
    result = recalibrate(40, 4, 0, 1000, 0, None, 5000)
    assert result.deal_size == 0 and result.implied_lead_goal is None


def test_recalibrate_tolerates_float_noise_in_revenue_totals():
    total = 0.1 + 0.2
    assert recalibrate(10, 3, 1, total, total * (1 + 1e-12), None, 1).marketing_share == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 0, 0, 0, 0, None, 1), "marketing leads must be 0 or more, got -1"),
        ((10, 11, 0, 0, 0, None, 1), "customers must be from 0 to the 10 marketing leads, got 11"),
        ((10, 1, -3, 0, 0, None, 1), "customer revenue must be 0 or more, got -3"),
        ((10, 1, 0, -5, 0, None, 1), "total revenue must be 0 or more, got -5"),
        ((10, 1, 600, 500, 600, None, 1), "marketing revenue must be from 0 to the total revenue 500, got 600"),
        ((10, 1, 100, 500, 100, -2, 1), "sales cycle days must be 0 or more, got -2"),
        ((10, 1, 100, 500, 100, None, -1), "quota must be a number of 0 or more, got -1"),
    ],
)
def test_recalibrate_rejects_inconsistent_input(args, message):
    with pytest.raises(ValueError) as error:
        recalibrate(*args)
    assert str(error.value) == message
