"""The hall's NATS users in the rendered manifests: nats-server includes the hall's accounts.conf
and reads the passwords from the Secret antre-nats-users; the services and the set-up Jobs log
in as the platform user, reports as its own; a Job makes every agency's consumer; agencies'
plug-ins reach NATS only from where Kominfo admits them."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from antre.events import SUFFIXES
from antre.hall.load import load_hall
from antre.nats_accounts import PLATFORM_USER, REPORTS_EVENTS, REPORTS_USER, grants, platform_grant
from antre.settings import ServiceSettings
from tests.deploy.conftest import DEPLOY, OVERLAYS, SERVICES, run
from tests.deploy.pod_env import Obj, configmap, container, environment, expand, workload
from tests.deploy.test_manifests import Peer, allowed, hall_of, of_kind
from tools.catalogue import publishers

USERS_SECRET = "antre-nats-users"
PLATFORM_KEY = platform_grant().password_variable
PASSWORD = "Platform0secret"
REPORTS_PASSWORD = "Reports0secret"
SECRETS = {(USERS_SECRET, PLATFORM_KEY): PASSWORD, (USERS_SECRET, "ANTRE_NATS_REPORTS"): REPORTS_PASSWORD}
AGENCY_LABEL = {"antre.mpp/nats-agency": "allowed"}


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered: dict[str, list[Obj]]) -> tuple[str, list[Obj]]:
    return request.param, rendered[request.param]


def nats_clients(objects: list[Obj]) -> list[Obj]:
    """Every workload that opens NATS as the platform: the services but reports, the consumers Job."""
    return [workload(objects, "Deployment", s) for s in SERVICES if s != "reports"] + [
        workload(objects, "Job", "agency-consumers")
    ]


def test_nats_includes_the_users_of_the_halls_own_file(overlay) -> None:
    name, objects = overlay
    data = configmap(objects, "nats-config")["data"]
    assert set(data) == {"nats.conf", "accounts.conf"}
    # At the top level (not inside cluster {}): the users are clients' users.
    assert re.search(r"^include \./accounts\.conf$", data["nats.conf"], re.M)
    hall = load_hall(DEPLOY / "k8s" / "halls" / hall_of(name) / "hall.yaml")
    assert (
        configmap(objects, "antre-hall")["data"]["hall.yaml"]
        == (DEPLOY / "k8s" / "halls" / hall.id / "hall.yaml").read_text()
    )
    accounts = data["accounts.conf"]
    users = re.findall(r'^\s*user: "([^"]+)"$', accounts, re.M)
    variables = re.findall(r"^\s*password: (.*)$", accounts, re.M)
    assert users == [g.user for g in grants([hall])]
    assert users[:2] == [PLATFORM_USER, REPORTS_USER] and len(users) == 2 + len(hall.agencies)
    # Never a password in the repository: every one is a variable nats-server reads at start.
    assert variables == ["$" + g.password_variable for g in grants([hall])]


def test_nats_reads_the_passwords_from_the_secret_by_reference(overlay) -> None:
    _, objects = overlay
    nats = container(workload(objects, "StatefulSet", "nats"))
    assert nats["name"] == "nats"
    assert {"secretRef": {"name": USERS_SECRET}} in nats["envFrom"]
    assert not of_kind(objects, "Secret")


def test_the_services_and_the_consumers_job_log_in_as_the_platform(overlay) -> None:
    _, objects = overlay
    shared = configmap(objects, "antre-env")["data"]
    assert "ANTRE_NATS_URL" not in shared, "a ConfigMap's value is never expanded: no password there"
    for obj in nats_clients(objects):
        c = container(obj)
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        names = [e["name"] for e in c["env"]]
        assert names.index("ANTRE_NATS_PASSWORD") < names.index("ANTRE_NATS_URL"), where
        url = environment(c, SECRETS)["ANTRE_NATS_URL"]
        parts = urlsplit(url)
        assert (parts.scheme, parts.username, parts.password) == ("nats", PLATFORM_USER, PASSWORD), where
        assert (parts.hostname, parts.port) == ("nats", 4222), where
        assert ServiceSettings(nats_url=url).nats_servers() == [url], where


def test_reports_logs_in_as_its_own_user_with_its_own_password(overlay) -> None:
    _, objects = overlay
    (grant,) = [g for g in grants([]) if g.user == REPORTS_USER]
    c = container(workload(objects, "Deployment", "reports"))
    names = [e["name"] for e in c["env"]]
    assert names.count("ANTRE_NATS_URL") == names.count("ANTRE_NATS_PASSWORD") == 1, "not the platform's too"
    assert names.index("ANTRE_NATS_PASSWORD") < names.index("ANTRE_NATS_URL")
    (ref,) = [e["valueFrom"]["secretKeyRef"] for e in c["env"] if e["name"] == "ANTRE_NATS_PASSWORD"]
    assert ref == {"name": USERS_SECRET, "key": grant.password_variable}
    parts = urlsplit(environment(c, SECRETS)["ANTRE_NATS_URL"])
    assert (parts.scheme, parts.username, parts.password) == ("nats", REPORTS_USER, REPORTS_PASSWORD)
    assert (parts.hostname, parts.port) == ("nats", 4222)


def test_the_consumers_job_runs_the_accounts_tool_on_the_mounted_hall_file(overlay) -> None:
    _, objects = overlay
    job = workload(objects, "Job", "agency-consumers")
    c = container(job)
    args = expand(c["command"], environment(c, SECRETS))
    assert args[:4] == ["python", "-m", "antre.nats_accounts", "consumers"]
    assert args[args.index("--nats") + 1].startswith(f"nats://{PLATFORM_USER}:{PASSWORD}@")
    (mount,) = [m for m in c["volumeMounts"] if m["name"] == "hall"]
    (volume,) = [v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "hall"]
    assert volume["configMap"]["name"] == configmap(objects, "antre-hall")["metadata"]["name"]
    assert args[4] == f"{mount['mountPath']}/hall.yaml"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


def test_prods_stream_job_logs_in_as_the_platform(rendered) -> None:
    env = environment(container(workload(rendered["prod"], "Job", "nats-stream")), SECRETS)
    assert (env["NATS_USER"], env["NATS_PASSWORD"]) == (PLATFORM_USER, PASSWORD)


def test_agencies_reach_nats_only_from_where_kominfo_admits_them(overlay) -> None:
    _, objects = overlay
    policies = of_kind(objects, "NetworkPolicy")
    pods = {
        o["metadata"]["name"]: Peer(o["spec"]["template"]["metadata"]["labels"])
        for o in objects
        if o["kind"] in ("Deployment", "StatefulSet", "Job")
    }
    nats = pods["nats"]
    plugin = Peer({"app": "plugin"}, namespace="dukcapil", namespace_labels=AGENCY_LABEL)
    stranger = Peer({"app": "plugin"}, namespace="elsewhere")
    assert allowed(policies, plugin, nats, 4222)
    for port in (6222, 8222, 7777):
        assert not allowed(policies, plugin, nats, port), port
    assert not allowed(policies, plugin, pods["ticketing"], 8000)
    assert not allowed(policies, stranger, nats, 4222)
    assert not allowed(policies, Peer(ip="198.51.100.5"), nats, 4222)
    for name in [*SERVICES, "agency-consumers"]:
        assert allowed(policies, pods[name], nats, 4222), name


def readme_overlay_patch() -> Obj:
    """The README's example of letting an agency's address block in."""
    text = (DEPLOY / "k8s" / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "nats-agencies" in b]
    return yaml.safe_load(block)


def test_the_readmes_address_block_patch_lets_that_block_in_and_no_other(kubectl, tmp_path: Path) -> None:
    # kustomize takes another kustomization only by a relative path.
    prod = os.path.relpath(DEPLOY / "k8s" / "overlays" / "prod", tmp_path)
    kustomization = {"resources": [prod], **readme_overlay_patch()}
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    objects = [d for d in yaml.safe_load_all(run([kubectl, "kustomize", str(tmp_path)]).stdout) if d]
    policies = of_kind(objects, "NetworkPolicy")
    nats = Peer(workload(objects, "StatefulSet", "nats")["spec"]["template"]["metadata"]["labels"])
    (agencies,) = [p for p in policies if p["metadata"]["name"] == "nats-agencies"]
    (block,) = [
        peer["ipBlock"]["cidr"]
        for rule in agencies["spec"]["ingress"]
        for peer in rule["from"]
        if "ipBlock" in peer
    ]
    inside = str(ipaddress.ip_network(block)[1])
    assert allowed(policies, Peer(ip=inside), nats, 4222)
    assert not allowed(policies, Peer(ip=inside), nats, 6222)
    assert not allowed(policies, Peer(ip="192.0.2.1"), nats, 4222)


def test_the_reports_user_may_publish_every_event_its_code_builds() -> None:
    """A new event reports publishes, left out of its grant, would be refused by NATS, and its
    outbox would hold every later event behind it."""
    built = {
        suffix
        for cls, suffix in SUFFIXES.items()
        if "reports" in publishers().get(cls.DESCRIPTOR.name, set())
    }
    assert built == set(REPORTS_EVENTS)
