"""Validation rules (docs/corrections.md): reading dates and amounts, and what each rule says."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from reviewer.sandbox import seed, validation
from reviewer.sandbox.models import ValidationRule
from reviewer.sandbox.validation import parse_amount, parse_date
from tests.conftest import doc_pages, make_task

OCTOBER_12 = dt.date(2026, 10, 12)
NUMBERS = itertools.count()


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-12",
        "12-10-2026",
        "12.10.2026",
        "12/10/2026",
        "12 October 2026",
        "12 oktober 2026",
        "12. Oktober 2026",
        "12 octobre 2026",
        "October 12, 2026",
        " 12-10-2026 ",
    ],
)
def test_it_reads_dates_in_the_formats_of_invoices(text):
    assert parse_date(text) == OCTOBER_12


def test_it_reads_a_us_date_month_first_when_day_first_is_no_date():
    assert parse_date("10/12/2026") == dt.date(2026, 12, 10)  # day first where it can be
    assert parse_date("10/13/2026") == dt.date(2026, 10, 13)
    assert parse_date("13-10-2026") == dt.date(2026, 10, 13)
    assert parse_date("10-13-2026") is None  # month first only with slashes


@pytest.mark.parametrize(
    "text", ["", "12-1O-2026", "31-02-2026", "12 Octobr 2026", "2026-13-01", "12-10-26", "soon", "12 10 2026"]
)
def test_it_refuses_what_is_not_a_date(text):
    assert parse_date(text) is None


def test_it_reads_every_date_format_the_seed_writes():
    for lang in ("en", "us", "de", "nl", "fr"):
        assert parse_date(seed._format_date(dt.date(2026, 2, 28), lang)) == dt.date(2026, 2, 28)
    for lang in ("en", "de", "nl", "fr"):
        assert parse_date(seed._long_date(dt.date(2026, 8, 3), lang)) == dt.date(2026, 8, 3)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("€ 1.234,56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("$1,234.56", "1234.56"),
        ("1\u202f234,56 €", "1234.56"),
        ("1 234,56 €", "1234.56"),
        ("€ 1.234.567,89", "1234567.89"),
        ("$0.00", "0.00"),
        ("1234,56", "1234.56"),
        ("EUR 12.50", "12.50"),
        ("12.50 EUR", "12.50"),
        ("-$3.00", "-3.00"),
        ("€ -3,00", "-3.00"),
        ("CHF 1'234.50", "1234.50"),
    ],
)
def test_it_reads_amounts(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize(
    "text", ["€ 6.749,11?", "€ 6.7O9,11", "12", "12,5", "1,234,56", "1.234.56", "€ 12,00 €", "--3.00", "abc", ""]
)
def test_it_refuses_what_is_not_an_amount(text):
    assert parse_amount(text) is None


def test_it_reads_every_amount_format_the_seed_writes():
    for currency, lang in (("€", "nl"), ("€", "de"), ("€", "fr"), ("£", "en"), ("$", "us")):
        assert parse_amount(seed._money(12345.6, currency, lang)) == Decimal("12345.60")


def annotation(item_id: str, entity: str, content: str) -> dict:
    return {"id": item_id, "entity_id": entity, "confidence": 0.9, "content": content, "top": 1, "left_of_line": 1}


def failures(*annotations: dict, rules=(("line_totals", "total_amount"),)) -> list[tuple]:
    pages = doc_pages()
    pages[0]["annotations"] = list(annotations)
    task = make_task(f"task_{next(NUMBERS)}", pages=pages)
    for kind, entity in rules:
        ValidationRule.objects.get_or_create(project=task.project, rule=kind, entity_id=entity)
    return [tuple(f.values()) for f in validation.failures(task)]


@pytest.mark.django_db
def test_it_skips_line_totals_without_line_items():
    assert failures(annotation("ann_1", "total_amount", "€ 12,00")) == []


@pytest.mark.django_db
def test_it_leaves_an_unreadable_or_missing_total_to_the_other_rules():
    line = annotation("ann_1", "line_item_amount", "€ 12,00")
    assert failures(line, annotation("ann_2", "total_amount", "€ 1Z,00")) == []
    assert failures(line) == []


@pytest.mark.django_db
def test_it_says_when_the_line_totals_cannot_be_checked():
    found = failures(
        annotation("ann_1", "line_item_amount", "€ 12,00"),
        annotation("ann_2", "line_item_amount", "€ l2,00"),
        annotation("ann_3", "total_amount", "€ 24,00"),
    )
    message = 'line totals cannot be checked: line_item_amount "€ l2,00" is not an amount'
    assert found == [("line_totals", "total_amount", message, "page_1", "ann_2")]


@pytest.mark.django_db
def test_it_adds_line_totals_to_the_cent_without_vat_when_there_is_none():
    lines = [annotation(f"ann_{n}", "line_item_amount", "$0.10") for n in range(1, 4)]
    assert failures(*lines, annotation("ann_9", "total_amount", "$0.30")) == []
    assert failures(*lines, annotation("ann_9", "total_amount", "$0.31")) == [
        ("line_totals", "total_amount", "line items (0.30) plus VAT (0.00) make 0.30, not 0.31", None, None)
    ]


@pytest.mark.django_db
def test_it_blames_a_single_blank_value_and_no_item_among_several():
    rules = (("required", "invoice_date"),)
    assert failures(annotation("ann_1", "invoice_date", " "), rules=rules) == [
        ("required", "invoice_date", "empty", "page_1", "ann_1")
    ]
    blank = annotation("ann_1", "invoice_date", ""), annotation("ann_2", "invoice_date", "")
    assert failures(*blank, rules=rules) == [("required", "invoice_date", "empty", None, None)]
    assert failures(*blank, annotation("ann_3", "invoice_date", "12-10-2026"), rules=rules) == []


@pytest.mark.django_db
def test_it_names_each_value_that_is_not_a_date_or_an_amount_and_cuts_long_ones():
    rules = (("date", "invoice_date"), ("amount", "total_amount"))
    found = failures(
        annotation("ann_1", "invoice_date", "12-10-2026"),
        annotation("ann_2", "invoice_date", "x" * 50),
        annotation("ann_3", "total_amount", 'say "12"'),
        annotation("ann_4", "total_amount", ""),  # blank: the required rule's business
        rules=rules,
    )
    assert found == [
        ("date", "invoice_date", f'not a date ("{"x" * 39}…")', "page_1", "ann_2"),
        ("amount", "total_amount", "not an amount (\"say '12'\")", "page_1", "ann_3"),
    ]
