"""planner/schema.py is generated from botocore (python -m providers.schema). Every member it
records must still exist in the installed botocore model: a member that vanished would make
ecsplan ignore a field it should compare. (botocore adding members is fine: new AWS fields stay
ignored unless declared, until someone regenerates.)"""

from planner.schema import SCHEMA
from providers.schema import generate


def test_every_recorded_member_still_exists_in_botocore():
    now = generate()
    missing = [f"{kind}:{path}.{m}" for kind, paths in SCHEMA.items() for path, members in paths.items()
               for m in members if m not in set(now[kind].get(path, ()))]
    assert missing == []


def test_schema_knows_the_core_fields():
    assert {"image", "environment", "portMappings"} <= SCHEMA["task"]["containerDefinitions[*]"]
    assert {"maximumPercent", "deploymentCircuitBreaker"} <= SCHEMA["service"]["deploymentConfiguration"]
