"""planner/semantic.py on pure values: each rule refuses what AWS refuses, with the key path and
what AWS accepts, and lets the valid neighbour pass (no false positives). Values of a wrong type
are skipped (the type checks report them), never a traceback."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from planner import semantic
from planner.errors import ConfigError
from tests import factories

# The factories' Fargate task (256 / 512, awsvpc) with a web container that has a secret, and a
# second, non-essential one.
TASK: dict[str, Any] = {
    **factories.TASK,
    "containerDefinitions": [
        {"name": "web", "image": "nginx", "essential": True, "portMappings": [{"containerPort": 80}],
         "environment": [{"name": "LOG_LEVEL", "value": "info"}], "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:ssm"}]},
        {"name": "log", "image": "fluent-bit", "essential": False},
    ],
}
SERVICE: dict[str, Any] = {"launchType": "FARGATE", "desiredCount": 2, "propagateTags": "SERVICE"}


def task(**changes: Any) -> dict[str, Any]:
    td = copy.deepcopy(TASK)
    td.update(changes)
    return td


def web(**changes: Any) -> dict[str, Any]:
    """TASK with its web container changed."""
    td = copy.deepcopy(TASK)
    td["containerDefinitions"][0].update(changes)
    return td


def paths(problems: list[tuple[str, str]]) -> list[str]:
    return [p for p, _ in problems]


def test_the_valid_definitions_pass():
    assert semantic.task_problems(TASK, SERVICE) == []
    assert semantic.service_problems(SERVICE, TASK) == []
    semantic.check(TASK, SERVICE, task_file="t.json", service_file="s.json")


# --- enums ----------------------------------------------------------------------------------


def test_an_enum_value_outside_botocores_list_names_the_values_and_the_nearest():
    assert semantic.task_problems(task(networkMode="bridged")) == [
        ("networkMode", "'bridged' must be one of bridge, host, awsvpc, none; did you mean bridge?")]


def test_an_enum_in_the_wrong_case_suggests_the_right_case():
    (problem,) = semantic.service_problems(dict(SERVICE, propagateTags="service"))
    assert problem == ("propagateTags", "'service' must be one of TASK_DEFINITION, SERVICE, NONE; did you mean SERVICE?")


def test_an_enum_far_from_every_value_has_no_suggestion():
    (problem,) = semantic.service_problems(dict(SERVICE, launchType="SPACESHIP"))
    assert problem[1] == "'SPACESHIP' must be one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES"


@pytest.mark.parametrize("doc, kind, path", [
    (web(portMappings=[{"containerPort": 80, "protocol": "TCPX"}]), "task", "containerDefinitions[web].portMappings[0].protocol"),
    (web(logConfiguration={"logDriver": "cloudwatch"}), "task", "containerDefinitions[web].logConfiguration.logDriver"),
    (task(requiresCompatibilities=["FARGATE", "LAMBDA"]), "task", "requiresCompatibilities[1]"),
    (web(dependsOn=[{"containerName": "log", "condition": "READY"}]), "task", "containerDefinitions[web].dependsOn[0].condition"),
    (dict(SERVICE, deploymentController={"type": "CODEDEPLOY"}), "service", "deploymentController.type"),
    (dict(SERVICE, schedulingStrategy="REPLICAS"), "service", "schedulingStrategy"),
    (dict(SERVICE, placementStrategy=[{"type": "spread"}, {"type": "pack"}]), "service", "placementStrategy[1].type"),
])
def test_enums_are_checked_at_every_depth_with_list_entries_named(doc, kind, path):
    assert paths(semantic.enum_problems(doc, kind)) == [path]


def test_enum_values_of_another_type_are_left_to_the_type_checks():
    assert semantic.enum_problems({"networkMode": 5, "requiresCompatibilities": "FARGATE",
                                   "containerDefinitions": "web", "runtimePlatform": ["LINUX"]}, "task") == []
    assert semantic.enum_problems({"containerDefinitions": [5, {"portMappings": [None, {"protocol": None}]}]}, "task") == []


# --- cpu / memory ---------------------------------------------------------------------------


@pytest.mark.parametrize("cpu, memory", [
    ("256", "512"), ("0.25 vCPU", "2 GB"), (512, 4096), ("1 vCPU", "8GB"), ("2048", "16384"), ("4 vCPU", "30 GB"),
    ("8 vCPU", "16 GB"), ("8192", "61440"), ("16 vCPU", "32 GB"), ("16384", "122880"), ("1024", "2048"),
])
def test_every_documented_fargate_pair_passes(cpu, memory):
    assert semantic.size_problems({"cpu": cpu, "memory": memory}, fargate=True) == []


@pytest.mark.parametrize("cpu, memory, message", [
    ("256", "8192", "'8192' (8192 MiB) does not go with cpu 256 on Fargate: AWS accepts 512, 1024, 2048 MiB"),
    ("256", "4096", "'4096' (4096 MiB) does not go with cpu 256 on Fargate: AWS accepts 512, 1024, 2048 MiB"),
    ("1024", "1024", "'1024' (1024 MiB) does not go with cpu 1024 on Fargate: AWS accepts 2048 to 8192 in steps of 1024 MiB"),
    ("1024", "9216", "'9216' (9216 MiB) does not go with cpu 1024 on Fargate: AWS accepts 2048 to 8192 in steps of 1024 MiB"),
    ("2048", "4608", "'4608' (4608 MiB) does not go with cpu 2048 on Fargate: AWS accepts 4096 to 16384 in steps of 1024 MiB"),
    ("8192", "18432", "'18432' (18432 MiB) does not go with cpu 8192 on Fargate: AWS accepts 16384 to 61440 in steps of 4096 MiB"),
])
def test_a_fargate_memory_that_does_not_go_with_the_cpu_is_refused(cpu, memory, message):
    assert semantic.size_problems({"cpu": cpu, "memory": memory}, fargate=True) == [("memory", message)]


def test_a_cpu_fargate_has_no_size_for():
    (problem,) = semantic.size_problems({"cpu": "768", "memory": "2048"}, fargate=True)
    assert problem == ("cpu", "'768' (768 units) is not a Fargate task size: AWS accepts 256, 512, 1024, 2048, 4096, 8192, 16384")


def test_outside_fargate_any_parsable_pair_passes():
    assert semantic.size_problems({"cpu": "768", "memory": "100"}, fargate=False) == []
    assert semantic.size_problems({}, fargate=False) == []


def test_fargate_needs_both_cpu_and_memory():
    assert paths(semantic.size_problems({"cpu": "256"}, fargate=True)) == ["memory"]
    assert semantic.size_problems({"memory": "512"}, fargate=True)[0][1].startswith("is required for Fargate")


def test_memory_lots_and_cpu_many_are_not_values():
    assert semantic.size_problems({"cpu": "many", "memory": "lots"}, fargate=True) == [
        ("cpu", "'many' is not a CPU value: AWS accepts CPU units (\"1024\") or vCPUs (\"1 vCPU\")"),
        ("memory", "'lots' is not a memory value: AWS accepts MiB (\"2048\") or GB (\"2 GB\")"),
    ]
    assert paths(semantic.size_problems({"memory": "lots"}, fargate=False)) == ["memory"]


def test_cpu_and_memory_of_another_type_are_skipped():
    assert semantic.size_problems({"cpu": True, "memory": [512]}, fargate=False) == []
    assert semantic.size_problems({"cpu": 1.5, "memory": {"a": 1}}, fargate=True) == []


def test_windows_on_fargate_needs_one_vcpu():
    windows = {"runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}}
    assert paths(semantic.size_problems({"cpu": "512", "memory": "1024", **windows}, fargate=True)) == ["cpu"]
    assert semantic.size_problems({"cpu": "1024", "memory": "2048", **windows}, fargate=True) == []
    assert semantic.size_problems({"cpu": "512", "memory": "1024", "runtimePlatform": {"operatingSystemFamily": "LINUX"}}, fargate=True) == []


def test_fargate_is_the_task_requirement_or_the_services_launch():
    ec2_task = {k: v for k, v in TASK.items() if k != "requiresCompatibilities"}
    assert semantic.is_fargate(TASK) and not semantic.is_fargate(ec2_task)
    assert semantic.is_fargate(ec2_task, {"launchType": "FARGATE"})
    assert semantic.is_fargate(ec2_task, {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT"}]})
    assert not semantic.is_fargate(ec2_task, {"capacityProviderStrategy": [{"capacityProvider": "my-asg"}], "launchType": "EC2"})
    assert not semantic.is_fargate(ec2_task, {"capacityProviderStrategy": "FARGATE"})
    assert not semantic.is_fargate({"requiresCompatibilities": "FARGATE"})
    big = dict(ec2_task, cpu="256", memory="8192")
    assert semantic.task_problems(big) == []
    assert paths(semantic.task_problems(big, {"launchType": "FARGATE"})) == ["memory"]


def test_fargate_needs_awsvpc():
    assert semantic.task_problems(task(networkMode="bridge")) == [("networkMode", "'bridge' cannot be used on Fargate: AWS requires awsvpc")]
    no_mode = task()
    del no_mode["networkMode"]
    assert semantic.task_problems(no_mode) == [("networkMode", "is required on Fargate: AWS requires awsvpc")]
    # an unknown mode is said once, by the enum rule
    assert paths(semantic.task_problems(task(networkMode="bridged"))) == ["networkMode"]
    assert semantic.task_problems({**no_mode, "requiresCompatibilities": ["EC2"]}) == []


# --- ports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("port, bad", [(0, False), (65535, False), (65536, True), (70000, True), (-1, True)])
def test_ports_are_0_to_65535(port, bad):
    found = semantic.task_problems(web(portMappings=[{"containerPort": port}]))
    assert found == ([("containerDefinitions[web].portMappings[0].containerPort", f"{port} is out of range: AWS accepts 0 to 65535")] if bad else [])
    bridge = task(networkMode="bridge", requiresCompatibilities=["EC2"])
    bridge["containerDefinitions"][0]["portMappings"] = [{"containerPort": 80, "hostPort": port}]
    assert paths(semantic.task_problems(bridge)) == (["containerDefinitions[web].portMappings[0].hostPort"] if bad else [])


def test_awsvpc_and_host_need_the_host_port_left_out_or_equal():
    assert semantic.task_problems(web(portMappings=[{"containerPort": 80, "hostPort": 80}])) == []
    (problem,) = semantic.task_problems(web(portMappings=[{"containerPort": 80, "hostPort": 8080}]))
    assert problem == ("containerDefinitions[web].portMappings[0].hostPort",
                       "8080 differs from containerPort 80: with networkMode awsvpc AWS accepts hostPort left out or equal to containerPort")
    host = task(networkMode="host", requiresCompatibilities=["EC2"])
    host["containerDefinitions"][0]["portMappings"] = [{"containerPort": 80, "hostPort": 81}]
    assert paths(semantic.task_problems(host)) == ["containerDefinitions[web].portMappings[0].hostPort"]
    bridge = dict(host, networkMode="bridge")
    assert semantic.task_problems(bridge) == []
    assert semantic.task_problems(web(portMappings=[{"containerPort": 80, "hostPort": "8080"}])) == []


@pytest.mark.parametrize("span, ok", [("1000-2000", True), ("1-65535", True), ("2000-1000", False), ("0-10", False),
                                      ("10-65536", False), ("80", False), ("a-b", False), ("5-5", False)])
def test_container_port_range_syntax(span, ok):
    found = semantic.task_problems(web(portMappings=[{"containerPortRange": span}]))
    assert paths(found) == ([] if ok else ["containerDefinitions[web].portMappings[0].containerPortRange"])


def test_container_port_range_takes_no_host_port_and_bridge_or_awsvpc():
    found = semantic.task_problems(web(portMappings=[{"containerPortRange": "1000-1010", "hostPort": 1000}]))
    assert found == [("containerDefinitions[web].portMappings[0].hostPort", "must be left out with containerPortRange (AWS sets the host ports)")]
    host = task(networkMode="host", requiresCompatibilities=["EC2"])
    host["containerDefinitions"][0]["portMappings"] = [{"containerPortRange": "1000-1010"}]
    assert semantic.task_problems(host) == [
        ("containerDefinitions[web].portMappings[0].containerPortRange", "needs networkMode bridge or awsvpc (this task's is host)")]
    no_mode = {k: v for k, v in host.items() if k != "networkMode"}
    assert semantic.task_problems(no_mode) == []


def test_a_port_is_mapped_once_per_container_and_protocol():
    found = semantic.task_problems(web(portMappings=[{"containerPort": 80}, {"containerPort": 443}, {"containerPort": 80, "protocol": "tcp"}]))
    assert found == [("containerDefinitions[web].portMappings[2]", "port 80/tcp is already mapped by portMappings[0]: AWS accepts a port in one mapping per container")]
    assert semantic.task_problems(web(portMappings=[{"containerPort": 53}, {"containerPort": 53, "protocol": "udp"}])) == []
    overlap = semantic.task_problems(web(portMappings=[{"containerPortRange": "1000-1010"}, {"containerPort": 1010}]))
    assert paths(overlap) == ["containerDefinitions[web].portMappings[1]"]


# --- container settings ---------------------------------------------------------------------


@pytest.mark.parametrize("key, low, high", [("interval", 5, 300), ("timeout", 2, 60), ("retries", 1, 10), ("startPeriod", 0, 300)])
def test_health_check_ranges(key, low, high):
    def found(value):
        return semantic.task_problems(web(healthCheck={"command": ["CMD", "true"], key: value}))

    assert found(low) == [] and found(high) == []
    assert found(low - 1) == [(f"containerDefinitions[web].healthCheck.{key}", f"{low - 1} is out of range: AWS accepts {low} to {high}")]
    assert paths(found(high + 1)) == [f"containerDefinitions[web].healthCheck.{key}"]


@pytest.mark.parametrize("key", ["startTimeout", "stopTimeout"])
def test_start_and_stop_timeouts(key):
    assert semantic.task_problems(web(**{key: 2})) == [] and semantic.task_problems(web(**{key: 120})) == []
    assert semantic.task_problems(web(**{key: 121})) == [
        (f"containerDefinitions[web].{key}", "121 is out of range: AWS accepts 2 to 120 seconds on Fargate")]
    assert paths(semantic.task_problems(web(**{key: 1}))) == [f"containerDefinitions[web].{key}"]
    ec2 = {**web(**{key: 600}), "requiresCompatibilities": ["EC2"]}
    assert semantic.task_problems(ec2) == []
    assert semantic.task_problems({**web(**{key: -1}), "requiresCompatibilities": ["EC2"]}) == [
        (f"containerDefinitions[web].{key}", "-1 is out of range: AWS accepts 0 to 2147483647 seconds")]


def test_memory_reservation_must_be_below_memory():
    assert semantic.task_problems(web(memory=256, memoryReservation=128)) == []
    assert semantic.task_problems(web(memory=256, memoryReservation=256)) == [
        ("containerDefinitions[web].memoryReservation", "256 is not below memory 256: AWS needs memory greater than memoryReservation")]
    assert semantic.task_problems(web(memoryReservation=256)) == []


def test_environment_and_secret_names_are_unique_per_container():
    td = web(environment=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "A", "value": "3"}],
             secrets=[{"name": "B", "valueFrom": "arn"}, {"name": "C", "valueFrom": "arn"}, {"name": "C", "valueFrom": "arn2"}])
    assert semantic.task_problems(td) == [
        ("containerDefinitions[web].environment[2].name", "'A' is also set by environment[0]: each variable once, in environment or secrets"),
        ("containerDefinitions[web].secrets[0].name", "'B' is also set by environment[1]: each variable once, in environment or secrets"),
        ("containerDefinitions[web].secrets[2].name", "'C' is also set by secrets[1]: each variable once, in environment or secrets"),
    ]
    # the same name in two containers is fine
    td = copy.deepcopy(TASK)
    td["containerDefinitions"][1]["environment"] = [{"name": "LOG_LEVEL", "value": "debug"}]
    assert semantic.task_problems(td) == []


def test_at_least_one_container_is_essential():
    td = copy.deepcopy(TASK)
    td["containerDefinitions"][0]["essential"] = False
    assert semantic.task_problems(td) == [("containerDefinitions", "no container is essential: AWS needs at least one with essential true (the default)")]
    del td["containerDefinitions"][0]["essential"]  # the default is true
    assert semantic.task_problems(td) == []


def test_names_that_must_exist_in_the_task_definition():
    td = web(dependsOn=[{"containerName": "lgo", "condition": "START"}, {"containerName": "log", "condition": "START"}],
             volumesFrom=[{"sourceContainer": "nope"}], mountPoints=[{"sourceVolume": "data", "containerPath": "/d"}, {"sourceVolume": "dat"}])
    td["volumes"] = [{"name": "data"}]
    td["proxyConfiguration"] = {"type": "APPMESH", "containerName": "envoy"}
    assert semantic.task_problems(td) == [
        ("containerDefinitions[web].dependsOn[0].containerName", "'lgo' is not a container of this task definition; did you mean log?"),
        ("containerDefinitions[web].volumesFrom[0].sourceContainer", "'nope' is not a container of this task definition"),
        ("containerDefinitions[web].mountPoints[1].sourceVolume", "'dat' is not a volume of this task definition; did you mean data?"),
        ("proxyConfiguration.containerName", "'envoy' is not a container of this task definition"),
    ]


def test_links_name_a_container_and_need_bridge():
    bridge = task(networkMode="bridge", requiresCompatibilities=["EC2"])
    bridge["containerDefinitions"][0]["links"] = ["log:logger", "db"]
    assert semantic.task_problems(bridge) == [("containerDefinitions[web].links[1]", "'db' is not a container of this task definition")]
    bridge["containerDefinitions"][0]["links"] = ["log"]
    assert semantic.task_problems(bridge) == []
    assert semantic.task_problems({k: v for k, v in bridge.items() if k != "networkMode"}) == []
    assert semantic.task_problems(web(links=["log"])) == [("containerDefinitions[web].links", "links need networkMode bridge (this task's is awsvpc)")]
    assert semantic.task_problems(web(links=[])) == []


def test_a_task_definition_over_64_kib_is_refused():
    at_limit = web(environment=[{"name": "BIG", "value": ""}])
    size = len(__import__("json").dumps(at_limit, separators=(",", ":")).encode())
    at_limit["containerDefinitions"][0]["environment"][0]["value"] = "x" * (semantic.MAX_TASK_DEFINITION_BYTES - size)
    assert semantic.task_problems(at_limit) == []
    over = copy.deepcopy(at_limit)
    over["containerDefinitions"][0]["environment"][0]["value"] += "x"
    (problem,) = semantic.task_problems(over)
    assert problem[0] == "" and problem[1].startswith("the task definition is 65537 bytes as JSON, over AWS's 65536 bytes (64 KiB) limit")
    # read-only fields (a describe-task-definition output) are not sent, so not counted
    at_limit["registeredBy"] = "arn:aws:iam::123456789012:user/me"
    assert semantic.task_problems(at_limit) == []


# --- services -------------------------------------------------------------------------------


def test_launch_type_with_capacity_providers_is_refused():
    sd = dict(SERVICE, capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    assert semantic.service_problems(sd) == [("capacityProviderStrategy", "cannot be given with launchType FARGATE: AWS accepts one or the other")]
    assert semantic.service_problems(dict(sd, launchType=None)) == []
    assert semantic.service_problems(dict(SERVICE, capacityProviderStrategy=[])) == []


@pytest.mark.parametrize("key, value, bad", [
    ("desiredCount", 0, False), ("desiredCount", -1, True), ("desiredCount", "2", False),
    ("healthCheckGracePeriodSeconds", 0, False), ("healthCheckGracePeriodSeconds", 2147483647, False),
    ("healthCheckGracePeriodSeconds", -5, True), ("healthCheckGracePeriodSeconds", 2147483648, True),
])
def test_service_counts_and_seconds(key, value, bad):
    assert paths(semantic.service_problems(dict(SERVICE, **{key: value}))) == ([key] if bad else [])


def test_deployment_percentages():
    def found(**configuration):
        return semantic.service_problems(dict(SERVICE, deploymentConfiguration=configuration))

    assert found(minimumHealthyPercent=100, maximumPercent=200) == [] and found(minimumHealthyPercent=100, maximumPercent=100) == []
    assert found(minimumHealthyPercent=0) == [] and found(maximumPercent=0) == []
    assert found(minimumHealthyPercent=150, maximumPercent=100) == [
        ("deploymentConfiguration.minimumHealthyPercent", "150 is above maximumPercent 100: the lower limit must not exceed the upper")]
    assert found(minimumHealthyPercent=-1) == [
        ("deploymentConfiguration.minimumHealthyPercent", "-1 is out of range: a percentage of desiredCount, 0 or more")]
    assert paths(found(maximumPercent=-1)) == ["deploymentConfiguration.maximumPercent"]
    assert paths(found(minimumHealthyPercent=-1, maximumPercent=-2)) == [
        "deploymentConfiguration.minimumHealthyPercent", "deploymentConfiguration.maximumPercent"]


CD = {"deploymentController": {"type": "CODE_DEPLOY"}, "launchType": "FARGATE"}


def test_code_deploy_needs_an_alb_or_nlb_target_group():
    (problem,) = semantic.service_problems(CD)
    assert problem[0] == "loadBalancers" and problem[1].startswith("a CODE_DEPLOY service needs a load balancer")
    assert paths(semantic.service_problems(dict(CD, loadBalancers=[]))) == ["loadBalancers"]
    classic = dict(CD, loadBalancers=[{"loadBalancerName": "clb", "containerName": "web", "containerPort": 80}])
    assert paths(semantic.service_problems(classic)) == ["loadBalancers[0].targetGroupArn"]
    good = dict(CD, loadBalancers=[{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 80}])
    assert semantic.service_problems(good, TASK) == []
    # the rolling controller may use a classic load balancer
    assert semantic.service_problems(dict(classic, deploymentController={"type": "ECS"})) == []


def test_daemon_is_refused_on_fargate_and_with_code_deploy_or_external():
    assert semantic.service_problems({"schedulingStrategy": "DAEMON", "launchType": "EC2"}) == []
    assert semantic.service_problems({"schedulingStrategy": "DAEMON", "launchType": "FARGATE"}) == [
        ("schedulingStrategy", "DAEMON does not work on Fargate: AWS needs REPLICA")]
    assert semantic.service_problems({"schedulingStrategy": "DAEMON", "deploymentController": {"type": "EXTERNAL"}}) == [
        ("schedulingStrategy", "DAEMON does not work with the EXTERNAL deployment controller: AWS needs REPLICA")]
    # a task definition that requires Fargate may run on EC2: the service's launch decides
    assert semantic.service_problems({"schedulingStrategy": "DAEMON", "launchType": "EC2"}, TASK) == []


def test_load_balancers_name_a_container_and_a_port_it_maps():
    def found(**lb):
        return semantic.service_problems(dict(SERVICE, loadBalancers=[{"targetGroupArn": "arn:tg", **lb}]), TASK)

    assert found(containerName="web", containerPort=80) == []
    assert found(containerName="wbe", containerPort=80) == [("loadBalancers[0].containerName", "'wbe' is not a container of the task definition; did you mean web?")]
    assert found(containerName="web", containerPort=8080) == [("loadBalancers[0].containerPort", "8080 is not a port container 'web' maps (its portMappings: 80)")]
    assert found(containerName="log", containerPort=80) == [("loadBalancers[0].containerPort", "80 is not a port container 'log' maps (its portMappings: none)")]
    assert found(containerName=5, containerPort=80) == [] and found(containerName="web", containerPort="80") == []
    assert semantic.service_problems(dict(SERVICE, loadBalancers=[{"containerName": "wbe"}])) == []  # no task definition: not checked


def test_the_live_services_load_balancers_are_checked_when_the_file_leaves_them_out():
    live = [{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 80}]
    semantic.check(TASK, SERVICE, task_file="t.json", service_file="s.json", live_balancers=live)
    with pytest.raises(ConfigError) as err:
        semantic.check(web(portMappings=[{"containerPort": 8080}]), SERVICE, task_file="t.json", service_file="s.json", live_balancers=live)
    assert str(err.value) == ("s.json: the service definition has values AWS refuses; nothing was changed:\n"
                              "  loadBalancers[0].containerPort (the live service's; not in this file): 80 is not a port container 'web' maps (its portMappings: 8080)")
    # Declared in the file: the file's are what the service gets, the live ones do not matter.
    declared = dict(SERVICE, loadBalancers=[{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 8080}])
    semantic.check(web(portMappings=[{"containerPort": 8080}]), declared, task_file="t.json", service_file="s.json", live_balancers=live)


# --- reporting ------------------------------------------------------------------------------


def test_check_reports_every_problem_of_both_files_in_one_error():
    with pytest.raises(ConfigError) as err:
        semantic.check(task(networkMode="bridged", memory="lots"), dict(SERVICE, desiredCount=-1), task_file="td.json", service_file="sd.json")
    assert str(err.value) == (
        "td.json: the task definition has values AWS refuses; nothing was changed:\n"
        "  networkMode: 'bridged' must be one of bridge, host, awsvpc, none; did you mean bridge?\n"
        "  memory: 'lots' is not a memory value: AWS accepts MiB (\"2048\") or GB (\"2 GB\")\n"
        "sd.json: the service definition has values AWS refuses; nothing was changed:\n"
        "  desiredCount: -1 is out of range: AWS accepts 0 or more tasks"
    )
    assert err.value.file == "td.json"


def test_check_names_the_service_file_alone_and_skips_it_for_task_only_configs():
    with pytest.raises(ConfigError, match=r"^sd.json: the service definition has values AWS refuses; nothing was changed:\n  desiredCount"):
        semantic.check(TASK, dict(SERVICE, desiredCount=-1), task_file="td.json", service_file="sd.json")
    semantic.check(TASK, None, task_file="td.json", service_file="sd.json")


def test_values_are_masked_as_plans_show_them():
    td = web(healthCheck={"command": ["CMD"], "interval": 1}, portMappings=[{"containerPort": 80, "protocol": "hunter2"}])
    with pytest.raises(ConfigError) as err:
        semantic.check(td, None, task_file="td.json", service_file="sd.json", secret_values=("hunter2",))
    assert "hunter2" not in str(err.value) and "protocol" in str(err.value)


WRONG = [None, True, 7, 1.5, "text", [], [1, "a", None], {}, {"x": [None]}]


def _every_path(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _every_path(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += _every_path(value, (*path, index))
    return out


def _replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


RICH_TASK = web(healthCheck={"command": ["CMD"], "interval": 10}, dependsOn=[{"containerName": "log", "condition": "START"}],
                links=["log"], volumesFrom=[{"sourceContainer": "log"}], mountPoints=[{"sourceVolume": "data"}],
                memory=256, memoryReservation=128, stopTimeout=30, logConfiguration={"logDriver": "awslogs"})
RICH_TASK.update(volumes=[{"name": "data"}], proxyConfiguration={"containerName": "web"}, runtimePlatform={"operatingSystemFamily": "LINUX"})
RICH_SERVICE = dict(SERVICE, loadBalancers=[{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 80}],
                    deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 200}, deploymentController={"type": "ECS"},
                    capacityProviderStrategy=[{"capacityProvider": "FARGATE"}], schedulingStrategy="REPLICA", healthCheckGracePeriodSeconds=5)


def test_a_value_of_any_type_anywhere_never_raises():
    for path in _every_path(RICH_TASK):
        for value in WRONG:
            td = _replaced(RICH_TASK, path, value)
            semantic.task_problems(td, RICH_SERVICE)
            semantic.service_problems(RICH_SERVICE, td)
    for path in _every_path(RICH_SERVICE):
        for value in WRONG:
            sd = _replaced(RICH_SERVICE, path, value)
            semantic.task_problems(RICH_TASK, sd)
            semantic.service_problems(sd, RICH_TASK)
    for doc in WRONG:
        if isinstance(doc, dict):
            semantic.task_problems(doc, doc)
            semantic.service_problems(doc, doc)


def test_load_balancer_ports_may_fall_in_a_port_range():
    td = web(portMappings=[{"containerPortRange": "8000-8010"}, {"containerPort": 80}])
    sd = dict(SERVICE, loadBalancers=[{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 8010}])
    assert semantic.service_problems(sd, td) == []
    sd["loadBalancers"][0]["containerPort"] = 8011
    assert semantic.service_problems(sd, td) == [("loadBalancers[0].containerPort", "8011 is not a port container 'web' maps (its portMappings: 8000-8010, 80)")]


def test_port_ranges_overlap_when_they_share_a_port():
    def found(*mappings):
        return semantic.task_problems(web(portMappings=list(mappings)))

    assert found({"containerPortRange": "1000-1010"}, {"containerPortRange": "1011-1020"}) == []
    assert found({"containerPortRange": "1000-1010"}, {"containerPortRange": "1010-1020"}) == [
        ("containerDefinitions[web].portMappings[1]", "port 1010/tcp is already mapped by portMappings[0]: AWS accepts a port in one mapping per container")]
    assert paths(found({"containerPort": 1005}, {"containerPortRange": "1000-1010"})) == ["containerDefinitions[web].portMappings[1]"]
    assert found({"containerPortRange": "1-65535"}, {"containerPortRange": "1-65535", "protocol": "udp"}) == []


def test_memory_choices_are_listed_or_given_as_a_range():
    (problem,) = semantic.size_problems({"cpu": "512", "memory": "512"}, fargate=True)
    assert problem[1].endswith("AWS accepts 1024, 2048, 3072, 4096 MiB")


def test_port_range_edges_are_exact():
    def found(*mappings):
        return semantic.task_problems(web(portMappings=list(mappings)))

    assert found({"containerPortRange": "1000-1010"}, {"containerPort": 1011}) == []
    assert found({"containerPortRange": "1000-1010"}, {"containerPort": 999}) == []
    # a malformed range takes no port: only its syntax is reported
    assert paths(found({"containerPortRange": "x"}, {"containerPort": 0})) == ["containerDefinitions[web].portMappings[0].containerPortRange"]


def test_a_maximum_of_zero_is_below_any_minimum():
    sd = dict(SERVICE, deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 0})
    assert paths(semantic.service_problems(sd)) == ["deploymentConfiguration.minimumHealthyPercent"]


@pytest.mark.parametrize("name, ok", [("web", True), ("Web_app-2", True), ("x" * 255, True), ("x" * 256, False), ("web.app", False), ("web app", False)])
def test_family_and_container_names(name, ok):
    assert paths(semantic.task_problems(task(family=name))) == ([] if ok else ["family"])
    td = copy.deepcopy(TASK)
    td["containerDefinitions"][1]["name"] = name
    assert paths(semantic.task_problems(td)) == ([] if ok else [f"containerDefinitions[{name}].name"])


def test_ec2_task_cpu_range_and_windows_exemption():
    def found(cpu, **extra):
        return semantic.size_problems({"cpu": cpu, **extra}, fargate=False)

    assert found("128") == [] and found("192 vCPU") == [] and found(196608) == []
    assert found("127") == [("cpu", "'127' (127 units) is out of range: AWS accepts 128 to 196608 CPU units")]
    assert paths(found(196609)) == ["cpu"]
    assert found("64", runtimePlatform={"operatingSystemFamily": "WINDOWS_SERVER_2019_CORE"}) == []


def test_containers_reserve_no_more_than_the_task():
    td = copy.deepcopy(TASK)  # cpu 256, memory 512
    td["containerDefinitions"][0].update(cpu=128, memoryReservation=256, memory=1024)
    td["containerDefinitions"][1].update(cpu=128, memory=256)
    assert semantic.task_problems(td) == []  # equal to the task: accepted
    td["containerDefinitions"][1]["cpu"] = 129
    td["containerDefinitions"][1]["memory"] = 257
    assert semantic.task_problems(td) == [
        ("containerDefinitions", "the containers reserve 257 CPU units in all, more than the task's cpu 256"),
        ("containerDefinitions", "the containers reserve 513 MiB in all (memoryReservation, else memory), more than the task's memory 512"),
    ]
    td["runtimePlatform"] = {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}
    td.update(cpu="1024", memory="2048")
    td["containerDefinitions"][1]["memory"] = 4096
    assert semantic.task_problems(td) == []
    no_task_level = {k: v for k, v in td.items() if k not in ("cpu", "memory", "runtimePlatform", "requiresCompatibilities")}
    assert semantic.task_problems(no_task_level) == []


def test_network_configuration_goes_with_awsvpc():
    nc = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
    assert semantic.service_problems(dict(SERVICE, networkConfiguration=nc), TASK, creating=True) == []
    assert semantic.service_problems(SERVICE, TASK) == []  # an existing service keeps its own
    assert semantic.service_problems(SERVICE, TASK, creating=True) == [
        ("networkConfiguration", "is required to create a service whose task definition uses networkMode awsvpc: "
                                 "awsvpcConfiguration with its subnets (and security groups)")]
    assert paths(semantic.service_problems(dict(SERVICE, networkConfiguration={}), TASK, creating=True)) == ["networkConfiguration"]
    bridge = task(networkMode="bridge")
    assert semantic.service_problems(dict(SERVICE, networkConfiguration=nc), bridge) == [
        ("networkConfiguration", "only works with networkMode awsvpc (the task definition's is bridge): leave it out")]
    assert semantic.service_problems(SERVICE, bridge, creating=True) == []
    assert semantic.service_problems(dict(SERVICE, networkConfiguration=nc), task(networkMode="bridged")) == []  # said by the enum rule
    assert semantic.service_problems(dict(SERVICE, networkConfiguration=nc)) == []  # no task definition known


def test_check_passes_creating_on():
    with pytest.raises(ConfigError, match="networkConfiguration: is required to create a service"):
        semantic.check(TASK, SERVICE, task_file="t.json", service_file="s.json", creating=True)
    semantic.check(TASK, SERVICE, task_file="t.json", service_file="s.json")


def test_a_container_without_cpu_or_memory_reserves_nothing():
    td = copy.deepcopy(TASK)  # cpu 256, memory 512; the log container declares neither
    td["containerDefinitions"][0].update(cpu=256, memoryReservation=512)
    assert semantic.task_problems(td) == []
