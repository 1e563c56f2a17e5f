"""Request recording: every request the sandbox serves, in process and in the threaded server.

Patch:

- ``record_requests`` (``moto.core.responses.BaseResponse.call_action``): every request moto
  serves, any service (S3 excepted: it bypasses ``call_action``), is appended to a thread-safe
  log of ``RecordedRequest(service, action, params)``, in process and in the threaded server.

``recorded_requests()`` returns every request served since the process started; each
``SandboxServer`` and each ``in_process()`` block has its own sink that keeps only its own
requests (the server's by the Host header's port, in process: requests with no Host).
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class RecordedRequest:
    """One AWS request the sandbox served, with its parsed parameters (API casing)."""

    service: str
    action: str
    params: dict[str, Any]


class _Sink:
    """A list of recorded requests that only takes the requests its filter accepts."""

    def __init__(self, accepts: Callable[[str | None], bool]) -> None:
        self._accepts = accepts
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def offer(self, origin: str | None, request: RecordedRequest) -> None:
        if self._accepts(origin):
            with self._lock:
                self._items.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_ALL_REQUESTS = _Sink(lambda origin: True)
_SINKS_LOCK = threading.Lock()
_SINKS: list[_Sink] = [_ALL_REQUESTS]


def _add_sink(sink: _Sink) -> None:
    with _SINKS_LOCK:
        _SINKS.append(sink)


def _remove_sink(sink: _Sink) -> None:
    with _SINKS_LOCK:
        if sink in _SINKS:
            _SINKS.remove(sink)


def _record(origin: str | None, request: RecordedRequest) -> None:
    with _SINKS_LOCK:
        sinks = list(_SINKS)
    for sink in sinks:
        sink.offer(origin, request)


# Seconds each request to a server waits before moto handles it, by the server's port (default
# none). Real AWS answers in tens of milliseconds, across the network, many requests at once; a
# local moto server answers in about a millisecond, one Python process for all of them. `make
# bench` sets it so that a run's concurrency is measured as against a real API; the wait is a
# sleep, so concurrent requests overlap as they would there.
_LATENCY: dict[int, float] = {}


def set_latency(port: int, seconds: float) -> None:
    if seconds > 0:
        _LATENCY[port] = seconds
    else:
        _LATENCY.pop(port, None)


def _latency_of(origin: str | None) -> float:
    if not _LATENCY or not origin or ":" not in origin:
        return 0.0
    try:
        return _LATENCY.get(int(origin.rsplit(":", 1)[1]), 0.0)
    except ValueError:
        return 0.0


def recorded_requests() -> list[RecordedRequest]:
    """Every request served since this process started (all servers, in process too)."""
    return _ALL_REQUESTS.snapshot()


def _request_params(response: Any) -> dict[str, Any]:
    """The request's parameters as the API names them, whatever protocol carried them."""
    params: Any = None
    if getattr(response, "automated_parameter_parsing", False):
        params = getattr(response, "params", None)
    if not isinstance(params, dict):
        body = getattr(response, "body", None)
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str) and body.lstrip().startswith("{"):
            try:
                params = json.loads(body)
            except ValueError:
                params = None
    if not isinstance(params, dict):
        try:
            params = response._get_params()
        except Exception:  # a protocol we cannot parse still gets recorded, without params
            params = {}
        params = {k: v for k, v in dict(params).items() if k not in ("Action", "Version")}
    return copy.deepcopy(dict(params))


def _patch_record_requests(original: Callable[..., Any]) -> Callable[..., Any]:
    """Record every request moto serves, before it is handled (failed calls are recorded too).

    Real AWS has CloudTrail; tests need less: "no UpdateService carried taskDefinition" must be
    checkable even though moto would accept it. ``call_action`` is where every moto service but
    S3 dispatches, both under ``mock_aws`` and in ``ThreadedMotoServer``.
    """

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        try:
            action = self._get_action() or ""
        except Exception:
            action = ""
        request = RecordedRequest(
            service=str(self.service_name or ""),
            action=str(action),
            params=_request_params(self),
        )
        origin = self.headers.get("Host") if getattr(self, "is_werkzeug_request", False) else None
        _record(origin, request)
        delay = _latency_of(origin)
        if delay:
            time.sleep(delay)
        return original(self)

    return call_action
