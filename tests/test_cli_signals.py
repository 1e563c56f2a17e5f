"""Signals and interrupted waits: SIGINT (Ctrl-C), SIGTERM and SIGHUP (how CI cancels a job)
alike: no new work, auto scaling ecsplan suspended resumed, done / not done reported, exit 130,
and the message names the `ecsplan wait` command that resumes watching."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.helpers_cli import ROOT


def _lock(bg):
    """The service's apply lock (its ecsplan:lock tag), "" when none."""
    tags = bg.aws.service(name="web-bg").get("tags", [])
    return next((t["value"] for t in tags if t["key"] == "ecsplan:lock"), "")


def _apply_until_waiting(bg, *args):
    """An apply in a subprocess, its stdout read line by line until it says it is waiting (the
    poll interval is long: the process then sits in the wait); returns the process and lines."""
    env = bg._env({"IMAGE_TAG": "1.27", "ECSPLAN_POLL_INTERVAL": "600", "PYTHONUNBUFFERED": "1"})
    # SIGINT at its default in the child, as in a terminal: a test run started in the background
    # of a shell without job control inherits SIGINT ignored, and Python then leaves it ignored.
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "apply", "--auto-approve", *args], cwd=bg.path, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    for line in proc.stdout:  # ends at EOF: the process cannot hang the test beyond its --timeout
        lines.append(line)
        if "waiting for CodeDeploy deployment" in line:
            break
    return proc, lines


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_the_wait_resumes_auto_scaling_reports_and_exits_130(bluegreen, signum):
    bg = bluegreen.create()
    proc, lines = _apply_until_waiting(bg, "--suspend-autoscaling", "--timeout", "15m")
    assert "waiting for CodeDeploy deployment" in lines[-1], "".join(lines)
    assert bg.scalable_target()["SuspendedState"]["DynamicScalingInSuspended"] is True
    assert f" pid {proc.pid} plan " in _lock(bg)  # held while it waits
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    stdout = "".join(lines) + out
    assert "the deployment did not succeed; resuming auto scaling ecsplan suspended" in stdout
    assert "ecsplan: error: ecsplan-demo/web-bg: interrupted while waiting; the deployment may still be running: " \
           "follow it with `ecsplan wait`" in err
    assert "resume_autoscaling" in err and "Traceback" not in err  # the report: resuming is listed as done
    assert bg.scalable_target()["SuspendedState"]["DynamicScalingInSuspended"] is False
    assert _lock(bg) == ""  # the apply lock given back on the way out
