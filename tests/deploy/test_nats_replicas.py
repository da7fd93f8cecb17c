"""The stream's replicas the services ask for (ANTRE_NATS_REPLICAS) fit the NATS each overlay runs:
three on prod's three-node cluster, one (the default) on dev's single node, where three would
make every service fail to create the hall's stream."""

from __future__ import annotations

from typing import Any

from antre.settings import ServiceSettings


def replicas_asked(objects: list[dict[str, Any]]) -> int:
    (env,) = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("antre-env")
    ]
    return ServiceSettings(
        **{k[6:].lower(): v for k, v in env["data"].items() if k.startswith("ANTRE_")}
    ).nats_replicas


def nats_nodes(objects: list[dict[str, Any]]) -> int:
    (nats,) = [o for o in objects if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "nats"]
    return int(nats["spec"]["replicas"])


def test_prod_asks_for_three_replicas_on_three_nodes(rendered) -> None:
    assert nats_nodes(rendered["prod"]) == 3
    assert replicas_asked(rendered["prod"]) == 3


def test_dev_keeps_one_replica_on_its_one_node(rendered) -> None:
    assert nats_nodes(rendered["dev"]) == 1
    assert replicas_asked(rendered["dev"]) == 1


def test_no_overlay_asks_for_more_replicas_than_nodes(rendered) -> None:
    for name, objects in rendered.items():
        assert replicas_asked(objects) <= nats_nodes(objects), name
