"""The bad-input corpus (fixtures/bad/<case>/, see its README): each case is the demo project with
some files replaced; `ecsplan plan` on it (or the command line in args.txt, with the variables of
env.txt set) must exit 1 with the message in expect.txt on stderr, no traceback, and no mutating
request reaching AWS. Run in process (cli.main) to stay fast."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

import cli
from tests.helpers_cli import ROOT

CORPUS = ROOT / "fixtures" / "bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def test_corpus_is_big_enough():
    assert len(CASES) >= 60


def _materialise(case: Path, dest: Path) -> None:
    for item in case.iterdir():
        if item.name in ("expect.txt", "pad.txt", "args.txt", "env.txt"):
            continue
        shutil.copy(item, dest / item.name)
    pad = case / "pad.txt"
    if pad.exists():  # a file over the size limit, made here rather than kept in git
        name, size = pad.read_text().split()
        with open(dest / name, "a") as handle:
            handle.write(" " * int(size))


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_before_aws(name, project, capsys, monkeypatch):
    case = CORPUS / name
    _materialise(case, project.path)
    expect = (case / "expect.txt").read_text().strip()
    args = shlex.split((case / "args.txt").read_text()) if (case / "args.txt").exists() else ["plan"]
    env_file = case / "env.txt"
    env = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if line) if env_file.exists() else None
    monkeypatch.chdir(project.path)
    with project._environ(env):
        try:
            code = cli.main(args)
        except SystemExit as exit_:  # argparse refusing an option value
            code = exit_.code
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    for line in expect.splitlines():
        assert line in err, err
    assert project.aws.mutations() == []
