"""`make bench`: how fast ecsplan plans and applies a fleet, against the sandbox server.

Not a test (pytest collects only test_*.py): it measures and prints, and exits 0. One run:

- the sandbox server (providers.sandbox.start_server, as tests/conftest.py starts it) on 127.0.0.1;
- for N = 1, 10, 100 services (one cluster; every 10th a CODE_DEPLOY service with its own target
  group pair and CodeDeploy application and group; the others rolling; each its own task
  definition family), and 100 rolling ones (what the API-call budget is about), one config folder per service under a temp dir, created in the sandbox in
  process (providers.app, as tests/helpers_cli.py does);
- `ecsplan plan -c DIR` in a subprocess: wall time, peak memory (the child's own ru_maxrss, from
  os.wait4), the API calls it made by operation (the server's record); and in the same run the
  serial bare minimum: a boto3 script, in a subprocess too (its import of boto3 and its client
  included, as ecsplan's are), making DescribeServices 10 names a call, then
  DescribeTaskDefinition for each service, one after another;
- `ecsplan apply --auto-approve` of a new image on 10 rolling services against the same on 1
  (ECSPLAN_POLL_INTERVAL=POLL_INTERVAL; the sandbox advances a rollout one step per
  DescribeServices poll);
- `ecsplan apply --auto-approve --timeout T` of a new image on 1 rolling service while every
  DescribeServices after the UpdateService stalls (providers/sandbox/faults.py's proxy in front
  of the sandbox): the wall time of the whole apply against the timeout (issue 13: 61 s for
  `--timeout 5s` when botocore's 60 s read timeout applied);
- `ecsplan --version`, median of 5.

Usage: python tests/bench.py [--sizes 1,10,100]. `python tests/bench.py bare FILE` is the bare
minimum script itself (FILE: JSON {"region": ..., "cluster": ..., "services": [...]}); it imports only boto3.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
CLUSTER = "bench"
SIZES = (1, 10, 100)
CODE_DEPLOY_EVERY = 10  # services 9, 19, 29, ...: CODE_DEPLOY (N = 1: one rolling); the others rolling
APPLY_FLEET = 10
POLL_INTERVAL = "0.2"
OLD_TAG, NEW_TAG = "1.25", "1.27"


# ---- the bare minimum (run as `python tests/bench.py bare FILE`) ---------------------------------


def bare(spec_path: str) -> int:
    import boto3  # noqa: PLC0415 - its import is part of what is measured

    spec = json.loads(Path(spec_path).read_text())
    ecs = boto3.client("ecs", region_name=spec["region"])  # endpoint, credentials: from the environment
    names = spec["services"]
    task_definitions = []
    for start in range(0, len(names), 10):
        reply = ecs.describe_services(cluster=spec["cluster"], services=names[start:start + 10])
        task_definitions += [service["taskDefinition"] for service in reply["services"]]
    for arn in task_definitions:
        ecs.describe_task_definition(taskDefinition=arn)
    return 0 if len(task_definitions) == len(names) else 1


# ---- the fleet: config folders and their services in the sandbox ---------------------------------


LATENCY_MS = 25  # a round trip to a regional AWS endpoint: tens of milliseconds


def service_name(i: int) -> str:
    return f"svc-{i:03d}"


def is_code_deploy(i: int) -> bool:
    return i % CODE_DEPLOY_EVERY == CODE_DEPLOY_EVERY - 1


def _write_config(folder: Path, name: str, net: dict[str, str], target_group: str | None) -> None:
    folder.mkdir(parents=True)
    (folder / "ecspresso.yml").write_text(
        f"region: {REGION}\ncluster: {CLUSTER}\nservice: {name}\n"
        "service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 5m\n"
    )
    service: dict[str, Any] = {
        "launchType": "FARGATE",
        "desiredCount": 1,
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": [net["DEMO_SUBNET_ID"]], "securityGroups": [net["DEMO_SECURITY_GROUP_ID"]],
            "assignPublicIp": "DISABLED",
        }},
        "tags": [{"key": "team", "value": "platform"}],
    }
    if target_group:
        service["deploymentController"] = {"type": "CODE_DEPLOY"}
        service["loadBalancers"] = [{"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}]
    else:
        service["deploymentConfiguration"] = {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200, "minimumHealthyPercent": 100,
        }
    (folder / "ecs-service-def.json").write_text(json.dumps(service, indent=2))
    task = {
        "family": name,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [{
            "name": "app",
            "image": "public.ecr.aws/nginx/nginx:{{ env `IMAGE_TAG` `" + OLD_TAG + "` }}",
            "essential": True,
            "portMappings": [{"containerPort": 80}],
            "environment": [{"name": "SERVICE", "value": name}],
        }],
    }
    (folder / "ecs-task-def.json").write_text(json.dumps(task, indent=2))


class Fleet:
    """The sandbox server and the config folders of the services seeded into it."""

    def __init__(self, server: Any, workdir: Path) -> None:
        import boto3  # noqa: PLC0415

        self.server = server
        self.workdir = workdir
        self._clients: dict[str, Any] = {}
        self._boto3 = boto3

    def client(self, name: str) -> Any:
        if name not in self._clients:
            self._clients[name] = self._boto3.client(
                name, region_name=REGION, endpoint_url=self.server.endpoint_url,
                aws_access_key_id="testing", aws_secret_access_key="testing")
        return self._clients[name]

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NO_COLOR"}
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=REGION,
                   AWS_ENDPOINT_URL=self.server.endpoint_url, ECSPLAN_POLL_INTERVAL=POLL_INTERVAL, NO_COLOR="1")
        env.pop("IMAGE_TAG", None)
        env.update(extra)
        return env

    def seed(self, label: str, groups: dict[str, Sequence[int]], *, mixed: bool = True) -> dict[str, Path]:
        """Reset the sandbox; make one folder per entry of `groups` (name -> service numbers),
        one config folder per service in it, and the services in the sandbox (every 10th
        CODE_DEPLOY if `mixed`, else all rolling). Returns the folders."""
        from providers import app, demo  # noqa: PLC0415
        from providers.session import Session  # noqa: PLC0415

        self.server.reset()
        self._clients.clear()
        net = demo.seed_network(self.client, cluster=CLUSTER)
        numbers = [i for group in groups.values() for i in group]
        code_deploy = [i for i in numbers if mixed and is_code_deploy(i)]
        pairs: dict[int, tuple[str, str]] = {}
        listener = ""
        if code_deploy:
            elb = self.client("elbv2")
            lb = elb.create_load_balancer(
                Name=f"bench-{label}", Subnets=[net["DEMO_SUBNET_ID"], net["DEMO_SUBNET_B_ID"]],
                SecurityGroups=[net["DEMO_SECURITY_GROUP_ID"]])["LoadBalancers"][0]["LoadBalancerArn"]
            for i in code_deploy:
                blue, green = (
                    elb.create_target_group(Name=f"{service_name(i)}-{colour}", Protocol="HTTP", Port=80,
                                            VpcId=net["DEMO_VPC_ID"], TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
                    for colour in ("blue", "green"))
                pairs[i] = (blue, green)
            listener = elb.create_listener(
                LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": pairs[code_deploy[0]][0]}],
            )["Listeners"][0]["ListenerArn"]
        folders = {}
        for group, members in groups.items():
            folders[group] = self.workdir / label / group
            for i in members:
                _write_config(folders[group] / service_name(i), service_name(i), net, pairs[i][0] if i in pairs else None)
        # Created as `ecsplan apply --no-wait` creates them, in process.
        environ = self.env(ECSPLAN_POLL_INTERVAL="0")
        desired = app.load_desired([str(f) for f in folders.values()], cwd=str(self.workdir), environ=environ)
        settings = app.AwsSettings(region=REGION, endpoint_url=self.server.endpoint_url)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(environ)
        try:
            ctx = app.Context(settings=settings, progress=lambda line: None, session=Session(settings))
            report = app.run_apply(ctx, app.make_plan(ctx, desired), wait=False, timeout=None, resume_hint="ecsplan wait")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        if report.error is not None:
            raise SystemExit(f"bench: seeding {label} failed: {report.error}")
        for i in code_deploy:
            demo.seed_codedeploy(self.client, {"DEMO_LISTENER_ARN": listener}, cluster=CLUSTER, service=service_name(i),
                                 target_groups=(f"{service_name(i)}-blue", f"{service_name(i)}-green"))
        # Each DescribeServices advances a rollout one step: finish every first rollout.
        names = [service_name(i) for i in numbers]
        ecs = self.client("ecs")
        for _ in range(6):
            for start in range(0, len(names), 10):
                ecs.describe_services(cluster=CLUSTER, services=names[start:start + 10])
        self.server.clear_requests()
        return folders


# ---- measuring a subprocess ----------------------------------------------------------------------


class Run:
    def __init__(self, seconds: float, peak_mb: float, returncode: int, output: str, calls: Counter[str]) -> None:
        self.seconds = seconds
        self.peak_mb = peak_mb
        self.returncode = returncode
        self.output = output
        self.calls = calls


def measure(argv: list[str], env: dict[str, str], server: Any = None, ok: tuple[int, ...] = (0,)) -> Run:
    """Run argv; its wall time, its own peak RSS, its output, and the API calls `server` recorded
    meanwhile. Through a small launcher process (`bench.py launch`): on Linux a child's ru_maxrss
    counts the memory of the process it was forked from, and this one holds the sandbox server."""
    if server is not None:
        server.clear_requests()
    with tempfile.NamedTemporaryFile(suffix=".out") as out:
        launcher = subprocess.run([sys.executable, str(Path(__file__).resolve()), "launch", out.name, *argv],
                                  cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if launcher.returncode != 0:
            raise SystemExit(f"bench: the launcher failed: {launcher.stderr}")
        result = json.loads(launcher.stdout)
        output = Path(out.name).read_text(errors="replace")
    calls = Counter(r.action for r in server.requests) if server is not None else Counter()
    if result["returncode"] not in ok:
        raise SystemExit(f"bench: {' '.join(argv)} exited {result['returncode']}:\n{output}")
    return Run(result["seconds"], result["peak_mb"], result["returncode"], output, calls)


def launch(out_path: str, argv: list[str]) -> int:
    """Run argv (output to out_path); print its wall time, exit code and peak RSS (os.wait4:
    this child's own) as JSON."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss: KiB on Linux, bytes on macOS.
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "returncode": proc.returncode}))
    return 0


def ecsplan(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), *args]


def budget(n: int) -> int:
    return math.ceil(n / 10) + n + 2


def by_operation(calls: Counter[str]) -> str:
    return " ".join(f"{op}={count}" for op, count in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0])))


# ---- the bench -----------------------------------------------------------------------------------


def plan_fleet(fleet: Fleet, n: int, *, mixed: bool = True) -> tuple[Path, Path]:
    """Seed n services; their config folder and the bare minimum's input file."""
    label = f"plan-{n}" + ("" if mixed else "-rolling")
    folder = fleet.seed(label, {"fleet": range(n)}, mixed=mixed)["fleet"]
    spec = fleet.workdir / label / "bare.json"
    spec.write_text(json.dumps({"region": REGION, "cluster": CLUSTER, "services": [service_name(i) for i in range(n)]}))
    return folder, spec


def measure_bare(fleet: Fleet, spec: Path) -> Run:
    return measure([sys.executable, str(Path(__file__).resolve()), "bare", str(spec)], fleet.env(), fleet.server)


def plan_rows(fleet: Fleet, n: int, *, mixed: bool = True, latencies: Sequence[int] = (0,)) -> list[dict[str, Any]]:
    """Seed n services; measure `ecsplan plan -c DIR` and the bare minimum on them, for each of
    `latencies` (ms before each request is answered, as across a network)."""
    folder, spec = plan_fleet(fleet, n, mixed=mixed)
    return [plan_row(fleet, n, folder, spec, mixed=mixed, latency_ms=ms) for ms in latencies]


def plan_row(fleet: Fleet, n: int, folder: Path, spec: Path, *, mixed: bool, latency_ms: int) -> dict[str, Any]:
    fleet.server.set_latency(latency_ms / 1000)
    try:
        # --detailed-exitcode: 0 clean, 2 changes; the seeded fleet plans clean.
        plan = measure(ecsplan("plan", "-c", str(folder), "--detailed-exitcode"), fleet.env(), fleet.server, ok=(0, 2))
        base = measure_bare(fleet, spec)
    finally:
        fleet.server.set_latency(0)
    return {
        "n": n, "code_deploy": sum(mixed and is_code_deploy(i) for i in range(n)), "plan": plan,
        "bare": base, "clean": plan.returncode == 0, "latency_ms": latency_ms,
    }


def apply_rows(fleet: Fleet) -> tuple[Run, Run]:
    """A new image on 1 rolling service, then on 10 (other services, same sandbox)."""
    rolling = [i for i in range(3 * APPLY_FLEET) if not is_code_deploy(i)]
    folders = fleet.seed("apply", {"one": range(rolling[0], rolling[0] + 1),
                                   "fleet": rolling[1:APPLY_FLEET + 1]})
    assert len(list(folders["fleet"].iterdir())) == APPLY_FLEET
    env = fleet.env(IMAGE_TAG=NEW_TAG)
    one = measure(ecsplan("apply", "-c", str(folders["one"]), "--auto-approve"), env, fleet.server)
    many = measure(ecsplan("apply", "-c", str(folders["fleet"]), "--auto-approve"), env, fleet.server)
    return one, many


STALL_TIMEOUTS = ("5s", "15s")


def stall_rows(fleet: Fleet) -> list[tuple[str, Run]]:
    """Per timeout: an apply of a new image on 1 rolling service whose wait's DescribeServices
    stall (the proxy holds every reply after the UpdateService); it must end near the timeout."""
    from providers.sandbox.faults import FaultProxy  # noqa: PLC0415

    rows = []
    with FaultProxy(fleet.server.endpoint_url) as proxy:
        for timeout in STALL_TIMEOUTS:
            folders = fleet.seed(f"stall-{timeout}", {"one": range(0, 1)})
            proxy.clear()
            proxy.stall("ecs", "DescribeServices", after="UpdateService")
            env = fleet.env(IMAGE_TAG=NEW_TAG, AWS_ENDPOINT_URL=proxy.endpoint_url)
            rows.append((timeout, measure(ecsplan("apply", "-c", str(folders["one"]), "--auto-approve", "--timeout", timeout), env, fleet.server, ok=(1,))))
            proxy.release()
    return rows


def version_seconds(env: dict[str, str]) -> float:
    return statistics.median(measure(ecsplan("--version"), env).seconds for _ in range(5))


def report(rows: list[dict[str, Any]], one: Run, many: Run, version: float, total: float, stalls: Sequence[tuple[str, Run]] = ()) -> str:
    lines = [
        f"ecsplan bench: one run, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, sandbox server on 127.0.0.1",
        "",
        "plan: `ecsplan plan -c DIR` vs the serial bare minimum (boto3: DescribeServices 10 a call, then",
        "DescribeTaskDefinition each), same run; CD: how many of the N are CODE_DEPLOY, the rest rolling",
        "",
        "RTT: each request answered that many ms later (a real API answers in tens of ms, many at once; the",
        f"local sandbox in about 1 ms, one Python process for all): {LATENCY_MS} ms is what concurrency is for",
        "",
        "|   N | CD | RTT ms | plan s | bare s | plan/bare | calls | budget | peak MB | bare MB | calls by operation |",
        "|----:|---:|-------:|-------:|-------:|----------:|------:|-------:|--------:|--------:|--------------------|",
    ]
    for row in rows:
        plan, base = row["plan"], row["bare"]
        total_calls = sum(plan.calls.values())
        lines.append(
            f"| {row['n']:>3} | {row['code_deploy']:>2} | {row['latency_ms']:>6} | {plan.seconds:>6.2f} | {base.seconds:>6.2f} "
            f"| {plan.seconds / base.seconds:>8.2f}x | {total_calls:>5} | {budget(row['n']):>6} "
            f"| {plan.peak_mb:>7.0f} | {base.peak_mb:>7.0f} | {by_operation(plan.calls)} |"
        )
    unclean = [str(row["n"]) for row in rows if not row["clean"]]
    lines += [
        "",
        "budget: ceil(N/10) + N + 2, the target for N rolling services with distinct families (rows with CD 0)."
        + (f" NOTE: plan showed changes for N = {', '.join(unclean)}." if unclean else ""),
        "",
        f"apply: a new image, `ecsplan apply -c DIR --auto-approve`, ECSPLAN_POLL_INTERVAL={POLL_INTERVAL}",
        "",
        "| services | apply s | vs 1 | calls | peak MB |",
        "|---------:|--------:|-----:|------:|--------:|",
        f"| {1:>8} | {one.seconds:>7.2f} | {1.0:>3.2f}x | {sum(one.calls.values()):>5} | {one.peak_mb:>7.0f} |",
        f"| {APPLY_FLEET:>8} | {many.seconds:>7.2f} | {many.seconds / one.seconds:>3.2f}x "
        f"| {sum(many.calls.values()):>5} | {many.peak_mb:>7.0f} |",
        "",
        "stall: the same apply of 1 service with `--timeout T` while every DescribeServices after its UpdateService",
        "stalls (a fault proxy holds the reply); the whole apply's wall time (the 1-service apply above: without stall)",
        "",
        "| --timeout | apply s | exit |",
        "|----------:|--------:|-----:|",
        *(f"| {timeout:>9} | {run.seconds:>7.2f} | {run.returncode:>4} |" for timeout, run in stalls),
        "",
        f"`ecsplan --version`: {version:.3f} s (median of 5)",
        "",
        f"bench took {total:.0f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"]:
        return bare(argv[1])
    if argv[:1] == ["launch"]:
        return launch(argv[1], argv[2:])
    sizes = SIZES
    if argv[:1] == ["--sizes"]:
        sizes = tuple(int(s) for s in argv[1].split(","))
    sys.path.insert(0, str(ROOT))
    from providers import sandbox  # noqa: PLC0415

    started = time.perf_counter()
    server = sandbox.start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="ecsplan-bench-") as tmp:
            fleet = Fleet(server, Path(tmp))
            rows = []
            for n, mixed, latencies in [*((n, True, (0,)) for n in sizes), (max(sizes), False, (0, LATENCY_MS))]:
                rows.extend(plan_rows(fleet, n, mixed=mixed, latencies=latencies))
                print(f"bench: plan of {n} {'mixed' if mixed else 'rolling'} measured", file=sys.stderr, flush=True)
            one, many = apply_rows(fleet)
            print("bench: apply measured", file=sys.stderr, flush=True)
            stalls = stall_rows(fleet)
            print("bench: stalled waits measured", file=sys.stderr, flush=True)
            version = version_seconds(fleet.env())
    finally:
        server.stop()
    print(report(rows, one, many, version, time.perf_counter() - started, stalls))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
