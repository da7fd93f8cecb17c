"""deploy/prometheus: promtool accepts the rules and the configuration, the rules' unit tests
pass, every alert is tested and documented, and every series they read exists."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml

from tests.deploy.conftest import DEPLOY, ROOT, run, service_series, unknown_series

PROMETHEUS = DEPLOY / "prometheus"
RULE_TESTS = ROOT / "tests" / "deploy" / "prometheus_rules_test.yaml"
OPERATIONS = ROOT / "docs" / "operations.md"


def rules() -> list[dict]:
    return [
        rule
        for group in yaml.safe_load((PROMETHEUS / "rules.yaml").read_text())["groups"]
        for rule in group["rules"]
    ]


def test_promtool_accepts_the_rules(promtool) -> None:
    run(
        [
            promtool,
            "check",
            "rules",
            str(PROMETHEUS / "rules.yaml"),
            *map(str, (PROMETHEUS / "targets").glob("*.yaml")),
        ]
    )


def test_promtool_accepts_the_configuration(promtool, tmp_path: Path) -> None:
    """Debian's Prometheus is built without Kubernetes service discovery, so the check runs on a
    copy with static targets in its place: the relabelling and the rule files are checked as
    written."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    for scrape in config["scrape_configs"]:
        assert scrape.pop("kubernetes_sd_configs") == [{"role": "pod"}]
        scrape["static_configs"] = [{"targets": ["127.0.0.1:8000"]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    shutil.copy(PROMETHEUS / "rules.yaml", tmp_path)
    shutil.copytree(PROMETHEUS / "targets", tmp_path / "targets")
    run([promtool, "check", "config", str(tmp_path / "prometheus.yml")])


def test_the_rules_unit_tests_pass(promtool) -> None:
    run([promtool, "test", "rules", str(RULE_TESTS)])


def test_every_alert_is_unit_tested_labelled_and_explained() -> None:
    alerts = {rule["alert"]: rule for rule in rules() if "alert" in rule}
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    assert set(alerts) == tested
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in ("info", "warning", "critical"), name
        assert {"summary", "description"} <= set(rule["annotations"]), name
        assert name in OPERATIONS.read_text(), f"{name} is not described in docs/operations.md"


def test_every_series_a_rule_reads_exists(known_series) -> None:
    for rule in rules():
        assert not unknown_series(rule["expr"], known_series), rule


def test_every_service_metric_is_in_the_catalogue() -> None:
    """docs/operations.md lists every metric the services export (by family name)."""
    text = OPERATIONS.read_text()
    families = {re.sub(r"_(bucket|count|sum)$", "", name) for name in service_series()}
    missing = sorted(f for f in families if f"`{f}" not in text)
    assert not missing, f"not in the metrics catalogue of docs/operations.md: {missing}"


def test_the_targets_follow_the_hall_files() -> None:
    run([sys.executable, "deploy/prometheus/targets.py", "--check"])
    for hall_file in (DEPLOY / "k8s" / "halls").glob("*/hall.yaml"):
        assert (PROMETHEUS / "targets" / f"{hall_file.parent.name}.yaml").exists()


def test_the_rules_configmap_carries_the_rules_and_every_halls_targets(kubectl) -> None:
    (configmap,) = yaml.safe_load_all(run([kubectl, "kustomize", "deploy/prometheus"]).stdout)
    expected = {"rules.yaml"} | {f"targets-{p.stem}.yaml" for p in (PROMETHEUS / "targets").glob("*.yaml")}
    assert set(configmap["data"]) == expected
