"""What a developer runs beside the hall, never part of it: ``make run``'s launcher and its
set-up, the event catalogue (``make proto``), new migrations (``make migration``) and the local
hall the tests and the benchmarks start. No image copies this package, and antre/, services/ and
sim/ import nothing from it (tests/unit/test_tools_apart.py)."""
