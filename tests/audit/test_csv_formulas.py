"""The CSV exports neutralise any cell a spreadsheet would run as a formula: whatever whitespace or
control characters come first, a cell whose first visible character is = + - @ is quoted."""

from __future__ import annotations

import pytest

from tests.audit.conftest import rec
from tests.audit.test_ledger import csv_rows

DANGEROUS = [
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    " =HYPERLINK(1)",
    "\n=HYPERLINK(1)",
    "  \n\t=1",
    "\x0b\x1f@x",
    "\u00a0=1",
    "\ufeff=1",
    "\u200b+1",
    "\uff1d1+1",  # a full-width equals sign
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_behind_whitespace_or_controls_is_quoted(lead_client, people, value):
    rec(value, "approve", message=value, task="t1")
    [row] = csv_rows(lead_client.get("/audit/approvals/?format=csv"))
    assert row["reviewer"] == "'" + value
    assert row["message"] == "'" + value


def test_a_nul_is_kept_visibly_and_leads_no_formula(lead_client, people):
    """PostgreSQL cannot store NUL: the log keeps it as ␀ (on SQLite too), which no spreadsheet runs."""
    rec("rita", "approve", message="\x00=HYPERLINK(1)", task="t1")
    [row] = csv_rows(lead_client.get("/audit/approvals/?format=csv"))
    assert row["message"] == "\u2400=HYPERLINK(1)"


@pytest.mark.parametrize("value", ["ok", "a=b", "rita", "12", "e-mail", " plain"])
def test_plain_text_is_left_alone(lead_client, people, value):
    rec(value, "approve", message=value, task="t1")
    [row] = csv_rows(lead_client.get("/audit/approvals/?format=csv"))
    assert (row["reviewer"], row["message"]) == (value, value)
