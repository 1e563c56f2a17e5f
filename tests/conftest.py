"""Shared fixtures: one sandbox server (moto + real-ECS behaviours) on 127.0.0.1 for the session,
reset before each test; the demo project copied into tmp_path with its network created; the
blue/green demo project. How they run ecsplan (a CLI subprocess, or the same commands in
process): tests/helpers_cli.py."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers_cli import ROOT, Aws, BlueGreen, NativeBlueGreen, Project


@pytest.fixture(scope="session")
def sandbox_server():
    from providers import sandbox

    server = sandbox.start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fault_proxy(sandbox_server):
    from providers.sandbox.faults import FaultProxy

    proxy = FaultProxy(sandbox_server.endpoint_url)
    yield proxy
    proxy.stop()


@pytest.fixture
def faults(fault_proxy, aws):
    """A FaultProxy in front of the sandbox server, with no rule yet (`project.through(faults)`
    sends ecsplan's calls through it); at the end its rules are dropped and stalled replies let go."""
    fault_proxy.clear()
    yield fault_proxy
    fault_proxy.clear()


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore and providers/writes.py retry at once (they otherwise wait up to 1 s, 2 s, 4 s...
    between attempts): tests of retries in process count the attempts, not the seconds."""
    import botocore.retries.standard

    from providers import writes

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(writes, "backoff", lambda attempt: 0)


@pytest.fixture
def aws(sandbox_server):
    sandbox_server.reset()
    return Aws(sandbox_server)


@pytest.fixture
def project(tmp_path, aws):
    """fixtures/demo copied to tmp_path, with the VPC/subnet/security group/cluster its service
    definition names."""
    dest = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", dest, ignore=shutil.ignore_patterns("bluegreen"))
    return Project.demo(dest, aws)


@pytest.fixture
def bluegreen(tmp_path, aws):
    dest = tmp_path / "bluegreen"
    shutil.copytree(ROOT / "fixtures" / "demo" / "bluegreen", dest)
    return BlueGreen(dest, aws)


@pytest.fixture
def native(tmp_path, aws):
    """fixtures/native: an ECS-native blue/green service and its load balancer, not yet created."""
    dest = tmp_path / "native"
    shutil.copytree(ROOT / "fixtures" / "native", dest)
    return NativeBlueGreen(dest, aws)
