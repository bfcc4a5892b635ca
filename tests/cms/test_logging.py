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


def test_make_run_keeps_task_info_out_of_the_terminal(tmp_path):
    """Under `make run` (rundev sets these), INFO goes to var/log/ only; warnings to both (issue 21)."""
    import io
    import logging.config

    from cms.logging import logging_config

    log_file = tmp_path / "dangke.log"
    config = logging_config(
        {"DANGKE_LOG_FILE": str(log_file), "DANGKE_CONSOLE_LOG_LEVEL": "WARNING"}
    )
    terminal = io.StringIO()
    config["handlers"]["console"]["stream"] = terminal
    config["loggers"]["dangke.task"] = {"level": "INFO"}
    try:
        logging.config.dictConfig(config)
        logging.getLogger("dangke.task").info("任务 encode_video 完成")
        logging.getLogger("dangke.task").warning("视频 v1 转码失败")
        for handler in logging.getLogger().handlers:
            handler.flush()
        written = log_file.read_text(encoding="utf-8")
        assert "任务 encode_video 完成" in written and "视频 v1 转码失败" in written
        assert "任务 encode_video 完成" not in terminal.getvalue()
        assert "视频 v1 转码失败" in terminal.getvalue()
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)


def test_without_make_run_the_console_shows_info():
    from cms.logging import logging_config

    config = logging_config({})
    assert "file" not in config["handlers"] and "level" not in config["handlers"]["console"]
