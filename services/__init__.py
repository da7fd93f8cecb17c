"""Antre's four services. Each has the same inner shape: ``domain`` (pure rules), ``handlers``
(commands and events in, events out), ``adapters`` (database, NATS, printer), ``entrypoints``
(HTTP, consumers, CLI), ``bootstrap`` (wiring), ``settings`` and ``metrics``."""
