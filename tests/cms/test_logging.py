"""JSON log lines carry the standard fields and anything passed as `extra`."""

import json
import logging

from cms.logging import JsonFormatter


def test_json_formatter():
    record = logging.LogRecord(
        "dangke.test", logging.WARNING, __file__, 1, "视频 %s 转码失败", ("v1",), None
    )
    record.video_id = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "视频 v1 转码失败"
    assert line["level"] == "WARNING" and line["logger"] == "dangke.test"
    assert line["video_id"] == 7
    assert line["time"].endswith("+00:00")


def test_exceptions_are_included():
    try:
        raise ValueError("坏数据")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "坏数据" in json.loads(JsonFormatter().format(record))["exception"]
