"""The NATS settings every service shares: one URL or a cluster's nodes, and the stream's replicas."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from antre.settings import ServiceSettings, nats_servers


def test_one_url_or_a_cluster_of_them() -> None:
    assert nats_servers("nats://127.0.0.1:4222") == ["nats://127.0.0.1:4222"]
    assert nats_servers(" nats://a:4222, nats://b:4222 ,,nats://c:4222 ") == [
        "nats://a:4222",
        "nats://b:4222",
        "nats://c:4222",
    ]


def test_the_environment_names_the_nodes_and_the_replicas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTRE_NATS_URL", "nats://nats-0:4222,nats://nats-1:4222,nats://nats-2:4222")
    monkeypatch.setenv("ANTRE_NATS_REPLICAS", "3")
    settings = ServiceSettings()
    assert settings.nats_servers() == ["nats://nats-0:4222", "nats://nats-1:4222", "nats://nats-2:4222"]
    assert settings.nats_replicas == 3


def test_one_replica_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTRE_NATS_REPLICAS", raising=False)
    assert ServiceSettings().nats_replicas == 1


@pytest.mark.parametrize("replicas", [0, 6, -1])
def test_replicas_jetstream_cannot_keep_are_refused(replicas: int) -> None:
    with pytest.raises(ValidationError, match="harus 1 sampai 5 / must be 1 to 5"):
        ServiceSettings(nats_replicas=replicas)


def test_no_server_at_all_is_refused() -> None:
    with pytest.raises(ValidationError, match="kosong / ANTRE_NATS_URL is empty"):
        ServiceSettings(nats_url=" , ")
