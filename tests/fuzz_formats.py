"""Strategies for the ``format`` values the hub's documents publish for rules JSON Schema cannot say
(a tax code's check digit): a fuzzer that knows them generates valid values; one that does not is
told the rule in the field's ``description``."""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st
from stdnum.vn import mst

__all__ = ["register_formats"]


def _mst(digits: str, branch: int | None) -> str:
    code = digits + mst.calc_check_digit(digits)
    return code if branch is None else f"{code}-{branch:03d}"


def register_formats() -> None:
    first_nine = st.text("0123456789", min_size=9, max_size=9).filter(
        lambda d: d[2:] != "0000000" and len(mst.calc_check_digit(d)) == 1
    )
    tax_codes = st.builds(_mst, first_nine, st.none() | st.integers(min_value=1, max_value=999))
    schemathesis.openapi.format("vn-mst", tax_codes)
