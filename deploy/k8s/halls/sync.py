"""Copy the example hall files into their kustomize components (``deploy/k8s/halls/<id>/``).

kustomize reads a file only from below the kustomization that names it (its load restrictor), so
a component cannot point at ``examples/kendari.yaml``; it keeps a copy, and this script writes
it. ``--check`` writes nothing and fails when a copy differs from its original (the deployment
tests run it, so a copy cannot drift). A real hall's component keeps its own ``hall.yaml`` as the
original and is not listed here.

    python deploy/k8s/halls/sync.py           # make k8s-halls
    python deploy/k8s/halls/sync.py --check
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HALLS = {"kendari": "examples/kendari.yaml"}
HEADER = "# GENERATED from {source} by deploy/k8s/halls/sync.py: edit the original, then `make k8s-halls`.\n"


def rendered(source: str) -> str:
    return HEADER.format(source=source) + (ROOT / source).read_text(encoding="utf-8")


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    stale = []
    for hall, source in HALLS.items():
        target = ROOT / "deploy" / "k8s" / "halls" / hall / "hall.yaml"
        text = rendered(source)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        if check:
            stale.append(f"{target.relative_to(ROOT)} differs from {source}: run `make k8s-halls`")
        else:
            target.write_text(text, encoding="utf-8")
            print(f"{target.relative_to(ROOT)} <- {source}")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
