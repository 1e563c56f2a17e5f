"""The one place boto3 clients are made (region, profile, endpoint, retry mode)."""

from __future__ import annotations

import contextlib
import math
import os
import threading
from typing import Any, Iterator

import attrs
import boto3
import botocore.config
import botocore.exceptions

from providers.errors import AwsError


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

    @property
    def region(self) -> str | None:
        return self._region

    def client(self, name: str) -> Any:
        client = self._clients.get(name)
        if client is not None:
            return client
        with self._lock:
            if name in self._clients:  # made by another thread meanwhile
                return self._clients[name]
            if not self.region:
                raise AwsError(
                    "no AWS region: set `region:` in the config, pass --region, or set AWS_REGION"
                )
            config = botocore.config.Config(
                retries={"mode": self.settings.retry_mode, "max_attempts": self.settings.max_attempts},
                user_agent_extra="ecsplan",
                max_pool_connections=self.settings.max_pool_connections,
            )
            kwargs: dict[str, Any] = {"config": config}
            if self.settings.endpoint_url:
                kwargs["endpoint_url"] = self.settings.endpoint_url
            with aws_errors(f"creating the {name} client"):
                self._clients[name] = self._boto.client(name, **kwargs)
        return self._clients[name]

    def identity(self) -> tuple[str | None, str | None]:
        """(region, account id); the account comes from STS once per run."""
        with self._identity_lock:
            if self._identity is None:
                with aws_errors("reading the caller identity (sts:GetCallerIdentity)"):
                    account = self.client("sts").get_caller_identity().get("Account")
                self._identity = (self.region, account)
            return self._identity


@contextlib.contextmanager
def aws_errors(doing: str) -> Iterator[None]:
    """botocore's exceptions become one AwsError with what we were doing and what AWS said."""
    try:
        yield
    except botocore.exceptions.ClientError as err:
        error = err.response.get("Error", {})
        raise AwsError(f"{doing}: {error.get('Code', 'Error')}: {error.get('Message', str(err))}") from err
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
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError) as err:
        raise AwsError(f"{doing}: cannot reach AWS: {err}") from err
    except botocore.exceptions.BotoCoreError as err:
        raise AwsError(f"{doing}: {err}") from err


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
