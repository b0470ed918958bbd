"""Log lines as JSON objects, one a line (LOG_FORMAT=json), for a log collector to read."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# What a record carries besides the standard attributes, worth keeping when set (Django's
# request log gives status_code; RequestIdFilter gives request_id and client).
EXTRAS = ("request_id", "client", "status_code")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in EXTRAS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
