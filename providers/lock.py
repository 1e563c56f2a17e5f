"""The apply lock's store: the `ecsplan:lock` tag of an ECS service (planner/lock.py says why a
tag and how it is taken). ListTagsForResource, TagResource, UntagResource on the service ARN:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TagResource.html (services need the
long ARN format to be tagged; tag values: letters, numbers, spaces and _ . : / = + - @, 256
characters at most)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from typing import Any

from planner.lock import LOCK_TAG, holder_text, lock_of
from providers.session import Session, aws_errors


class TagLockStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def ecs(self) -> Any:
        return self.session.client("ecs")

    def read(self, service_arn: str) -> str | None:
        with aws_errors(f"reading the apply lock of {service_arn}"):
            return lock_of(self.ecs.list_tags_for_resource(resourceArn=service_arn).get("tags"))

    def write(self, service_arn: str, holder: str) -> None:
        with aws_errors(f"taking the apply lock of {service_arn}"):
            self.ecs.tag_resource(resourceArn=service_arn, tags=[{"key": LOCK_TAG, "value": holder}])

    def remove(self, service_arn: str) -> None:
        with aws_errors(f"releasing the apply lock of {service_arn}"):
            self.ecs.untag_resource(resourceArn=service_arn, tagKeys=[LOCK_TAG])


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER / LOGNAME and no passwd entry (some containers)
        return "unknown"


def ci_job(environ: Any = os.environ) -> str:
    """The CI job this process runs in, as a link, or "": GitHub Actions' run URL (its
    GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID variables)."""
    server, repo, run = (environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else ""


def this_holder(plan_id: str, now: dt.datetime | None = None) -> str:
    """This process as a lock holder: `user@host pid N plan ID since TIME [job URL]`."""
    return holder_text(user=_user(), host=socket.gethostname(), pid=os.getpid(), plan_id=plan_id,
                       since=now or dt.datetime.now(dt.timezone.utc), job=ci_job())
