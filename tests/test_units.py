"""Quantities: every human form papers use, and every way to get one wrong."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchtables.errors import QuantityError
from benchtables.units import Kind, format_compute, format_count, format_number, parse_quantity

PARAMS = ("parameters", "params")
TOKENS = ("tokens", "token")


@pytest.mark.parametrize(
    ("text", "kind", "units", "value", "bound", "approximate"),
    [
        ("70B", Kind.COUNT, (), 70e9, None, False),
        ("70b", Kind.COUNT, (), 70e9, None, False),
        ("1.4T", Kind.COUNT, (), 1.4e12, None, False),
        ("175 billion", Kind.COUNT, (), 175e9, None, False),
        ("175 billion parameters", Kind.COUNT, PARAMS, 175e9, None, False),
        ("7M", Kind.COUNT, (), 7e6, None, False),
        ("238.3K", Kind.COUNT, (), 238_300, None, False),
        ("8,404,992", Kind.HOURS, (), 8_404_992, None, False),
        ("5.76e23", Kind.COMPUTE, (), 5.76e23, None, False),
        ("5.76E+23 FLOPs", Kind.COMPUTE, (), 5.76e23, None, False),
        ("5.76 × 10^23", Kind.COMPUTE, (), 5.76e23, None, False),
        ("5.76×10²³ FLOP", Kind.COMPUTE, (), 5.76e23, None, False),
        ("10^24", Kind.COMPUTE, (), 1e24, None, False),
        ("3640 PF-days", Kind.COMPUTE, (), 3640 * 8.64e19, None, False),
        ("789.3 GFLOPs", Kind.COMPUTE, (), 789.3e9, None, False),
        ("312 TFLOPS", Kind.COMPUTE, (), 312e12, None, False),
        ("57.8%", Kind.PERCENT, (), 57.8, None, False),
        ("57.8 %", Kind.PERCENT, (), 57.8, None, False),
        ("57.8", Kind.PERCENT, (), 57.8, None, False),
        ("５７．８％", Kind.PERCENT, (), 57.8, None, False),
        ("5400亿", Kind.COUNT, (), 540e9, None, False),
        ("5400亿参数", Kind.COUNT, (*PARAMS, "参数"), 540e9, None, False),
        ("3.5万亿", Kind.COUNT, (), 3.5e12, None, False),
        ("1万", Kind.COUNT, (), 1e4, None, False),
        ("两万亿", Kind.COUNT, (), 2e12, None, False),
        ("超千亿", Kind.COUNT, (), 1e11, ">", False),
        ("超过两万亿 token", Kind.COUNT, TOKENS, 2e12, ">", False),
        (">100B", Kind.COUNT, (), 100e9, ">", False),
        (">= 100B", Kind.COUNT, (), 100e9, ">=", False),
        ("at least 2T tokens", Kind.COUNT, TOKENS, 2e12, ">=", False),
        ("up to 4096", Kind.COUNT, (), 4096, "<=", False),
        ("100B+", Kind.COUNT, (), 100e9, ">=", False),
        ("under 0.5", Kind.DAYS, (), 0.5, "<", False),
        ("12 h", Kind.DAYS, (), 0.5, None, False),
        ("2 weeks", Kind.DAYS, (), 14, None, False),
        ("1200 h", Kind.HOURS, (), 1200, None, False),
        ("3 days", Kind.HOURS, (), 72, None, False),
        ("≈7M", Kind.HOURS, (), 7e6, None, True),
        ("~7M GPU hours", Kind.HOURS, (), 7e6, None, True),
        ("about 7,000,000", Kind.HOURS, (), 7e6, None, True),
        ("约700万", Kind.HOURS, (), 7e6, None, True),
        ("-0.5", Kind.NUMBER, (), -0.5, None, False),
        (".5", Kind.NUMBER, (), 0.5, None, False),
        ("2.5e-3", Kind.NUMBER, (), 2.5e-3, None, False),
        (42, Kind.COUNT, (), 42, None, False),
        (0.578, Kind.PERCENT, (), 0.578, None, False),
    ],
)
def test_reads_human_forms(text, kind, units, value, bound, approximate):
    q = parse_quantity(text, kind, units)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.bound == bound
    assert q.approximate is approximate


def test_percent_sign_is_reported_for_plain_numbers():
    assert parse_quantity("69.3%", Kind.NUMBER).percent is True
    assert parse_quantity("69.3", Kind.NUMBER).percent is False


@pytest.mark.parametrize(
    ("text", "kind", "says"),
    [
        ("12 bananas", Kind.COUNT, "understood the number 12 but not the unit 'bananas'"),
        ("7m", Kind.COUNT, "'m' is ambiguous"),
        ("1,5B", Kind.COUNT, "comma in '1,5' is ambiguous"),
        ("1兆", Kind.COUNT, "'兆' is ambiguous"),
        ("57.8%", Kind.COUNT, "understood 57.8 percent"),
        ("70B", Kind.PERCENT, "a multiplier makes no sense here"),
        ("70B", Kind.NUMBER, "a multiplier makes no sense here"),
        ("nan", Kind.NUMBER, "not a finite number"),
        ("inf", Kind.COUNT, "not a finite number"),
        (float("nan"), Kind.NUMBER, "not a finite number"),
        (float("-inf"), Kind.NUMBER, "not a finite number"),
        ("", Kind.COUNT, "it is empty"),
        ("   ", Kind.COUNT, "it is empty"),
        ("lots", Kind.COUNT, "found no number"),
        (True, Kind.COUNT, "yes/no value is not a number"),
        ([1, 2], Kind.COUNT, "a list is not a quantity"),
        ("1e400", Kind.COMPUTE, "not a finite number"),
        ("12 tokens", Kind.COUNT, "not the unit 'tokens'"),
        ("5 months", Kind.DAYS, "not the unit 'months'"),
        ("10.5±0.3", Kind.PERCENT, "an uncertainty '±0.3'; write the value alone, and its uncertainty as stderr"),
        ("60.1 (+/- 0.3)", Kind.NUMBER, "an uncertainty '(+/- 0.3)'"),
    ],
)
def test_rejects_with_what_was_understood_and_expected(text, kind, says):
    with pytest.raises(QuantityError) as info:
        parse_quantity(text, kind)
    message = str(info.value)
    assert says in message
    assert "expected" in message  # every message says what would have been right


def test_error_lists_the_units_a_field_accepts():
    with pytest.raises(QuantityError, match=r"units here: parameters, params"):
        parse_quantity("7B bananas", Kind.COUNT, PARAMS)


@pytest.mark.parametrize(
    ("value", "text"),
    [(70e9, "70B"), (1.4e12, "1.4T"), (540.35e9, "540.35B"), (999.999e9, "1T"), (6144, "6144"),
     (7e6, "7M"), (238_300, "238.3K"), (39e6, "39M"), (0.5, "0.5"), (None, ""), (float("nan"), "")],
)
def test_format_count(value, text):
    assert format_count(value) == text


def test_format_compute_and_number():
    assert format_compute(5.76e23) == "5.76e23"
    assert format_compute(2.56e24) == "2.56e24"
    assert format_compute(1e24) == "1e24"
    assert format_number(57.80, 2) == "57.8"
    assert format_number(-0.0001, 2) == "0"


@given(st.floats(min_value=1, max_value=1e15, allow_nan=False), st.sampled_from(["", " "]))
def test_formatted_counts_read_back(value, space):
    text = format_count(value, precision=2)
    parsed = parse_quantity(text.replace("B", space + "B") if space else text, Kind.COUNT).value
    assert math.isclose(parsed, value, rel_tol=0.006, abs_tol=0.006)


@given(st.decimals(min_value=-1e6, max_value=1e6, places=3, allow_nan=False, allow_infinity=False))
def test_plain_decimals_are_exact(d):
    assert parse_quantity(str(d), Kind.NUMBER).value == pytest.approx(float(d), rel=1e-15, abs=1e-12)
