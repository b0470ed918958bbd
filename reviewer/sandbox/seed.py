"""The sandbox's demo data: team_demo/proj_demo with 50 varied tasks, always the same.

`demo_tasks()` builds the tasks in memory from a fixed random seed, fixed IDs and
fixed times; `seed()` writes whatever of them is missing and never touches what
exists. The catalogue (`SPECS`) is arranged to show every case the console has:

- every status, REVIEWING for most; EXTRACT steps mostly, some CLASSIFY, SEGMENT
  and GROUP; 1 to 12 pages, A4 mostly, a few US letter;
- invoices from a handful of fields to one of 1,200 annotations over 5 pages;
  forms with checkboxes (ticked and not) and signatures; segments;
- approved tasks (with their training example), exported ones, a failed export;
- upl_demo_0003 is not fully processed and holds COMPLETED, DISCARDED and
  FILTERED tasks that are not exported: those can be unlocked. upl_demo_0001 is
  fully processed: its COMPLETED tasks cannot;
- the project has validation rules for invoices (`VALIDATION_RULES`: invoice_date required and a
  date, total_amount an amount, the line totals adding up), which every task passes except four
  that fail until they are corrected (`INVALID`), all REVIEWING: task_demo_016 (invoice_date
  missing, total_amount garbled), task_demo_047 (invoice_date not a date), task_demo_048
  (invoice_date empty) and task_demo_049 (a misread line amount: the totals do not add up);
- task_demo_026 and task_demo_032 have no page images;
- task_demo_017, 024, 031 and 038 have deliberately malformed geometry;
- task_abcdef123456 in upload upl_123456789 is the documentation's example, verbatim.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from reviewer.sandbox import images
from reviewer.sandbox.models import Project, Status, Task, Team, TrainingExample, Upload, ValidationRule

TEAM_ID, TEAM_NAME = "team_demo", "Demo team"
PROJECT_ID, PROJECT_NAME = "proj_demo", "Demo project"
RANDOM_SEED = 20261001

A4 = (2480, 3508)
LETTER = (2550, 3300)

UTC = dt.UTC


def _at(month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


UPLOADS = {
    "upl_demo_0001": _at(10, 1, 9, 12),  # fully processed: its completed tasks cannot be unlocked
    "upl_demo_0002": _at(10, 8, 14, 3),
    "upl_demo_0003": _at(10, 20, 10, 45),  # still in review: its final, unexported tasks can be unlocked
    "upl_demo_0004": _at(10, 29, 8, 30),
    "upl_demo_0005": _at(11, 5, 11, 20),
    "upl_demo_0006": _at(11, 10, 16, 5),
    "upl_demo_0007": _at(11, 15, 9, 40),
    "upl_demo_0008": _at(11, 20, 7, 55),
}

# The documentation's example task (seeds/, and tests/data/doc_task.json), verbatim.
DOC_EXAMPLE: dict[str, Any] = {
    "id": "task_abcdef123456",
    "name": "Document Analysis Task",
    "created_at": "2024-01-15T10:30:00Z",
    "meta": [{"name": "category", "value": "invoice"}],
    "status": "COMPLETED",
    "step_type": "EXTRACT",
    "upload_id": "upl_123456789",
    "project_id": "proj_123456",
    "approved": False,
    "exported_at": None,
    "export_failed_at": None,
    "last_opened_at": None,
    "pages": [
        {
            "id": "page_1",
            "width": 2480,
            "height": 3508,
            "annotations": [
                {
                    "id": "ann_1",
                    "entity_id": "total_amount",
                    "confidence": 0.98,
                    "content": "$1,234.56",
                    "top": 120.5,
                    "left_of_line": 340.0,
                }
            ],
            "checkboxes": [
                {
                    "id": "cb_1",
                    "confidence": 0.92,
                    "checked": True,
                    "coordinates": [[100, 100], [120, 100], [120, 120], [100, 120]],
                }
            ],
            "segments": [
                {"id": "seg_1", "confidence": 0.87, "coordinates": [[50, 50], [400, 50], [400, 200], [50, 200]]}
            ],
            "signatures": [
                {"id": "sig_1", "confidence": 0.83, "coordinates": [[800, 600], [1100, 600], [1100, 750], [800, 750]]}
            ],
        }
    ],
}


@dataclass(frozen=True)
class Spec:
    """One demo task as the catalogue describes it; the builders fill in the contents."""

    number: int
    upload: str
    kind: str  # invoice, big_invoice, receipt, form, contract, letter, bundle, batch
    status: str
    pages: int = 1
    step_type: str = "EXTRACT"
    letter: bool = False
    approved: bool = False
    exported: bool = False
    export_failed: bool = False
    has_images: bool = True
    low_confidence: bool = False
    malformed: str = ""  # checkbox_two_points, segment_off_page, non_numeric, short_point
    invalid: str = ""  # complete fails validation until corrected: one of INVALID


R, P, C = Status.REVIEWING, Status.PROCESSING, Status.COMPLETED
F, D, X = Status.FAILED, Status.DISCARDED, Status.FILTERED

SPECS = (
    Spec(1, "upl_demo_0001", "invoice", C, approved=True, exported=True),
    Spec(2, "upl_demo_0001", "invoice", C, pages=2, exported=True),
    Spec(3, "upl_demo_0001", "receipt", C, letter=True),
    Spec(4, "upl_demo_0001", "form", F, pages=2),
    Spec(5, "upl_demo_0001", "letter", D, step_type="CLASSIFY"),
    Spec(6, "upl_demo_0001", "invoice", X),
    Spec(7, "upl_demo_0001", "contract", C, pages=8, approved=True),
    Spec(8, "upl_demo_0002", "invoice", C, pages=3, approved=True, exported=True),
    Spec(9, "upl_demo_0002", "invoice", C, export_failed=True),
    Spec(10, "upl_demo_0002", "bundle", C, pages=6, step_type="SEGMENT", exported=True),
    Spec(11, "upl_demo_0002", "form", C, approved=True, exported=True),
    Spec(12, "upl_demo_0003", "invoice", C),
    Spec(13, "upl_demo_0003", "form", D, pages=2),
    Spec(14, "upl_demo_0003", "letter", X, step_type="CLASSIFY"),
    Spec(15, "upl_demo_0003", "invoice", C, pages=2, exported=True),
    Spec(16, "upl_demo_0003", "invoice", R, invalid="no_date_garbled_total"),
    Spec(17, "upl_demo_0003", "form", R, pages=3, malformed="checkbox_two_points"),
    Spec(18, "upl_demo_0003", "batch", R, pages=4, step_type="GROUP"),
    Spec(19, "upl_demo_0004", "big_invoice", R, pages=5),
    Spec(20, "upl_demo_0004", "invoice", R, pages=4),
    Spec(21, "upl_demo_0004", "invoice", P),
    Spec(22, "upl_demo_0004", "receipt", R, letter=True, low_confidence=True),
    Spec(23, "upl_demo_0005", "form", R),
    Spec(24, "upl_demo_0005", "form", R, pages=2, malformed="segment_off_page"),
    Spec(25, "upl_demo_0005", "contract", R, pages=12),
    Spec(26, "upl_demo_0005", "invoice", R, has_images=False),
    Spec(27, "upl_demo_0005", "letter", R, pages=2, step_type="CLASSIFY"),
    Spec(28, "upl_demo_0005", "bundle", R, pages=9, step_type="SEGMENT"),
    Spec(29, "upl_demo_0005", "invoice", F),
    Spec(30, "upl_demo_0006", "invoice", R, pages=6, letter=True),
    Spec(31, "upl_demo_0006", "form", R, malformed="non_numeric"),
    Spec(32, "upl_demo_0006", "receipt", R, has_images=False),
    Spec(33, "upl_demo_0006", "invoice", R, pages=7),
    Spec(34, "upl_demo_0006", "batch", R, pages=3, step_type="GROUP", low_confidence=True),
    Spec(35, "upl_demo_0006", "contract", R, pages=10),
    Spec(36, "upl_demo_0006", "invoice", P, pages=2),
    Spec(37, "upl_demo_0007", "invoice", R, low_confidence=True),
    Spec(38, "upl_demo_0007", "form", R, pages=2, malformed="short_point"),
    Spec(39, "upl_demo_0007", "invoice", R, pages=11),
    Spec(40, "upl_demo_0007", "bundle", R, pages=5, step_type="SEGMENT"),
    Spec(41, "upl_demo_0007", "letter", R, step_type="CLASSIFY"),
    Spec(42, "upl_demo_0007", "form", R, approved=True),
    Spec(43, "upl_demo_0008", "invoice", R),
    Spec(44, "upl_demo_0008", "invoice", R, pages=2),
    Spec(45, "upl_demo_0008", "invoice", P),
    Spec(46, "upl_demo_0008", "receipt", R, letter=True),
    # Appended, so that the tasks above keep their contents (they share one random stream).
    Spec(47, "upl_demo_0008", "invoice", R, invalid="date_not_a_date"),
    Spec(48, "upl_demo_0008", "invoice", R, invalid="date_empty"),
    Spec(49, "upl_demo_0008", "invoice", R, pages=2, invalid="line_misread"),
)

# How a task fails the project's validation rules until a reviewer corrects it.
INVALID = {
    "no_date_garbled_total": "invoice_date missing, total_amount not an amount",
    "date_not_a_date": "invoice_date not a date (an O read for the 0 of the year)",
    "date_empty": "invoice_date empty",
    "line_misread": "one line_item_amount misread (10 more), so the line totals do not add up",
}
# The demo project's rules (reviewer/sandbox/validation.py), all for invoices.
VALIDATION_RULES = (
    ("required", "invoice_date", "invoice"),
    ("date", "invoice_date", "invoice"),
    ("amount", "total_amount", "invoice"),
    ("line_totals", "total_amount", "invoice"),
)
BIG_INVOICE_LINES = 238  # 5 annotations each: with the header and totals, over 1,200


@dataclass
class DemoTask:
    """A task's rows as the seed writes them: the public object's fields plus the sandbox's own."""

    task_id: str
    upload_id: str
    name: str
    created_at: dt.datetime
    status: str
    step_type: str
    meta: list[dict[str, str]]
    pages: list[dict[str, Any]]
    approved: bool = False
    approved_at: dt.datetime | None = None
    exported_at: dt.datetime | None = None
    export_failed_at: dt.datetime | None = None
    last_opened_at: dt.datetime | None = None
    has_images: bool = True


@dataclass
class SeedResult:
    team_created: bool
    project_created: bool
    uploads_created: list[str]
    tasks_created: list[str]
    tasks_total: int
    rules_created: int = 0


def seed() -> SeedResult:
    """Create the demo team, project, uploads and tasks that are missing; change nothing that exists."""
    tasks = demo_tasks()
    upload_times = {**UPLOADS, DOC_EXAMPLE["upload_id"]: _parse(DOC_EXAMPLE["created_at"])}
    with transaction.atomic():
        team, team_created = Team.objects.get_or_create(team_id=TEAM_ID, defaults={"name": TEAM_NAME})
        project, project_created = Project.objects.get_or_create(
            team=team, project_id=PROJECT_ID, defaults={"name": PROJECT_NAME}
        )
        rules_created = 0
        for rule, entity_id, category in VALIDATION_RULES:
            _, created = ValidationRule.objects.get_or_create(
                project=project, rule=rule, entity_id=entity_id, category=category
            )
            rules_created += created
        existing = set(project.tasks.values_list("task_id", flat=True))
        missing = [t for t in tasks if t.task_id not in existing]
        uploads: dict[str, Upload] = {}
        uploads_created = []
        for upload_id in dict.fromkeys(t.upload_id for t in missing):
            uploads[upload_id], created = Upload.objects.get_or_create(
                project=project, upload_id=upload_id, defaults={"created_at": upload_times[upload_id]}
            )
            if created:
                uploads_created.append(upload_id)
        Task.objects.bulk_create(
            [
                Task(
                    project=project,
                    upload=uploads[t.upload_id],
                    task_id=t.task_id,
                    name=t.name,
                    created_at=t.created_at,
                    meta=t.meta,
                    status=t.status,
                    step_type=t.step_type,
                    approved=t.approved,
                    approved_at=t.approved_at,
                    exported_at=t.exported_at,
                    export_failed_at=t.export_failed_at,
                    last_opened_at=t.last_opened_at,
                    pages=t.pages,
                    processing_until=None,  # seeded PROCESSING tasks stay PROCESSING
                    has_images=t.has_images,
                )
                for t in missing
            ]
        )
        approved = [t.task_id for t in missing if t.approved]
        TrainingExample.objects.bulk_create(
            TrainingExample(task=row, added_at=row.approved_at, pages=row.pages)
            for row in project.tasks.filter(task_id__in=approved)
        )
    created = [t.task_id for t in missing]
    return SeedResult(team_created, project_created, uploads_created, created, len(tasks), rules_created)


def demo_tasks() -> list[DemoTask]:
    """Every demo task, built from the catalogue; the same on every call."""
    rng = random.Random(RANDOM_SEED)  # demo data, not secrets
    tasks = [_doc_example()]
    position: dict[str, int] = defaultdict(int)
    for spec in SPECS:
        position[spec.upload] += 1
        created_at = UPLOADS[spec.upload] + dt.timedelta(minutes=3 * position[spec.upload], seconds=rng.randint(0, 59))
        tasks.append(_build(rng, spec, created_at))
    return sorted(tasks, key=lambda t: (t.created_at, t.task_id))


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _doc_example() -> DemoTask:
    doc = copy.deepcopy(DOC_EXAMPLE)
    return DemoTask(
        task_id=doc["id"],
        upload_id=doc["upload_id"],
        name=doc["name"],
        created_at=_parse(doc["created_at"]),
        status=doc["status"],
        step_type=doc["step_type"],
        meta=doc["meta"],
        pages=doc["pages"],
    )


def _build(rng: random.Random, spec: Spec, created_at: dt.datetime) -> DemoTask:
    builder = _Builder(rng, spec, created_at)
    name, meta = KINDS[spec.kind](builder)
    if spec.malformed:
        _malform(builder.pages, spec.malformed)
    task = DemoTask(
        task_id=f"task_demo_{spec.number:03d}",
        upload_id=spec.upload,
        name=name,
        created_at=created_at,
        status=spec.status,
        step_type=spec.step_type,
        meta=meta,
        pages=[page.data for page in builder.pages],
        has_images=spec.has_images,
    )
    day = dt.timedelta(days=1)
    if spec.approved:
        task.approved, task.approved_at = True, created_at + day + dt.timedelta(hours=2)
    if spec.exported:
        task.exported_at = created_at + day + dt.timedelta(hours=5)
    if spec.export_failed:
        task.export_failed_at = created_at + day + dt.timedelta(hours=3)
    if spec.status not in (Status.REVIEWING, Status.PROCESSING):
        task.last_opened_at = created_at + dt.timedelta(hours=20)
    elif spec.status == Status.REVIEWING and spec.number % 3 == 0:
        task.last_opened_at = created_at + dt.timedelta(hours=1, minutes=17)
    return task


def _malform(pages: list[_Page], how: str) -> None:
    """Break one item's geometry on purpose, so that the console's flagging can be seen."""
    first = {
        kind: next((item for p in pages for item in p.data[kind]), None)
        for kind in ("checkboxes", "segments", "signatures")
    }
    if how == "checkbox_two_points":
        first["checkboxes"]["coordinates"] = first["checkboxes"]["coordinates"][:2]
    elif how == "segment_off_page":
        coordinates = first["segments"]["coordinates"]
        coordinates[1] = [pages[0].width + 420, coordinates[1][1]]
    elif how == "non_numeric":
        coordinates = first["signatures"]["coordinates"]
        coordinates[2] = ["abc", coordinates[2][1]]
    elif how == "short_point":
        coordinates = first["signatures"]["coordinates"]
        coordinates[3] = [coordinates[3][0]]
    else:
        raise ValueError(f"Unknown malformation {how!r}")


class _Builder:
    """Builds one task's pages: item IDs, confidences, page sizes and shared picks."""

    def __init__(self, rng: random.Random, spec: Spec, created_at: dt.datetime) -> None:
        self.rng, self.spec, self.created_at = rng, spec, created_at
        self.pages: list[_Page] = []
        self.counters: dict[str, int] = defaultdict(int)
        self.low_rate = 0.35 if spec.low_confidence else 0.07

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}_{self.counters[prefix]}"

    def confidence(self) -> float:
        if self.rng.random() < self.low_rate:
            return round(self.rng.uniform(0.3, 0.8), 3)
        return round(self.rng.uniform(0.85, 0.999), 3)

    def probe(self) -> _Page:
        """A page of this task's size, not added to it: for its geometry."""
        width, height = LETTER if self.spec.letter else A4
        return _Page(self, len(self.pages) + 1, width, height)

    def page(self) -> _Page:
        page = self.probe()
        self.pages.append(page)
        return page

    def date(self, days_before: int, lang: str) -> str:
        day = (self.created_at - dt.timedelta(days=days_before)).date()
        return _format_date(day, lang)


class _Page:
    """One page and the geometry of its text: font size, line pitch, margins."""

    def __init__(self, builder: _Builder, number: int, width: int, height: int) -> None:
        self.builder = builder
        self.width, self.height = width, height
        self.font = images.text_size(width, height)
        self.pitch = self.font * 1.6  # lines of text
        self.row = self.font * 1.35  # rows of a table
        self.margin = round(width * 0.08)
        self.top = height * 0.075  # the first line below the header band
        self.bottom = height * 0.93  # the last line above the footer
        self.data: dict[str, Any] = {
            "id": f"page_{number}",
            "width": width,
            "height": height,
            "annotations": [],
            "checkboxes": [],
            "segments": [],
            "signatures": [],
        }

    def x(self, fraction: float) -> float:
        return round(self.width * fraction)

    def fit(self, text: str, width: float) -> str:
        """`text`, shortened to fit in `width` pixels."""
        room = int(width / (self.font * 0.55))
        return text if len(text) <= room else text[: room - 1].rstrip() + "…"

    def text(self, entity: str, content: str, x: float, y: float, *, confidence: float | None = None) -> None:
        self.data["annotations"].append(
            {
                "id": self.builder.next_id("ann"),
                "entity_id": entity,
                "confidence": self.builder.confidence() if confidence is None else confidence,
                "content": content,
                "top": round(y, 1),
                "left_of_line": round(x, 1),
            }
        )

    def checkbox(self, x: float, y: float, checked: bool) -> None:
        side = self.font * 1.1
        self.data["checkboxes"].append(
            {
                "id": self.builder.next_id("cb"),
                "confidence": self.builder.confidence(),
                "checked": checked,
                "coordinates": _rectangle(x, y, x + side, y + side),
            }
        )

    def segment(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.data["segments"].append(
            {
                "id": self.builder.next_id("seg"),
                "confidence": self.builder.confidence(),
                "coordinates": _rectangle(x0, y0, x1, y1),
            }
        )

    def signature(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.data["signatures"].append(
            {
                "id": self.builder.next_id("sig"),
                "confidence": self.builder.confidence(),
                "coordinates": _rectangle(x0, y0, x1, y1),
            }
        )


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> list[list[int]]:
    """Four points, clockwise from the top-left corner."""
    x0, y0, x1, y1 = round(x0), round(y0), round(x1), round(y1)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


# Contents ---------------------------------------------------------------------------------------

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}


def _format_date(day: dt.date, lang: str) -> str:
    if lang == "de":
        return day.strftime("%d.%m.%Y")
    if lang == "nl":
        return day.strftime("%d-%m-%Y")
    if lang == "fr":
        return day.strftime("%d/%m/%Y")
    if lang == "us":
        return day.strftime("%m/%d/%Y")
    return f"{day.day} {MONTHS['en'].split()[day.month - 1]} {day.year}"


def _long_date(day: dt.date, lang: str) -> str:
    months = MONTHS.get(lang, MONTHS["en"]).split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def _money(amount: float, currency: str, lang: str) -> str:
    text = f"{amount:,.2f}"
    if lang in ("de", "nl", "fr"):
        text = text.replace(",", " ").replace(".", ",").replace(" ", "." if lang != "fr" else "\u202f")
        return f"{text} {currency}" if lang == "fr" else f"{currency} {text}"
    return f"{currency}{text}"


@dataclass(frozen=True)
class Vendor:
    name: str
    street: str
    city: str
    vat_id: str
    lang: str  # en, us, de, nl, fr
    currency: str
    vat_rate: int
    number_format: str
    iban: str


VENDORS = (
    Vendor("Northwind Traders Ltd", "12 Harbour Road", "Bristol BS1 4DJ", "GB 293 4812 77", "en", "£", 20,
           "NWT-{y}-{n:05d}", "GB29 NWBK 6016 1331 9268 19"),
    Vendor("Müller & Söhne GmbH", "Industriestraße 14", "70565 Stuttgart", "DE 811 234 567", "de", "€", 19,
           "RE-{y}-{n:05d}", "DE89 3704 0044 0532 0130 00"),
    Vendor("Van Dijk Kantoorartikelen B.V.", "Keizersgracht 221", "1016 DV Amsterdam", "NL853412876B01", "nl", "€", 21,
           "{y}.{n:04d}", "NL91 ABNA 0417 1643 00"),
    Vendor("Atelier Lefèvre SARL", "18 rue des Tanneurs", "69002 Lyon", "FR 41 532118904", "fr", "€", 20,
           "F{y}-{n:04d}", "FR14 2004 1010 0505 0001 3M02 606"),
    Vendor("Contoso Cloud Services Inc.", "400 Pine Street, Suite 1200", "Seattle, WA 98101", "EIN 91-2345678", "us",
           "$", 0, "INV-{n:06d}", "US64 SVBK US6S 3300 9673 86"),
    Vendor("O'Brien & Partners", "7 Dawson Street", "Dublin D02 XY45", "IE 6388047V", "en", "€", 23,
           "OBP/{y}/{n:04d}", "IE29 AIBK 9311 5212 3456 78"),
    Vendor("Fabrikam Logistics B.V.", "Waalhaven Z.z. 42", "3089 JH Rotterdam", "NL820145397B01", "nl", "€", 21,
           "FL{y}{n:05d}", "NL02 RABO 0123 4567 89"),
    Vendor("Tailspin Office Furniture", "88 Mill Lane", "Leeds LS1 5AB", "GB 654 3321 09", "en", "£", 20,
           "TOF-{n:05d}", "GB33 BUKB 2020 1555 5555 55"),
)  # fmt: skip

CUSTOMERS = (
    ("Send Demo B.V.", "Stationsplein 45", "3013 AK Rotterdam"),
    ("Acme Retail Group plc", "1 Canada Square", "London E14 5AB"),
    ("Globex Europe GmbH", "Friedrichstraße 123", "10117 Berlin"),
    ("Initech Services SAS", "25 avenue de l'Opéra", "75001 Paris"),
    ("Wayne Enterprises Ltd", "3 Kingsway", "Manchester M2 3WB"),
)

PRODUCTS = (
    ("Copy paper A4 80 g/m², box of 5 reams", 18.5, 32.0),
    ("Toner cartridge TN-2420, black", 54.0, 89.0),
    ("Consulting services (hours)", 85.0, 150.0),
    ("Adapter USB-C -> HDMI 4K", 14.0, 29.0),
    ('Office chair "ErgoPro" mesh, black', 189.0, 349.0),
    ("Freight & handling <fragile goods>", 25.0, 60.0),
    ("Cloud storage, 1 TB, monthly", 9.99, 9.99),
    ("Software licence, annual, per seat", 120.0, 240.0),
    ("Whiteboard markers, assorted (12)", 7.5, 12.0),
    ("Standing desk 160 × 80 cm, oak", 420.0, 690.0),
    ('Monitor 27" QHD IPS', 219.0, 329.0),
    ("Laptop docking station", 129.0, 199.0),
    ("Espresso beans 1 kg, organic", 18.0, 27.0),
    ("Cleaning services, October", 310.0, 480.0),
    ("Printed brochures A5, 500 pcs", 145.0, 230.0),
    ("Network cable Cat6, 5 m", 4.2, 7.9),
    ("Pallet transport NL → DE", 180.0, 260.0),
    ("Warehouse storage per pallet/week", 6.5, 9.5),
    ("Installation and set-up (hours)", 65.0, 95.0),
    ("Ergonomic keyboard, UK layout", 49.0, 89.0),
    ("Fire extinguisher inspection", 35.0, 55.0),
    ("Ring binders A4, 4-ring (10)", 11.0, 19.0),
    ("Headset, noise-cancelling", 79.0, 149.0),
    ("Training day, data protection", 650.0, 950.0),
)

PEOPLE = (
    "Anna de Vries", "James O'Connor", "Sophie Müller", "Lucas Bernard", "Emma Jansen", "Noah Williams",
    "Léa Dubois", "Finn Schneider", "Olivia Brown", "Daan Bakker", "Chloé Martin", "Jonas Weber",
)  # fmt: skip

STREETS = (
    ("Lindenlaan 8", "3581 EP Utrecht"),
    ("22 Queen Street", "Edinburgh EH2 1JX"),
    ("Hauptstraße 51", "80331 München"),
    ("4 place Bellecour", "69002 Lyon"),
    ("Prinsengracht 310", "1016 HX Amsterdam"),
    ("15 Elm Avenue", "Cambridge CB2 1TN"),
)

LANGUAGE_OF = {"us": "en"}
CURRENCY_CODES = {"£": "GBP", "€": "EUR", "$": "USD"}
SOURCES = ("email", "sftp", "api", "scanner", "portal")


def _meta(builder: _Builder, category: str, lang: str, **extra: str) -> list[dict[str, str]]:
    rng = builder.rng
    meta = {"category": category, "source": rng.choice(SOURCES), "language": LANGUAGE_OF.get(lang, lang), **extra}
    if rng.random() < 0.25:
        meta["priority"] = "high"
    return [{"name": name, "value": value} for name, value in meta.items()]


def _lines(rng: random.Random, count: int, vendor: Vendor) -> list[tuple[str, str, float, int]]:
    """(description, quantity, unit price, VAT rate) for `count` invoice lines."""
    lines = []
    for _ in range(count):
        description, low, high = rng.choice(PRODUCTS)
        hourly = "hours" in description
        quantity = rng.choice((1, 1, 1, 2, 3, 4, 5, 6, 8, 10, 12, 24)) if not hourly else rng.choice((2, 4, 7.5, 8, 16))
        price = round(rng.uniform(low, high), 2)
        rate = vendor.vat_rate if rng.random() < 0.85 or vendor.vat_rate == 0 else 9 if vendor.lang == "nl" else 7
        lines.append((description, quantity, price, rate))
    return lines


def _invoice_rows(builder: _Builder, big: bool) -> list[int]:
    """How many line rows go on each page of an invoice."""
    rng, count = builder.rng, builder.spec.pages
    probe = builder.probe()
    first = int((probe.bottom - (probe.top + 10 * probe.pitch)) // probe.row)
    other = int((probe.bottom - (probe.top + probe.row * 1.5)) // probe.row)
    reserve = 9  # rows' worth of room for the totals and the payment details
    capacities = [first if i == 0 else other for i in range(count)]
    capacities[-1] -= reserve
    if big:
        rows, left = [], BIG_INVOICE_LINES
        for capacity in capacities:
            rows.append(min(capacity, left))
            left -= rows[-1]
        return rows
    if count == 1:
        return [rng.randint(2, 9)]
    rows = [rng.randint(6, min(24, capacity)) for capacity in capacities[:-1]]
    return [*rows, rng.randint(2, min(12, capacities[-1]))]


def _invoice(builder: _Builder, *, big: bool = False) -> tuple[str, list[dict[str, str]]]:
    rng, spec = builder.rng, builder.spec
    vendor = rng.choice(VENDORS)
    customer = rng.choice(CUSTOMERS)
    number = vendor.number_format.format(y=builder.created_at.year, n=rng.randint(120, 48000))
    rows = _invoice_rows(builder, big)
    lines = _lines(rng, sum(rows), vendor)
    lang, money = vendor.lang, (lambda amount: _money(amount, vendor.currency, vendor.lang))
    subtotal = sum(round(q * p, 2) for _, q, p, _ in lines)
    vat = round(sum(round(q * p, 2) * r / 100 for _, q, p, r in lines), 2)
    total = round(subtotal + vat, 2)
    remaining = list(lines)
    for index, count in enumerate(rows):
        page = builder.page()
        left, column = page.margin, [page.x(f) for f in (0.52, 0.62, 0.74, 0.82)]
        if index == 0:
            y = page.top
            right = page.x(0.58)
            for i, (entity, content) in enumerate(
                [("vendor_name", vendor.name), ("vendor_address", vendor.street), ("vendor_city", vendor.city),
                 ("vendor_vat_id", vendor.vat_id)]
            ):  # fmt: skip
                page.text(entity, content, left, y + i * page.pitch)
            header = [
                ("invoice_number", number),
                ("invoice_date", builder.date(rng.randint(1, 9), lang)),
                ("due_date", builder.date(-30, lang)),
                ("purchase_order", f"PO-{rng.randint(10000, 99999)}"),
            ]
            for i, (entity, content) in enumerate(header):
                if entity == "invoice_date" and spec.invalid == "no_date_garbled_total":
                    continue  # the reviewer adds it
                if entity == "invoice_date" and spec.invalid == "date_not_a_date":
                    content, confidence = content.replace("2026", "2O26"), 0.538
                elif entity == "invoice_date" and spec.invalid == "date_empty":
                    content, confidence = "", 0.312
                else:
                    confidence = None
                page.text(entity, content, right, y + i * page.pitch, confidence=confidence)
            y += 5 * page.pitch
            for i, (entity, content) in enumerate(
                zip(("customer_name", "customer_address", "customer_city"), customer, strict=True)
            ):
                page.text(entity, content, left, y + i * page.pitch)
            y += 5 * page.pitch
        else:
            y = page.top + page.row * 1.5
        for row in range(count):
            description, quantity, price, rate = remaining.pop(0)
            amount = round(quantity * price, 2)
            page.text("line_item_description", page.fit(description, column[0] - left - page.font), left, y)
            page.text("line_item_quantity", f"{quantity:g}", column[0], y)
            page.text("line_item_unit_price", money(price), column[1], y)
            page.text("line_item_vat_rate", f"{rate}%", column[2], y)
            if spec.invalid == "line_misread" and index == 0 and row == 1:
                page.text("line_item_amount", money(amount + 10), column[3], y, confidence=0.463)
            else:
                page.text("line_item_amount", money(amount), column[3], y)
            y += page.row
        if index == len(rows) - 1:
            y += page.pitch
            total_text = money(total)
            total_confidence = None
            if spec.invalid == "no_date_garbled_total":
                total_text = "".join("O" if c in "08" else "S" if c == "5" else c for c in total_text) + "?"
                total_confidence = 0.412
            for entity, content, confidence in (("subtotal", money(subtotal), None), ("vat", money(vat), None),
                                                ("total_amount", total_text, total_confidence)):  # fmt: skip
                page.text(entity, content, column[3], y, confidence=confidence)
                y += page.pitch
            y += page.pitch
            page.text(
                "payment_terms",
                rng.choice(("30 days net", "14 days net", "Due on receipt", "60 days end of month")),
                left,
                y,
            )
            page.text("iban", vendor.iban, left, y + page.pitch)
    kind = "Invoice" if not big else "Invoice (line-item listing)"
    name = f"{vendor.name} – {kind} {number}"
    return name, _meta(builder, "invoice", lang, vendor=vendor.name, currency=CURRENCY_CODES[vendor.currency])


def _big_invoice(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    return _invoice(builder, big=True)


def _receipt(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    rng = builder.rng
    merchant, street, city, lang, currency = rng.choice(
        (
            ("Café de Markt", "Grote Markt 3", "2011 RD Haarlem", "nl", "€"),
            ("Bäckerei Schmidt & Co.", "Marktplatz 7", "69117 Heidelberg", "de", "€"),
            ("Pret Station Café", "Platform 9, King's Cross", "London N1 9AL", "en", "£"),
            ("Blue Bottle Coffee", "300 Webster St", "Oakland, CA 94607", "us", "$"),
        )
    )
    page = builder.page()
    x0, x1 = page.x(0.3), page.x(0.7)
    amount_x = page.x(0.56)
    y = page.top + page.pitch * 2
    top = y
    for entity, content in (("merchant_name", merchant), ("merchant_address", street), ("merchant_city", city)):
        page.text(entity, content, x0 + page.font, y)
        y += page.pitch
    y += page.pitch
    page.text("receipt_date", builder.date(rng.randint(0, 6), lang), x0 + page.font, y)
    page.text("receipt_time", f"{rng.randint(7, 19):02d}:{rng.randint(0, 59):02d}", amount_x, y)
    y += page.pitch * 2
    total = 0.0
    for item in rng.sample(("Flat white", "Croissant", "Sparkling water", "Club sandwich", "Cappuccino", "Apple pie",
                            "Orange juice", "Soup of the day"), rng.randint(2, 5)):  # fmt: skip
        price = round(rng.uniform(2.2, 9.5), 2)
        total += price
        page.text("item_description", item, x0 + page.font, y)
        page.text("item_amount", _money(price, currency, lang), amount_x, y)
        y += page.pitch
    y += page.pitch
    vat = round(total * 0.09 / 1.09, 2)
    for entity, content in (("vat", _money(vat, currency, lang)), ("total_amount", _money(total, currency, lang))):
        page.text(entity, content, amount_x, y)
        y += page.pitch
    page.text("payment_method", rng.choice(("VISA •••• 4821", "Mastercard •••• 1187", "Cash", "Maestro contactless")),
              x0 + page.font, y + page.pitch)  # fmt: skip
    page.segment(x0, top - page.pitch, x1, y + page.pitch * 3)
    return f"Receipt {merchant}", _meta(builder, "receipt", lang, merchant=merchant)


FORMS = (
    ("Insurance claim form", "insurance_claim", ("policy_number", "full_name", "date_of_birth", "street_address",
     "postal_code_city", "incident_date", "claim_amount", "iban")),
    ("Supplier onboarding form", "supplier_onboarding", ("company_name", "chamber_of_commerce_number", "vat_id",
     "street_address", "postal_code_city", "email", "phone", "iban")),
    ("SEPA direct debit mandate", "sepa_mandate", ("mandate_reference", "creditor_id", "full_name", "street_address",
     "postal_code_city", "iban", "bic")),
    ("Employee expense claim", "expense_claim", ("employee_number", "full_name", "cost_center", "period",
     "expense_total", "iban")),
    ("Change of address request", "address_change", ("customer_number", "full_name", "street_address",
     "postal_code_city", "move_date", "email", "phone")),
)  # fmt: skip


def _field_value(builder: _Builder, entity: str, person: str, home: tuple[str, str]) -> str:
    rng = builder.rng
    values = {
        "policy_number": lambda: f"POL-{rng.randint(1000000, 9999999)}",
        "full_name": lambda: person,
        "date_of_birth": lambda: _format_date(
            dt.date(rng.randint(1955, 2001), rng.randint(1, 12), rng.randint(1, 28)), "nl"
        ),
        "street_address": lambda: home[0],
        "postal_code_city": lambda: home[1],
        "incident_date": lambda: builder.date(rng.randint(3, 40), "nl"),
        "claim_amount": lambda: _money(rng.uniform(150, 9000), "€", "nl"),
        "iban": lambda: rng.choice(VENDORS).iban,
        "company_name": lambda: rng.choice(CUSTOMERS)[0],
        "chamber_of_commerce_number": lambda: str(rng.randint(10000000, 99999999)),
        "vat_id": lambda: f"NL{rng.randint(100000000, 999999999)}B01",
        "email": lambda: person.lower().replace(" ", ".").replace("'", "") + "@example.com",
        "phone": lambda: f"+31 6 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "mandate_reference": lambda: f"MND-{rng.randint(100000, 999999)}",
        "creditor_id": lambda: f"NL98ZZZ{rng.randint(100000000, 999999999)}",
        "bic": lambda: rng.choice(("ABNANL2A", "RABONL2U", "INGBNL2A", "DEUTDEFF")),
        "employee_number": lambda: f"E{rng.randint(10000, 99999)}",
        "cost_center": lambda: rng.choice(("CC-410 Sales", "CC-220 Operations", "CC-105 Finance", "CC-330 R&D")),
        "period": lambda: builder.created_at.strftime("%B %Y"),
        "expense_total": lambda: _money(rng.uniform(20, 1800), "€", "nl"),
        "customer_number": lambda: f"C-{rng.randint(100000, 999999)}",
        "move_date": lambda: builder.date(-rng.randint(5, 40), "nl"),
    }
    return values[entity]()


def _form(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    rng, spec = builder.rng, builder.spec
    title, category, fields = rng.choice(FORMS)
    person, home = rng.choice(PEOPLE), rng.choice(STREETS)
    reference = f"{category[:3].upper()}-{rng.randint(100000, 999999)}"
    queue = list(fields)
    for index in range(spec.pages):
        page = builder.page()
        last = index == spec.pages - 1
        y = page.top
        page.text("form_reference", reference, page.x(0.7), y)
        y += page.pitch * 2
        # Section: the fields, labels on the left (drawn as body text), values from 42 % of the width.
        share = queue if spec.pages == 1 else queue[: max(2, len(queue) // (spec.pages - index))]
        if share:
            section_top = y
            for entity in share:
                page.text(entity, page.fit(_field_value(builder, entity, person, home), page.x(0.5)), page.x(0.42), y)
                y += page.pitch
            queue = queue[len(share) :]
            page.segment(page.margin - page.font, section_top - page.font, page.width - page.margin + page.font, y)
            y += page.pitch * 1.5
        # Section: options with checkboxes, in two columns.
        section_top = y
        options = rng.randint(4, 8)
        for i in range(options):
            x = page.margin if i % 2 == 0 else page.x(0.52)
            page.checkbox(x, y, rng.random() < 0.4)
            if i % 2 == 1 or i == options - 1:
                y += page.pitch * 1.3
        page.segment(page.margin - page.font, section_top - page.font, page.width - page.margin + page.font, y)
        y += page.pitch * 2
        if last:
            # Declaration: one or two signatures with the names and dates under them.
            signers = [(page.margin, person)] + ([(page.x(0.55), rng.choice(PEOPLE))] if rng.random() < 0.5 else [])
            height = page.height * 0.055
            for x, name in signers:
                page.signature(x, y, x + page.x(0.3), y + height)
                page.text("signatory_name", name, x, y + height + page.font * 0.6)
                page.text(
                    "signature_date",
                    builder.date(rng.randint(0, 3), "nl"),
                    x,
                    y + height + page.font * 0.6 + page.pitch,
                )
    return f"{title} – {person}", _meta(builder, "form", rng.choice(("nl", "en")), form_type=category)


def _contract(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    rng, spec = builder.rng, builder.spec
    a, b = rng.sample(CUSTOMERS, 2)
    number = f"CTR-{builder.created_at.year}-{rng.randint(100, 999)}"
    clauses = [
        ("effective_date", _long_date((builder.created_at + dt.timedelta(days=30)).date(), "en")),
        ("term", rng.choice(("12 months", "24 months", "36 months"))),
        ("notice_period", rng.choice(("1 month", "3 months", "6 months"))),
        ("monthly_fee", _money(rng.uniform(800, 12000), "€", "nl")),
        ("payment_terms", rng.choice(("30 days net", "45 days net"))),
        ("liability_cap", _money(rng.choice((50000, 100000, 250000)), "€", "nl")),
        ("governing_law", rng.choice(("the laws of the Netherlands", "the laws of England and Wales"))),
        ("jurisdiction", rng.choice(("the courts of Amsterdam", "the courts of London"))),
    ]
    for index in range(spec.pages):
        page = builder.page()
        if index == 0:
            y = page.top
            page.text("contract_number", number, page.x(0.7), y)
            y += page.pitch * 3
            for entity, content in (("party_a_name", a[0]), ("party_a_address", f"{a[1]}, {a[2]}")):
                page.text(entity, content, page.x(0.3), y)
                y += page.pitch
            y += page.pitch
            for entity, content in (("party_b_name", b[0]), ("party_b_address", f"{b[1]}, {b[2]}")):
                page.text(entity, content, page.x(0.3), y)
                y += page.pitch
            continue
        if index < spec.pages - 1:
            # A clause block per page, with a value or two inside its text.
            top = page.top + page.pitch * rng.randint(1, 6)
            bottom = top + page.pitch * rng.randint(8, 20)
            page.segment(page.margin - page.font, top - page.font, page.width - page.margin + page.font, bottom)
            lines = sorted(
                rng.sample(range(1, int((bottom - top) // page.pitch)), min(rng.randint(0, 2), len(clauses)))
            )
            for line in lines:
                entity, content = clauses.pop(0)
                page.text(entity, content, page.x(rng.choice((0.3, 0.45))), top + line * page.pitch)
            continue
        y = page.top + page.pitch * 2
        for entity, content in clauses:  # the rest, in the closing clauses
            page.text(entity, content, page.x(0.45), y)
            y += page.pitch
        y += page.pitch * 3
        height = page.height * 0.06
        for x, signer in ((page.margin, rng.choice(PEOPLE)), (page.x(0.55), rng.choice(PEOPLE))):
            page.signature(x, y, x + page.x(0.32), y + height)
            page.text("signatory_name", signer, x, y + height + page.font * 0.6)
            page.text(
                "signature_date",
                _long_date(builder.created_at.date(), "en"),
                x,
                y + height + page.font * 0.6 + page.pitch,
            )
    return f"Services agreement {number} – {a[0]} / {b[0]}", _meta(builder, "contract", "en", counterparty=b[0])


def _letter(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    rng = builder.rng
    sender = rng.choice(PEOPLE)
    home = rng.choice(STREETS)
    subject, category = rng.choice(
        (
            ("Complaint about delivery of order 44871", "complaint"),
            ("Request to cancel subscription", "cancellation"),
            ("Notice of change of bank details", "bank_details_change"),
            ("Question about invoice NWT-2026-01833", "invoice_question"),
        )
    )
    for index in range(builder.spec.pages):
        page = builder.page()
        if index:
            continue  # the letter continues in plain text
        y = page.top + page.pitch
        for entity, content in (("sender_name", sender), ("sender_address", home[0]), ("sender_city", home[1])):
            page.text(entity, content, page.margin, y)
            y += page.pitch
        y += page.pitch
        page.text("document_date", builder.date(rng.randint(1, 5), "en"), page.x(0.65), y)
        y += page.pitch * 2
        page.text("subject", page.fit(subject, page.width - 2 * page.margin), page.margin, y)
    return f"Letter from {sender} – {subject}", _meta(builder, "letter", "en", predicted_class=category)


def _bundle(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    """A scanned mail bundle: several documents one after another, each page a segment."""
    rng = builder.rng
    kinds = ("Delivery note DN-{n}", "Invoice INV-{n}", "Packing list PL-{n}", "Credit note CN-{n}", "Letter ref. {n}")
    pages_left = builder.spec.pages
    documents = 0
    while pages_left:
        length = min(pages_left, rng.randint(1, 3))
        pages_left -= length
        documents += 1
        title = rng.choice(kinds).format(n=rng.randint(10000, 99999))
        for index in range(length):
            page = builder.page()
            page.segment(
                page.margin - page.font, page.top - page.font, page.width - page.margin + page.font, page.bottom
            )
            if index == 0:
                page.text("document_title", title, page.margin, page.top + page.pitch)
                page.text("document_date", builder.date(rng.randint(1, 20), "en"), page.x(0.65), page.top + page.pitch)
    return f"Mail bundle {builder.created_at:%Y-%m-%d} ({documents} documents)", _meta(builder, "mail_bundle", "en")


def _batch(builder: _Builder) -> tuple[str, list[dict[str, str]]]:
    """A scan of several receipts per page, each a segment to be grouped into an expense report."""
    rng = builder.rng
    merchants = ("Shell Express", "Hotel Adlon", "NS International", "Uber BV", "Pret A Manger",
                 "Taxi Centrale Amsterdam", "Deutsche Bahn", "Hertz Car Rental")  # fmt: skip
    receipts = 0
    for _ in range(builder.spec.pages):
        page = builder.page()
        width, height = page.width * 0.38, page.height * 0.38
        for slot in range(rng.randint(2, 4)):
            x0 = page.margin + (slot % 2) * (page.width * 0.46)
            y0 = page.top + page.pitch + (slot // 2) * (page.height * 0.44)
            page.segment(x0, y0, x0 + width, y0 + height)
            x, y = x0 + page.font, y0 + page.font * 1.5
            for entity, content in (
                ("merchant_name", rng.choice(merchants)),
                ("receipt_date", builder.date(rng.randint(2, 30), "nl")),
                ("total_amount", _money(rng.uniform(4, 420), "€", "nl")),
            ):
                page.text(entity, content, x, y)
                y += page.pitch * 2
            receipts += 1
    return f"Expense receipts batch – {receipts} receipts", _meta(
        builder, "expense_batch", "nl", group=f"EXP-{rng.randint(1000, 9999)}"
    )


KINDS = {
    "invoice": _invoice,
    "big_invoice": _big_invoice,
    "receipt": _receipt,
    "form": _form,
    "contract": _contract,
    "letter": _letter,
    "bundle": _bundle,
    "batch": _batch,
}
