"""Antre's four services. Each has the same inner shape: ``domain`` (pure rules), ``handlers``
(commands and events in, events out), ``adapters`` (database, NATS, printer), ``entrypoints``
(HTTP, consumers, CLI), ``bootstrap`` (wiring), ``settings`` and ``metrics``."""

from antre import build as _build

# Before any of this package's modules loads: a compiled rule then comes from its C extension,
# or from its source when ANTRE_PURE is set or the extension cannot be used (antre/build.py).
_build.install()
