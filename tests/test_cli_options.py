"""Options from ecspresso's environment variables (its CLI reads ECSPRESSO_CONFIG, _ENVFILE,
_EXT_STR, _EXT_CODE, _TIMEOUT through kong `env:` tags): pure, on parsed arguments."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cli
from planner.errors import UsageError
from tests.helpers_cli import ROOT

ENV = {
    "ECSPRESSO_CONFIG": "deploy/ecspresso.yml",
    "ECSPRESSO_ENVFILE": "common.env, production.env",
    "ECSPRESSO_EXT_STR": "stage=production;tag=1.2=3",
    "ECSPRESSO_EXT_CODE": "replicas=2",
    "ECSPRESSO_TIMEOUT": "15m",
}


def parsed(*argv: str, environ: dict[str, str]) -> object:
    args = cli.build_parser().parse_args(list(argv))
    cli.apply_ecspresso_environment(args, environ)
    return args


def test_ecspresso_variables_fill_the_options_not_given() -> None:
    args = parsed("apply", environ=ENV)
    assert args.config == ["deploy/ecspresso.yml"]
    assert args.envfile == ["common.env", "production.env"]
    assert args.ext_str == [("stage", "production"), ("tag", "1.2=3")]
    assert args.ext_code == [("replicas", "2")]
    assert args.timeout == 900


def test_flags_given_win_over_the_variables() -> None:
    args = parsed("apply", "-c", "a.yml", "--envfile", "x.env", "--ext-str", "stage=dev", "--timeout", "1m", environ=ENV)
    assert (args.config, args.envfile, args.ext_str, args.timeout) == (["a.yml"], ["x.env"], [("stage", "dev")], 60)
    assert args.ext_code == [("replicas", "2")]


def test_a_saved_plan_is_not_mixed_with_ecspresso_config() -> None:
    args = parsed("apply", "plan.bin", environ=ENV)
    assert (args.config, args.envfile, args.ext_str) == ([], [], [])
    assert args.timeout == 900


def test_commands_without_the_option_are_left_alone() -> None:
    args = parsed("plan", environ={**ENV, "ECSPRESSO_CONFIG": "  "})
    assert args.config == [] and not hasattr(args, "timeout")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ECSPRESSO_TIMEOUT", "soon", "ECSPRESSO_TIMEOUT: 'soon' is not a duration like 10m, 90s or 1h30m"),
        ("ECSPRESSO_EXT_STR", "stage", "ECSPRESSO_EXT_STR: 'stage' is not KEY=VALUE"),
    ],
)
def test_malformed_variable_is_a_usage_error_naming_it(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parsed("apply", environ={name: value})
    assert str(info.value) == message


def test_ecspresso_config_variable_through_the_cli(tmp_path) -> None:
    """render needs no AWS call for a plain project: the whole path from the variable to the file."""
    (tmp_path / "ecspresso.yml").write_text("region: us-east-1\ntask_definition: td.json\n")
    (tmp_path / "td.json").write_text('{"family": "job", "containerDefinitions": [{"name": "a", "image": "{{ must_env `TAG` }}"}]}')
    (tmp_path / "tag.env").write_text("TAG=busybox:1.36\n")
    env = {"PATH": "/usr/bin:/bin", "ECSPRESSO_CONFIG": str(tmp_path / "ecspresso.yml"), "ECSPRESSO_ENVFILE": str(tmp_path / "tag.env")}
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "render", "taskdef"], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert '"image": "busybox:1.36"' in result.stdout


def test_the_commit_a_plan_names(tmp_path) -> None:
    """A pull_request run's GITHUB_SHA is GitHub's merge commit: the PR head is what was reviewed."""
    from providers.app import commit_of

    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"head": {"sha": "headsha"}}}')
    pr = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event), "GITHUB_SHA": "mergesha"}
    assert commit_of(pr) == "headsha"
    assert commit_of({**pr, "ECSPLAN_COMMIT": "mine"}) == "mine"
    assert commit_of({**pr, "GITHUB_EVENT_NAME": "push"}) == "mergesha"
    assert commit_of({**pr, "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}) == "mergesha"
    event.write_text("[]")
    assert commit_of(pr) == "mergesha"
    assert commit_of({}) is None


# ---- --parallelism ------------------------------------------------------------------------------


def test_parallelism_defaults_to_8_on_every_command_that_reads() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["plan"]).parallelism == 8
    assert parser.parse_args(["status", "--parallelism", "3"]).parallelism == 3
    assert parser.parse_args(["apply", "--parallelism", "1"]).parallelism == 1


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_parallelism_below_1_is_a_usage_error_naming_the_option(value: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(["plan", "--parallelism", value])
    assert info.value.code == cli.EXIT_ERROR
    assert capsys.readouterr().err.endswith(f"ecsplan: error: argument --parallelism: {value!r} is not a whole number >= 1\n")


def test_apply_with_parallelism_0_changes_nothing(project) -> None:
    project.aws.server.clear_requests()  # the fixture's network and cluster
    result = project.run("apply", "--auto-approve", "--parallelism", "0")
    assert result.returncode == 1
    assert "ecsplan: error: argument --parallelism: '0' is not a whole number >= 1" in result.stderr
    assert project.aws.mutations() == [] and project.aws.server.requests == []
