"""Page images: a valid, self-contained SVG of the page's size, whatever the page holds."""

from __future__ import annotations

import copy
import time
import xml.etree.ElementTree as ET

import pytest

from reviewer.sandbox.images import page_svg
from tests.conftest import DOC_TASK, doc_pages, make_task

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & \"quotes\" ]]> <!-- -->"


def doc_task(**fields) -> dict:
    task = copy.deepcopy(DOC_TASK)
    task.update(fields)
    return task


def page(**fields) -> dict:
    result = {
        "id": "page_1",
        "width": 2480,
        "height": 3508,
        "annotations": [],
        "checkboxes": [],
        "segments": [],
        "signatures": [],
    }
    result.update(fields)
    return result


def parse(svg: bytes) -> ET.Element:
    assert svg.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it)


def of_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def annotation_texts(root: ET.Element) -> list[ET.Element]:
    (group,) = of_class(root, "annotations") or [ET.Element("g")]
    return list(group)


def test_it_draws_an_svg_of_the_pages_pixel_size():
    task = doc_task()
    root = parse(page_svg(task, task["pages"][0]))
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("2480", "3508", "0 0 2480 3508")
    paper = root.find(f"{SVG}rect")
    assert (paper.get("width"), paper.get("height"), paper.get("fill")) == ("2480", "3508", "#ffffff")


def test_it_keeps_a_letter_page_and_fractional_sizes():
    root = parse(page_svg(doc_task(), page(width=2550, height=3300)))
    assert (root.get("width"), root.get("height")) == ("2550", "3300")
    root = parse(page_svg(doc_task(), page(width=1000.5, height=1414.25)))
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("1000.5", "1414.25", "0 0 1000.5 1414.25")


@pytest.mark.parametrize("bad", [None, 0, -10, "abc", "2480", True, float("nan"), float("inf"), [2480], {}])
def test_it_falls_back_to_a4_when_the_size_is_missing_or_invalid(bad):
    root = parse(page_svg(doc_task(), page(width=bad, height=bad)))
    assert (root.get("width"), root.get("height")) == ("2480", "3508")


def test_it_keeps_a4_proportions_when_only_one_side_is_valid():
    root = parse(page_svg(doc_task(), page(width=1240, height="tall")))
    assert (root.get("width"), root.get("height")) == ("1240", "1754")
    root = parse(page_svg(doc_task(), page(width=None, height=1754)))
    assert (root.get("width"), root.get("height")) == ("1240", "1754")


def test_it_draws_the_task_name_in_the_header_and_the_annotations_at_their_lines():
    task = doc_task()
    root = parse(page_svg(task, task["pages"][0]))
    assert of_class(root, "header")
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert "Document Analysis Task" in texts
    assert "page_1 · 1 / 1" in texts
    (annotation,) = annotation_texts(root)
    assert annotation.text == "$1,234.56"
    assert annotation.get("x") == "340"
    # `top` is the top of the line: the baseline sits below it, within one font size.
    size = float(of_class(root, "annotations")[0].get("font-size"))
    assert 120.5 < float(annotation.get("y")) <= 120.5 + size


def test_it_sizes_text_in_proportion_to_the_page():
    small = parse(
        page_svg(doc_task(), page(width=1240, height=1754, annotations=[DOC_TASK["pages"][0]["annotations"][0]]))
    )
    large = parse(page_svg(doc_task(), page(annotations=[DOC_TASK["pages"][0]["annotations"][0]])))
    size_small = float(of_class(small, "annotations")[0].get("font-size"))
    size_large = float(of_class(large, "annotations")[0].get("font-size"))
    assert size_large == pytest.approx(size_small * 2, rel=0.02)
    assert 30 < size_large < 50


def test_it_draws_checkboxes_segments_and_signatures():
    task = doc_task()
    first = task["pages"][0]
    unchecked = {
        **first["checkboxes"][0],
        "id": "cb_2",
        "checked": False,
        "coordinates": [[200, 100], [220, 100], [220, 120], [200, 120]],
    }
    not_quite = {**unchecked, "id": "cb_3", "checked": "true"}  # only true ticks the box
    first["checkboxes"] += [unchecked, not_quite]
    root = parse(page_svg(task, first))
    assert [e.get("points") for e in of_class(root, "checkbox")] == [
        "100,100 120,100 120,120 100,120",
        "200,100 220,100 220,120 200,120",
        "200,100 220,100 220,120 200,120",
    ]
    assert len(of_class(root, "tick")) == 1
    assert [e.get("points") for e in of_class(root, "segment")] == ["50,50 400,50 400,200 50,200"]
    (signature,) = of_class(root, "signature")
    assert signature.get("d").startswith("M")
    assert "C" in signature.get("d")


def test_it_draws_a_table_and_body_text():
    root = parse(page_svg(doc_task(), page()))
    assert of_class(root, "table"), "a decorative table on an empty page"
    rows = [
        {
            "id": f"ann_{row}_{col}",
            "entity_id": "cell",
            "confidence": 0.9,
            "content": "12.50",
            "top": 1000 + row * 52,
            "left_of_line": 200 + col * 500,
        }
        for row in range(5)
        for col in range(4)
    ]
    root = parse(page_svg(doc_task(), page(annotations=rows)))
    (table,) = of_class(root, "table")
    assert float(table.get("y")) < 1000 < 1000 + 4 * 52 < float(table.get("y")) + float(table.get("height"))
    assert len(root.findall(f"{SVG}rect")) > 20  # the paper, the header, lines of body text


def test_it_escapes_hostile_content():
    task = doc_task(name=HOSTILE)
    hostile_page = page(
        id=HOSTILE,
        annotations=[
            {"id": "ann_1", "entity_id": "x", "confidence": 0.5, "content": HOSTILE, "top": 500, "left_of_line": 200},
            {
                "id": "ann_2",
                "entity_id": "x",
                "confidence": 0.5,
                "content": "AT&T <b>bold</b>",
                "top": 600,
                "left_of_line": 200,
            },
        ],
        signatures=[
            {"id": HOSTILE, "confidence": 0.5, "coordinates": [[800, 600], [1100, 600], [1100, 750], [800, 750]]}
        ],
    )
    svg = page_svg(task, hostile_page)
    root = parse(svg)
    assert b"<script" not in svg
    assert b"<b>" not in svg
    assert b"<!--" not in svg
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "b", "foreignObject")]
    assert [e.text for e in annotation_texts(root)] == [HOSTILE, "AT&T <b>bold</b>"]
    assert HOSTILE in [e.text for e in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}title").text.startswith(HOSTILE)


def test_it_drops_characters_that_xml_cannot_hold():
    content = "a\x00b\x08c\x1bd\ufffee\ud800f\tg\nh"
    svg = page_svg(
        doc_task(name="name\x01"), page(annotations=[{"id": "a", "content": content, "top": 500, "left_of_line": 200}])
    )
    root = parse(svg)
    assert [e.text for e in annotation_texts(root)] == ["abcdef g h"]


def test_it_has_no_scripts_and_no_external_references():
    task = doc_task()
    svg = page_svg(task, task["pages"][0]).decode()
    assert "<script" not in svg
    assert "href" not in svg
    assert "url(" not in svg
    assert "@import" not in svg
    assert svg.count("http") == 1  # the SVG namespace
    assert "on" not in {name[:2] for element in parse(svg.encode()).iter() for name in element.attrib}


@pytest.mark.parametrize(
    "coordinates",
    [
        None,
        "abc",
        [],
        [[100, 100], [120, 100]],  # two points
        [[100, 100], [120, "abc"], [120, 120], [100, 120]],
        [[100, 100], [120, 100], [120], [100, 120]],
        [[100, 100], [120, 100, 5], [120, 120]],
        [[100, 100], [120, 100], [120, 120], [float("nan"), 120]],
        [[100, 100], [1e308, 100], [120, 120]],
        [[100, 100], [10**400, 100], [120, 120]],
        [[True, False], [1, 0], [0, 1]],
        [{"x": 1, "y": 2}, [1, 0], [0, 1]],
    ],
)
def test_it_skips_malformed_geometry(coordinates):
    item = {"id": "x", "confidence": 0.5, "checked": True, "coordinates": coordinates}
    root = parse(page_svg(doc_task(), page(checkboxes=[item], segments=[item], signatures=[item])))
    assert not of_class(root, "checkbox")
    assert not of_class(root, "segment")
    assert not of_class(root, "signature")


def test_it_draws_a_point_off_the_page_and_accepts_any_polygon_of_three_points():
    item = {"id": "x", "confidence": 0.5, "coordinates": [[50, 50], [2900, 50], [400, 200]]}
    root = parse(page_svg(doc_task(), page(segments=[item])))
    assert [e.get("points") for e in of_class(root, "segment")] == ["50,50 2900,50 400,200"]


@pytest.mark.parametrize(
    "annotation",
    [
        {"id": "a", "content": "x", "top": "abc", "left_of_line": 10},
        {"id": "a", "content": "x", "top": 10},
        {"id": "a", "content": "x", "top": 10**400, "left_of_line": 10},
        {"id": "a", "content": "x", "top": float("-inf"), "left_of_line": 10},
        {"id": "a", "content": None, "top": 10, "left_of_line": 10},
        {"id": "a", "content": {"nested": True}, "top": 10, "left_of_line": 10},
        {"id": "a", "content": "", "top": 10, "left_of_line": 10},
        "not an object",
        None,
    ],
)
def test_it_skips_annotations_it_cannot_place(annotation):
    root = parse(page_svg(doc_task(), page(annotations=[annotation])))
    assert annotation_texts(root) == []


@pytest.mark.parametrize("junk", [None, "abc", 5, {"a": 1}])
def test_it_tolerates_item_lists_and_pages_that_are_not_what_they_should_be(junk):
    parse(page_svg(doc_task(), page(annotations=junk, checkboxes=junk, segments=junk, signatures=junk)))
    parse(page_svg(doc_task(pages=junk), junk))
    parse(page_svg(None, {}))


def test_it_draws_numbers_as_text_and_cuts_very_long_contents():
    root = parse(
        page_svg(
            doc_task(),
            page(
                annotations=[
                    {"id": "a", "content": 1234.5, "top": 500, "left_of_line": 200},
                    {"id": "b", "content": "x" * 5000, "top": 600, "left_of_line": 200},
                ]
            ),
        )
    )
    first, second = annotation_texts(root)
    assert first.text == "1234.5"
    assert len(second.text) == 300
    assert second.text.endswith("…")


def test_it_gives_the_same_bytes_for_the_same_page():
    task = doc_task()
    assert page_svg(task, task["pages"][0]) == page_svg(copy.deepcopy(task), copy.deepcopy(task["pages"][0]))


def test_it_draws_a_page_of_1200_annotations_quickly():
    annotations = [
        {
            "id": f"ann_{i}",
            "entity_id": "line_item",
            "confidence": 0.9,
            "content": f"Item {i} & more",
            "top": 300 + (i // 5) * 12.5,
            "left_of_line": 200 + (i % 5) * 420,
        }
        for i in range(1200)
    ]
    started = time.perf_counter()
    svg = page_svg(doc_task(), page(annotations=annotations))
    elapsed = time.perf_counter() - started
    assert len(annotation_texts(parse(svg))) == 1200
    assert elapsed < 1.0


@pytest.mark.django_db
def test_it_draws_a_page_of_a_sandbox_task():
    task = make_task(name="Invoice <42> & co", pages=doc_pages())
    root = parse(page_svg(task, task.page("page_1")))
    assert root.find(f"{SVG}title").text == "Invoice <42> & co — page_1 · 1 / 1"
    assert [e.text for e in annotation_texts(root)] == ["$1,234.56"]
