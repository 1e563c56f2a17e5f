"""The sandbox's entry points, each with the patches installed: a moto ThreadedMotoServer on
127.0.0.1 (``start_server()``, ``SandboxServer``) and moto in process (``in_process()``, its
``Recorder``). Each keeps its own record of the requests it served.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

from providers.errors import SandboxError
from providers.sandbox.recording import RecordedRequest, _add_sink, _remove_sink, _Sink, set_latency
from providers.sandbox.registry import _MOTO_MISSING, install


class SandboxServer:
    """A moto ThreadedMotoServer on 127.0.0.1, with the patches installed."""

    def __init__(self, server: Any, port: int) -> None:
        self._server = server
        self._port = port
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._sink = _Sink(lambda origin: _port_of(origin) == port)
        _add_sink(self._sink)
        self._stopped = False

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests this server served (a copy), oldest first."""
        return self._sink.snapshot()

    def clear_requests(self) -> None:
        self._sink.clear()

    def set_latency(self, seconds: float) -> None:
        """Each request waits `seconds` before it is handled (0: none), as across a network."""
        set_latency(self._port, seconds)

    def reset(self) -> None:
        """Reset all moto state (moto's own reset API) and forget the recorded requests."""
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/reset", data=b"", method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                reply.read()
        except OSError as err:
            raise SandboxError(f"cannot reset the sandbox at {self.endpoint_url}: {err}") from err
        self.clear_requests()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        _remove_sink(self._sink)
        self._server.stop()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _port_of(origin: str | None) -> int | None:
    if not origin or ":" not in origin:
        return None
    try:
        return int(origin.rsplit(":", 1)[1])
    except ValueError:
        return None


def _skip_default_amis() -> None:
    # moto loads its catalogue of default AMIs on every EC2 reset (~0.3 s); the sandbox serves
    # ECS deployments and never uses an AMI.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def _check_port_free(port: int) -> None:
    """ThreadedMotoServer binds in its thread: a busy port ends that thread, and start() then
    waits for ever for a server that never comes. Bind here first (as werkzeug does, with
    SO_REUSEADDR) to say so instead."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as err:
            raise SandboxError(f"cannot start the sandbox on 127.0.0.1:{port}: {err.strerror or err}") from err


def start_server(port: int = 0) -> SandboxServer:
    """Install the patches and start a moto server on 127.0.0.1 (port 0: a free one)."""
    install()
    _skip_default_amis()
    try:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    except ImportError as err:  # moto without its [server] extra (flask, werkzeug)
        raise SandboxError(_MOTO_MISSING) from err
    werkzeug_log = logging.getLogger("werkzeug")
    if werkzeug_log.level == logging.NOTSET:
        # werkzeug otherwise prints an access-log line per request to stderr.
        werkzeug_log.setLevel(logging.WARNING)
    if port:
        _check_port_free(port)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except OSError as err:
        raise SandboxError(f"cannot start the sandbox on 127.0.0.1:{port}: {err}") from err
    _, actual_port = server.get_host_and_port()
    return SandboxServer(server, int(actual_port))


class Recorder:
    """The requests served in process during one ``in_process()`` block."""

    def __init__(self) -> None:
        self._sink = _Sink(lambda origin: origin is None)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._sink.snapshot()

    def clear(self) -> None:
        self._sink.clear()


@contextlib.contextmanager
def in_process() -> Iterator[Recorder]:
    """moto's ``mock_aws()`` with the patches installed: boto3 talks to the sandbox, in process."""
    install()
    _skip_default_amis()
    from moto import mock_aws

    recorder = Recorder()
    _add_sink(recorder._sink)
    try:
        with mock_aws():
            yield recorder
    finally:
        _remove_sink(recorder._sink)
