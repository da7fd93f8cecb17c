"""What a pod of the rendered manifests sees: its environment as Kubernetes builds it (Secrets
filled in by the test, ``$(VAR)`` expanded), and the files of the ConfigMaps it mounts."""

from __future__ import annotations

import re
from typing import Any

Obj = dict[str, Any]
REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def configmap(objects: list[Obj], name: str) -> Obj:
    """A generated ConfigMap by its name before kustomize's hash suffix."""
    (found,) = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].rsplit("-", 1)[0] == name
    ]
    return found


def workload(objects: list[Obj], kind: str, name: str) -> Obj:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def container(obj: Obj) -> Obj:
    return obj["spec"]["template"]["spec"]["containers"][0]


def environment(c: Obj, secrets: dict[tuple[str, str], str]) -> dict[str, str]:
    """The container's ``env`` as the kubelet resolves it: a secretKeyRef from ``secrets``
    (Secret name, key; one the test does not give is left out), and ``$(VAR)`` only from a
    variable defined earlier in the list (a reference to anything else stays as written, as in
    Kubernetes)."""
    env: dict[str, str] = {}
    for entry in c.get("env", []):
        if "value" in entry:
            env[entry["name"]] = REFERENCE.sub(lambda m: env.get(m.group(1), m.group(0)), entry["value"])
        elif "secretKeyRef" in entry.get("valueFrom", {}):
            ref = entry["valueFrom"]["secretKeyRef"]
            if (ref["name"], ref["key"]) in secrets:
                env[entry["name"]] = secrets[(ref["name"], ref["key"])]
    return env


def expand(args: list[str], env: dict[str, str]) -> list[str]:
    """A container's command with ``$(VAR)`` expanded from its environment."""
    return [REFERENCE.sub(lambda m: env.get(m.group(1), m.group(0)), a) for a in args]
