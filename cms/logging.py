"""Logging: the settings' LOGGING (logging_config) and JSON log lines for log collectors
(LOG_FORMAT=json): one object per line with the usual fields."""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        # Anything passed with extra={...} becomes a field of its own.
        for key, value in vars(record).items():
            if key not in self.RESERVED and not key.startswith("_"):
                entry[key] = (
                    value if isinstance(value, str | int | float | bool | None) else repr(value)
                )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestedStopFilter(logging.Filter):
    """Keeps the worker's "Received Terminated - shutting down gracefully... (press Ctrl+C again
    to force)" off the terminal under `make run`: rundev asked for that stop after the person's
    Ctrl-C, which no longer reaches the worker (its own process group). The log file keeps it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "django_tasks_db" and str(record.msg).startswith("Received %s"))


def logging_config(environ) -> dict:
    """LOGGING for the settings, from the environment.

    LOG_LEVEL (INFO) and LOG_FORMAT=json as before. `make run` (rundev) also sets DANGKE_LOG_FILE,
    where everything at LOG_LEVEL goes, and DANGKE_CONSOLE_LOG_LEVEL=WARNING, so the terminal
    keeps to what a person reads (address, accounts, warnings, errors) while each task's INFO line
    goes to var/log/.
    """
    formatter = "json" if environ.get("LOG_FORMAT") == "json" else "plain"
    console = {"class": "logging.StreamHandler", "formatter": formatter}
    if environ.get("DANGKE_CONSOLE_LOG_LEVEL"):
        console["level"] = environ["DANGKE_CONSOLE_LOG_LEVEL"]
    handlers = {"console": console}
    if environ.get("DANGKE_LOG_FILE"):
        console["filters"] = ["requested_stop"]
        handlers["file"] = {
            # Reopened when rotated by logrotate or removed by hand.
            "class": "logging.handlers.WatchedFileHandler",
            "filename": environ["DANGKE_LOG_FILE"],
            "formatter": formatter,
            "encoding": "utf-8",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "cms.logging.JsonFormatter"},
        },
        "filters": {"requested_stop": {"()": "cms.logging.RequestedStopFilter"}},
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": environ.get("LOG_LEVEL", "INFO")},
        # Every task start and finish at INFO would drown the console; failures still show.
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django_tasks": {"level": "WARNING"},
        },
    }
