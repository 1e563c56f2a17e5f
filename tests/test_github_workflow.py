"""The GitHub Actions workflow in docs/github-actions/ecsplan.yml does what docs/github-actions.md
says: pure checks of the YAML, and (when node is installed) its two inline scripts run against a
fake GitHub API. No network."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "docs" / "github-actions" / "ecsplan.yml"
DOC = ROOT / "docs" / "github-actions.md"
HEAD = "a" * 40
PLAN_ID = "0123456789abcdef" * 4
NODE = shutil.which("node")


def _workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def _step(job, name=None, uses=None):
    steps = _workflow()["jobs"][job]["steps"]
    found = [s for s in steps if (name and s.get("name") == name) or (uses and s.get("uses", "").startswith(uses + "@"))]
    assert len(found) == 1, f"{job}: one step named {name or uses}, found {len(found)}"
    return found[0]


def test_the_doc_embeds_the_workflow_file_verbatim():
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(), flags=re.S | re.M)
    assert blocks == [WORKFLOW.read_text()]


def test_triggers_and_jobs():
    wf = _workflow()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(on) == {"pull_request", "push"} and on["push"]["branches"] == ["main"]
    assert on["pull_request"]["paths"] == on["push"]["paths"]
    assert set(wf["jobs"]) == {"plan", "apply"}
    assert wf["jobs"]["plan"]["if"] == "github.event_name == 'pull_request'"
    assert wf["jobs"]["apply"]["if"] == "github.event_name == 'push'"


def test_least_permissions_per_job():
    wf = _workflow()
    assert wf["permissions"] == {}
    assert wf["jobs"]["plan"]["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    assert wf["jobs"]["apply"]["permissions"] == {"contents": "read", "pull-requests": "read", "actions": "read", "id-token": "write"}


def test_apply_runs_one_at_a_time_and_is_never_cancelled():
    assert _workflow()["jobs"]["apply"]["concurrency"] == {"group": "ecsplan-apply", "cancel-in-progress": False}


def test_every_action_is_pinned_to_a_commit_sha_with_its_version():
    lines = [line.strip() for line in WORKFLOW.read_text().splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert len(lines) == 9
    for line in lines:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line
    # The same action at the same pin everywhere.
    pins = {}
    for line in lines:
        action, sha = line.split("uses: ")[1].split(" #")[0].split("@")
        assert pins.setdefault(action, sha) == sha, action


def test_ecsplan_is_installed_at_the_projects_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    installs = re.findall(r"pip install (.*)", WORKFLOW.read_text())
    assert installs == [f'"ecsplan=={version}"'] * 2


def test_plan_step_saves_the_plan_and_never_fails_before_the_comment():
    plan = _step("plan", name="plan")
    assert "ecsplan plan -c deploy/ --out plan.json --detailed-exitcode" in plan["run"]
    assert "--summary-file plan.md" in plan["run"] and "2> plan.err" in plan["run"]
    assert 'echo "exitcode=$code" >> "$GITHUB_OUTPUT"' in plan["run"]
    assert '"plan_id=" + d["plan_id"]' in plan["run"] and 'd["summary"]["blocked"]' in plan["run"]


def test_the_saved_plan_is_uploaded_under_the_head_sha_only_when_it_can_be_applied():
    upload = _step("plan", uses="actions/upload-artifact")
    assert upload["with"]["name"] == "ecsplan-plan-${{ github.event.pull_request.head.sha }}"
    assert upload["with"]["path"] == "plan.json" and upload["with"]["overwrite"] is True
    assert upload["if"] == "steps.plan.outputs.exitcode == '0' || steps.plan.outputs.exitcode == '2'"


def test_the_comment_is_posted_whatever_happened_then_the_job_fails():
    steps = _workflow()["jobs"]["plan"]["steps"]
    names = [s.get("name") for s in steps]
    comment, fail = _step("plan", name="comment"), _step("plan", name="fail on a failed or blocked plan")
    assert comment["if"] == "${{ !cancelled() }}"
    assert names.index("comment") == names.index("fail on a failed or blocked plan") - 1 == len(steps) - 2
    assert fail["if"] == "${{ !cancelled() && steps.plan.outputs.exitcode != '0' && steps.plan.outputs.exitcode != '2' }}"
    assert "exit 1" in fail["run"]
    env = comment["env"]
    assert env["RUN_URL"] == "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"
    assert env["HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}" and env["UPLOADED"] == "${{ steps.upload.outcome }}"


def test_apply_downloads_exactly_the_reviewed_plan_and_applies_it_by_id():
    steps = _workflow()["jobs"]["apply"]["steps"]
    download, apply = _step("apply", uses="actions/download-artifact"), _step("apply", name="apply")
    assert steps[0]["id"] == "reviewed" and "listPullRequestsAssociatedWithCommit" in steps[0]["with"]["script"]
    assert download["with"] == {
        "name": "ecsplan-plan-${{ steps.reviewed.outputs.head_sha }}",
        "run-id": "${{ steps.reviewed.outputs.run_id }}",
        "github-token": "${{ github.token }}",
    }
    assert apply["env"] == {"PLAN_ID": "${{ steps.reviewed.outputs.plan_id }}"}
    assert apply["run"].startswith('ecsplan apply plan.json --plan-id "$PLAN_ID"')
    assert steps.index(download) < steps.index(apply)
    # Nothing plans in the apply job.
    assert [s["run"].split()[:2] for s in steps if "run" in s] == [["pip", "install"], ["ecsplan", "apply"]]
    assert "actions/checkout" not in json.dumps(steps)


def _scripts():
    return {job: [s["with"]["script"] for s in _workflow()["jobs"][job]["steps"] if "script" in s.get("with", {})] for job in ("plan", "apply")}


def test_scripts_read_event_data_from_env_never_from_expressions():
    scripts = _scripts()
    assert [len(scripts["plan"]), len(scripts["apply"])] == [1, 1]
    for script in scripts["plan"] + scripts["apply"]:
        assert "${{" not in script  # an expression in a script is code injection (a branch name, a title)


def test_the_marker_the_plan_job_writes_is_the_one_the_apply_job_reads():
    written = re.search(r"const marker = `(.*)`;", _scripts()["plan"][0]).group(1)
    read = re.search(r"\.match\(/(.*)/\);", _scripts()["apply"][0]).group(1)
    line = written.replace("${planId}", PLAN_ID).replace("${env.HEAD_SHA}", HEAD).replace("${env.RUN_ID}", "42")
    assert re.fullmatch(read, line).groups() == (PLAN_ID, HEAD, "42")
    assert re.fullmatch(read, line.replace(PLAN_ID, "")).groups() == ("", HEAD, "42")
    assert re.fullmatch(read, line.replace("42", "4 2")) is None


# --- the inline scripts, run by node against a fake GitHub API ---

HARNESS = r"""
const fs = require('fs');
const [script, scenario] = [fs.readFileSync(process.argv[2], 'utf8'), JSON.parse(fs.readFileSync(process.argv[3], 'utf8'))];
const calls = [], outputs = {};
let failed = null;
const github = {
  paginate: async (fn, args) => fn(args).then((r) => r.data),
  rest: {
    issues: {
      listComments: async (args) => { calls.push(['comments', args.issue_number]); return {data: scenario.comments}; },
      updateComment: async (args) => { calls.push(['update', args]); },
      createComment: async (args) => { calls.push(['create', args]); },
    },
    repos: {listPullRequestsAssociatedWithCommit: async (args) => { calls.push(['prs', args]); return {data: scenario.prs}; }},
  },
};
const context = {repo: {owner: 'o', repo: 'r'}, issue: {number: 7}, sha: scenario.sha};
const core = {setFailed: (m) => { failed = m; }, setOutput: (k, v) => { outputs[k] = v; }, info: () => {}};
Object.assign(process.env, scenario.env || {});
const run = new (Object.getPrototypeOf(async function () {}).constructor)('require', 'github', 'context', 'core', script);
run(require, github, context, core).then(() => console.log(JSON.stringify({calls, outputs, failed})));
"""

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _run(tmp_path, job, scenario, files=None):
    (tmp_path / "harness.js").write_text(HARNESS)
    (tmp_path / "script.js").write_text(_scripts()[job][0])
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    done = subprocess.run([NODE, "harness.js", "script.js", "scenario.json"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def _plan_env(exitcode, plan_id=PLAN_ID, blocked="0", uploaded="success"):
    return {"EXITCODE": exitcode, "PLAN_ID": plan_id, "BLOCKED": blocked, "UPLOADED": uploaded, "HEAD_SHA": HEAD, "RUN_ID": "42",
            "RUN_URL": "https://github.com/o/r/actions/runs/42"}


OURS = {"id": 5, "user": {"login": "github-actions[bot]"}, "body": f"<!-- ecsplan plan_id={PLAN_ID} head_sha={'b' * 40} run_id=41 -->\n\nold plan"}
QUOTE = {"id": 6, "user": {"login": "someone"}, "body": "<!-- ecsplan plan_id= head_sha= run_id= -->"}


@needs_node
def test_the_plan_comment_carries_the_id_sha_and_run_and_updates_the_one_comment(tmp_path):
    out = _run(tmp_path, "plan", {"comments": [QUOTE, OURS], "env": _plan_env("2")}, {"plan.md": "## ecsplan plan: 1 of 1 service will change\n"})
    assert out["calls"][0] == ["comments", 7]
    assert [c[0] for c in out["calls"][1:]] == ["update"] and out["calls"][1][1]["comment_id"] == 5
    body = out["calls"][1][1]["body"]
    assert body.split("\n")[0] == f"<!-- ecsplan plan_id={PLAN_ID} head_sha={HEAD} run_id=42 -->"
    assert f"Commit {HEAD} · [workflow run](https://github.com/o/r/actions/runs/42) · plan `{PLAN_ID[:12]}`" in body
    assert body.endswith("## ecsplan plan: 1 of 1 service will change\n") and "old plan" not in body


@needs_node
def test_a_failed_plan_replaces_the_previous_plan_with_its_error_output_and_no_id(tmp_path):
    err = "ecsplan: error: deploy/ecsplan.yml: ``` no such service\n"
    out = _run(tmp_path, "plan", {"comments": [OURS], "env": _plan_env("1", plan_id="", blocked="")}, {"plan.err": err, "plan.md": "stale"})
    body = out["calls"][-1][1]["body"]
    assert body.startswith(f"<!-- ecsplan plan_id= head_sha={HEAD} run_id=42 -->\n")
    assert "**The plan failed** (exit code 1)" in body and "\n````text\n" + err.strip() + "\n````" in body
    assert "stale" not in body and "old plan" not in body and "plan `" not in body


@needs_node
def test_a_blocked_plan_is_shown_with_no_id_and_a_first_comment_is_created(tmp_path):
    out = _run(tmp_path, "plan", {"comments": [QUOTE], "env": _plan_env("1", blocked="1")}, {"plan.md": "BLOCKED PLAN"})
    assert [c[0] for c in out["calls"]] == ["comments", "create"]
    body = out["calls"][-1][1]["body"]
    assert body.startswith(f"<!-- ecsplan plan_id= head_sha={HEAD} run_id=42 -->") and "**The plan is blocked**" in body
    assert body.endswith("BLOCKED PLAN")


@needs_node
def test_a_plan_not_uploaded_or_a_job_failing_before_ecsplan_records_no_id(tmp_path):
    out = _run(tmp_path, "plan", {"comments": [], "env": _plan_env("2", uploaded="failure")}, {"plan.md": "PLAN"})
    body = out["calls"][-1][1]["body"]
    assert body.startswith("<!-- ecsplan plan_id= ") and "**The saved plan was not uploaded**" in body
    (tmp_path / "again").mkdir()
    out = _run(tmp_path / "again", "plan", {"comments": [], "env": _plan_env("", plan_id="", blocked="", uploaded="skipped")})
    assert "**The plan job failed before ecsplan ran**" in out["calls"][-1][1]["body"]


@needs_node
def test_long_error_output_keeps_its_end(tmp_path):
    err = "".join(f"line {i}\n" for i in range(5000)) + "ecsplan: error: the reason"
    out = _run(tmp_path, "plan", {"comments": [], "env": _plan_env("1", plan_id="", blocked="")}, {"plan.err": err})
    body = out["calls"][-1][1]["body"]
    assert "\n```text\n…" + err[-20000:] + "\n```" in body and "line 0\n" not in body


@needs_node
def test_a_comment_over_githubs_limit_is_replaced_by_a_pointer(tmp_path):
    out = _run(tmp_path, "plan", {"comments": [], "env": _plan_env("2")}, {"plan.md": "x" * 70_000})
    body = out["calls"][-1][1]["body"]
    assert len(body) < 1000 and body.startswith(f"<!-- ecsplan plan_id={PLAN_ID} ") and "too long for a comment" in body


MERGE = "c" * 40


def _pr(head=HEAD, merge=MERGE):
    return {"number": 7, "merged_at": "2026-01-01T00:00:00Z", "merge_commit_sha": merge, "head": {"sha": head}}


def _ours(plan_id=PLAN_ID, head=HEAD):
    return {"id": 5, "user": {"login": "github-actions[bot]"}, "body": f"<!-- ecsplan plan_id={plan_id} head_sha={head} run_id=42 -->\n\nplan"}


@needs_node
def test_apply_finds_the_merged_prs_reviewed_plan(tmp_path):
    other = {"number": 3, "merged_at": "2025-01-01T00:00:00Z", "merge_commit_sha": "d" * 40, "head": {"sha": "e" * 40}}
    forged = {"id": 9, "user": {"login": "mallory"}, "body": f"<!-- ecsplan plan_id={'f' * 64} head_sha={HEAD} run_id=1 -->"}
    out = _run(tmp_path, "apply", {"sha": MERGE, "prs": [other, _pr()], "comments": [forged, _ours()]})
    assert out["failed"] is None
    assert out["outputs"] == {"pr": "7", "head_sha": HEAD, "run_id": "42", "plan_id": PLAN_ID}
    assert out["calls"] == [["prs", {"owner": "o", "repo": "r", "commit_sha": MERGE}], ["comments", 7]]


@needs_node
@pytest.mark.parametrize(
    ("prs", "comments", "why"),
    [
        ([], [], f"{MERGE} is not the merge of a pull request (a direct push?)"),
        ([dict(_pr(), merged_at=None)], [_ours()], f"{MERGE} is not the merge of a pull request (a direct push?)"),
        ([_pr()], [QUOTE], "#7 has no ecsplan plan comment"),
        ([_pr()], [_ours(head="b" * 40)], f"#7 was merged at {HEAD}, but its last plan is for {'b' * 40}"),
        ([_pr()], [_ours(plan_id="")], f"#7: the plan of {HEAD} failed, is blocked or was not uploaded"),
        ([_pr()], [dict(_ours(), body="<!-- ecsplan plan_id=x -->")], "#7: the plan comment's first line is not an ecsplan marker"),
    ],
)
def test_apply_without_a_reviewed_plan_fails_and_says_why(tmp_path, prs, comments, why):
    out = _run(tmp_path, "apply", {"sha": MERGE, "prs": prs, "comments": comments})
    assert out["failed"] == f"{why}: there is no reviewed plan to apply, nothing was applied. Deploy through a pull request whose plan succeeded."
    assert out["outputs"] == {}


# --- the plan job's shell step and comment script, run on the sandbox: ecsplan does what they expect ---


def _plan_job(project, bin_dir, env=None):
    """The plan step's script as the workflow has it (with -c naming the project's config), then
    the comment script fed with the step's outputs, as GitHub would; returns (outputs, comment)."""
    script = _step("plan", name="plan")["run"].replace("-c deploy/", "-c ecspresso.yml")
    outputs, summary = project.path / "github_output", project.path / "step_summary"
    outputs.write_text("")
    full_env = project._env({**(env or {}), "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
                             "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    done = subprocess.run(["bash", "-e", "-c", script], cwd=project.path, env=full_env, capture_output=True, text=True, timeout=120, check=True)
    got = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    code = got["exitcode"]
    uploaded = "success" if code in ("0", "2") else "skipped"
    env = _plan_env(code, plan_id=got.get("plan_id", ""), blocked=got.get("blocked", ""), uploaded=uploaded)
    out = _run(project.path, "plan", {"comments": [OURS], "env": env})
    return got, out["calls"][-1][1]["body"], done.stderr


@needs_node
def test_the_plan_job_end_to_end_on_the_sandbox(project, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, target in (("ecsplan", f'"{sys.executable}" "{ROOT / "cli.py"}"'), ("python", f'"{sys.executable}"')):
        (bin_dir / name).write_text(f'#!/bin/sh\nexec {target} "$@"\n')
        (bin_dir / name).chmod(0o755)
    project.deploy()
    project.aws.server.clear_requests()

    got, body, log = _plan_job(project, bin_dir, env={"IMAGE_TAG": "1.27"})  # changes
    saved = json.loads((project.path / "plan.json").read_text())
    assert got == {"exitcode": "2", "plan_id": saved["plan_id"], "blocked": "0"} and re.fullmatch(r"[0-9a-f]{64}", saved["plan_id"])
    assert body.startswith(f"<!-- ecsplan plan_id={saved['plan_id']} head_sha={HEAD} run_id=42 -->\n")
    assert "## ecsplan plan: 1 of 1 service changes" in body and "1.27" in body

    sd = project.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"launchType": "FARGATE"', '"launchType": "EC2"'))
    got, body, log = _plan_job(project, bin_dir)  # blocked: saved, exit 1
    assert got["exitcode"] == "1" and got["blocked"] == "1"
    assert body.startswith(f"<!-- ecsplan plan_id= head_sha={HEAD} ") and "**The plan is blocked**" in body and "launchType" in body

    sd.write_text("{not json")
    got, body, log = _plan_job(project, bin_dir)  # an error: no plan, no plan file, the error in the comment
    assert got == {"exitcode": "1"} and not (project.path / "plan.json").exists()
    assert "**The plan failed** (exit code 1)" in body and "\n```text\necsplan: error:" in body and "ecs-service-def.json" in body
    assert "ecsplan: error:" in log  # the job's log shows it too
    assert "## ecsplan plan" not in body
    assert project.aws.mutations() == []
