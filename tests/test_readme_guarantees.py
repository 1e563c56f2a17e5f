"""README's "When things go wrong" section promises things; each promise (a bullet) must name
the test or the bad-input corpus case that holds ecsplan to it, and every test or case it names
must exist. A renamed test or a promise added without one fails here."""

from __future__ import annotations

import fnmatch
import re

from tests.helpers_cli import ROOT

TESTS = ROOT / "tests"
CORPUS = ROOT / "fixtures" / "bad"


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("\n## When things go wrong")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _bullets(section: str) -> list[str]:
    """Each bullet with its continuation lines."""
    bullets: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            bullets.append(line)
        elif bullets and line.startswith("  "):
            bullets[-1] += " " + line.strip()
        elif not line.strip() or line.startswith("#"):
            continue
    return bullets


def _test_names() -> dict[str, set[str]]:
    return {p.name: set(re.findall(r"^def (test_\w+)", p.read_text(), re.M)) for p in TESTS.glob("test_*.py")}


def _backs(token: str, names: dict[str, set[str]], cases: list[str]) -> bool | None:
    """True: an existing test, test file or corpus case; False: names one that does not exist;
    None: not a reference (a command, a key, a message)."""
    path = re.fullmatch(r"tests/(test_\w+\.py)(?:::(\S+))?", token)
    if path:
        file, func = path[1], path[2]
        if file not in names:
            return False
        return func is None or bool(fnmatch.filter(names[file], func))
    if token.startswith("test_"):
        return any(fnmatch.filter(funcs, token) for funcs in names.values())
    if re.fullmatch(r"[a-z0-9*]+(?:-[a-z0-9*]+)+", token) and token.split("-")[0] in {c.split("-")[0] for c in cases}:
        return bool(fnmatch.filter(cases, token))
    return None


def test_every_guarantee_names_a_test_that_exists():
    names = _test_names()
    cases = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    bullets = _bullets(_section())
    assert len(bullets) >= 8
    for bullet in bullets:
        verdicts = {token: _backs(token, names, cases) for _, token in re.findall(r"(`+)(.+?)\1(?!`)", bullet)}
        missing = [token for token, ok in verdicts.items() if ok is False]
        assert not missing, f"README names tests or cases that do not exist: {missing}\n{bullet}"
        assert any(verdicts.values()), f"a guarantee without a test:\n{bullet}"


def test_the_checker_tells_references_from_other_code():
    names = {"test_a.py": {"test_one", "test_two"}}
    cases = ["task-x", "service-y"]
    assert _backs("tests/test_a.py", names, cases) is True
    assert _backs("tests/test_a.py::test_t*", names, cases) is True
    assert _backs("tests/test_a.py::test_three", names, cases) is False
    assert _backs("tests/test_b.py", names, cases) is False
    assert _backs("test_one", names, cases) is True
    assert _backs("test_nine", names, cases) is False
    assert _backs("task-*", names, cases) is True
    assert _backs("task-z", names, cases) is False
    assert _backs("ecsplan wait -c ecspresso.yml", names, cases) is None
    assert _backs("clustr", names, cases) is None
