"""Compare two printed outputs number by number, ignoring torch-vs-ndgrad wording."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# A number not glued to a name ("conv1", "float32" are names) nor to a hex address.
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|inf|nan)(?!\w)"
    r"|(?<![\w.])(?:True|False)(?!\w)"
)
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_LIBRARY = re.compile(r"\b(?:torch|ndgrad)\.(?:_C\.)?")


@dataclass
class Verdict:
    """One output compared with another: ``status`` is matched, differed or not comparable."""

    status: str
    detail: str


def numbers(text: str) -> list[str]:
    """The numeric tokens of ``text`` in order, True/False included, addresses left out."""
    return _NUMBER.findall(_ADDRESS.sub(" ", _LIBRARY.sub("", text)))


def _value(token: str) -> float:
    if token in ("True", "False"):
        return float(token == "True")
    return float(token)


def _last_place(token: str) -> float:
    """One unit in the last printed digit: "0.4069" -> 1e-4, "1.2e-03" -> 1e-4.

    Whole numbers ("7", and "8." as torch prints integral floats) are exact: 0.
    """
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals) if decimals else 0.0


def close(a: str, b: str, rtol: float, atol: float) -> bool:
    """Whether two printed numbers agree: within the tolerances plus one printed last digit."""
    x, y = _value(a), _value(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    slack = max(_last_place(a), _last_place(b))
    return abs(x - y) <= atol + rtol * max(abs(x), abs(y)) + slack * 1.000001


def _plain(text: str) -> str:
    return " ".join(_ADDRESS.sub("", _LIBRARY.sub("", text)).split())


def compare(expected: str, got: str, rtol: float = 1e-3, atol: float = 1e-5) -> Verdict:
    """Compare ``got`` with ``expected``: their numbers one by one, else their plain text."""
    if not expected.strip():
        return Verdict("not comparable", "nothing stored" if got.strip() else "no output")
    want, have = numbers(expected), numbers(got)
    if not want and not have:
        if _plain(expected) == _plain(got):
            return Verdict("matched", "same text")
        return Verdict("not comparable", "text only, and it differs")
    if len(want) != len(have):
        return Verdict("differed", f"{len(have)} numbers printed, {len(want)} expected")
    for i, (a, b) in enumerate(zip(want, have)):
        if not close(a, b, rtol, atol):
            return Verdict("differed", f"number {i + 1}: {b} printed, {a} expected")
    return Verdict("matched", f"{len(want)} numbers")
