"""Every option and environment variable is checked before the first write (issue 13): a bad
ECSPLAN_POLL_INTERVAL, an --out nobody can write, a plan file that is a folder or binary, an
init --dir that names a file: one message, exit 1, no traceback, nothing sent to AWS."""

from __future__ import annotations

import os

import pytest

import cli


def run(project, monkeypatch, capsys, *args, env=None):
    """cli.main in process, as the CLI subprocess would run it (same environment and folder)."""
    monkeypatch.chdir(project.path)
    project.aws.server.clear_requests()
    with project._environ(env):
        code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize("value", ["fast", "-1", "nan", "inf"])
@pytest.mark.parametrize("command", [["apply", "--auto-approve"], ["wait"], ["rollback", "--auto-approve"]])
def test_a_bad_poll_interval_stops_the_command_before_any_request(project, monkeypatch, capsys, command, value):
    code, _, err = run(project, monkeypatch, capsys, *command, env={"ECSPLAN_POLL_INTERVAL": value})
    assert (code, err) == (1, f"ecsplan: error: ECSPLAN_POLL_INTERVAL must be a number of seconds (0 or more), not {value!r}; "
                              "nothing was done\n")
    assert project.aws.server.requests == []


def test_out_into_a_missing_folder_is_refused_before_any_request(project, monkeypatch, capsys, tmp_path):
    target = tmp_path / "missing" / "plan.json"
    for command in (["plan"], ["rollback"]):
        code, _, err = run(project, monkeypatch, capsys, *command, "--out", str(target))
        assert (code, err) == (1, f"ecsplan: error: --out {target}: folder {target.parent} does not exist; nothing was done\n")
        assert project.aws.server.requests == []


def test_out_naming_a_folder_is_refused(project, monkeypatch, capsys, tmp_path):
    code, _, err = run(project, monkeypatch, capsys, "plan", "--out", str(tmp_path))
    assert (code, err) == (1, f"ecsplan: error: --out {tmp_path}: is a folder; name a file\n")
    assert project.aws.server.requests == []


def test_out_into_an_unwritable_folder_is_refused(project, monkeypatch, capsys, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes into any folder: the check is what is tested
        monkeypatch.setattr(os, "access", lambda path, mode: str(path) != str(folder))
    code, _, err = run(project, monkeypatch, capsys, "plan", "--out", str(folder / "plan.json"))
    assert (code, err) == (1, f"ecsplan: error: --out {folder / 'plan.json'}: folder {folder} is not writable; nothing was done\n")
    assert project.aws.server.requests == []


def test_summary_file_into_a_missing_folder_is_refused(project, monkeypatch, capsys, tmp_path):
    target = tmp_path / "nope" / "summary.md"
    code, _, err = run(project, monkeypatch, capsys, "plan", "--summary-file", str(target))
    assert (code, err) == (1, f"ecsplan: error: --summary-file {target}: folder {target.parent} does not exist; nothing was done\n")
    assert project.aws.server.requests == []


def test_apply_given_a_folder_or_a_binary_file_says_so(project, monkeypatch, capsys, tmp_path):
    binary = tmp_path / "plan.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    code, _, err = run(project, monkeypatch, capsys, "apply", str(tmp_path))
    assert (code, err) == (1, f"ecsplan: error: {tmp_path}: is a folder, not a plan file\n")
    code, _, err = run(project, monkeypatch, capsys, "apply", str(binary))
    assert (code, err) == (1, f"ecsplan: error: {binary}: not a plan file (not UTF-8 text: a binary file?)\n")
    assert project.aws.server.requests == []


def test_init_dir_naming_a_file_is_refused_before_any_request(project, monkeypatch, capsys):
    (project.path / "afile").write_text("x")
    code, _, err = run(project, monkeypatch, capsys, "init", "--cluster", "ecsplan-demo", "--service", "web", "--dir", "afile")
    assert (code, err) == (1, "ecsplan: error: --dir afile: is a file, not a folder; nothing was written\n")
    assert project.aws.server.requests == []
    assert (project.path / "afile").read_text() == "x"
