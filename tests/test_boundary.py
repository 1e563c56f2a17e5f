"""planner/ is pure: it never imports boto3, botocore or moto (DESIGN.md)."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORBIDDEN = {"boto3", "botocore", "moto"}


def test_planner_sources_import_no_aws_library():
    offenders = []
    for path in sorted((ROOT / "planner").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_planner_module_loads_no_aws_library():
    modules = [
        "planner." + ".".join(p.relative_to(ROOT / "planner").with_suffix("").parts)
        for p in (ROOT / "planner").rglob("*.py")
        if p.name != "__init__.py"
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3','botocore','moto'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_version_and_help_load_neither_boto3_nor_deepdiff():
    """`ecsplan --version` and `--help` must be instant: the heavy libraries load when a command runs."""
    code = (
        "import sys, cli\n"
        "for argv in (['--version'], ['--help'], ['plan', '--help']):\n"
        "    try:\n        cli.main(argv)\n    except SystemExit:\n        pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'deepdiff', 'moto'}), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"
    assert "ecsplan " in out.stdout and "usage: ecsplan plan" in out.stdout


def test_the_sandbox_shares_no_code_with_the_planner():
    """A stand-in for AWS must not share the engine's beliefs."""
    offenders = []
    for path in sorted((ROOT / "providers" / "sandbox").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "planner"]
    assert offenders == []
