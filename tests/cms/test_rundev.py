"""`make run` refuses a port that is already taken, with a clear message, before starting anything."""

import socket

import pytest
from django.core.management import CommandError, call_command


def test_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port} 已被占用"):
            call_command("rundev", addr=f"127.0.0.1:{port}")
