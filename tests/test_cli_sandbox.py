"""`ecsplan sandbox [--port P] [--seed DIR]`: the sandbox server in the foreground, seeded from a
project so that planning it right away is clean.

The foreground server, the environment it prints and how it stops on a signal only show in a
subprocess (one server here); the seeding's choices (what is skipped and why) are checked in
process against the worker's sandbox server."""

from __future__ import annotations

import os
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from providers import app, seed
from tests.helpers_cli import ROOT

NETWORK = {
    "DEMO_SUBNET_ID": "subnet-0a1b2c3d4e5f60718",
    "DEMO_SECURITY_GROUP_ID": "sg-0f1e2d3c4b5a69788",
    "DEMO_TARGET_GROUP_ARN": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-bg-blue/73e2d6bc24d8a067",
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "ECSPLAN_POLL_INTERVAL"}
    env.update(NO_COLOR="1", **extra)
    return env


def _read_exports(proc: subprocess.Popen[bytes], limit: float = 60.0) -> dict[str, str]:
    """The export lines the server prints, read until the last one (AWS_DEFAULT_REGION), without
    blocking past `limit` seconds (a guard against a hung server, not an assertion). Raw reads of
    the pipe: a buffered readline would hide lines from select()."""
    exports: dict[str, str] = {}
    assert proc.stdout is not None
    fd, pending = proc.stdout.fileno(), b""
    deadline = time.monotonic() + limit
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while "AWS_DEFAULT_REGION" not in exports:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                raise AssertionError(f"no environment printed; exports so far: {exports}")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"the server ended before printing its environment (exit {proc.wait()})")
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                words = shlex.split(line.decode())
                assert words[0] == "export" and len(words) == 2, f"stdout has more than export lines: {line!r}"
                name, _, value = words[1].partition("=")
                exports[name] = value
    return exports


def test_sandbox_seeds_a_project_that_plans_clean_then_stops_on_sigint(tmp_path):
    dest = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", dest)
    stderr = tmp_path / "stderr.txt"
    with open(stderr, "w") as err:
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "sandbox", "--port", "0", "--seed", str(dest)],
                                cwd=tmp_path, env=_env(**NETWORK), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=err, bufsize=0)
        try:
            exports = _read_exports(proc)
            assert set(exports) == {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"}
            assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:") and not exports["AWS_ENDPOINT_URL"].endswith(":0")
            assert exports["AWS_REGION"] == "us-east-1"
            # The user's shell: the printed environment and the project's own variables.
            plan = subprocess.run([sys.executable, str(ROOT / "cli.py"), "plan", "-c", str(dest), "--detailed-exitcode"],
                                  cwd=tmp_path, env=_env(**NETWORK, **exports), capture_output=True, text=True, timeout=120)
            assert plan.returncode == 0, plan.stdout + plan.stderr
            assert "# web (cluster ecsplan-demo, controller ECS): no changes" in plan.stdout
            assert "# web-bg (cluster ecsplan-demo, controller CODE_DEPLOY): no changes" in plan.stdout
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = stderr.read_text()
    assert f"created {NETWORK['DEMO_SUBNET_ID']} (10.0.1.0/24, us-east-1a) in us-east-1" in text
    assert f"created target group {NETWORK['DEMO_TARGET_GROUP_ARN']}" in text
    assert text.rstrip().splitlines()[-1] == "ecsplan sandbox: stopped (SIGINT)."
    assert "Traceback" not in text


@pytest.mark.parametrize("folder, message", [
    ("missing", "ecsplan: error: --seed missing: no such folder"),
    ("empty", "ecsplan: error: --seed empty: no config below this folder (looked for ecsplan.yml"),
])
def test_sandbox_seed_needs_a_folder_with_a_config(tmp_path, folder, message):
    (tmp_path / "empty").mkdir()
    res = subprocess.run([sys.executable, str(ROOT / "cli.py"), "sandbox", "--port", "0", "--seed", folder],
                         cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and res.stdout == ""
    assert message in res.stderr


SSM_TASK = """{
  "family": "needs-ssm",
  "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "containerDefinitions": [{"name": "app", "image": "nginx", "essential": true,
    "environment": [{"name": "DB_URL", "value": "{{ ssm `/needs-ssm/db-url` }}"}]}]
}
"""


def test_seed_skips_a_project_whose_lookup_has_no_value_and_seeds_the_others(tmp_path, aws, monkeypatch):
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "demo", ignore=shutil.ignore_patterns("bluegreen"))
    other = tmp_path / "needs-ssm"
    other.mkdir()
    (other / "ecspresso.yml").write_text("region: us-east-1\ncluster: other\nservice: app\n"
                                         "service_definition: ''\ntask_definition: ecs-task-def.json\n")
    (other / "ecs-task-def.json").write_text(SSM_TASK)
    for name, value in {**NETWORK, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    lines: list[str] = []
    report = seed.seed(str(tmp_path), endpoint_url=aws.endpoint_url, region="us-east-1", say=lines.append)
    demo_config, ssm_config = str(tmp_path / "demo" / "ecspresso.yml"), str(other / "ecspresso.yml")
    assert report.seeded == (demo_config,)
    assert [path for path, _ in report.skipped] == [ssm_config]
    assert "/needs-ssm/db-url" in report.skipped[0][1], report.skipped
    assert any(line.startswith(f"skipped {ssm_config}: ") for line in lines)
    assert aws.client("ecs").list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/ecsplan-demo"]
    settings = app.AwsSettings(region="us-east-1", endpoint_url=aws.endpoint_url)
    plan = app.make_plan(app.Context(settings=settings), app.load_project([demo_config], settings))
    assert not plan.has_changes


def test_a_busy_port_is_an_error_not_a_hang():
    from providers import sandbox
    from providers.errors import SandboxError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SandboxError, match=f"cannot start the sandbox on 127.0.0.1:{port}: Address already in use"):
            sandbox.start_server(port)
