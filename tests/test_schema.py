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


def test_top_level_members_match_botocore():
    """The updatable service fields and where each is read back come from botocore's model."""
    from planner import schema
    from providers.schema import members

    assert {name: sorted(getattr(schema, name)) for name in members()} == members()


def test_every_updatable_service_field_is_compared_and_read_back_somewhere():
    from planner.normalize import DEPLOYMENT_REPORTED_FIELDS, REVISION_REPORTED_FIELDS, SERVICE_UPDATABLE
    from planner.schema import SERVICE_OUTPUT

    assert {"monitoring", "gatewayConnectors", "availabilityZoneRebalancing", "desiredCount"} <= set(SERVICE_UPDATABLE)
    assert set(REVISION_REPORTED_FIELDS) == {"monitoring", "gatewayConnectors"}
    assert set(DEPLOYMENT_REPORTED_FIELDS) == {"serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"}
    unread = set(SERVICE_UPDATABLE) - SERVICE_OUTPUT - set(DEPLOYMENT_REPORTED_FIELDS) - set(REVISION_REPORTED_FIELDS)
    assert unread == set()


def test_enums_match_botocore():
    """planner/semantic.py refuses values outside ENUMS: they must be what botocore lists now."""
    from planner.schema import ENUMS
    from providers.schema import enums

    assert {kind: {p: list(v) for p, v in paths.items()} for kind, paths in ENUMS.items()} == enums()
    assert ENUMS["task"]["networkMode"] == ("bridge", "host", "awsvpc", "none")
