"""Filters for the audit pages: durations and shares in words."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    """A time on task: '42 s', '3 min 05 s', '1 h 02 min'; a dash when unknown."""
    if value is None:
        return "—"
    whole = round(value)
    if whole < 60:
        return f"{value:.1f} s".replace(".0 s", " s")
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


@register.filter
def percent(value: float | None) -> str:
    """A share 0..1 as a whole percentage; a dash when unknown."""
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def ratio(value: float | None) -> str:
    """A number per something, to one decimal; a dash when unknown."""
    return "—" if value is None else f"{value:.1f}"
