"""The item panel: what the AI found on a page, in groups a reviewer reads one by one.

Header fields (annotations that occur once), line items (annotations whose entity repeats
on the page, or that belong to the same parent as one that repeats) as a table whose rows
follow the lines on the page, then checkboxes, segments and signatures. Each group counts
its items, those below the threshold and those flagged (cannot be drawn, or failing the
upstream's validation).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from html import escape  # the standard library's: Django's gives the same, through a lazy-text wrapper per call

from django.template.loader import render_to_string
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reviewer.review.overlays import KIND_LABEL, NEAR, Item

SEPARATORS = "./"


@dataclass
class Row:
    top: float | None  # None: the items of this row have no position on the page
    cells: list[list[Item]]  # one list per column, in the table's column order


@dataclass
class Group:
    key: str  # "fields", "lines", "checkbox", "segment", "signature"
    title: str
    items: list[Item] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # lines only: (entity, heading)
    rows: list[Row] = field(default_factory=list)  # lines only
    added: list[Item] = field(default_factory=list)  # what the person added to the page
    low: int = 0
    flagged: int = 0
    container: Container | None = None  # its entries' markup (`render`)

    @property
    def count(self) -> int:
        return len(self.items)


def parent(entity: str) -> str:
    """The entity an entity id belongs to, when it names one ("line_items.amount" → "line_items")."""
    cut = max(entity.rfind(s) for s in SEPARATORS)
    return entity[:cut] if cut > 0 else ""


def _repeated(annotations: list[Item]) -> set[str]:
    """The entities of the line items: those that repeat, and their siblings."""
    counts = Counter(a.entity for a in annotations if a.entity)
    repeated = {e for e, n in counts.items() if n > 1}
    if not repeated:
        return set()
    parents = {parent(e) for e in repeated} - {""}
    prefix = os.path.commonprefix(sorted(repeated)) if len(repeated) > 1 else ""
    prefix = prefix[: prefix.rfind("_") + 1] if "_" in prefix else ""  # a whole word: "line_item_"
    siblings = {e for e in counts if (parent(e) and parent(e) in parents) or (len(prefix) > 2 and e.startswith(prefix))}
    return repeated | siblings


def _heading(entity: str, prefix: str) -> str:
    name = entity[len(prefix) :] if prefix and entity.startswith(prefix) else entity
    if parent(name):
        name = name[len(parent(name)) + 1 :]
    return name.replace("_", " ") or entity


def _top(item: Item) -> float | None:
    return item.box[1] if item.box else None


def _left(item: Item) -> float:
    return item.box[0] if item.box else float("inf")


def line_table(items: list[Item], line_height: float) -> tuple[list[tuple[str, str]], list[Row]]:
    """The line items as columns (entities, left to right) and rows (lines, top to bottom).

    Items whose tops lie within half a line of each other share a row; items with no
    position come last, in a row of their own.
    """
    leftmost: dict[str, float] = {}  # each entity's leftmost item, in one pass
    for i in items:
        leftmost[i.entity] = min(leftmost.get(i.entity, float("inf")), _left(i))
    entities = sorted(leftmost, key=leftmost.__getitem__)
    prefix = os.path.commonprefix(entities) if len(entities) > 1 else ""
    prefix = prefix[: prefix.rfind("_") + 1] if "_" in prefix else ""
    column = {e: n for n, e in enumerate(entities)}
    placed = sorted((i for i in items if _top(i) is not None), key=lambda i: (_top(i), _left(i)))
    rows: list[Row] = []
    for item in placed:
        if not rows or _top(item) - rows[-1].top > line_height / 2:
            rows.append(Row(top=_top(item), cells=[[] for _column in entities]))
        rows[-1].cells[column[item.entity]].append(item)
    unplaced = [i for i in items if _top(i) is None]
    if unplaced:
        row = Row(top=None, cells=[[] for _column in entities])
        for item in unplaced:
            row.cells[column[item.entity]].append(item)
        rows.append(row)
    return [(e, _heading(e, prefix)) for e in entities], rows


def groups(items: list[Item], added: list[Item], threshold: float, line_height: float) -> list[Group]:
    """The page's items (and those the person added) in the panel's groups, empty ones left out."""
    annotations = [i for i in items if i.kind == "annotation"]
    repeated = _repeated(annotations)
    fields = Group("fields", _("Header fields"), [i for i in annotations if i.entity not in repeated])
    lines = Group("lines", _("Line items"), [i for i in annotations if i.entity in repeated])
    if lines.items:
        lines.columns, lines.rows = line_table(lines.items, line_height)
    out = [fields, lines]
    for kind, title in (("checkbox", _("Checkboxes")), ("segment", _("Segments")), ("signature", _("Signatures"))):
        out.append(Group(kind, title, [i for i in items if i.kind == kind]))
    by_key = {g.key: g for g in out}
    for group in out:
        group.low = sum(1 for i in group.items if i.confidence < threshold)
        group.flagged = sum(1 for i in group.items if i.problem or i.failing)
    for item in added:  # the person's own additions, counted by nobody: they are not the AI's
        by_key["fields" if item.kind == "annotation" else item.kind].added.append(item)
    return [g for g in out if g.items or g.added]


class _Words:
    """The panel's fixed words in the active language, looked up once per page, not per item."""

    def __init__(self):
        earlier, corrected = escape(_("Corrected by a person earlier")), escape(_("corrected"))
        self.corrected = f' <span class="tag" title="{earlier}">{corrected}</span>'
        self.confidence = escape(_("Confidence"))
        no_position = escape(_("(no position on the page)"))
        self.no_position = f' <span class="muted">{no_position}</span>'
        self.new = escape(pgettext("an added item", "new"))
        self.cannot = _("Cannot be drawn: %(problem)s")
        self.unplaced = escape(_("No position on the page"))
        self.kinds = {kind: escape(str(label)) for kind, label in KIND_LABEL.items()}


def _slot(item: Item) -> str:
    inner = render_to_string("review/_change.html", {"change": item.change}) if item.change else ""
    inner = inner.replace("'", "&#39;")  # none in its markup (see _split)
    return f'<div class="change-slot" data-change-slot>{inner}</div>'


def entry_html(item: Item, threshold: float, words: _Words, *, cell: bool = False, addition: bool = False) -> str:
    """One item in the panel (what review/_entry.html wrote, in one pass): its classes and
    data- attributes are what review.js and corrections.js read."""
    role = ' role="none"' if cell else ""
    entity = f' data-entity="{escape(item.entity)}"' if item.entity else ""
    kind_label = words.kinds[item.kind]
    link = f'<a href="#{item.dom_id}" data-select="{item.dom_id}">'
    if addition:
        position = "" if item.box else words.no_position
        return (
            f'<li class="entry added kind-{item.kind} changed"{role} data-kind="{item.kind}" data-confidence="1"'
            f' data-ref="{escape(item.ref)}" data-item-id="" data-original="{{}}"{entity}>{link}'
            f'<span class="kind">{kind_label}</span> <span class="label">{escape(item.label)}</span>'
            f' <span class="detail">{escape(item.detail)}{position}</span> <span class="conf">{words.new}</span></a>'
            f"{_slot(item)}</li>"
        )
    classes = f"entry kind-{item.kind}"
    if item.confidence < threshold:
        classes += " low"
    elif item.confidence < threshold + NEAR:
        classes += " near"
    if item.problem:
        classes += " flagged"
    if item.change:
        classes += " changed removed" if item.change.get("op") == "remove" else " changed"
    if item.failing:
        classes += " failing"
    flags = ""
    if item.problem:
        flags += f'<span class="flag">⚠ {escape(words.cannot % {"problem": item.problem})}</span>'
    if item.value_problem:
        flags += f'<span class="flag">⚠ {escape(item.value_problem)}</span>'
    if item.failing:
        flags += f'<span class="flag">⚠ {escape(item.failing)}</span>'
    return (
        f'<li class="{classes}"{role} data-kind="{item.kind}" data-confidence="{item.confidence:g}"'
        f' data-ref="{escape(item.ref)}" data-item-id="{escape(item.id)}"'
        f' data-original="{escape(item.original)}"{entity}>'
        f'{link}<span class="kind">{kind_label}{words.corrected if item.corrected else ""}</span>'
        f' <span class="label">{escape(item.label)}</span> <span class="detail">{escape(item.detail)}</span>'
        f' <span class="conf" title="{words.confidence}">{item.percent}%</span>{flags}</a>{_slot(item)}</li>'
    )


ITEMS_PER_PAGE = 100  # entries drawn with the page; the rest wait (for the script, or the next page's link)
CHUNK = 100  # entries the script draws at a time, when the person scrolls near them


@dataclass
class Pager:
    """Which of the page's entries are drawn: those from `start` (0-based) to `end`, of `total`."""

    start: int
    end: int
    total: int
    per_page: int = ITEMS_PER_PAGE

    @property
    def previous(self) -> int | None:
        return max(0, self.start - self.per_page) if self.start else None

    @property
    def next(self) -> int | None:
        return self.end if self.end < self.total else None

    @property
    def paged(self) -> bool:
        return self.total > self.per_page or self.start > 0


@dataclass
class Container:
    """A list of entries (a group's, or the lowest-confidence-first list), split into what is
    drawn with the page and what waits: `rest` holds chunks of markup for review.js, each with
    the confidences of the AI's items in it (the group's low count follows the threshold) and
    its number of entries; each chunk has its own place in the list (`[data-rest][data-chunk]`)."""

    key: str
    html: str = ""
    rest: list = field(default_factory=list)

    @property
    def rest_script(self) -> SafeString:
        """The waiting chunks as a JSON data block (the script-src policy allows data blocks)."""
        if not self.rest:
            return mark_safe("")  # noqa: S308
        return json_script(self.rest, f"rest-{self.key}")  # Django's: <, > and & escaped inside


def _split(key: str, units: list[tuple[str, list[float], int]], n: int, pager: Pager) -> tuple[Container, int]:
    """Place each unit (an entry, or a line of the table: markup, confidences, entries) from the
    `n`th entry on: drawn if in the pager's window, left out before it, in chunks after it."""
    shown, rest, chunk, confs, size = [], [], [], [], 0
    for html, unit_confs, count in units:
        if n >= pager.end:
            # Every value in an entry is escaped (no quote left in it), so its attributes can be
            # quoted with ' and need no escaping in the JSON: a third less data.
            chunk.append(html.replace('"', "'"))
            confs += unit_confs
            size += count
            if size >= CHUNK:
                rest.append(["".join(chunk), confs, size])
                chunk, confs, size = [], [], 0
        elif n >= pager.start:
            shown.append(html)
        n += count
    if chunk:
        rest.append(["".join(chunk), confs, size])
    return Container(key, mark_safe("".join(shown)), rest), n  # noqa: S308 - escaped in entry_html


def _entry_units(items: list[Item], added: list[Item], threshold: float, words: _Words) -> list:
    units = [(entry_html(i, threshold, words), [i.confidence], 1) for i in items]
    return units + [(entry_html(i, threshold, words, addition=True), [], 1) for i in added]


def _row_html(number: int, row: Row, threshold: float, words: _Words) -> str:
    if row.top is None:
        head = f'<span title="{words.unplaced}">?</span>'
    else:
        head = str(number)
    cells = []
    for cell in row.cells:
        inner = "".join(entry_html(i, threshold, words, cell=True) for i in cell)
        cells.append(f'<td><ol class="cell" role="none">{inner}</ol></td>' if cell else "<td></td>")
    cells = "".join(cells)
    return f'<tr><th scope="row">{head}</th>{cells}</tr>'


def entries(items: list[Item], added: list[Item], threshold: float, start: int = 0) -> tuple[Container, Pager]:
    """One list of the items and additions (lowest confidence first), windowed like `render`."""
    words = _Words()
    total = len(items) + len(added)
    pager = Pager(min(start, max(total - 1, 0)), 0, total)
    pager.end = min(pager.start + pager.per_page, total)
    container, _n = _split("items", _entry_units(items, added, threshold, words), 0, pager)
    return container, pager


def render(groups_: list[Group], threshold: float, start: int = 0) -> tuple[list[Group], Pager]:
    """Each group's entries as markup, in one pass: the `ITEMS_PER_PAGE` from the `start`th (in
    the panel's order) drawn, the rest in chunks for review.js (`Group.container`)."""
    words = _Words()
    total = sum(g.count + len(g.added) for g in groups_)
    pager = Pager(min(start, max(total - 1, 0)), 0, total)
    pager.end = min(pager.start + pager.per_page, total)
    n = 0
    for g in groups_:
        if g.key == "lines":
            units = []
            for number, row in enumerate(g.rows, start=1):
                confs = [i.confidence for cell in row.cells for i in cell]
                units.append((_row_html(number, row, threshold, words), confs, len(confs)))
            units += _entry_units([], g.added, threshold, words)
        else:
            units = _entry_units(g.items, g.added, threshold, words)
        g.container, n = _split(g.key, units, n, pager)
    return groups_, pager
