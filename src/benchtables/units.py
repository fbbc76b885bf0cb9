"""Quantities: reading the human forms papers use, and writing them back.

Papers write ``70B``, ``1.4T``, ``175 billion``, ``5.76 × 10^23``, ``57.8%``, ``5400亿`` or
``3.5万亿``. :func:`parse_quantity` turns any of these into one number in the store's
canonical unit (counts as plain numbers, compute in FLOP, percent as 0–100, time in hours or
days) and keeps what the text said besides the number: a bound (``>100B``, ``under 0.5
days``) or an approximation (``≈7M``). Anything it cannot read exactly is a
:class:`~benchtables.errors.QuantityError` that says what was understood and what was
expected; it never guesses (``7m`` could be million or milli, ``1,5B`` could be 1.5 or 15).

This module imports nothing else from benchtables but its errors.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from benchtables.errors import QuantityError

__all__ = [
    "Kind",
    "Quantity",
    "format_compute",
    "format_count",
    "format_number",
    "parse_quantity",
]


class Kind(StrEnum):
    """What a field measures, which decides the forms and units it accepts."""

    COUNT = "count"  #: parameters, tokens, chips: plain numbers with K/M/B/T or 万/亿
    COMPUTE = "compute"  #: FLOP; also PF-days
    PERCENT = "percent"  #: 0–100, with or without a % sign
    HOURS = "hours"  #: durations stored in hours (chip-hours)
    DAYS = "days"  #: durations stored in days (wall-clock training time)
    NUMBER = "number"  #: a plain real number (FID, loss, a score); scientific notation allowed


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed quantity: the number in canonical units and what the text said about it."""

    value: float
    #: ``">"``, ``">="``, ``"<"`` or ``"<="`` when the text gave a bound, else ``None``.
    bound: str | None = None
    #: The text marked the number as approximate (``≈``, ``~``, ``about``, ``约``).
    approximate: bool = False
    #: The text carried a percent sign.
    percent: bool = False


_EXAMPLES = {
    Kind.COUNT: "a count such as 70B, 1.4T, 175 billion, 5.76e23, 5400亿 or 3.5万亿",
    Kind.COMPUTE: "compute in FLOP such as 5.76e23, 2.56e24 FLOP or 3640 PF-days",
    Kind.PERCENT: "a percentage such as 57.8% or 57.8 (on a 0–100 scale)",
    Kind.HOURS: "a duration in hours such as 8,404,992, 7M or 1200 h",
    Kind.DAYS: "a duration in days such as 21, 0.5 days or 36 h",
    Kind.NUMBER: "a number such as 21.55, 1.7 or 2.5e-3",
}

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+")

# Words before the number. Longest first so that ">=" wins over ">".
_PREFIXES: list[tuple[str, str | None, bool]] = sorted(
    [
        (">=", ">=", False), ("≥", ">=", False), (">", ">", False),
        ("<=", "<=", False), ("≤", "<=", False), ("<", "<", False),
        ("at least", ">=", False), ("more than", ">", False), ("over", ">", False),
        ("above", ">", False), ("up to", "<=", False), ("at most", "<=", False),
        ("under", "<", False), ("less than", "<", False), ("below", "<", False),
        ("至少", ">=", False), ("超过", ">", False), ("超", ">", False), ("逾", ">", False),
        ("多于", ">", False), ("不到", "<", False), ("少于", "<", False), ("不足", "<", False),
        ("~", None, True), ("≈", None, True), ("∼", None, True), ("about", None, True),
        ("approximately", None, True), ("approx.", None, True), ("approx", None, True),
        ("around", None, True), ("roughly", None, True), ("circa", None, True),
        ("ca.", None, True), ("大约", None, True), ("约", None, True),
    ],
    key=lambda p: -len(p[0]),
)
_SUFFIX_BOUNDS = {"+": ">=", "以上": ">=", "余": ">", "多": ">"}
_SUFFIX_APPROX = ("左右",)

_NUMBER = re.compile(
    r"""(?P<mant>[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+))
        (?:\s*(?:[eE](?P<exp>[-+]?\d+)
              |[x×*·]\s*10\s*(?:\^|\*\*)\s*(?P<exp10>[-+]?\d+)))?""",
    re.VERBOSE,
)
_POWER_OF_TEN = re.compile(r"10\s*(?:\^|\*\*)\s*(?P<exp>[-+]?\d+)")
_CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_WORD_SCALES = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "mn": 1e6, "mio": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "g": 1e9,
    "trillion": 1e12, "t": 1e12,
    "quadrillion": 1e15,
}
_CHINESE_SCALES = {"十": 1e1, "百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8}

# Unit words per kind: word → factor to the canonical unit. "" is the bare number.
_UNITS: dict[Kind, dict[str, float]] = {
    Kind.COUNT: {"": 1.0},
    Kind.COMPUTE: {
        "": 1.0, "flop": 1.0, "flops": 1.0,
        "gflop": 1e9, "gflops": 1e9, "tflop": 1e12, "tflops": 1e12, "pflop": 1e15, "pflops": 1e15,
        "pf-days": 8.64e19, "pf-day": 8.64e19, "pfs-days": 8.64e19, "pfs-day": 8.64e19,
        "petaflop/s-days": 8.64e19, "petaflop/s-day": 8.64e19, "petaflop-days": 8.64e19,
    },
    Kind.PERCENT: {"": 1.0, "%": 1.0, "percent": 1.0, "pct": 1.0},
    Kind.HOURS: {
        "": 1.0, "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0, "小时": 1.0,
        "gpu-hours": 1.0, "gpu hours": 1.0, "gpu-hour": 1.0, "tpu-hours": 1.0,
        "tpu hours": 1.0, "chip-hours": 1.0, "chip hours": 1.0, "accelerator-hours": 1.0,
        "d": 24.0, "day": 24.0, "days": 24.0, "gpu-days": 24.0, "gpu days": 24.0,
    },
    Kind.DAYS: {
        "": 1.0, "d": 1.0, "day": 1.0, "days": 1.0, "天": 1.0,
        "h": 1 / 24, "hr": 1 / 24, "hrs": 1 / 24, "hour": 1 / 24, "hours": 1 / 24, "小时": 1 / 24,
        "week": 7.0, "weeks": 7.0, "周": 7.0,
    },
    Kind.NUMBER: {"": 1.0},
}
_KIND_ALLOWS_SCALE = {Kind.COUNT, Kind.COMPUTE, Kind.HOURS}


#: What follows a number that is its uncertainty: ``± 0.3``, ``+/- 0.3``, ``(±0.3)``.
_UNCERTAINTY = re.compile(r"^\(?\s*(?:±|\+/-|\+-)")


def _fail(text: str, kind: Kind, reason: str) -> QuantityError:
    shown = repr(text) if len(text) <= 60 else f"{text[:30]!r}…{text[-15:]!r} ({len(text):,} characters)"
    return QuantityError(f"cannot read {shown}: {reason}; expected {_EXAMPLES[kind]}")


def _strip_prefixes(s: str) -> tuple[str, str | None, bool]:
    bound: str | None = None
    approximate = False
    changed = True
    while changed:
        changed = False
        low = s.lower()
        for word, b, approx in _PREFIXES:
            if low.startswith(word):
                s = s[len(word):].lstrip()
                bound = b or bound
                approximate = approximate or approx
                changed = True
                break
    return s, bound, approximate


def _strip_suffixes(s: str) -> tuple[str, str | None, bool]:
    bound: str | None = None
    approximate = False
    for word in _SUFFIX_APPROX:
        if s.endswith(word):
            s, approximate = s[: -len(word)].rstrip(), True
    for word, b in _SUFFIX_BOUNDS.items():
        if s.endswith(word) and len(s) > len(word):
            s, bound = s[: -len(word)].rstrip(), b
            break
    return s, bound, approximate


def _read_number(s: str, text: str, kind: Kind) -> tuple[float, str]:
    """Read the leading number of ``s``; return it and the rest of the text."""
    if s and s[0] in _CHINESE_DIGITS:
        return float(_CHINESE_DIGITS[s[0]]), s[1:]
    if s and s[0] in _CHINESE_SCALES:  # 千亿 is one hundred billion: the unit alone means one of it
        return 1.0, s
    power = _POWER_OF_TEN.match(s)
    if power:
        return float(f"1e{int(power['exp'])}"), s[power.end():]
    m = _NUMBER.match(s)
    if not m:
        raise _fail(text, kind, "found no number in it")
    mantissa = m["mant"]
    if "," in mantissa:
        integral = mantissa.lstrip("+-").split(".")[0]
        groups = integral.split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise _fail(
                text, kind,
                f"the comma in {mantissa!r} is ambiguous (thousands separator or decimal "
                "comma?); write 1.5 or 1,500",
            )
        mantissa = mantissa.replace(",", "")
    exponent = m["exp"] or m["exp10"]
    value = float(f"{mantissa}e{int(exponent)}" if exponent is not None else mantissa)  # 1e400 → inf, not a crash
    return value, s[m.end():]


def _read_scale(rest: str, text: str, kind: Kind) -> tuple[float, str, str | None]:
    """Read a multiplier (K, M, B, T, billion, 万, 亿…) at the start of ``rest``."""
    rest = rest.lstrip()
    chinese = 1.0
    i = 0
    while i < len(rest) and rest[i] in _CHINESE_SCALES:
        chinese *= _CHINESE_SCALES[rest[i]]
        i += 1
    if i:
        return chinese, rest[i:].lstrip(), rest[:i]
    if rest.startswith("兆"):
        raise _fail(text, kind, "'兆' is ambiguous (10^6 or 10^12 depending on usage)")
    m = re.match(r"([A-Za-z]+)\b", rest)
    if not m:
        return 1.0, rest, None
    word = m.group(1)
    if word == "m":
        raise _fail(text, kind, "'m' is ambiguous (million or milli?); write M for million")
    if word == "M":
        return 1e6, rest[m.end():].lstrip(), word
    scale = _WORD_SCALES.get(word.lower())
    if scale is None:
        return 1.0, rest, None
    return scale, rest[m.end():].lstrip(), word


def parse_quantity(raw: object, kind: Kind | str = Kind.NUMBER, units: tuple[str, ...] = ()) -> Quantity:
    """Read ``raw`` as a quantity of ``kind``.

    Args:
        raw: a number, or text such as ``"70B"``, ``"≈7M"``, ``">100B"``, ``"57.8%"``,
            ``"5400亿"``, ``"2.56e24 FLOP"``.
        kind: what the field measures (see :class:`Kind`).
        units: extra unit words this field accepts after the number (e.g. ``("tokens",)``),
            all with factor 1.

    Returns:
        The :class:`Quantity`, its value in the canonical unit of ``kind``.

    Raises:
        QuantityError: the text is not a quantity of this kind, or is ambiguous.
    """
    kind = Kind(kind)
    if isinstance(raw, bool):
        raise _fail(str(raw).lower(), kind, "a yes/no value is not a number")
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            raise _fail(str(raw), kind, "it is not a finite number")
        return Quantity(value)
    if not isinstance(raw, str):
        raise _fail(repr(raw), kind, f"a {type(raw).__name__} is not a quantity")
    text = raw
    # "10²³" means 10^23: keep the exponent marker before normalising digits.
    s = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), raw)
    s = unicodedata.normalize("NFKC", s).strip()
    if not s:
        raise _fail(text, kind, "it is empty")
    if s.lower() in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", ".nan", ".inf", "-.inf"}:
        raise _fail(text, kind, "it is not a finite number")

    s, bound, approximate = _strip_prefixes(s)
    s, suffix_bound, suffix_approx = _strip_suffixes(s)
    bound = bound or suffix_bound
    approximate = approximate or suffix_approx

    value, rest = _read_number(s, text, kind)
    scale, rest, scale_word = _read_scale(rest, text, kind)
    rest = rest.strip()
    unit = rest.lower()
    percent = unit in ("%", "percent", "pct")

    if scale_word is not None and kind not in _KIND_ALLOWS_SCALE:
        understood = f"{_plain(value)} {scale_word}"
        raise _fail(text, kind, f"understood {understood}, but a multiplier makes no sense here")
    if percent and kind is not Kind.PERCENT:
        if kind is Kind.NUMBER:
            # The caller decides whether a percent sign fits (it does for percent metrics).
            return _finish(text, kind, value, bound, approximate, percent=True)
        raise _fail(text, kind, f"understood {_plain(value)} percent, but this field takes {kind.value}, not a percentage")

    table = dict(_UNITS[kind])
    table.update({u.lower(): 1.0 for u in units})
    factor = table.get(unit)
    if factor is None:
        if _UNCERTAINTY.match(rest):
            raise _fail(text, kind, f"understood the number {_plain(value * scale)} and an uncertainty {rest!r}; write "
                                    "the value alone, and its uncertainty as stderr (or ci_low/ci_high) where the "
                                    "record has them")
        accepted = sorted(u for u in table if u)
        what = f"the number {_plain(value * scale)}"
        hint = f" (units here: {', '.join(accepted)})" if accepted else " (no unit is expected here)"
        raise _fail(text, kind, f"understood {what} but not the unit {rest!r}{hint}")
    return _finish(text, kind, value * scale * factor, bound, approximate, percent=percent)


def _finish(text: str, kind: Kind, value: float, bound: str | None, approximate: bool, *, percent: bool) -> Quantity:
    if not math.isfinite(value):
        raise _fail(text, kind, "it is not a finite number")
    value = float(f"{value:.15g}")  # 0.1 × 1e9 is 100000000.00000001 in binary floating point
    return Quantity(value=value, bound=bound, approximate=approximate, percent=percent)


def _plain(value: float) -> str:
    return f"{value:g}"


_COUNT_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def format_count(value: float | None, precision: int = 2) -> str:
    """Write a count the way papers do: ``70B``, ``1.4T``, ``540.35B``, ``6144``.

    Counts below 10,000 are written in full; larger ones with K/M/B/T and up to
    ``precision`` decimals, trailing zeros dropped; from 10¹⁵ on, as powers of ten (``1.7e308``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    magnitude = abs(value)
    if magnitude < 1e4:
        return format_number(value, precision)
    if magnitude >= 1e15:  # beyond a thousand trillion: no suffix reads better than a power of ten
        return format_compute(value)
    index = next(i for i, (scale, _) in enumerate(_COUNT_SUFFIXES) if magnitude >= scale)
    scale, suffix = _COUNT_SUFFIXES[index]
    if index and abs(round(value / scale, precision)) >= 1000:  # 999.999B rounds to 1T
        scale, suffix = _COUNT_SUFFIXES[index - 1]
    return f"{format_number(round(value / scale, precision), precision)}{suffix}"


def format_compute(value: float | None, digits: int = 3) -> str:
    """Write compute in FLOP in scientific notation: ``5.76e23``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def format_number(value: float | None, precision: int = 2) -> str:
    """Write a number with at most ``precision`` decimals, trailing zeros dropped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.{precision}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
