"""The one place boto3 clients are made (region, profile, endpoint, retry mode)."""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
import time
from typing import Any, Iterator

import attrs
import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers

from providers.errors import AwsError, AwsOutcomeUnknown


@attrs.frozen(kw_only=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None  # boto3 also honours AWS_ENDPOINT_URL itself
    retry_mode: str = "standard"  # or "adaptive" for large multi-service runs
    max_attempts: int = 8
    # HTTP connections each client keeps (botocore's default is 10): as many as the calls made at once.
    max_pool_connections: int = 10


class Session:
    """Clients are made once per service name and shared by the reader, applier and waiter, also
    between threads: a boto3 client is thread-safe once made, a boto3 Session is not, so every
    client is made under one lock. The caller identity is read once."""

    def __init__(self, settings: AwsSettings) -> None:
        self.settings = settings
        # AWS_REGION is what the AWS CLI v2 and most SDKs read; boto3 itself reads only
        # AWS_DEFAULT_REGION (and the profile), so ecsplan honours AWS_REGION here.
        region = settings.region or os.environ.get("AWS_REGION") or None
        with aws_errors("starting an AWS session"):
            self._boto = boto3.Session(profile_name=settings.profile, region_name=region)
        self._region: str | None = self._boto.region_name
        self._clients: dict[str, Any] = {}
        self._identity: tuple[str | None, str | None] | None = None
        self._lock = threading.Lock()  # guards self._boto and self._clients
        self._identity_lock = threading.Lock()
        self._local = threading.local()  # .deadline: this thread's, see deadline()

    @property
    def region(self) -> str | None:
        return self._region

    def client(self, name: str) -> Any:
        """The client of service `name`; inside deadline(), one whose attempts end before it."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is not None:
            retries, seconds = call_budget(deadline - time.monotonic())
            return self._client(f"{name}/{retries}/{seconds}", name, retries=retries, seconds=seconds)
        return self._client(name, name)

    def write_client(self, name: str) -> Any:
        """A client that makes each call once (no botocore retry): for the writes a retry could
        do twice (providers/writes.py retries them itself, once it knows the first did nothing)."""
        return self._client(f"{name}/write", name, retries=0)

    @contextlib.contextmanager
    def deadline(self, at: float) -> Iterator[None]:
        """Calls made in this thread meanwhile end by `at` (time.monotonic()): each client's
        connect and read timeouts and its retries fit in the time left (call_budget), so a
        stalled call cannot hold a wait past its --timeout (botocore's own: 60 s a read, 9
        attempts)."""
        saved = getattr(self._local, "deadline", None)
        self._local.deadline = at
        try:
            yield
        finally:
            self._local.deadline = saved

    def _client(self, key: str, name: str, *, retries: int | None = None, seconds: float | None = None) -> Any:
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            if key in self._clients:  # made by another thread meanwhile
                return self._clients[key]
            if not self.region:
                raise AwsError(
                    "no AWS region: set `region:` in the config, pass --region, or set AWS_REGION"
                )
            options: dict[str, Any] = {}
            if seconds is not None:
                options.update(connect_timeout=seconds, read_timeout=seconds)
            config = botocore.config.Config(
                # botocore's max_attempts counts the retries: 8 is 9 attempts in all.
                retries={"mode": self.settings.retry_mode, "max_attempts": self.settings.max_attempts if retries is None else retries},
                user_agent_extra="ecsplan",
                max_pool_connections=self.settings.max_pool_connections,
                **options,
            )
            kwargs: dict[str, Any] = {"config": config}
            if self.settings.endpoint_url:
                kwargs["endpoint_url"] = self.settings.endpoint_url
            with aws_errors(f"creating the {name} client"):
                self._clients[key] = self._boto.client(name, **kwargs)
        return self._clients[key]

    def identity(self) -> tuple[str | None, str | None]:
        """(region, account id); the account comes from STS once per run."""
        with self._identity_lock:
            if self._identity is None:
                with aws_errors("reading the caller identity (sts:GetCallerIdentity)"):
                    account = self.client("sts").get_caller_identity().get("Account")
                self._identity = (self.region, account)
            return self._identity


def call_budget(remaining: float) -> tuple[int, float]:
    """(botocore retries, connect/read timeout in seconds) for calls that must end within
    `remaining` seconds: three attempts and botocore's backoff between them (up to 1 s, then 2 s)
    while they fit, else one short attempt. A few fixed sizes, so few clients are made."""
    for seconds in (60.0, 30.0, 15.0, 8.0, 4.0, 2.0):
        if 3 * seconds + 3 <= remaining:
            return 2, seconds
    return 0, 2.0 if remaining >= 2 else 1.0


# Error codes AWS answers when a call may pass later: botocore's standard retry mode's throttling
# and transient codes (botocore/retries/standard.py; the retry behaviour the SDKs share:
# https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), and the codes of
# the 5xx answers (ServiceUnavailable, InternalFailure: the APIs' common errors; ECS's ServerException).
TRANSIENT_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", "ServiceUnavailable", "InternalFailure", "InternalError", "RequestTimeout",
    "RequestTimeoutException", "ServerException",
})


def transient(err: BaseException) -> bool:
    """Whether a botocore error may pass if the call is made again: throttling, a 5xx, a reply
    that was lost (connection closed, read timeout) or could not be read."""
    if isinstance(err, botocore.exceptions.ClientError):
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return err.response.get("Error", {}).get("Code") in TRANSIENT_CODES or int(status) >= 500
    return isinstance(err, (botocore.exceptions.HTTPClientError, botocore.exceptions.ConnectionError, botocore.parsers.ResponseParserError))


def unknown_outcome(err: BaseException) -> bool:
    """Whether AWS may have done what a call asked although the caller got an error: the reply
    was lost or late (the request had been sent), a 5xx, or a reply that cannot be read.
    Throttling and refusals (4xx) did nothing."""
    if isinstance(err, botocore.exceptions.ClientError):
        return int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0) >= 500
    if isinstance(err, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError)):
        return False  # never connected: nothing was sent
    return isinstance(err, (botocore.exceptions.HTTPClientError, botocore.exceptions.ConnectionError, botocore.parsers.ResponseParserError))


def _unreadable(err: botocore.parsers.ResponseParserError) -> str:
    """What botocore could not parse, said briefly: its reason and the start of the reply."""
    body = re.search(r"\nb['\"](.*)['\"]\s*$", str(err), re.S)
    shown = f": {body.group(1)[:200]}" if body else ""
    return f"AWS sent a reply in a form the API does not use (an outage, or a proxy in the way?){shown}; try again later"


@contextlib.contextmanager
def write_errors(doing: str) -> Iterator[None]:
    """aws_errors() for a write: when its outcome is unknown (the reply lost or late, a 5xx, a
    reply that cannot be read), the message says AWS may have done it."""
    try:
        with aws_errors(doing):
            yield
    except AwsError as err:
        if err.__cause__ is not None and unknown_outcome(err.__cause__):
            raise AwsOutcomeUnknown(f"{err}; AWS may have done it all the same: `ecsplan plan` shows what is live", transient=err.transient) from err.__cause__
        raise


@contextlib.contextmanager
def aws_errors(doing: str) -> Iterator[None]:
    """botocore's exceptions become one AwsError with what we were doing and what AWS said."""
    try:
        yield
    except botocore.exceptions.ClientError as err:
        error = err.response.get("Error", {})
        raise AwsError(f"{doing}: {error.get('Code', 'Error')}: {error.get('Message', str(err))}", transient=transient(err)) from err
    except botocore.parsers.ResponseParserError as err:
        raise AwsError(f"{doing}: {_unreadable(err)}", transient=True) from err
    except botocore.exceptions.ParamValidationError as err:
        raise AwsError(f"{doing}: the request is not valid for the AWS API: {err}") from err
    except botocore.exceptions.NoCredentialsError as err:
        raise AwsError(
            f"{doing}: no AWS credentials found; configure a profile (--profile / AWS_PROFILE) or credentials, "
            "or try `ecsplan demo`, which needs none"
        ) from err
    except botocore.exceptions.ProfileNotFound as err:
        raise AwsError(f"{doing}: {err}") from err
    except botocore.exceptions.NoRegionError as err:
        raise AwsError(f"{doing}: no AWS region: set `region:` in the config, pass --region, or set AWS_REGION") from err
    except botocore.exceptions.EndpointConnectionError as err:
        raise AwsError(f"{doing}: cannot reach AWS: {err}", transient=True) from err
    except botocore.exceptions.ConnectionClosedError as err:
        raise AwsError(f"{doing}: the connection closed before AWS replied: {err}", transient=True) from err
    except botocore.exceptions.BotoCoreError as err:
        raise AwsError(f"{doing}: {err}", transient=transient(err)) from err


def poll_interval() -> float:
    """Seconds between polls; ECSPLAN_POLL_INTERVAL lets tests and the demo poll fast. apply,
    wait, rollback and continue read it when they start, so a bad value stops them before any
    write (not at the first wait, after the deployment started)."""
    raw = os.environ.get("ECSPLAN_POLL_INTERVAL", "5")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise AwsError(f"ECSPLAN_POLL_INTERVAL must be a number of seconds (0 or more), not {raw!r}; nothing was done")
    return value
