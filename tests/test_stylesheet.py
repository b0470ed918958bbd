"""The design tokens: both dark blocks alike, and every text colour readable (WCAG AA) in each theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "reviewer.css").read_text()
TEXT = ["--ink", "--muted", "--accent", "--ok", "--warn", "--bad"]
SURFACES = [
    "--bg",
    "--surface",
    "--surface-2",
    "--accent-soft",
    "--ok-soft",
    "--warn-soft",
    "--bad-soft",
    "--info-soft",
]
PAIRS = [("--accent-ink", "--accent", 4.5), ("--bad-ink", "--bad", 4.5)]
PAIRS += [(c, s, 3.0) for c in ("--line-strong", "--focus") for s in ("--bg", "--surface", "--surface-2")]


def _block(selector: str) -> str:
    start = CSS.index(selector + " {") + len(selector) + 2
    return CSS[start : CSS.index("}", start)]


def _colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[a-z0-9-]+):\s*(#[0-9a-f]{6});", block))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


LIGHT = _colours(_block(":root"))
DARK = _colours(_block(':root:not([data-theme="light"])'))


def test_the_two_dark_blocks_are_the_same():
    as_system = _block(':root:not([data-theme="light"])').split()
    as_chosen = _block(':root[data-theme="dark"]').split()
    assert as_chosen == as_system
    assert len(DARK) >= 20


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_every_text_colour_meets_aa_on_every_surface(theme):
    low = [
        f"{text} on {surface}: {_contrast(theme[text], theme[surface]):.2f}"
        for text in TEXT
        for surface in SURFACES
        if _contrast(theme[text], theme[surface]) < 4.5
    ]
    for a, b, need in PAIRS:
        if _contrast(theme[a], theme[b]) < need:
            low.append(f"{a} on {b}: {_contrast(theme[a], theme[b]):.2f}")
    assert not low, low


def test_the_dark_theme_defines_every_light_colour():
    assert set(LIGHT) == set(DARK)
