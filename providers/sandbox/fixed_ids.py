"""Seeding helpers: network resources and target groups created with the ids a project names.

Not an AWS behaviour and not a patch: AWS chooses the id of every subnet, security group and
target group it creates, and so does moto. A project's service definition names existing ones
(``awsvpcConfiguration.subnets`` / ``securityGroups``, ``loadBalancers[].targetGroupArn``), and
the sandbox's ECS refuses a service whose subnets or security groups do not exist (moto's
``Service._validate_network``, as CreateService does: "Error retrieving subnet information").
So ``ecsplan sandbox --seed`` creates them here, in moto's backends (in this process: the
server's and ``in_process()``'s), with exactly those ids, so that the project's files plan
unchanged against the sandbox. The VPC that holds them gets a fresh id: a service definition
never names it.

- Subnets and security groups are created through moto's own backend calls, with moto's id
  function (``random_subnet_id`` / ``random_security_group_id``, module globals of moto's
  models) answering the wanted id for that one call, under the sandbox's state lock.
- A target group is created by moto and then filed under the wanted ARN (its name is taken from
  the ARN, ``targetgroup/<name>/<id>``).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Sequence
from typing import Any

from providers.errors import SandboxError
from providers.sandbox.common import _STATE_LOCK

ACCOUNT = "123456789012"  # moto's default account: the one the sandbox's STS answers
_VPC_CIDR = "10.0.0.0/16"


@contextlib.contextmanager
def _id_is(module_name: str, function: str, wanted: str) -> Iterator[None]:
    module = importlib.import_module(module_name)
    original = getattr(module, function)
    setattr(module, function, lambda: wanted)
    try:
        yield
    finally:
        setattr(module, function, original)


def _ec2(region: str) -> Any:
    from moto.ec2.models import ec2_backends  # noqa: PLC0415 - moto is the optional `sandbox` extra

    return ec2_backends[ACCOUNT][region]


def _vpc_for(backend: Any) -> Any:
    """The one VPC the seeded subnets go in (created once per region, tagged for the reader)."""
    for vpc in backend.vpcs.values():
        if vpc.get_tags() and any(t.get("key") == "ecsplan:seed" for t in vpc.get_tags()):
            return vpc
    return backend.create_vpc(_VPC_CIDR, tags=[{"Key": "ecsplan:seed", "Value": "true"}])


def _subnet_exists(backend: Any, subnet_id: str) -> bool:
    return any(subnet_id in per_zone for per_zone in backend.subnets.values())


def create_network(region: str, subnets: Sequence[str], security_groups: Sequence[str]) -> list[str]:
    """Create the subnets and security groups that do not exist yet, with these ids, in one VPC
    of `region`; returns what was created ("subnet-... (10.0.1.0/24, us-east-1a)", ...)."""
    created: list[str] = []
    if not subnets and not security_groups:
        return created
    with _STATE_LOCK:
        backend = _ec2(region)
        vpc = _vpc_for(backend)
        taken = {sub.cidr_block for per_zone in backend.subnets.values() for sub in per_zone.values()}
        index = 0
        for subnet_id in dict.fromkeys(subnets):
            if _subnet_exists(backend, subnet_id):
                continue
            index += 1
            while f"10.0.{index}.0/24" in taken:
                index += 1
            cidr, zone = f"10.0.{index}.0/24", f"{region}{'abc'[(index - 1) % 3]}"
            with _id_is("moto.ec2.models.subnets", "random_subnet_id", subnet_id):
                backend.create_subnet(vpc_id=vpc.id, cidr_block=cidr, availability_zone=zone)
            taken.add(cidr)
            created.append(f"{subnet_id} ({cidr}, {zone})")
        for group_id in dict.fromkeys(security_groups):
            if backend.get_security_group_from_id(group_id) is not None:
                continue
            with _id_is("moto.ec2.models.security_groups", "random_security_group_id", group_id):
                backend.create_security_group(name=group_id, description="seeded by ecsplan sandbox", vpc_id=vpc.id)
            created.append(group_id)
    return created


def create_target_group(arn: str) -> bool:
    """Create the target group this ARN names (HTTP:80, target type ip, in the seeded VPC of its
    region), unless it exists; True when created."""
    parts = arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("targetgroup/") or parts[5].count("/") != 2:
        raise SandboxError(f"{arn} is not a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)")
    region, name = parts[3], parts[5].split("/")[1]
    from moto.elbv2.models import elbv2_backends  # noqa: PLC0415 - moto is the optional `sandbox` extra

    with _STATE_LOCK:
        backend = elbv2_backends[ACCOUNT][region]
        if arn in backend.target_groups:
            return False
        if any(tg.name == name for tg in backend.target_groups.values()):
            raise SandboxError(f"cannot create {arn}: the sandbox already has a target group named {name} with another ARN")
        group = backend.create_target_group(name, vpc_id=_vpc_for(_ec2(region)).id, protocol="HTTP", port="80", target_type="ip")
        del backend.target_groups[group.arn]
        group.arn = arn
        backend.target_groups[arn] = group
    return True
