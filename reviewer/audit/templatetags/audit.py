"""Filters for the audit pages: durations and shares in words."""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    """A time on task: '42 s', '3 min 05 s', '1 h 02 min'; a dash when unknown."""
    if value is None:
        return "—"
    whole = round(value)
    if whole < 60:
        shown = formats.number_format(value, 1)
        tenth = formats.get_format("DECIMAL_SEPARATOR") + "0"
        return _("%(seconds)s s") % {"seconds": shown.removesuffix(tenth)}
    if whole < 3600:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": whole // 60, "seconds": f"{whole % 60:02d}"}
    return _("%(hours)s h %(minutes)s min") % {"hours": whole // 3600, "minutes": f"{whole % 3600 // 60:02d}"}


@register.filter
def percent(value: float | None) -> str:
    """A share 0..1 as a whole percentage; a dash when unknown."""
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def ratio(value: float | None) -> str:
    """A number per something, to one decimal; a dash when unknown."""
    return "—" if value is None else formats.number_format(value, 1)
