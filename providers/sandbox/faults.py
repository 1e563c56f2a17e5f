"""A fault-injecting HTTP proxy in front of a ``SandboxServer``: a flaky network and a strict
role, on demand, for tests of what ecsplan survives and how it explains the rest.

``FaultProxy(target_url)`` listens on its own 127.0.0.1 port (``endpoint_url``) and forwards
each request to the target, the Host header rewritten to the target's so the server's own
request log (``SandboxServer.requests``) keeps it. Rules match a request by service and
operation:

- the service is the one the SigV4 credential scope names (``Authorization: ... Credential=
  KEY/DATE/REGION/SERVICE/aws4_request``): ``ecs``, ``codedeploy``, ``application-autoscaling``,
  ``sts``...;
- the operation is the ``X-Amz-Target`` header's suffix for the JSON protocols (ECS,
  CodeDeploy, Application Auto Scaling: ``AmazonEC2ContainerServiceV20141113.DescribeServices``)
  and ``Action=`` of the form body or query string for the query protocols (STS, EC2, ELB).

Each rule (a ``Fault``) applies to the first ``times`` matching calls (``None``: every one),
with ``after=OPERATION`` only once a call of that operation went through (``stall("ecs",
"DescribeServices", after="UpdateService")``: the wait's reads, not the plan's); the first
rule that still applies wins; its ``hits`` count the calls it answered and its ``hit`` event
is set at the first (a test waits on it, never sleeps). The faults, each imitating what AWS
(or the network) does:

- ``throttle``: 400 ``ThrottlingException`` ("Rate exceeded"), the answer an API rate limit
  gives (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html); an XML
  ``<ErrorResponse>`` for the query protocols, as STS answers.
- ``fail``: a 5xx (503 ``ServiceUnavailable`` by default, or 500 ``InternalFailure``) with a
  JSON body, whatever the protocol (a load balancer or proxy in the way answers so: the case
  issue 13 saw from STS).
- ``deny``: 400 ``AccessDeniedException`` (``AccessDenied`` in XML for the query protocols), a
  role without the permission (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
- ``drop``: the request IS forwarded (the write happens in the sandbox), then the connection is
  closed without a reply: the client cannot know whether AWS did it.
- ``stall``: the request is forwarded and the reply held until ``release()`` (or 120 s): a
  call that hangs longer than any timeout. Tests release it when they end, no sleeps.

``calls`` lists what the proxy saw, in order: ``(service, operation, fault or None)``.
The proxy imports nothing of planner/ and nothing of moto: it only speaks HTTP.
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import threading
import urllib.parse
from typing import Any

import attrs

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}
_QUERY_SERVICES = {"sts", "ec2", "elasticloadbalancing", "iam"}
STALL_LIMIT = 120.0  # seconds a stalled reply is held at most when nobody releases it


@attrs.define
class Fault:
    """One rule: `kind` on calls of `service` (None: any) and `operation` (None: any), the first
    `times` of them (None: every one). `hits` counts the calls it answered."""

    kind: str
    service: str | None
    operation: str | None
    times: int | None = None
    status: int = 400
    after: str | None = None  # applies only once a call of this operation went through the proxy
    hits: int = 0
    hit: threading.Event = attrs.field(factory=threading.Event, eq=False, repr=False)  # set at the first hit

    def matches(self, service: str, operation: str, seen: set[str]) -> bool:
        return (
            self.service in (None, service) and self.operation in (None, operation)
            and (self.times is None or self.hits < self.times) and (self.after is None or self.after in seen)
        )


def identify(headers: Any, path: str, body: bytes) -> tuple[str, str]:
    """(service, operation) of an AWS request, as the module docstring says; "?" when unknown."""
    scope = _SCOPE.search(headers.get("Authorization") or "")
    service = scope.group(1) if scope else "?"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if not query.get("Action") and body and "json" not in (headers.get("Content-Type") or ""):
        try:
            query = urllib.parse.parse_qs(body.decode("utf-8"))
        except UnicodeDecodeError:
            query = {}
    return service, (query.get("Action") or ["?"])[0]


class FaultProxy:
    def __init__(self, target_url: str) -> None:
        parsed = urllib.parse.urlsplit(target_url)
        self.target_host = parsed.hostname or "127.0.0.1"
        self.target_port = parsed.port or 80
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._released = threading.Event()
        self.calls: list[tuple[str, str, str | None]] = []
        self._seen: set[str] = set()  # operations that went through
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.endpoint_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()

    # ---- rules -------------------------------------------------------------------------------

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def throttle(self, service: str | None, operation: str | None = None, times: int | None = None, after: str | None = None) -> Fault:
        return self.add(Fault("throttle", service, operation, times, after=after))

    def fail(self, service: str | None, operation: str | None = None, times: int | None = None, status: int = 503, after: str | None = None) -> Fault:
        if status < 500:
            raise ValueError(f"fail() answers a 5xx, not {status}")
        return self.add(Fault("fail", service, operation, times, status=status, after=after))

    def deny(self, service: str | None, operation: str | None = None, times: int | None = None, after: str | None = None) -> Fault:
        return self.add(Fault("deny", service, operation, times, after=after))

    def drop(self, service: str | None, operation: str | None = None, times: int | None = 1, after: str | None = None) -> Fault:
        return self.add(Fault("drop", service, operation, times, after=after))

    def stall(self, service: str | None, operation: str | None = None, times: int | None = None, after: str | None = None) -> Fault:
        return self.add(Fault("stall", service, operation, times, after=after))

    def clear(self) -> None:
        """Forget the rules and the calls; release what is stalled; a fresh release event."""
        with self._lock:
            self._faults.clear()
            self.calls.clear()
            self._seen.clear()
        self.release()
        self._released = threading.Event()

    def release(self) -> None:
        """Let every stalled reply go (to a client that has most likely given up)."""
        self._released.set()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- serving -----------------------------------------------------------------------------

    def _pick(self, service: str, operation: str) -> Fault | None:
        with self._lock:
            fault = next((f for f in self._faults if f.matches(service, operation, self._seen)), None)
            if fault is not None:
                fault.hits += 1
                fault.hit.set()
            self.calls.append((service, operation, fault.kind if fault else None))
            self._seen.add(operation)
            return fault

    def _forward(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.target_host, self.target_port, timeout=60)
        try:
            out = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP and k.lower() != "host"}
            out["Host"] = f"{self.target_host}:{self.target_port}"
            conn.request(method, path, body=body or None, headers=out)
            reply = conn.getresponse()
            return reply.status, [(k, v) for k, v in reply.getheaders() if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"], reply.read()
        finally:
            conn.close()


def _error_body(fault: Fault, service: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of the error `fault` answers."""
    if fault.kind == "fail":
        code = "ServiceUnavailable" if fault.status == 503 else "InternalFailure"
        return fault.status, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": f"injected {fault.status}"}).encode()
    code, message = ("ThrottlingException", "Rate exceeded") if fault.kind == "throttle" else ("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform this action")
    if service in _QUERY_SERVICES:
        xml_code = "Throttling" if fault.kind == "throttle" else "AccessDenied"
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{xml_code}</Code><Message>{message}</Message></Error>"
                "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>")
        return 400, "text/xml", body.encode()
    return 400, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()


def _handler_for(proxy: FaultProxy) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            return  # no access log on stderr

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            service, operation = identify(self.headers, self.path, body)
            fault = proxy._pick(service, operation)
            if fault is not None and fault.kind in ("throttle", "fail", "deny"):
                status, content_type, payload = _error_body(fault, service)
                self._reply(status, [("Content-Type", content_type)], payload)
                return
            released = proxy._released
            status, headers, payload = proxy._forward(self.command, self.path, self.headers, body)
            if fault is not None and fault.kind == "drop":
                self.close_connection = True  # the write happened; the client gets no reply
                return
            if fault is not None and fault.kind == "stall":
                released.wait(STALL_LIMIT)
            self._reply(status, headers, payload)

        def _reply(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
            try:
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in ("server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (a stalled reply): nobody to tell
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    return Handler
