"""The front door: `ecsplan demo` end to end in a subprocess, as a new user runs it."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_the_whole_loop():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["NO_COLOR"] = "1"
    env["ECSPLAN_POLL_INTERVAL"] = "0"  # the demo polls every 0.05 s to show progress; no sleeps in tests
    res = subprocess.run([sys.executable, str(ROOT / "cli.py"), "demo"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    assert '~ containerDefinitions[web].image: "public.ecr.aws/nginx/nginx:1.25" -> "public.ecr.aws/nginx/nginx:1.27"' in out
    assert "Plan: 1 to register, 1 to update." in out
    assert "deployment completed" in out and "Apply complete" in out
    assert re.search(r"No changes. The live services match the definitions.\nPlan id: [0-9a-f]{12}\nexit code: 0", out)
    assert "ECS deployment circuit breaker: tasks failed to start; ECS rolled back to web:2" in out
    # blue/green beside the rolling service, planned together; the re-plan is clean after the swap
    assert "# web (cluster ecsplan-demo, controller ECS): no changes" in out
    assert "+ create_deployment: blue/green deployment through CodeDeploy" in out
    assert "suspend_autoscaling: suspended auto scaling of service/ecsplan-demo/web-bg" in out
    assert "CodeDeploy deployment d-" in out and "Succeeded; the service runs web-bg:2" in out
    assert "resume_autoscaling: resumed auto scaling" in out
    assert out.rstrip().endswith("`ecsplan plan -c ecspresso.yml`.")
    assert "# web-bg (cluster ecsplan-demo, controller CODE_DEPLOY): no changes" in out
    # ECS-native blue/green: a successful service deployment, a clean re-plan, a failed hook rolled back
    assert "deployment: strategy BLUE_GREEN: new tasks start beside the old ones" in out
    assert "SUCCESSFUL: web-native:2 serves all production traffic, bake time 2m over" in out
    assert "# web-native (cluster ecsplan-demo, controller ECS): no changes" in out
    assert "Lifecycle hook arn:aws:lambda:us-east-1:123456789012:function:ValidateFail returned FAILED at stage POST_TEST_TRAFFIC_SHIFT" in out
    assert "\033[" not in out and "Traceback" not in res.stderr


def test_demo_without_moto_says_how_to_install_it():
    # sys.modules["moto"] = None makes every `import moto` fail, as on a machine without it.
    code = "import sys; sys.modules['moto'] = None; import cli; sys.exit(cli.main(['demo']))"
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert "pip install 'ecsplan[sandbox]'" in res.stderr and "Traceback" not in res.stderr

