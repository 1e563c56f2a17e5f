"""What AWS would refuse of a task or service definition whose shapes and types are right: enum
values, ranges, Fargate sizes, port mappings, names that must be unique or must exist, and the
64 KiB task definition limit. Checked on the rendered definitions (what the plan registers and
creates) before anything is planned, so a value AWS refuses never gets as far as a write.

Pure (no botocore, no I/O): the enum values come from planner/schema.py, generated from
botocore's model. Values of an unexpected type are skipped here: strict.check_shapes and
providers/validate.py report them. Each rule cites the AWS page it comes from.

`task_problems` / `service_problems` return (key path, what is wrong) pairs; `check` reports
every problem of a file in one ConfigError, one line each."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from planner.errors import ConfigError
from planner.normalize import TASK_READ_ONLY, cpu_units, memory_mib
from planner.render.mask import mask_text, patterns_for
from planner.schema import ENUMS

Problem = tuple[str, str]

API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/"

# Service quotas (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html):
# "Task definition size: 64 KiB", the RegisterTaskDefinition request's JSON.
MAX_TASK_DEFINITION_BYTES = 65_536

MAX_PORT = 65_535
MAX_INT32 = 2_147_483_647

# Fargate task sizes, cpu units -> the memory (MiB) each allows
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size,
# and API_RegisterTaskDefinition.html `memory`). 8 and 16 vCPU need Linux platform 1.4.0.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
FARGATE_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
EC2_CPU_RANGE = (128, 196_608)

# API_RegisterTaskDefinition.html family, API_ContainerDefinition.html name: "Up to 255 letters
# (uppercase and lowercase), numbers, underscores, and hyphens are allowed."
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

# API_HealthCheck.html: documented ranges, in seconds (retries: a count).
HEALTH_CHECK_RANGES = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "startPeriod": (0, 300)}
# API_ContainerDefinition.html startTimeout / stopTimeout: "The valid values for Fargate are
# 2-120 seconds"; on EC2 no upper bound is documented, so only a negative value is refused.
FARGATE_TIMEOUT_RANGE = (2, 120)


def _int(value: Any) -> int | None:
    """An integer as JSON/YAML gives it; None for anything else (a wrong type is reported by the
    type checks, not here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list of structures (anything else: none)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _out_of(value: Any, low: int, high: int) -> bool:
    n = _int(value)
    return n is not None and not low <= n <= high


def _suggest(value: str, allowed: Sequence[str]) -> str:
    same = [a for a in allowed if a.lower() == value.lower()]
    close = same or difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


# ---------------------------------------------------------------------------------------------
# Enums (botocore's model, planner/schema.py ENUMS; each member's page in the API reference
# lists the same "Valid Values")


def _label(key: str, item: Any, index: int) -> str:
    """containerDefinitions entries are named by their container (as the plan names them)."""
    if key == "containerDefinitions" and isinstance(item, Mapping) and isinstance(item.get("name"), str):
        return str(item["name"])
    return str(index)


def _values_at(node: Any, segments: Sequence[str], shown: str) -> Iterator[tuple[str, Any]]:
    if not segments:
        yield shown, node
        return
    listed = segments[0].endswith("[*]")
    key = segments[0][:-3] if listed else segments[0]
    if key and not isinstance(node, Mapping):
        return
    child = node.get(key) if key else node
    base = f"{shown}.{key}" if shown and key else key or shown
    if listed:
        for index, item in enumerate(child if isinstance(child, list) else []):
            yield from _values_at(item, segments[1:], f"{base}[{_label(key, item, index)}]")
    elif child is not None:
        yield from _values_at(child, segments[1:], base)


def enum_problems(doc: Mapping[str, Any], kind: str) -> list[Problem]:
    out: list[Problem] = []
    for path, allowed in sorted(ENUMS[kind].items()):
        for shown, value in _values_at(doc, path.split("."), ""):
            if isinstance(value, str) and value not in allowed:
                out.append((shown, f"{value!r} must be one of {', '.join(allowed)}{_suggest(value, allowed)}"))
    return out


# ---------------------------------------------------------------------------------------------
# Task definitions (API_RegisterTaskDefinition.html, API_ContainerDefinition.html,
# API_PortMapping.html, API_HealthCheck.html)


def _units(value: Any, convert: Any) -> int | None:
    """cpu units / MiB of a task-level value: a number, "1024", "0.25 vCPU", "2 GB"."""
    if _int(value) is not None:
        return int(value)
    text = convert(value) if isinstance(value, str) else ""
    return int(text) if text.isdigit() else None


def launches_on_fargate(sd: Mapping[str, Any]) -> bool:
    """The service launches its tasks on Fargate: launchType FARGATE, or a FARGATE /
    FARGATE_SPOT capacity provider (neither declared: the cluster's default, unknown here)."""
    if sd.get("launchType") == "FARGATE":
        return True
    return any(s.get("capacityProvider") in FARGATE_CAPACITY_PROVIDERS for s in _items(sd.get("capacityProviderStrategy")))


def is_fargate(td: Mapping[str, Any], sd: Mapping[str, Any] | None = None) -> bool:
    """The Fargate task rules apply: the task definition requires Fargate (AWS validates it for
    Fargate at registration), or the service launches it there."""
    required = td.get("requiresCompatibilities")
    return (isinstance(required, list) and "FARGATE" in required) or launches_on_fargate(sd or {})


def size_problems(td: Mapping[str, Any], fargate: bool) -> list[Problem]:
    """Task-level cpu and memory: numbers or the documented strings ("1 vCPU", "2 GB"); on
    Fargate both required and one of the documented pairs (API_RegisterTaskDefinition.html
    cpu / memory; task_definition_parameters.html#task_size)."""
    out: list[Problem] = []
    cpu, memory = td.get("cpu"), td.get("memory")
    cpu_n = _units(cpu, cpu_units)
    memory_n = _units(memory, memory_mib)
    if isinstance(cpu, str) and cpu_n is None:
        out.append(("cpu", f"{cpu!r} is not a CPU value: AWS accepts CPU units (\"1024\") or vCPUs (\"1 vCPU\")"))
    if isinstance(memory, str) and memory_n is None:
        out.append(("memory", f"{memory!r} is not a memory value: AWS accepts MiB (\"2048\") or GB (\"2 GB\")"))
    family = _mapping(td.get("runtimePlatform")).get("operatingSystemFamily")
    windows = isinstance(family, str) and family.startswith("WINDOWS")
    if not fargate:
        # API_RegisterTaskDefinition.html cpu, EC2 and external: "Supported values are between
        # 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)" (ignored for Windows).
        if cpu_n is not None and not windows and not EC2_CPU_RANGE[0] <= cpu_n <= EC2_CPU_RANGE[1]:
            out.append(("cpu", f"{cpu!r} ({cpu_n} units) is out of range: AWS accepts {EC2_CPU_RANGE[0]} to {EC2_CPU_RANGE[1]} CPU units"))
        return out
    for key, value in (("cpu", cpu), ("memory", memory)):
        if value is None:
            out.append((key, "is required for Fargate (requiresCompatibilities or the service's launch type / capacity provider)"))
    if cpu_n is None or memory_n is None:
        return out
    allowed = FARGATE_SIZES.get(cpu_n)
    if allowed is None:
        out.append(("cpu", f"{cpu!r} ({cpu_n} units) is not a Fargate task size: AWS accepts {', '.join(str(c) for c in FARGATE_SIZES)}"))
    elif memory_n not in allowed:
        out.append(("memory", f"{memory!r} ({memory_n} MiB) does not go with cpu {cpu_n} on Fargate: AWS accepts {_ranges(allowed)} MiB"))
    if windows and cpu_n < 1024:
        # API_RegisterTaskDefinition.html cpu: "The CPU units cannot be less than 1 vCPU when
        # you use Windows containers on Fargate."
        out.append(("cpu", f"{cpu!r} is below 1 vCPU: Windows containers on Fargate need at least 1024 CPU units"))
    return out


def _ranges(values: Sequence[int]) -> str:
    steps = {b - a for a, b in zip(values, values[1:])}
    if len(values) > 4 and len(steps) == 1:
        return f"{values[0]} to {values[-1]} in steps of {steps.pop()}"
    return ", ".join(str(v) for v in values)


_PORT_RANGE = re.compile(r"^(\d+)-(\d+)$")


def _port_problems(where: str, pm: Mapping[str, Any], network_mode: Any) -> list[Problem]:
    """API_PortMapping.html: ports 0-65535; awsvpc and host: hostPort blank or equal to
    containerPort; containerPortRange "first-last" (1-65535, first < last), bridge or awsvpc
    only, hostPort left empty."""
    out: list[Problem] = []
    container_port, host_port = pm.get("containerPort"), pm.get("hostPort")
    for key, value in (("containerPort", container_port), ("hostPort", host_port)):
        if _out_of(value, 0, MAX_PORT):
            out.append((f"{where}.{key}", f"{value} is out of range: AWS accepts 0 to {MAX_PORT}"))
    if network_mode in ("awsvpc", "host") and _int(host_port) is not None and _int(container_port) is not None and host_port != container_port:
        out.append((f"{where}.hostPort", f"{host_port} differs from containerPort {container_port}: with networkMode {network_mode} "
                    "AWS accepts hostPort left out or equal to containerPort"))
    span = pm.get("containerPortRange")
    if isinstance(span, str):
        m = _PORT_RANGE.match(span.strip())
        if m is None or not 1 <= int(m[1]) < int(m[2]) <= MAX_PORT:
            out.append((f"{where}.containerPortRange", f"{span!r} is not a port range: AWS accepts \"first-last\", "
                        f"1 to {MAX_PORT}, first below last"))
        if host_port is not None:
            out.append((f"{where}.hostPort", "must be left out with containerPortRange (AWS sets the host ports)"))
        if network_mode not in (None, "bridge", "awsvpc"):
            out.append((f"{where}.containerPortRange", f"needs networkMode bridge or awsvpc (this task's is {network_mode})"))
    return out


def _ports_of(pm: Mapping[str, Any]) -> range:
    """The container ports a mapping takes: containerPort, or a well-formed containerPortRange."""
    port = _int(pm.get("containerPort"))
    if port is not None:
        return range(port, port + 1)
    m = _PORT_RANGE.match(str(pm.get("containerPortRange") or "").strip())
    return range(int(m[1]), int(m[2]) + 1) if m is not None and int(m[1]) <= int(m[2]) else range(0)


def _container_problems(where: str, container: Mapping[str, Any], network_mode: Any, fargate: bool) -> list[Problem]:
    out: list[Problem] = []
    taken: list[tuple[range, str, int]] = []
    mappings = container.get("portMappings")
    for index, pm in enumerate(mappings if isinstance(mappings, list) else []):
        if not isinstance(pm, Mapping):
            continue
        pm_where = f"{where}.portMappings[{index}]"
        out += _port_problems(pm_where, pm, network_mode)
        protocol = str(pm.get("protocol") or "tcp")
        ports = _ports_of(pm)
        # API_PortMapping.html containerPortRange: "A port can only be included in one port
        # mapping per container." (the plan also keys mappings by port and protocol).
        for other, other_protocol, first in taken:
            shared = range(max(ports.start, other.start), min(ports.stop, other.stop))
            if other_protocol == protocol and shared:
                out.append((pm_where, f"port {shared.start}/{protocol} is already mapped by portMappings[{first}]: "
                            "AWS accepts a port in one mapping per container"))
                break
        if ports:
            taken.append((ports, protocol, index))
    health = _mapping(container.get("healthCheck"))
    for key, (low, high) in HEALTH_CHECK_RANGES.items():
        if _out_of(health.get(key), low, high):
            out.append((f"{where}.healthCheck.{key}", f"{health[key]} is out of range: AWS accepts {low} to {high}"))
    for key in ("startTimeout", "stopTimeout"):
        low, high = FARGATE_TIMEOUT_RANGE if fargate else (0, MAX_INT32)
        if _out_of(container.get(key), low, high):
            out.append((f"{where}.{key}", f"{container[key]} is out of range: AWS accepts {low} to {high} seconds"
                        + (" on Fargate" if fargate else "")))
    # API_ContainerDefinition.html memory: "If you specify both a container-level memory and
    # memoryReservation value, memory must be greater than memoryReservation."
    hard, soft = _int(container.get("memory")), _int(container.get("memoryReservation"))
    if hard is not None and soft is not None and soft >= hard:
        out.append((f"{where}.memoryReservation", f"{soft} is not below memory {hard}: AWS needs memory greater than memoryReservation"))
    out += _unique_names(where, container)
    return out


def _unique_names(where: str, container: Mapping[str, Any]) -> list[Problem]:
    """An environment variable or secret named twice sets one value in the container and shows
    another in the plan (AWS registers both): each name once, in environment or in secrets
    (API_ContainerDefinition.html environment / secrets)."""
    out: list[Problem] = []
    owner: dict[str, str] = {}
    for key in ("environment", "secrets"):
        entries = container.get(key)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if not isinstance(name, str):
                continue
            here = f"{key}[{index}]"
            if name in owner:
                out.append((f"{where}.{here}.name", f"{name!r} is also set by {owner[name]}: each variable once, in environment or secrets"))
            else:
                owner[name] = here
    return out


def _reservation_problems(td: Mapping[str, Any], containers: list[Mapping[str, Any]]) -> list[Problem]:
    """API_ContainerDefinition.html cpu: "the total amount of CPU reserved for all containers
    within a task be lower than the task-level cpu value"; memory: "The total amount of memory
    reserved for all containers within a task must be lower than the task memory value" (a
    container reserves its memoryReservation, else its memory). Equal is what a one-container
    task declares and AWS accepts it: only more than the task is refused. Windows containers
    ignore the task-level values."""
    family = _mapping(td.get("runtimePlatform")).get("operatingSystemFamily")
    if isinstance(family, str) and family.startswith("WINDOWS"):
        return []
    out: list[Problem] = []
    task_cpu, task_memory = _units(td.get("cpu"), cpu_units), _units(td.get("memory"), memory_mib)
    cpu = sum(_int(c.get("cpu")) or 0 for c in containers)
    memory = sum(_int(c.get("memoryReservation")) or _int(c.get("memory")) or 0 for c in containers)
    if task_cpu is not None and cpu > task_cpu:
        out.append(("containerDefinitions", f"the containers reserve {cpu} CPU units in all, more than the task's cpu {task_cpu}"))
    if task_memory is not None and memory > task_memory:
        out.append(("containerDefinitions", f"the containers reserve {memory} MiB in all (memoryReservation, else memory), "
                    f"more than the task's memory {task_memory}"))
    return out


def _reference_problems(td: Mapping[str, Any], containers: list[Mapping[str, Any]]) -> list[Problem]:
    """Names that must exist in this task definition (API_ContainerDefinition.html dependsOn,
    links, volumesFrom, mountPoints; API_ProxyConfiguration.html containerName)."""
    out: list[Problem] = []
    names = [str(c.get("name")) for c in containers if isinstance(c.get("name"), str)]
    volumes = {str(v.get("name")) for v in _items(td.get("volumes")) if isinstance(v.get("name"), str)}
    network_mode = td.get("networkMode")

    def missing(where: str, name: Any, known: Sequence[str], kind: str) -> None:
        if isinstance(name, str) and name not in known:
            out.append((where, f"{name!r} is not a {kind} of this task definition{_suggest(name, known)}"))

    for c in containers:
        where = f"containerDefinitions[{c.get('name')}]"
        for i, dep in enumerate(_items(c.get("dependsOn"))):
            missing(f"{where}.dependsOn[{i}].containerName", dep.get("containerName"), names, "container")
        for i, source in enumerate(_items(c.get("volumesFrom"))):
            missing(f"{where}.volumesFrom[{i}].sourceContainer", source.get("sourceContainer"), names, "container")
        for i, mount in enumerate(_items(c.get("mountPoints"))):
            missing(f"{where}.mountPoints[{i}].sourceVolume", mount.get("sourceVolume"), sorted(volumes), "volume")
        links = c.get("links")
        for i, link in enumerate(links if isinstance(links, list) else []):
            if isinstance(link, str):
                missing(f"{where}.links[{i}]", link.split(":", 1)[0], names, "container")
        # links: "This parameter is only supported if the network mode of a task definition is bridge."
        if isinstance(links, list) and links and network_mode not in (None, "bridge"):
            out.append((f"{where}.links", f"links need networkMode bridge (this task's is {network_mode})"))
    proxy = _mapping(td.get("proxyConfiguration"))
    missing("proxyConfiguration.containerName", proxy.get("containerName"), names, "container")
    return out


def task_problems(td: Mapping[str, Any], sd: Mapping[str, Any] | None = None) -> list[Problem]:
    """Everything AWS would refuse of this task definition; `sd`: the service that runs it (its
    launch type decides whether the Fargate rules apply)."""
    fargate = is_fargate(td, sd)
    network_mode = td.get("networkMode")
    out = enum_problems(td, "task")
    out += size_problems(td, fargate)
    if fargate and network_mode != "awsvpc" and (network_mode is None or network_mode in ENUMS["task"]["networkMode"]):
        # API_RegisterTaskDefinition.html networkMode: "If using the Fargate launch type, the
        # awsvpc network mode is required." (an unknown mode is reported as such above)
        shown = "is required" if network_mode is None else f"{network_mode!r} cannot be used"
        out.append(("networkMode", f"{shown} on Fargate: AWS requires awsvpc"))
    containers = _items(td.get("containerDefinitions"))
    family = td.get("family")
    if isinstance(family, str) and not _NAME.match(family):
        out.append(("family", f"{family!r} is not a family name: AWS accepts up to 255 letters, numbers, underscores and hyphens"))
    for c in containers:
        name = c.get("name")
        if isinstance(name, str) and not _NAME.match(name):
            out.append((f"containerDefinitions[{name}].name", f"{name!r} is not a container name: AWS accepts up to 255 letters, "
                        "numbers, underscores and hyphens"))
    for c in containers:
        out += _container_problems(f"containerDefinitions[{c.get('name')}]", c, network_mode, fargate)
    out += _reservation_problems(td, containers)
    # API_ContainerDefinition.html essential: "All tasks must have at least one essential container."
    if containers and all(c.get("essential") is False for c in containers):
        out.append(("containerDefinitions", "no container is essential: AWS needs at least one with essential true (the default)"))
    out += _reference_problems(td, containers)
    payload = {k: v for k, v in td.items() if k not in TASK_READ_ONLY}
    size = len(json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8"))
    if size > MAX_TASK_DEFINITION_BYTES:
        out.append(("", f"the task definition is {size} bytes as JSON, over AWS's {MAX_TASK_DEFINITION_BYTES} bytes (64 KiB) limit "
                    "(service quotas: task definition size); move large values to environmentFiles or secrets"))
    return out


# ---------------------------------------------------------------------------------------------
# Service definitions (API_CreateService.html, API_UpdateService.html,
# API_DeploymentConfiguration.html, API_LoadBalancer.html)


def service_problems(sd: Mapping[str, Any], td: Mapping[str, Any] | None = None, *, creating: bool = False) -> list[Problem]:
    """`creating`: the service does not exist yet (CreateService will carry the definition, so
    what CreateService requires must be declared)."""
    out = enum_problems(sd, "service")
    network_mode = (td or {}).get("networkMode")
    network = sd.get("networkConfiguration")
    # CreateService networkConfiguration: "required for task definitions that use the awsvpc
    # network mode ..., and it isn't supported for other network modes."
    if network is not None and isinstance(network_mode, str) and network_mode in ENUMS["task"]["networkMode"] and network_mode != "awsvpc":
        out.append(("networkConfiguration", f"only works with networkMode awsvpc (the task definition's is {network_mode}): leave it out"))
    if creating and network_mode == "awsvpc" and not _mapping(network).get("awsvpcConfiguration"):
        out.append(("networkConfiguration", "is required to create a service whose task definition uses networkMode awsvpc: "
                    "awsvpcConfiguration with its subnets (and security groups)"))
    strategy = sd.get("capacityProviderStrategy")
    if sd.get("launchType") is not None and isinstance(strategy, list) and strategy:
        # CreateService launchType: "If a launchType is specified, the capacityProviderStrategy
        # parameter must be omitted."
        out.append(("capacityProviderStrategy", f"cannot be given with launchType {sd['launchType']}: AWS accepts one or the other"))
    if _out_of(sd.get("desiredCount"), 0, MAX_INT32):
        out.append(("desiredCount", f"{sd['desiredCount']} is out of range: AWS accepts 0 or more tasks"))
    # CreateService healthCheckGracePeriodSeconds: an Integer of seconds; the developer guide
    # (service_definition_parameters.html) documents up to 2,147,483,647.
    if _out_of(sd.get("healthCheckGracePeriodSeconds"), 0, MAX_INT32):
        out.append(("healthCheckGracePeriodSeconds", f"{sd['healthCheckGracePeriodSeconds']} is out of range: AWS accepts 0 to {MAX_INT32} seconds"))
    configuration = _mapping(sd.get("deploymentConfiguration"))
    low, high = _int(configuration.get("minimumHealthyPercent")), _int(configuration.get("maximumPercent"))
    for key, value in (("minimumHealthyPercent", low), ("maximumPercent", high)):
        if value is not None and value < 0:
            out.append((f"deploymentConfiguration.{key}", f"{value} is out of range: a percentage of desiredCount, 0 or more"))
    # API_DeploymentConfiguration.html: minimumHealthyPercent is the lower limit of running tasks
    # during a deployment, maximumPercent the upper one; a lower limit above the upper cannot hold.
    if low is not None and high is not None and 0 <= high < low:
        out.append(("deploymentConfiguration.minimumHealthyPercent", f"{low} is above maximumPercent {high}: the lower limit must not exceed the upper"))
    out += _controller_problems(sd, td)
    return out


def _controller_problems(sd: Mapping[str, Any], td: Mapping[str, Any] | None) -> list[Problem]:
    out: list[Problem] = []
    controller = _mapping(sd.get("deploymentController")).get("type") or "ECS"
    balancers = sd.get("loadBalancers")
    if controller == "CODE_DEPLOY":
        # CreateService loadBalancers: "If the service uses the CODE_DEPLOY deployment
        # controller, the service is required to use either an Application Load Balancer or
        # Network Load Balancer" (its target group pair is in the CodeDeploy deployment group).
        if not isinstance(balancers, list) or not balancers:
            out.append(("loadBalancers", "a CODE_DEPLOY service needs a load balancer: name its target group (targetGroupArn), "
                        "container and port; the deployment group holds the second target group"))
        for i, lb in enumerate(_items(balancers)):
            if not lb.get("targetGroupArn"):
                out.append((f"loadBalancers[{i}].targetGroupArn", "a CODE_DEPLOY service needs an Application or Network Load Balancer "
                            "target group (a Classic Load Balancer's loadBalancerName is not accepted)"))
    # CreateService schedulingStrategy: "Tasks using the Fargate launch type or the CODE_DEPLOY or
    # EXTERNAL deployment controller types don't support the DAEMON scheduling strategy."
    if sd.get("schedulingStrategy") == "DAEMON":
        if controller in ("CODE_DEPLOY", "EXTERNAL"):
            out.append(("schedulingStrategy", f"DAEMON does not work with the {controller} deployment controller: AWS needs REPLICA"))
        elif launches_on_fargate(sd):
            out.append(("schedulingStrategy", "DAEMON does not work on Fargate: AWS needs REPLICA"))
    if td is not None:
        out += _load_balancer_targets(balancers, td)
    return out


def _load_balancer_targets(balancers: Any, td: Mapping[str, Any]) -> list[Problem]:
    """API_LoadBalancer.html: containerName "as it appears in a container definition";
    containerPort "must correspond to a containerPort in the task definition"."""
    out: list[Problem] = []
    containers = {str(c.get("name")): c for c in _items(td.get("containerDefinitions"))}
    for i, lb in enumerate(_items(balancers)):
        name, port = lb.get("containerName"), _int(lb.get("containerPort"))
        if not isinstance(name, str):
            continue
        container = containers.get(name)
        if container is None:
            out.append((f"loadBalancers[{i}].containerName", f"{name!r} is not a container of the task definition{_suggest(name, sorted(containers))}"))
            continue
        mapped = [_ports_of(pm) for pm in _items(container.get("portMappings"))]
        if port is not None and not any(port in ports for ports in mapped):
            shown = [str(r.start) if len(r) == 1 else f"{r.start}-{r.stop - 1}" for r in mapped if r]
            out.append((f"loadBalancers[{i}].containerPort", f"{port} is not a port container {name!r} maps "
                        f"(its portMappings: {', '.join(shown) or 'none'})"))
    return out


# ---------------------------------------------------------------------------------------------


def _section(problems: Sequence[Problem], what: str, patterns: tuple[str, ...]) -> str:
    lines = "".join(f"\n  {mask_text(f'{path}: {why}' if path else why, patterns)}" for path, why in problems)
    return f"{what} has values AWS refuses; nothing was changed:{lines}"


def check(
    task_definition: Mapping[str, Any],
    service_definition: Mapping[str, Any] | None,
    *,
    task_file: str,
    service_file: str,
    sensitive: Sequence[str] = (),
    secret_values: Sequence[str] = (),
    creating: bool = False,
    live_balancers: Any = None,
) -> None:
    """One ConfigError naming the file and every key AWS would refuse, one line each, values
    masked as plans show them; the task definition's first, then the service definition's.
    `creating`: the service is missing (service_problems). `live_balancers`: the load balancers
    of the live service, when the file leaves them out (not managed: the service keeps them, so
    the new revision must still serve them)."""
    patterns = patterns_for(tuple(sensitive), tuple(secret_values))
    found = task_problems(task_definition, service_definition)
    sections = [(task_file, _section(found, "the task definition", patterns))] if found else []
    if service_definition is not None:
        found = service_problems(service_definition, task_definition, creating=creating)
        if "loadBalancers" not in service_definition and live_balancers:
            found += [(f"{path} (the live service's; not in this file)", why) for path, why in _load_balancer_targets(live_balancers, task_definition)]
        if found:
            sections.append((service_file, _section(found, "the service definition", patterns)))
    if sections:
        (file, first), rest = sections[0], sections[1:]
        raise ConfigError("".join([first, *(f"\n{f}: {text}" for f, text in rest)]), file=file)
