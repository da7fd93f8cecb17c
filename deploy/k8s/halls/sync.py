"""Copy the example hall files into their kustomize components (``deploy/k8s/halls/<id>/``), each
with the NATS users of that hall (``accounts.conf``, see deploy/nats/README.md).

kustomize reads a file only from below the kustomization that names it (its load restrictor), so
a component cannot point at ``examples/kendari.yaml``; it keeps a copy, and this script writes
it. ``--check`` writes nothing and fails when a copy differs from its original (the deployment
tests run it, so a copy cannot drift). A real hall's component keeps its own ``hall.yaml`` as the
original and is not listed here; its ``accounts.conf`` comes from
``python -m antre.nats_accounts config deploy/k8s/halls/<id>/hall.yaml -o .../accounts.conf``.

    python deploy/k8s/halls/sync.py           # make deploy-generate
    python deploy/k8s/halls/sync.py --check
"""

from __future__ import annotations

import sys
from pathlib import Path

from antre.hall.load import load_hall
from antre.nats_accounts import render

ROOT = Path(__file__).resolve().parents[3]
HALLS = {"kendari": "examples/kendari.yaml"}
HEADER = (
    "# GENERATED from {source} by deploy/k8s/halls/sync.py: edit the original, then `make deploy-generate`.\n"
)


def rendered(source: str) -> str:
    return HEADER.format(source=source) + (ROOT / source).read_text(encoding="utf-8")


def accounts(source: str) -> str:
    """The text `python -m antre.nats_accounts config <source>` prints for the hall."""
    return render([load_hall(ROOT / source)], f"python -m antre.nats_accounts config {source}")


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    stale = []
    for hall, source in HALLS.items():
        folder = ROOT / "deploy" / "k8s" / "halls" / hall
        for target, text in (
            (folder / "hall.yaml", rendered(source)),
            (folder / "accounts.conf", accounts(source)),
        ):
            if target.exists() and target.read_text(encoding="utf-8") == text:
                continue
            if check:
                stale.append(f"{target.relative_to(ROOT)} differs from {source}: run `make deploy-generate`")
            else:
                target.write_text(text, encoding="utf-8")
                print(f"{target.relative_to(ROOT)} <- {source}")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
