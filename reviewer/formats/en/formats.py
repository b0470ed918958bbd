"""English dates and times as a review console needs them: 24-hour clock, ISO short dates.

Only what differs from Django's "en" formats (US: "m/d/Y", "4 p.m."); the rest is Django's.
Dutch uses Django's "nl" formats ("5 januari 2025", "5-1-2025 14:30").
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
