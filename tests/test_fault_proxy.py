"""The fault-injecting proxy itself (providers/sandbox/faults.py): how it names a request, and
each fault as a botocore client sees it, with what reached the sandbox behind it."""

from __future__ import annotations

import threading

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers
import pytest

from providers.sandbox.faults import identify
from tests.helpers_cli import REGION

SCOPE = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"


def _client(proxy, name):
    """A client with no retry: each call reaches the proxy once."""
    config = botocore.config.Config(retries={"mode": "standard", "max_attempts": 0}, read_timeout=30)
    return boto3.client(name, region_name=REGION, endpoint_url=proxy.endpoint_url, config=config,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_a_request_is_named_by_its_credential_scope_and_its_target_or_action():
    json_headers = {"Authorization": SCOPE.format("ecs"), "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeServices"}
    assert identify(json_headers, "/", b"{}") == ("ecs", "DescribeServices")
    form = {"Authorization": SCOPE.format("sts"), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert identify(form, "/", b"Action=GetCallerIdentity&Version=2011-06-15") == ("sts", "GetCallerIdentity")
    assert identify({"Authorization": SCOPE.format("ec2")}, "/?Action=DescribeVpcs&Version=1", b"") == ("ec2", "DescribeVpcs")
    assert identify({}, "/", b"") == ("?", "?")


def test_throttling_answers_the_first_calls_then_the_sandbox_does(faults):
    rule = faults.throttle("ecs", "ListClusters", times=2)
    ecs = _client(faults, "ecs")
    for _ in range(2):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            ecs.list_clusters()
        assert err.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ecs.list_clusters()["clusterArns"] == []
    ecs.list_task_definitions()  # another operation: not matched
    assert rule.hits == 2
    assert faults.calls == [("ecs", "ListClusters", "throttle")] * 2 + [("ecs", "ListClusters", None), ("ecs", "ListTaskDefinitions", None)]


def test_throttling_a_query_protocol_answers_xml(faults):
    faults.throttle("sts", times=1)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        _client(faults, "sts").get_caller_identity()
    assert err.value.response["Error"]["Code"] == "Throttling"


def test_a_5xx_has_a_json_body_even_from_sts(faults):
    faults.fail("ecs", "ListClusters", times=1, status=500)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        _client(faults, "ecs").list_clusters()
    assert err.value.response["Error"]["Code"] == "InternalFailure"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    faults.fail("sts")
    with pytest.raises(botocore.parsers.ResponseParserError, match='ServiceUnavailable'):
        _client(faults, "sts").get_caller_identity()
    with pytest.raises(ValueError, match="a 5xx"):
        faults.fail("sts", status=404)


def test_access_denied_on_one_operation_only(faults):
    faults.deny("codedeploy", "ListDeploymentTargets")
    codedeploy = _client(faults, "codedeploy")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        codedeploy.list_deployment_targets(deploymentId="d-1")
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert codedeploy.list_applications()["applications"] == []


def test_a_dropped_reply_comes_after_the_write_reached_the_sandbox(faults, aws):
    faults.drop("ecs", "CreateCluster")
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        _client(faults, "ecs").create_cluster(clusterName="dropped")
    assert [r.action for r in aws.mutations()] == [] and [r.action for r in aws.server.requests] == ["CreateCluster"]
    assert aws.client("ecs").describe_clusters(clusters=["dropped"])["clusters"][0]["status"] == "ACTIVE"


def test_a_stalled_reply_is_held_until_released(faults):
    ecs = _client(faults, "ecs")  # made before the thread: a boto3 client is thread-safe once made
    rule = faults.stall("ecs", "ListClusters", times=1)
    got: list[object] = []
    caller = threading.Thread(target=lambda: got.append(ecs.list_clusters()))
    caller.start()
    assert rule.hit.wait(30)
    caller.join(0.05)
    assert caller.is_alive() and got == []  # held
    faults.release()
    caller.join(30)
    assert not caller.is_alive() and got[0]["clusterArns"] == []
