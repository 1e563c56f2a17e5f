"""ecspresso projects as they are: Jsonnet, plugins (tfstate, ssm, secretsmanager, cloudformation),
envfiles, if / else in templates. Pure tables for the parsing; the whole loop per fixture project
(created in the sandbox from its own files, then `ecsplan plan --detailed-exitcode` exits 0) and
each lookup's failure through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest

from planner import tfstate
from planner.config import Plugin, load_config
from planner.envfile import parse_envfile
from planner.errors import ConfigError, LookupFailed
from planner.template import Function, Secret
from tests.helpers_cli import ROOT, Project

FIXTURES = ROOT / "fixtures" / "ecspresso"

# --- tfstate addresses (pure) -----------------------------------------------------------------

STATE = json.loads((FIXTURES / "tfstate-envfile-if" / "terraform" / "app.tfstate").read_text())
NETWORK = json.loads((FIXTURES / "tfstate-envfile-if" / "network.tfstate").read_text())


@pytest.mark.parametrize(
    ("state", "address", "expected"),
    [
        (STATE, "aws_iam_role.task.arn", "arn:aws:iam::123456789012:role/api-task"),
        (STATE, "aws_iam_role.task.tags.Name", "api-task"),
        (STATE, "output.log_group", "/ecs/api"),
        (STATE, "module.queue.aws_sqs_queue.jobs[1].url", "https://sqs.us-east-1.amazonaws.com/123456789012/api-jobs-1"),
        (STATE, "module.queue.aws_sqs_queue.jobs", [{"url": "https://sqs.us-east-1.amazonaws.com/123456789012/api-jobs-0"},
                                                   {"url": "https://sqs.us-east-1.amazonaws.com/123456789012/api-jobs-1"}]),
        (NETWORK, "data.aws_vpc.main.id", "vpc-0123456789abcdef0"),
        (NETWORK, "aws_service_discovery_private_dns_namespace.internal['staging'].name", "staging.internal"),
        (NETWORK, 'aws_service_discovery_private_dns_namespace.internal["production"].name', "production.internal"),
        (NETWORK, "aws_service_discovery_private_dns_namespace.internal",
         {"staging": {"name": "staging.internal"}, "production": {"name": "production.internal"}}),
    ],
)
def test_tfstate_lookup(state: dict[str, Any], address: str, expected: Any) -> None:
    assert tfstate.lookup(state, address, where="s") == expected


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("aws_iam_role.nope.arn", "resource aws_iam_role.nope not found in s (aws_iam_role resources there: aws_iam_role.execution, aws_iam_role.task)"),
        ("aws_iam_role.task.nope", "'aws_iam_role.task.nope': attribute nope not found"),
        ("output.nope", "output nope not found in s (outputs: log_group)"),
        ("module.queue.aws_sqs_queue.jobs[5].url", "module.queue.aws_sqs_queue.jobs[5] not found in s (instances: 0, 1)"),
        ("module.queue.aws_sqs_queue.jobs.url", "has several instances (keys 0, 1); give one"),
        ("aws_sqs_queue.jobs.url", "resource aws_sqs_queue.jobs not found in s (aws_sqs_queue resources there: module.queue.aws_sqs_queue.jobs)"),
        ("justone", "is not an address like"),
    ],
)
def test_tfstate_lookup_failures(address: str, message: str) -> None:
    with pytest.raises(LookupFailed) as info:
        tfstate.lookup(STATE, address, where="s")
    assert message in str(info.value)


def test_tfstate_rejects_what_is_not_a_state() -> None:
    with pytest.raises(LookupFailed, match="not a Terraform state"):
        tfstate.parse_state('{"a": 1}', where="x.tfstate")
    with pytest.raises(LookupFailed, match="invalid JSON"):
        tfstate.parse_state("{", where="x.tfstate")


# --- envfiles (pure) --------------------------------------------------------------------------


def test_envfile_format() -> None:
    text = (
        "# comment\n\nA=1\nexport B = two words  # trailing comment\nC=\"line\\nnext \\\"q\\\"\"\n"
        "D='raw $X \\n'\nE=\nF=a#b\n"
    )
    assert parse_envfile(text, source="f.env") == {
        "A": "1", "B": "two words", "C": 'line\nnext "q"', "D": "raw $X \\n", "E": "", "F": "a#b",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("JUSTAWORD\n", "f.env: line 1: expected KEY=VALUE"),
        ("1A=x\n", "f.env: line 1: '1A' is not a variable name"),
        ('A="open\n', "f.env: line 1: unterminated double-quoted value"),
        ("A='x' y\n", "f.env: line 1: unexpected 'y' after the quoted value"),
    ],
)
def test_envfile_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_envfile(text, source="f.env")
    assert str(info.value).startswith(message)


# --- config reading with fake lookups (pure) ---------------------------------------------------


def fake_lookups(values: dict[str, Any]) -> Any:
    def factory(plugin: Plugin, region: str | None, folder: str) -> dict[str, Function]:
        if plugin.name == "ssm":
            def ssm(name: str) -> Any:
                if name not in values:
                    raise LookupFailed(f"parameter {name} not found")
                return values[name]
            return {"ssm": Function(call=ssm, min_args=1, max_args=1, jsonnet_params=("name",))}
        if plugin.name == "tfstate":
            return {"tfstate": Function(call=lambda a: f"{plugin.config['path']}:{a}", min_args=1, max_args=1, jsonnet_params=("a",))}
        return {}
    return factory


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder / next(iter(files))


TD = '{"family": "app", "containerDefinitions": [{"name": "app", "image": "%s"}]}'


def test_secure_string_is_in_the_payload_and_listed_as_a_secret(tmp_path: Path) -> None:
    config = write(tmp_path, {"ecspresso.yml": "task_definition: td.json\n", "td.json": TD % '{{ ssm `/db/pass` }}'})
    loaded = load_config(config, environ={}, lookups=fake_lookups({"/db/pass": Secret("hunter2")}))
    assert loaded.task_definition["containerDefinitions"][0]["image"] == "hunter2"
    assert loaded.secret_values == ("hunter2",)


def test_two_tfstate_plugins_need_a_prefix(tmp_path: Path) -> None:
    config = write(tmp_path, {
        "ecspresso.yml": "task_definition: td.json\nplugins:\n  - name: tfstate\n    config: {path: a}\n  - name: tfstate\n    config: {path: b}\n",
        "td.json": TD % "x",
    })
    with pytest.raises(ConfigError, match=r"plugins\[1\]: template function tfstate already exists; set func_prefix on the tfstate plugin"):
        load_config(config, environ={}, lookups=fake_lookups({}))


def test_prefixed_plugins_in_templates_and_jsonnet(tmp_path: Path) -> None:
    config = write(tmp_path, {
        "ecspresso.yml": "task_definition: td.jsonnet\nplugins:\n  - name: tfstate\n    config: {path: a}\n"
                         "  - name: tfstate\n    config: {path: b}\n    func_prefix: net_\n",
        "td.jsonnet": "local t = std.native('net_tfstate');\n"
                      "{family: t('x'), containerDefinitions: [{name: 'app', image: '{{ tfstate `y` }}'}]}\n",
    })
    loaded = load_config(config, environ={}, lookups=fake_lookups({}))
    assert loaded.task_definition["family"] == "b:x"
    assert loaded.task_definition["containerDefinitions"][0]["image"] == "a:y"


def test_lookup_failure_names_file_line_and_function(tmp_path: Path) -> None:
    config = write(tmp_path, {"ecspresso.yml": "task_definition: td.json\n", "td.json": '{\n "family": "{{ ssm `/nope` }}"}'})
    with pytest.raises(ConfigError) as info:
        load_config(config, environ={}, lookups=fake_lookups({}))
    assert str(info.value) == f"{tmp_path / 'td.json'}: line 2:13: {{{{ ssm `/nope` }}}}: ssm: parameter /nope not found"


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        ({"td.jsonnet": "{\n  family: 'a'\n  x: 1,\n}\n"}, "td.jsonnet: line 3:3", "Jsonnet syntax error: expected a comma before next field."),
        ({"td.jsonnet": "{\n  family: std.extVar('nope'),\n}\n"}, "td.jsonnet: line 2:11", "Jsonnet error: undefined external variable: nope"),
        ({"td.jsonnet": "local l = import 'lib.libsonnet';\nl\n", "lib.libsonnet": "{\n a: error 'broken lib',\n}\n"},
         "lib.libsonnet: line 2:5", "Jsonnet error: broken lib"),
        ({"td.jsonnet": "{\n  family: std.native('ssm')('/nope'),\n}\n"}, "td.jsonnet: line 2:11", "Jsonnet error: ssm: parameter /nope not found"),
        ({"td.jsonnet": "{\n  family: std.native('must_env')('NOPE'),\n}\n"}, "td.jsonnet: line 2:11", "Jsonnet error: must_env: environment variable NOPE is not set"),
    ],
)
def test_jsonnet_errors_name_file_line_and_column(tmp_path: Path, files: dict[str, str], where: str, message: str) -> None:
    config = write(tmp_path, {"ecspresso.yml": "task_definition: td.jsonnet\n", **files})
    with pytest.raises(ConfigError) as info:
        load_config(config, environ={}, lookups=fake_lookups({}))
    assert str(info.value).startswith(f"{tmp_path}/{where}: {message}")


def test_jsonnet_config_with_ext_vars_and_env(tmp_path: Path) -> None:
    config = write(tmp_path, {
        "ecspresso.jsonnet": "local env = std.native('env');\n{cluster: std.extVar('c'), service: env('SVC', 'web'),"
                             " task_definition: 'td.json', service_definition: 'sd.json', timeout: std.extVar('t')}\n",
        "td.json": TD % "x", "sd.json": "{}",
    })
    loaded = load_config(config, environ={}, ext_str={"c": "prod"}, ext_code={"t": "60 * 5"})
    assert (loaded.cluster, loaded.service, loaded.timeout_seconds) == ("prod", "web", 300)


def test_unknown_plugin(tmp_path: Path) -> None:
    config = write(tmp_path, {"ecspresso.yml": "task_definition: td.json\nplugins:\n  - name: external\n", "td.json": TD % "x"})
    with pytest.raises(ConfigError, match=r"plugins\[0\].name: plugin 'external' is not available"):
        load_config(config, environ={}, lookups=fake_lookups({}))


# --- the whole loop through the CLI against the sandbox ----------------------------------------

BUCKET = "ecsplan-fixture-tfstate"
PAYMENTS_SECURE_STRING = "postgres://payments:n0t-in-any-output@db.internal/payments"


def seed(aws: Any) -> None:
    """What the fixture projects look up, as their teams would have it in AWS."""
    aws.client("ecs").create_cluster(clusterName="ecspresso-fixtures")
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="network/terraform.tfstate", Body=(FIXTURES / "tfstate-envfile-if" / "network.tfstate").read_bytes())
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/ecspresso-fixtures/production/api-url", Value="https://api.example.com", Type="String")
    ssm.put_parameter(Name="/ecspresso-fixtures/zones", Value="us-east-1a,us-east-1b", Type="StringList")
    ssm.put_parameter(Name="/ecspresso-fixtures/db-password", Value="s3cr3t-from-ssm", Type="SecureString")
    ssm.put_parameter(Name="/ecspresso-fixtures/queue", Value="jobs", Type="String")
    # ssm-secrets: a Fargate service's roles, image, network and a SecureString.
    for name, value, kind in [
        ("/ecspresso-fixtures/payments/execution-role-arn", "arn:aws:iam::123456789012:role/payments-execution", "String"),
        ("/ecspresso-fixtures/payments/task-role-arn", "arn:aws:iam::123456789012:role/payments-task", "String"),
        ("/ecspresso-fixtures/payments/image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/payments:2024.06.1", "String"),
        ("/ecspresso-fixtures/payments/upstream-dsn", PAYMENTS_SECURE_STRING, "SecureString"),
    ]:
        ssm.put_parameter(Name=name, Value=value, Type=kind)
    secrets = aws.client("secretsmanager")
    secrets.create_secret(Name="ecspresso-fixtures/api-token", SecretString="token")
    secrets.create_secret(Name="ecspresso-fixtures/payments-db", SecretString='{"username": "payments", "password": "pw"}')
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "LogGroupName": {"Value": "/ecs/worker"},
            "ExecutionRoleArn": {"Value": "arn:aws:iam::123456789012:role/worker-execution",
                                 "Export": {"Name": "ecspresso-fixtures-ExecutionRoleArn"}},
        },
    }
    cfn = aws.client("cloudformation")
    cfn.create_stack(StackName="ecspresso-fixtures", TemplateBody=json.dumps(template))
    # cfn-if-else: the production stage's own stack.
    stage = {
        "Resources": {"Queue": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "TaskRoleArn": {"Value": "arn:aws:iam::123456789012:role/jobs-production-task"},
            "QueueUrl": {"Value": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-production"},
        },
    }
    cfn.create_stack(StackName="jobs-production", TemplateBody=json.dumps(stage))


def _network(aws: Any) -> dict[str, str]:
    """A VPC with two subnets and a security group: the sandbox, as ECS, refuses a service in a
    subnet that does not exist, and gives its own IDs."""
    from providers import demo

    return demo.seed_network(aws.client, cluster="ecspresso-fixtures")


def _before_create(aws: Any, folder: str, dest: Path) -> None:
    """What a project looks up that only exists once its network does."""
    if folder == "ssm-secrets":  # the network team publishes it in SSM Parameter Store
        net = _network(aws)
        ssm = aws.client("ssm")
        ssm.put_parameter(Name="/ecspresso-fixtures/network/private-subnets", Type="StringList",
                          Value=f"{net['DEMO_SUBNET_ID']},{net['DEMO_SUBNET_B_ID']}")
        ssm.put_parameter(Name="/ecspresso-fixtures/payments/security-group", Value=net["DEMO_SECURITY_GROUP_ID"], Type="String")
    if folder == "tfstate-for-each":  # Terraform's state, with the IDs this sandbox gave
        net = _network(aws)
        extra = aws.client("ec2").create_security_group(GroupName="common", Description="common", VpcId=net["DEMO_VPC_ID"])["GroupId"]
        state = dest / "terraform" / "shared.tfstate"
        text = state.read_text()
        for old, new in [("vpc-0a1b2c3d4e5f60718", net["DEMO_VPC_ID"]), ("subnet-0aa11bb22cc33dd44", net["DEMO_SUBNET_ID"]),
                         ("subnet-0ee55ff66aa77bb88", net["DEMO_SUBNET_B_ID"]), ("sg-0123456789abcdef0", net["DEMO_SECURITY_GROUP_ID"]),
                         ("sg-0c0c0c0c0c0c0c0c0", extra)]:
            assert old in text, old
            text = text.replace(old, new)
        state.write_text(text)
    if folder == "codedeploy-bluegreen":
        _load_balancer_in_ssm(aws, _network(aws))


def _load_balancer_in_ssm(aws: Any, net: dict[str, str]) -> None:
    """codedeploy-bluegreen: the platform team's load balancer and blue/green target groups, and
    the network, published in SSM Parameter Store where the service definition looks them up."""
    elb = aws.client("elbv2")
    lb = elb.create_load_balancer(Name="checkout", Subnets=[net["DEMO_SUBNET_ID"], net["DEMO_SUBNET_B_ID"]],
                                  SecurityGroups=[net["DEMO_SECURITY_GROUP_ID"]])["LoadBalancers"][0]["LoadBalancerArn"]
    blue, _green = (elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=net["DEMO_VPC_ID"], TargetType="ip")
                    ["TargetGroups"][0]["TargetGroupArn"] for name in ("checkout-blue", "checkout-green"))
    listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": blue}])["Listeners"][0]["ListenerArn"]
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/ecspresso-fixtures/checkout/blue-target-group-arn", Value=blue, Type="String")
    ssm.put_parameter(Name="/ecspresso-fixtures/checkout/subnets", Value=f"{net['DEMO_SUBNET_ID']},{net['DEMO_SUBNET_B_ID']}", Type="StringList")
    ssm.put_parameter(Name="/ecspresso-fixtures/checkout/security-group", Value=net["DEMO_SECURITY_GROUP_ID"], Type="String")
    ssm.put_parameter(Name="/ecspresso-fixtures/checkout/listener-arn", Value=listener, Type="String")


# (fixture folder, config, extra CLI arguments, environment)
PROJECTS = [
    pytest.param("tfstate-envfile-if", "ecspresso.yml", ["--envfile", "production.env"], {}, id="tfstate-envfile-if"),
    pytest.param("jsonnet-lookups", "ecspresso.jsonnet", ["--ext-str", "stage=production", "--ext-code", "replicas=2"], {"IMAGE_TAG": "1.25"},
                 id="jsonnet-lookups"),
    pytest.param("task-only", "ecspresso.yml", [], {}, id="task-only"),
    pytest.param("ignore-tags", "ecspresso.yml", [], {}, id="ignore-tags"),
    pytest.param("ssm-secrets", "ecspresso.yml", [], {}, id="ssm-secrets"),
    pytest.param("tfstate-for-each", "ecspresso.yml", [], {"IMAGE_TAG": "2024.06.1"}, id="tfstate-for-each"),
    pytest.param("cfn-if-else", "ecspresso.yml", [], {"STAGE": "production", "FEATURE_FLAGS": '{"beta": true, "note": "say \\"hi\\""}'},
                 id="cfn-if-else"),
    pytest.param("codedeploy-bluegreen", "ecspresso.yml", [], {}, id="codedeploy-bluegreen"),
]


def _after_create(aws: Any, folder: str) -> None:
    """What other tools do once ecsplan made the service."""
    if folder == "ignore-tags":
        _tag_as_another_tool(aws)
    if folder == "codedeploy-bluegreen":  # AWS wants the service before the deployment group
        from providers import demo

        listener = aws.client("ssm").get_parameter(Name="/ecspresso-fixtures/checkout/listener-arn")["Parameter"]["Value"]
        demo.seed_codedeploy(aws.client, {"DEMO_LISTENER_ARN": listener}, cluster="ecspresso-fixtures", service="checkout",
                             application="checkout", group="checkout-production", target_groups=("checkout-blue", "checkout-green"))


def _tag_as_another_tool(aws: Any) -> None:
    """ignore-tags: Terraform (aws_ecs_tag) tags the service and the task definition after ecsplan
    made them; the keys are in ignore.tags, so the plan stays clean."""
    ecs = aws.client("ecs")
    service = ecs.describe_services(cluster="ecspresso-fixtures", services=["reporting"])["services"][0]
    for arn in (service["serviceArn"], service["taskDefinition"]):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "CostCenter", "value": "cc-42"}, {"key": "ecspresso:ignore", "value": "x"}])


def _create(project: Project, config: str, args: list[str], env: dict[str, str]) -> None:
    """Create the service from the project's own files (in process, as `ecsplan apply` would)."""
    from providers import app

    ctx, plan = _plan(project, config, args, env)
    with project._environ(_with_envfiles(project, args, env)):
        report = app.run_apply(ctx, plan, wait=False, timeout=None, resume_hint="")
    assert report.error is None, report.error


def _with_envfiles(project: Project, args: list[str], env: dict[str, str]) -> dict[str, str]:
    from planner.envfile import load_envfiles

    return {**env, **load_envfiles([str(project.path / a) for flag, a in zip(args, args[1:]) if flag == "--envfile"])}


def _plan(project: Project, config: str, args: list[str], env: dict[str, str]) -> Any:
    """(context, plan) as `ecsplan plan` makes them, lookups included, in process."""
    from providers import app

    ext_str = dict(a.split("=", 1) for flag, a in zip(args, args[1:]) if flag == "--ext-str")
    ext_code = dict(a.split("=", 1) for flag, a in zip(args, args[1:]) if flag == "--ext-code")
    with project._environ(_with_envfiles(project, args, env)) as environ:
        settings = app.AwsSettings(endpoint_url=project.aws.endpoint_url)
        desired = app.load_project([config], settings, cwd=str(project.path), environ=environ, ext_str=ext_str, ext_code=ext_code)
        ctx = app.Context(settings=app.AwsSettings(region="us-east-1", endpoint_url=project.aws.endpoint_url), progress=lambda _: None)
        return ctx, app.make_plan(ctx, desired)


@pytest.mark.parametrize(("folder", "config", "args", "env"), PROJECTS)
def test_ecspresso_project_is_created_from_its_files_then_plans_clean(tmp_path, aws, folder, config, args, env) -> None:
    seed(aws)
    dest = tmp_path / folder
    shutil.copytree(FIXTURES / folder, dest)
    _before_create(aws, folder, dest)
    project = Project(dest, aws, env)
    _create(project, config, args, env)
    _after_create(aws, folder)
    result = project.run("plan", "-c", config, *args, "--detailed-exitcode")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes" in result.stdout
    if "filter_command" in (dest / config).read_text():  # accepted, unused: said once on stderr
        assert "ecsplan ignores these ecspresso keys: filter_command\n" in result.stderr, result.stderr


def test_secure_string_is_masked_in_every_output(tmp_path, aws) -> None:
    seed(aws)
    dest = tmp_path / "jsonnet-lookups"
    shutil.copytree(FIXTURES / "jsonnet-lookups", dest)
    project = Project(dest, aws, {"IMAGE_TAG": "1.25"})
    args = ["--ext-str", "stage=production", "--ext-code", "replicas=2"]
    for fmt in ("text", "json", "markdown"):
        result = project.run("plan", "-c", "ecspresso.jsonnet", *args, "--format", fmt, "--out", str(tmp_path / "plan.bin"))
        assert result.returncode == 0, result.stderr
        assert "DB_PASSWORD_PLAIN" in result.stdout and "(sensitive)" in result.stdout
        assert "s3cr3t-from-ssm" not in result.stdout
    rendered = project.run("render", "-c", "ecspresso.jsonnet", *args, "servicedef")
    assert json.loads(rendered.stdout)["serviceName"] == "worker-production"
    # The plan file carries the real value: apply sends it.
    assert "s3cr3t-from-ssm" in (tmp_path / "plan.bin").read_text()


def test_secure_string_is_masked_by_value_and_after_its_rotation(tmp_path, aws) -> None:
    """ssm-secrets: UPSTREAM_DSN's name looks harmless; its value is a SecureString. Masked in
    the plan that creates the service, and after the parameter is rotated the old value (read
    back from the registered revision, in no lookup of this run) is masked too."""
    from providers import app

    seed(aws)
    dest = tmp_path / "ssm-secrets"
    shutil.copytree(FIXTURES / "ssm-secrets", dest)
    _before_create(aws, "ssm-secrets", dest)
    project = Project(dest, aws)
    _, creating = _plan(project, "ecspresso.yml", [], {})
    _create(project, "ecspresso.yml", [], {})
    rotated = "postgres://payments:r0tated@db.internal/payments"
    aws.client("ssm").put_parameter(Name="/ecspresso-fixtures/payments/upstream-dsn", Value=rotated, Type="SecureString", Overwrite=True)
    _, rotating = _plan(project, "ecspresso.yml", [], {})
    assert rotating.has_changes
    for plan in (creating, rotating):
        for fmt in ("text", "json", "markdown"):
            out = app.render_plan(plan, fmt, color=False)
            assert "UPSTREAM_DSN" in out and "(sensitive)" in out, out
            assert PAYMENTS_SECURE_STRING not in out and rotated not in out, out
    assert "environment[UPSTREAM_DSN]: (sensitive) -> (sensitive)" in app.render_plan(rotating, "text", color=False)


def _environment(taskdef: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in taskdef["containerDefinitions"][0]["environment"]}


def test_render_masks_secrets_unless_unmasked(tmp_path, aws) -> None:
    """`render` masks as the plan does (the SecureString by value, sensitive names by name);
    `render --unmask` shows what apply would send. `render config`: the config as understood."""
    seed(aws)
    dest = tmp_path / "jsonnet-lookups"
    shutil.copytree(FIXTURES / "jsonnet-lookups", dest)
    project = Project(dest, aws, {"IMAGE_TAG": "1.25"})
    args = ["-c", "ecspresso.jsonnet", "--ext-str", "stage=production", "--ext-code", "replicas=2"]
    for fmt in ("json", "yaml"):
        masked = project.run("render", *args, "taskdef", "--format", fmt)
        assert masked.returncode == 0, masked.stderr
        assert "s3cr3t-from-ssm" not in masked.stdout and "(sensitive)" in masked.stdout
    env = _environment(json.loads(project.run("render", *args, "taskdef").stdout))
    assert env["DB_PASSWORD_PLAIN"] == "(sensitive)" and env["API_URL"] == "https://api.example.com"
    unmasked = project.run("render", "--unmask", *args, "taskdef")
    assert unmasked.returncode == 0, unmasked.stderr
    assert _environment(json.loads(unmasked.stdout))["DB_PASSWORD_PLAIN"] == "s3cr3t-from-ssm"
    assert "(sensitive)" not in unmasked.stdout
    config = project.run("render", *args, "config")
    assert config.returncode == 0, config.stderr
    doc = json.loads(config.stdout)
    assert (doc["service"], doc["cluster"], doc["region"], doc["timeout"]) == ("worker-production", "ecspresso-fixtures", "us-east-1", "15m")
    assert doc["plugins"] == [{"name": "cloudformation", "config": {}, "func_prefix": ""}]
    assert doc["task_definition"] == "ecs-task-def.jsonnet" and doc["service_definition"] == "ecs-service-def.jsonnet"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(("terraform/app.tfstate", None), "state file", id="missing-state-file"),
        pytest.param(("ecs-task-def.json", ("aws_iam_role.task.arn", "aws_iam_role.gone.arn")),
                     "tfstate: resource aws_iam_role.gone not found", id="missing-resource"),
        pytest.param(("ecs-task-def.json", ("data.aws_vpc.main.cidr_block", "data.aws_vpc.other.id")),
                     "network_tfstate: resource data.aws_vpc.other not found in s3://ecsplan-fixture-tfstate/network/terraform.tfstate", id="missing-s3-resource"),
    ],
)
def test_tfstate_failures_through_the_cli(tmp_path, aws, change, message) -> None:
    seed(aws)
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "tfstate-envfile-if", dest)
    name, edit = change
    if edit is None:
        (dest / name).unlink()
    else:
        (dest / name).write_text((dest / name).read_text().replace(*edit, 1))
    result = Project(dest, aws).run("plan", "--envfile", "production.env")
    assert result.returncode == 1
    assert "ecs-task-def.json: line " in result.stderr and message in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(("'/ecspresso-fixtures/zones', 0", "'/ecspresso-fixtures/zones', 7"), "ssm_list: index 7 is out of range", id="ssm-index"),
        pytest.param(("'/ecspresso-fixtures/db-password'", "'/ecspresso-fixtures/missing'"), "ssm: parameter /ecspresso-fixtures/missing not found", id="missing-parameter"),
        pytest.param(("ecspresso-fixtures/api-token", "ecspresso-fixtures/gone"), "secretsmanager_arn: secret ecspresso-fixtures/gone not found", id="missing-secret"),
        pytest.param(("'LogGroupName'", "'Nope'"), "cfn_output: output Nope not found in stack ecspresso-fixtures", id="missing-output"),
        pytest.param(("ExecutionRoleArn')", "Gone')"), "cfn_export: export ecspresso-fixtures-Gone not found", id="missing-export"),
        pytest.param(("memory: 256,", "memory: 256"), "Jsonnet syntax error: expected a comma", id="jsonnet-syntax"),
    ],
)
def test_lookup_failures_through_the_cli(tmp_path, aws, edit, message) -> None:
    seed(aws)
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "jsonnet-lookups", dest)
    path = dest / "ecs-task-def.jsonnet"
    assert edit[0] in path.read_text()
    path.write_text(path.read_text().replace(*edit, 1))
    result = Project(dest, aws).run("plan", "-c", "ecspresso.jsonnet", "--ext-str", "stage=production", "--ext-code", "replicas=2")
    assert result.returncode == 1
    assert "ecs-task-def.jsonnet: line " in result.stderr and message in result.stderr, result.stderr


def test_task_definition_only_config_registers_and_plans_no_service(tmp_path, aws) -> None:
    seed(aws)
    dest = tmp_path / "task-only"
    shutil.copytree(FIXTURES / "task-only", dest)
    project = Project(dest, aws)
    _create(project, "ecspresso.yml", [], {})
    result = project.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.37"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "register_task_definition" in result.stdout and "service" not in result.stdout.replace("services match", ""), result.stdout
    revisions = aws.client("ecs").list_task_definitions(familyPrefix="batch-job")["taskDefinitionArns"]
    assert [r.rsplit(":", 1)[1] for r in revisions] == ["1", "2"]
    project.assert_plans_clean(env={"IMAGE_TAG": "1.37"})
    refused = project.run("status")
    assert refused.returncode == 1
    assert "ecspresso.yml: has a task definition and no service; `ecsplan status` needs a service" in refused.stderr, refused.stderr


def test_ignore_tags_drops_those_tags_from_the_files(tmp_path: Path) -> None:
    from planner.desired import desired_from_config

    tags = '"tags": [{"key": "CostCenter", "value": "1"}, {"key": "team", "value": "web"}]'
    config = write(tmp_path, {
        "ecspresso.yml": "service: web\nservice_definition: sd.json\ntask_definition: td.json\nignore:\n  tags: [CostCenter]\n",
        "td.json": '{"family": "app", %s, "containerDefinitions": [{"name": "a", "image": "x"}]}' % tags, "sd.json": "{%s}" % tags,
    })
    d = desired_from_config(load_config(config, environ={}))
    assert d.ignore_tags == ("CostCenter",)
    assert d.task_definition["tags"] == d.service_definition["tags"] == [{"key": "team", "value": "web"}]
    (tmp_path / "ecspresso.yml").write_text("task_definition: td.json\nignore:\n  tag: [x]\n")
    with pytest.raises(ConfigError, match="ignore.tag: unknown key; ignore takes tags"):
        load_config(config, environ={})


def test_ignored_keys_note_names_each_key_once(tmp_path: Path) -> None:
    from planner.desired import desired_from_config, ignored_keys_note

    config = write(tmp_path, {"ecspresso.yml": "task_definition: td.json\nfilter_command: peco\nrequired_version: '>=2'\n"
                                               "appspec: {Resources: []}\n", "td.json": TD % "x"})
    d = desired_from_config(load_config(config, environ={}))
    assert ignored_keys_note([d, d]) == "ecsplan ignores these ecspresso keys: filter_command, required_version, appspec.Resources"
    assert ignored_keys_note([attrs.evolve(d, ignored_keys=())]) is None
