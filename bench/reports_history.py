"""A year of history for many halls in the reports' read model, made inside PostgreSQL: 20 halls x
365 days x about 960 visits a day (7 million visits, 7.4 million legs with the transfers, 440
thousand bookings, 2 million survey answers). The schema is the real one (the service's own
migrations); the rows are drawn by PostgreSQL from a seeded generator, so two runs give the same
history. Kendari's agencies, services and counters stand for every hall.

    .venv/bin/python -m bench.reports_history --url postgresql://postgres@127.0.0.1:5432/test

Used by :mod:`bench.reports`; kept in the schema ``bench_reports`` between runs (``--fresh`` to
make it again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlalchemy import Connection, Engine, text

from antre import db
from antre.hall.load import load_hall
from services.reports.bootstrap import MIGRATIONS
from tools.hall import KENDARI

SCHEMA = "bench_reports"
HALLS = 20
FIRST_DAY = dt.date(2025, 12, 1)
DAYS = 365
VISITS_PER_DAY = 960


def halls(count: int) -> list[str]:
    return [f"kota-{i:02d}" for i in range(count)]


def engine_for(url: str) -> Engine:
    return db.make_engine(url, SCHEMA)


def make(
    url: str, fresh: bool = False, count: int = HALLS, days: int = DAYS, per_day: int = VISITS_PER_DAY
) -> Engine:
    admin = db.make_engine(url)
    with admin.begin() as conn:
        if fresh:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    admin.dispose()
    engine = engine_for(url)
    db.migrate(engine, MIGRATIONS, SCHEMA)
    with engine.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM visits")).scalar_one():
            return engine  # made before
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SELECT setseed(0.42)"))
        _services(conn)
        # Literals, not parameters: PostgreSQL takes no parameters in CREATE TABLE AS.
        names = ", ".join(f"'{h}'" for h in halls(count))
        values = {
            "halls": f"ARRAY[{names}]",
            "first": f"DATE '{FIRST_DAY.isoformat()}'",
            "days": str(int(days)),
        }
        values["per_day"] = str(int(per_day))
        for script in (VISITS, LEGS, TRANSFERS, BOOKINGS, SURVEYS):
            for statement in script.split(";\n"):
                if statement.strip():
                    conn.execute(text(_fill(statement, values)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"history made in {time.perf_counter() - started:.0f} s")
    return engine


def _fill(statement: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        statement = statement.replace(f":{name}", value)
    return statement


def _services(conn: Connection) -> None:
    """Kendari's services (code, agency, the counters that serve them) as a temporary table."""
    hall = load_hall(KENDARI)
    conn.execute(text("CREATE TEMP TABLE svc (n int, code text, agency text, counters int[]) ON COMMIT DROP"))
    rows = [
        {
            "n": i,
            "code": s.code,
            "agency": s.agency,
            "counters": [c.number for c in hall.counters if s.code in c.services],
        }
        for i, s in enumerate(hall.services)
    ]
    conn.execute(text("INSERT INTO svc VALUES (:n, :code, :agency, :counters)"), rows)


# One visit per (hall, day, i): its service, channel, priority and fate drawn from random().
VISITS = """
CREATE TEMP TABLE drawn ON COMMIT DROP AS
SELECT h AS hall, :first + d AS day, i,
       md5(h || d || '-' || i) AS ticket_id,
       floor(random() * 15)::int AS svc_n,
       random() AS r_channel, random() AS r_priority, random() AS r_fate,
       random() AS r_wait, random() AS r_serve, random() AS r_hour, random() AS r_counter
FROM unnest(:halls) AS h, generate_series(0, :days - 1) AS d, generate_series(1, :per_day) AS i;

INSERT INTO visits (ticket_id, hall, day, number, channel, priority, kiosk, booking_id, issued_at, outcome,
                    finished_at, legs)
SELECT ticket_id, hall, day, 'A-' || lpad(i::text, 3, '0'),
       CASE WHEN r_channel < 0.85 THEN 'walk_in' WHEN r_channel < 0.97 THEN 'online' ELSE 'staff' END,
       CASE WHEN r_priority < 0.85 THEN 'none' WHEN r_priority < 0.93 THEN 'elderly'
            WHEN r_priority < 0.97 THEN 'disability' ELSE 'pregnant' END,
       'kiosk-1', '',
       (day + time '08:00' + (r_hour * interval '7 hours')) AT TIME ZONE 'Asia/Makassar',
       CASE WHEN r_fate < 0.70 THEN 'served' WHEN r_fate < 0.77 THEN 'no_show'
            WHEN r_fate < 0.81 THEN 'skipped' WHEN r_fate < 0.87 THEN 'served'
            WHEN r_fate < 0.90 THEN 'cancelled' ELSE 'day_ended' END,
       NULL, CASE WHEN r_fate >= 0.81 AND r_fate < 0.87 THEN 2 ELSE 1 END
FROM drawn
"""

# The first leg of every visit (a transfer's first leg ends as transferred, see TRANSFERS).
LEGS = """
INSERT INTO legs (ticket_id, leg, hall, day, hour, service, agency, channel, priority, queued_at, called_at,
                  recalls, counter, officer, started_at, finished_at, outcome, transferred_to,
                  wait_seconds, service_seconds)
SELECT d.ticket_id, 0, d.hall, d.day, 8 + floor(d.r_hour * 7)::int, s.code, s.agency, v.channel, v.priority,
       v.issued_at, NULL, (d.r_wait * 3)::int % 2,
       CASE WHEN v.outcome IN ('cancelled', 'day_ended') THEN NULL
            ELSE s.counters[1 + floor(d.r_counter * array_length(s.counters, 1))::int] END,
       '', NULL, NULL,
       CASE WHEN d.r_fate >= 0.81 AND d.r_fate < 0.87 THEN 'transferred' ELSE v.outcome END, '',
       CASE WHEN v.outcome IN ('cancelled', 'day_ended') THEN NULL
            ELSE (20 + d.r_wait * d.r_wait * 3600)::int END,
       CASE WHEN v.outcome = 'served' OR (d.r_fate >= 0.81 AND d.r_fate < 0.87)
            THEN (60 + d.r_serve * 1800)::int END
FROM drawn d JOIN svc s ON s.n = d.svc_n JOIN visits v ON v.ticket_id = d.ticket_id;

UPDATE legs SET officer = agency || counter WHERE counter IS NOT NULL;
"""

# The second leg of each transferred visit, at the next service.
TRANSFERS = """
INSERT INTO legs (ticket_id, leg, hall, day, hour, service, agency, channel, priority, queued_at, called_at,
                  recalls, counter, officer, started_at, finished_at, outcome, transferred_to,
                  wait_seconds, service_seconds)
SELECT l.ticket_id, 1, l.hall, l.day, least(l.hour + 1, 16), s.code, s.agency, l.channel, l.priority,
       l.queued_at, NULL, 0, s.counters[1], s.agency || s.counters[1], NULL, NULL, 'served', '',
       (30 + d.r_serve * 900)::int, (60 + d.r_wait * 1200)::int
FROM legs l JOIN drawn d ON d.ticket_id = l.ticket_id JOIN svc s ON s.n = (d.svc_n + 1) % 15
WHERE l.outcome = 'transferred';

UPDATE legs l SET transferred_to = t.service FROM legs t
WHERE l.outcome = 'transferred' AND t.ticket_id = l.ticket_id AND t.leg = 1;
"""

BOOKINGS = """
INSERT INTO bookings (booking_id, hall, day, service, agency, channel, session_start, created_at, state,
                      checked_in_at, late, ticket_id)
SELECT md5('b' || d.ticket_id), d.hall, d.day, s.code, s.agency, 'online', v.issued_at,
       v.issued_at - interval '1 day',
       CASE WHEN d.r_serve < 0.70 THEN 'checked_in' WHEN d.r_serve < 0.85 THEN 'no_show'
            WHEN d.r_serve < 0.95 THEN 'cancelled' ELSE 'booked' END,
       NULL, 0, ''
FROM drawn d JOIN svc s ON s.n = d.svc_n JOIN visits v ON v.ticket_id = d.ticket_id
WHERE v.channel = 'online';
"""

SURVEYS = """
INSERT INTO surveys (ticket_id, hall, day, service, agency, u1, u2, u3, u4, u5, u6, u7, u8, u9, age, sex,
                     education, occupation, suggestion, answered_at, changed_at)
SELECT l.ticket_id, l.hall, l.day, l.service, l.agency,
       2 + (random() * 2)::int, 2 + (random() * 2)::int, 2 + (random() * 2)::int, 1 + (random() * 3)::int,
       2 + (random() * 2)::int, 2 + (random() * 2)::int, 3 + (random())::int, 2 + (random() * 2)::int,
       2 + (random() * 2)::int, NULL, '', '', '', '', l.queued_at, l.queued_at
FROM legs l
WHERE l.outcome = 'served' AND random() < 0.3;  -- a served leg is always a visit's last
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    engine = make(args.url, args.fresh)
    with engine.connect() as conn:
        for table in ("visits", "legs", "bookings", "surveys"):
            print(table, conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


if __name__ == "__main__":
    main()
