"""Validation as rules: what complete checks before a task may leave review.

A project has `ValidationRule` rows (docs/corrections.md, "Validation rules"), each optionally
limited to the tasks whose meta `category` has a given value. `failures()` runs them on a task's
pages and returns what fails, each failure as the `error.failures` entries of `validation_failed`:
`{"rule", "entity_id", "message", "page_id", "item_id"}`, page and item None where no single item
is to blame. The message of the answer is `Validation failed: ` and `<entity_id>: <message>`
joined by `; `.

Dates and amounts are read in the formats the demo data writes (seed.py `_format_date`,
`_long_date`, `_money`) and a few more: see `parse_date` and `parse_amount`.

`line_totals` adds the `line_item_amount` annotations and `vat` (zero where there is none) and
compares them with the rule's entity, to the cent. It is skipped, with no failure, when the task
has no line items or when the total is missing or not an amount (the `required` and `amount`
rules are the ones that say so); a line amount or VAT that is not an amount is a failure of its
own ("cannot be checked"), which names the item.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from reviewer.sandbox.models import Task, ValidationRule

BLANK = (
    " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
LINE_AMOUNT, VAT = "line_item_amount", "vat"
SHOWN = 40  # characters of a value quoted in a message

MONTHS = {
    name: number
    for names in (
        "january february march april may june july august september october november december",
        "jan feb mar apr may jun jul aug sep oct nov dec",
        "januar februar märz april mai juni juli august september oktober november dezember",
        "januari februari maart april mei juni juli augustus september oktober november december",
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    )
    for number, name in enumerate(names.split(), 1)
}
_NUMERIC_DATE = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:\.|er)?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")

CURRENCY = r"(?:[€£$¥]|[A-Z]{3})"
_AMOUNT = re.compile(
    rf"(?P<sign1>-)?(?:(?P<pre>{CURRENCY})\s?)?(?P<sign2>-)?"
    r"(?P<int>\d{1,3}(?:(?P<group>[.,'\u00a0\u202f ])\d{3})(?:(?P=group)\d{3})*|\d+)"
    r"(?P<dec>[.,])(?P<cents>\d{2})"
    rf"(?:\s?(?P<post>{CURRENCY}))?"
)


def parse_date(text: str) -> dt.date | None:
    """A date in one of the formats invoices use, or None.

    2026-10-12; 12-10-2026, 12.10.2026, 12/10/2026 (day first) and 10/12/2026 (month first, when
    the day-first reading is no date); 12 October 2026, 12. Oktober 2026, 12 oktober 2026,
    12 octobre 2026; October 12, 2026.
    """
    text = " ".join(text.strip(BLANK).split())
    if match := _ISO_DATE.fullmatch(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC_DATE.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        return _date(year, second, first) or (_date(year, first, second) if match[2] == "/" else None)
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        month = MONTHS.get(match[2].lower())
        return _date(int(match[3]), month, int(match[1])) if month else None
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        month = MONTHS.get(match[1].lower())
        return _date(int(match[3]), month, int(match[2])) if month else None
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_amount(text: str) -> Decimal | None:
    """An amount of money, or None: digits grouped by ',', '.', "'" or a space, two decimals, and
    an optional currency sign or code before or after (€ 1.234,56; £1,234.56; 1 234,56 €;
    EUR 12.50; -$3.00)."""
    match = _AMOUNT.fullmatch(text.strip(BLANK))
    if match is None or (match["pre"] and match["post"]) or (match["sign1"] and match["sign2"]):
        return None
    if match["group"] and match["group"] == match["dec"]:
        return None
    value = Decimal(re.sub(r"\D", "", match["int"]) + "." + match["cents"])
    return -value if match["sign1"] or match["sign2"] else value


def rules_for(task: Task) -> list[ValidationRule]:
    category = next(
        (m.get("value") for m in task.meta if isinstance(m, dict) and m.get("name") == "category"),
        None,
    )
    rules = ValidationRule.objects.filter(project_id=task.project_id).order_by("pk")
    return [r for r in rules if not r.category or r.category == category]


def failures(task: Task, pages: list[Any] | None = None) -> list[dict[str, Any]]:
    """What fails of the task's rules, on `pages` (the task's own by default)."""
    annotations = list(_annotations(task.pages if pages is None else pages))
    out: list[dict[str, Any]] = []
    for rule in rules_for(task):
        check = CHECKS[rule.rule]
        out += [{"rule": rule.rule, "entity_id": rule.entity_id, **f} for f in check(rule.entity_id, annotations)]
    return out


def message(found: list[dict[str, Any]]) -> str:
    return "Validation failed: " + "; ".join(f"{f['entity_id']}: {f['message']}" for f in found)


def _annotations(pages: list[Any]):
    """(page_id, annotation) for every well-formed annotation of the pages."""
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("annotations"), list):
            continue
        for item in page["annotations"]:
            if isinstance(item, dict) and isinstance(item.get("entity_id"), str):
                yield page.get("id"), item


def _content(item: dict[str, Any]) -> str:
    content = item.get("content")
    return content if isinstance(content, str) else ""


def _blank(item: dict[str, Any]) -> bool:
    return not _content(item).strip(BLANK)


def _shown(text: str) -> str:
    text = text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
    return '"' + text.replace('"', "'") + '"'


def _failure(message: str, page_id: Any = None, item: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "message": message,
        "page_id": page_id if item is not None else None,
        "item_id": item.get("id") if item is not None else None,
    }


def _of(entity: str, annotations: list) -> list[tuple[Any, dict[str, Any]]]:
    return [(page_id, item) for page_id, item in annotations if item["entity_id"] == entity]


def _required(entity: str, annotations: list) -> list[dict[str, Any]]:
    found = _of(entity, annotations)
    if not found:
        return [_failure("missing")]
    if all(_blank(item) for _, item in found):
        return [_failure("empty", *found[0]) if len(found) == 1 else _failure("empty")]
    return []


def _dates(entity: str, annotations: list) -> list[dict[str, Any]]:
    return [
        _failure(f"not a date ({_shown(_content(item))})", page_id, item)
        for page_id, item in _of(entity, annotations)
        if not _blank(item) and parse_date(_content(item)) is None
    ]


def _amounts(entity: str, annotations: list) -> list[dict[str, Any]]:
    return [
        _failure(f"not an amount ({_shown(_content(item))})", page_id, item)
        for page_id, item in _of(entity, annotations)
        if not _blank(item) and parse_amount(_content(item)) is None
    ]


def _line_totals(entity: str, annotations: list) -> list[dict[str, Any]]:
    lines = _of(LINE_AMOUNT, annotations)
    totals = [(p, i, parse_amount(_content(i))) for p, i in _of(entity, annotations) if not _blank(i)]
    if not lines or not totals or any(value is None for _, _, value in totals):
        return []  # nothing to add up, or the total is missing or unreadable: other rules say so
    parts = {LINE_AMOUNT: Decimal(0), VAT: Decimal(0)}
    for name, found in ((LINE_AMOUNT, lines), (VAT, _of(VAT, annotations))):
        for page_id, item in found:
            value = parse_amount(_content(item))
            if value is None:
                shown = _shown(_content(item))
                return [_failure(f"line totals cannot be checked: {name} {shown} is not an amount", page_id, item)]
            parts[name] += value
    made = parts[LINE_AMOUNT] + parts[VAT]
    wrong = [(p, i, value) for p, i, value in totals if value != made]
    return [
        _failure(
            f"line items ({parts[LINE_AMOUNT]:,.2f}) plus VAT ({parts[VAT]:,.2f}) make {made:,.2f}, not {value:,.2f}"
        )
        for _, _, value in wrong
    ]


CHECKS = {"required": _required, "date": _dates, "amount": _amounts, "line_totals": _line_totals}
