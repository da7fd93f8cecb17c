"""Where a citizen waits and how long the line ahead is: the zone named on the kiosk's screen, the
printed ticket and the status page, and the estimate the kiosk shows before a number is taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from antre.hall.model import Hall, Zone


def waiting_zone(hall: Hall, service: str) -> Zone | None:
    """The zone whose board calls the service's numbers: the one zone its counters stand in. Where
    its counters stand in several zones, the agency's own zone (the hall file's "where its
    counters stand"); None when the hall file cannot say, rather than a guess."""
    zones = {c.zone for c in hall.counters if service in c.services}
    code = next(iter(zones)) if len(zones) == 1 else ""
    if not code:
        found = hall.service(service)
        agency = hall.agency(found.agency) if found else None
        code = agency.zone if agency and (not zones or agency.zone in zones) else ""
    return next((z for z in hall.zones if z.code == code), None)


Forecast = Mapping[str, object]


def back_of_line(forecasts: Iterable[Forecast]) -> Forecast | None:
    """The forecast of the last citizen in line (the latest median call time): a number taken now
    is called at that time at the earliest. Forecasts without a median (not called before
    closing, that often) cannot say when; None when no forecast can."""
    latest: tuple[dt.datetime, Forecast] | None = None
    for forecast in forecasts:
        median = forecast.get("p50")
        if not isinstance(median, str):
            continue
        moment = dt.datetime.fromisoformat(median)
        if latest is None or moment > latest[0]:
            latest = (moment, forecast)
    return latest[1] if latest else None
