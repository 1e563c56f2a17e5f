"""Writes that are safe to retry: each is made once at a time (no botocore retry, which cannot
know whether a lost reply's write happened) and, when its outcome is unknown (the connection
closed after the request was sent, no reply in time, a 5xx, a reply that cannot be read) or a
retry is refused as if it had already happened, AWS is asked whether the first attempt did it:

- RegisterTaskDefinition: the family's latest ACTIVE revision equals the definition -> that
  revision (a retry would register a duplicate revision).
- CreateService: the service is ACTIVE in the cluster with our task definition -> that service
  (a retry answers InvalidParameterException "Creation of service was not idempotent.").
- CreateDeployment: an active deployment of the group has our AppSpec (GetDeployment shows its
  sha256, never the content: API_GetDeployment) -> that deployment (a retry answers
  DeploymentLimitExceededException: one deployment at a time per group).

UpdateService, TagResource and UntagResource keep botocore's retries: the same request twice
leaves the service as once.

What was recognised is reported as done, with a note line: "the reply was lost; AWS had done
it: ...". Throttling (nothing was done) is retried after a pause like botocore's (random, up to
1 s, 2 s, 4 s... 20 s), as many times as botocore would.
"""

from __future__ import annotations

import hashlib
import random
import time
from typing import Callable, TypeVar

import botocore.exceptions
import botocore.parsers

from providers.errors import AwsError
from providers.session import Session, transient, unknown_outcome, write_errors

T = TypeVar("T")
Emit = Callable[[str], None]

_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, botocore.parsers.ResponseParserError)


def backoff(attempt: int) -> float:
    """Seconds before retry `attempt` (0: the first): botocore's standard mode's full jitter."""
    return random.uniform(0, min(20.0, 2.0**attempt))


def write(
    session: Session,
    emit: Emit,
    *,
    doing: str,
    call: Callable[[], T],
    recognise: Callable[[], tuple[T, str] | None],
    who: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call` (made with session.write_client: one attempt a call) until it answers; after an
    unknown outcome, or a refusal of a retry, `recognise()` says whether AWS had done it (its
    value and what to say), and that is the answer, with a note line (`who`: its prefix, the
    service the write is for). The last error is raised as an AwsError."""
    attempts = session.settings.max_attempts + 1
    retried = False
    for attempt in range(attempts):
        try:
            return call()
        except _ERRORS as err:
            if unknown_outcome(err) or (retried and not transient(err)):
                found = _recognise(recognise, doing)
                if found is not None:
                    value, what = found
                    emit(f"{who + ': ' if who else ''}note: the reply to {doing} was lost; AWS had done it: {what}")
                    return value
            if not transient(err) or attempt == attempts - 1:
                with write_errors(doing):
                    raise
        retried = True
        sleep(backoff(attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def _recognise(recognise: Callable[[], tuple[T, str] | None], doing: str) -> tuple[T, str] | None:
    """`recognise()`, its reads with botocore's retries; a read that fails says nothing (`doing`:
    kept for a debugger's eyes)."""
    try:
        return recognise()
    except (*_ERRORS, AwsError):  # the write's own error is the one to report
        return None


def appspec_sha256(content: str) -> str:
    """What GetDeployment shows of an AppSpecContent revision (revision.appSpecContent.sha256)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()
