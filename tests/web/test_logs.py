"""Log lines (skill/web/logs.py): one JSON object per line, with UTC time, level and pid, and an
access line's fields instead of a message."""

from __future__ import annotations

import json
import logging
import re

from skill.web.logs import AccessRecord, JsonLineFormatter


def test_a_line_has_utc_time_level_pid_and_the_access_fields():
    formatter = JsonLineFormatter()
    record = logging.LogRecord("skill.access", logging.INFO, __file__, 1, AccessRecord({"status": 404}), None, None)
    record.created = 1764633600.25  # 2025-12-02T00:00:00.250Z
    line = json.loads(formatter.format(record))
    assert line["time"] == "2025-12-02T00:00:00.250Z" and line["level"] == "INFO" and line["pid"] == record.process
    assert line["status"] == 404 and "message" not in line
    other = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, "Worker %s exiting", ("12",), None)
    line = json.loads(formatter.format(other))
    assert line["message"] == "Worker 12 exiting" and line["level"] == "WARNING"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
