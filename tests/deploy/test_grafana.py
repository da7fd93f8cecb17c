"""deploy/grafana: the dashboards are well-formed, every panel query is valid PromQL (promtool
parses each as a recording rule) over series that exist, and the provisioning loads them all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import DEPLOY, run, unknown_series

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
# Grafana's variables, as a viewer would have them.
VARIABLES = {
    "$hall": "kendari",
    "$agency": "dukcapil",
    "$__rate_interval": "1m",
    "$__interval": "1m",
    "$__range": "1d",
}


def panels(dashboard: dict) -> list[dict]:
    out = []
    for panel in dashboard["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def queries(dashboard: dict) -> list[tuple[str, str]]:
    return [(p["title"], t["expr"]) for p in panels(dashboard) for t in p.get("targets", [])]


def substituted(expr: str) -> str:
    for name in sorted(VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, VARIABLES[name])
    assert "$" not in expr, f"an unknown Grafana variable in {expr}"
    return expr


def test_the_three_dashboards_exist() -> None:
    assert {p.stem for p in DASHBOARDS} == {"hall-overview", "agency", "platform"}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_a_dashboard_is_well_formed(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    assert dashboard["uid"].startswith("antre-") and dashboard["title"]
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "hall"} <= variables
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] != "row":
            assert panel["targets"], panel["title"]
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            for target in panel["targets"]:
                assert 'hall="$hall"' in target["expr"], f"{panel['title']}: one hall at a time"
    for used in re.findall(r"\$(\w+)", json.dumps([t for _, t in queries(dashboard)])):
        assert used in variables or used.startswith("__"), used


def test_every_panel_query_is_valid_promql(promtool, tmp_path: Path) -> None:
    rules = [
        {"record": f"dashboard:{path.stem.replace('-', '_')}:q{i}", "expr": substituted(expr)}
        for path in DASHBOARDS
        for i, (_, expr) in enumerate(queries(json.loads(path.read_text())))
    ]
    (tmp_path / "dashboards.yaml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]})
    )
    run([promtool, "check", "rules", str(tmp_path / "dashboards.yaml")])


def test_every_panel_reads_series_that_exist(known_series) -> None:
    for path in DASHBOARDS:
        for title, expr in queries(json.loads(path.read_text())):
            assert not unknown_series(expr, known_series), f"{path.stem}: {title}: {expr}"


def test_provisioning_and_the_configmaps_carry_every_dashboard(kubectl) -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "antre.yaml").read_text())
    assert provider["providers"][0]["type"] == "file"
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    assert datasource["datasources"][0]["type"] == "prometheus"
    (configmap,) = yaml.safe_load_all(run([kubectl, "kustomize", "deploy/grafana"]).stdout)
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert set(configmap["data"]) == {p.name for p in DASHBOARDS}
