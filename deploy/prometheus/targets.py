"""Write each deployed hall's service targets as Prometheus recording rules.

A service's ``target_minutes`` lives in the hall file, not in any metric, so the alerts that
compare wait and service times with it (``rules.yaml``) join on a constant series per service,
``antre:service_target_seconds{hall, agency, service}``, written here from every hall component
``deploy/k8s/halls/<id>/hall.yaml`` to ``deploy/prometheus/targets/<id>.yaml``. ``--check``
writes nothing and fails when a file is stale (the deployment tests run it).

    .venv/bin/python deploy/prometheus/targets.py           # make deploy-generate
    .venv/bin/python deploy/prometheus/targets.py --check
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from antre.hall.load import load_hall

ROOT = Path(__file__).resolve().parents[2]
HALLS = ROOT / "deploy" / "k8s" / "halls"
OUT = ROOT / "deploy" / "prometheus" / "targets"


def rules_for(hall_file: Path) -> tuple[str, str]:
    hall = load_hall(hall_file)
    rules = [
        {
            "record": "antre:service_target_seconds",
            "expr": f"vector({service.target_minutes * 60})",
            "labels": {"hall": hall.id, "agency": service.agency, "service": service.code},
        }
        for service in hall.services
    ]
    document = {"groups": [{"name": f"antre-targets-{hall.id}", "rules": rules}]}
    source = hall_file.relative_to(ROOT)
    header = (
        f"# GENERATED from {source} by deploy/prometheus/targets.py: edit the hall, then\n"
        "# `make deploy-generate`. One constant series per service: its target_minutes in seconds.\n"
    )
    return hall.id, header + yaml.safe_dump(document, sort_keys=False, width=110)


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    stale = []
    for hall_file in sorted(HALLS.glob("*/hall.yaml")):
        hall_id, text = rules_for(hall_file)
        target = OUT / f"{hall_id}.yaml"
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        if check:
            stale.append(f"{target.relative_to(ROOT)} is stale: run `make deploy-generate`")
        else:
            target.write_text(text, encoding="utf-8")
            print(f"{target.relative_to(ROOT)} <- {hall_file.relative_to(ROOT)}")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
