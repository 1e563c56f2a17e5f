"""Every file ecsplan reads is read only up to its limit: a file that reports size 0 and never
ends (/dev/zero, a pipe) or a huge one is refused with a message, never read into memory whole,
never a hang or a traceback."""

from __future__ import annotations

import os

import pytest

from planner import envfile, planfile, strict
from planner.config import load_config
from planner.errors import ConfigError, LookupFailed, PlanError
from providers import lookups

ZERO = "/dev/zero"
needs_dev_zero = pytest.mark.skipif(not os.path.exists(ZERO), reason="no /dev/zero")


@needs_dev_zero
def test_a_definition_file_that_never_ends_is_refused_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(strict, "MAX_FILE_BYTES", 4096)
    (tmp_path / "td.json").symlink_to(ZERO)
    (tmp_path / "ecspresso.yml").write_text("cluster: c\nservice: s\ntask_definition: td.json\n")
    with pytest.raises(ConfigError, match=r"td.json: is \d+ bytes, over the 4096 bytes"):
        load_config(str(tmp_path / "ecspresso.yml"), environ={})


@needs_dev_zero
def test_an_envfile_that_never_ends_is_refused_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(envfile, "MAX_ENVFILE_CHARS", 4096)
    (tmp_path / "env").symlink_to(ZERO)
    with pytest.raises(ConfigError, match=r"env: envfile is over 4096 characters \(1 MiB\)"):
        envfile.load_envfiles([str(tmp_path / "env")])
    (tmp_path / "ok").write_text("A=" + "x" * 4000 + "\n")  # under the limit: read
    assert len(envfile.load_envfiles([str(tmp_path / "ok")])["A"]) == 4000


@needs_dev_zero
def test_a_plan_file_that_never_ends_is_read_no_further_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(planfile, "MAX_PLAN_BYTES", 4096)
    (tmp_path / "plan.json").symlink_to(ZERO)
    with pytest.raises(PlanError, match="plan.json: not a plan file"):
        planfile.load(str(tmp_path / "plan.json"))


def test_a_state_file_over_the_limit_or_not_text_is_a_lookup_failure(monkeypatch):
    monkeypatch.setattr(lookups, "MAX_STATE_BYTES", 10)
    assert lookups._text(b'{"a": 1}', "s3://b/k") == '{"a": 1}'
    assert lookups._text(b"x" * 10, "s3://b/k") == "x" * 10  # at the limit
    with pytest.raises(LookupFailed, match=r"state file s3://b/k is over 10 bytes"):
        lookups._text(b"x" * 11, "s3://b/k")
    with pytest.raises(LookupFailed, match=r"state file f.tfstate is not UTF-8 text \(byte 1\)"):
        lookups._text(b"a\xff", "f.tfstate")
