"""The design tokens: every colour written once with both sides, and readable (WCAG AA) in each theme."""

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


def _themes(block: str) -> tuple[dict[str, str], dict[str, str]]:
    """The light and the dark colour of every token written as light-dark(#light, #dark)."""
    pairs = re.findall(r"(--[a-z0-9-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\);", block)
    return {name: light for name, light, _ in pairs}, {name: dark for name, _, dark in pairs}


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


LIGHT, DARK = _themes(_block(":root"))


def test_every_colour_token_has_a_light_and_a_dark_side():
    written = re.findall(r"(--[a-z0-9-]+):\s*(?:light-dark|#)", _block(":root"))
    assert len(LIGHT) >= 20
    assert set(written) == set(LIGHT) == set(DARK)  # no colour token left with one side only


def test_the_person_s_choice_fixes_the_scheme():
    assert _block(':root[data-theme="light"]').strip() == "color-scheme: light;"
    assert _block(':root[data-theme="dark"]').strip() == "color-scheme: dark;"
    assert "@media (prefers-color-scheme" not in CSS  # each colour defined once, not once per way of choosing


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
