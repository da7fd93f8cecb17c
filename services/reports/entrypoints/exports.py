"""A report as files people open elsewhere: CSV (for any tool), Excel (for the office) and the
monthly PDF (*Laporan Bulanan*, for the archive and the ministry's evaluation).

CSV and Excel carry the same columns, in the same order, from :data:`COLUMNS`: counts as whole
numbers, durations in minutes with one decimal, shares as percentages with one decimal, an empty
cell where there is nothing to measure (no call, no service). The last row is the total.
The PDF is an HTML page (``templates/monthly.html``) filled in here and printed by
WeasyPrint; its text is Bahasa Indonesia, the language of the hall's archive."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

from antre.problems import Unavailable
from services.reports.domain.figures import CHANNELS, Bookings, Dimension, Figures, Share
from services.reports.handlers.reporting import Monthly, Report, Row

Kind = Literal["text", "count", "minutes", "percent"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    name: str
    name_en: str
    kind: Kind
    value: Callable[[Row], Cell]

    @property
    def header(self) -> str:
        return f"{self.name} / {self.name_en}"


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with one decimal: what a supervisor reads a duration in."""
    return None if seconds is None else round(seconds / 60, 1)


def percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 1)


def _figure(kind: Kind, pick: Callable[[Figures], float | int | None]) -> Callable[[Row], Cell]:
    convert: Callable[[float | int | None], Cell] = {
        "count": lambda v: v,
        "minutes": minutes,
        "percent": percent,
        "text": lambda v: v,
    }[kind]
    return lambda row: convert(pick(row.figures))


def _booked(state: str) -> Callable[[Figures], int | None]:
    return lambda f: None if f.bookings is None else getattr(f.bookings, state)


def _col(name: str, name_en: str, kind: Kind, pick: Callable[[Figures], float | int | None]) -> Column:
    return Column(name, name_en, kind, _figure(kind, pick))


COLUMNS: tuple[Column, ...] = (
    _col("Kunjungan", "Visits", "count", lambda f: f.visits),
    _col("Antrean", "Queued", "count", lambda f: f.queued),
    _col("Dilayani", "Served", "count", lambda f: f.outcomes["served"]),
    _col("Tidak hadir", "No-shows", "count", lambda f: f.outcomes["no_show"]),
    _col("Dilewati", "Skipped", "count", lambda f: f.outcomes["skipped"]),
    _col("Dialihkan", "Transferred out", "count", lambda f: f.outcomes["transferred"]),
    _col("Batal", "Cancelled", "count", lambda f: f.outcomes["cancelled"]),
    _col("Hari berakhir", "Day ended", "count", lambda f: f.outcomes["day_ended"]),
    _col("Belum selesai", "Still open", "count", lambda f: f.outcomes["open"]),
    _col("Tunggu rata-rata (menit)", "Mean wait (min)", "minutes", lambda f: f.wait.mean),
    _col("Tunggu p50 (menit)", "Wait p50 (min)", "minutes", lambda f: f.wait.p50),
    _col("Tunggu p90 (menit)", "Wait p90 (min)", "minutes", lambda f: f.wait.p90),
    _col(
        "Tunggu sesuai standar (%)",
        "Wait within standard (%)",
        "percent",
        lambda f: f.wait_within_target.share,
    ),
    _col("Layanan rata-rata (menit)", "Mean service (min)", "minutes", lambda f: f.service.mean),
    _col("Layanan p50 (menit)", "Service p50 (min)", "minutes", lambda f: f.service.p50),
    _col("Layanan p90 (menit)", "Service p90 (min)", "minutes", lambda f: f.service.p90),
    _col(
        "Layanan sesuai standar (%)",
        "Service within standard (%)",
        "percent",
        lambda f: f.service_within_target.share,
    ),
    _col("Datang langsung", "Walk-in", "count", lambda f: f.channels["walk_in"]),
    _col("Online", "Online", "count", lambda f: f.channels["online"]),
    _col("Oleh petugas", "By staff", "count", lambda f: f.channels["staff"]),
    _col("Reguler", "Regular", "count", lambda f: f.priorities["none"]),
    _col("Lansia", "Elderly", "count", lambda f: f.priorities["elderly"]),
    _col("Disabilitas", "Disability", "count", lambda f: f.priorities["disability"]),
    _col("Ibu hamil", "Pregnant", "count", lambda f: f.priorities["pregnant"]),
    _col("Anak", "Child", "count", lambda f: f.priorities["child"]),
    _col("Reservasi", "Bookings", "count", _booked("made")),
    _col("Reservasi check-in", "Bookings checked in", "count", _booked("checked_in")),
    _col("Reservasi tidak hadir", "Bookings missed", "count", _booked("no_show")),
    _col("Reservasi batal", "Bookings cancelled", "count", _booked("cancelled")),
)
DIMENSION_NAMES: dict[Dimension, tuple[str, str]] = {
    Dimension.HALL: ("MPP", "Hall"),
    Dimension.AGENCY: ("Instansi", "Agency"),
    Dimension.SERVICE: ("Layanan", "Service"),
    Dimension.COUNTER: ("Loket", "Counter"),
    Dimension.OFFICER: ("Petugas", "Officer"),
    Dimension.HOUR: ("Jam", "Hour"),
    Dimension.DAY: ("Tanggal", "Day"),
}
TOTAL = ("Jumlah", "Total")


def columns(by: Dimension) -> list[Column]:
    """The report's columns: what a row is (code and name; a service's standard), then figures."""
    name, name_en = DIMENSION_NAMES[by]
    head = [
        Column(f"Kode {name.lower()}", f"{name_en} code", "text", lambda r: _key_text(r)),
        Column(name, name_en, "text", lambda r: r.label),
    ]
    if by is Dimension.SERVICE:
        head.append(Column("Standar (menit)", "Standard (min)", "count", lambda r: r.target_minutes))
    return head + list(COLUMNS)


def _key_text(row: Row) -> str:
    key = row.key
    if key is None:
        return ""
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def table(report: Report) -> tuple[list[Column], list[list[Cell]]]:
    """The header and every row's cells, the total last."""
    cols = columns(report.query.by)
    total = Row("", *TOTAL, report.totals)
    return cols, [[c.value(row) for c in cols] for row in [*report.rows, total]]


def file_name(report: Report, extension: str) -> str:
    """``laporan-kendari-2026-03-01-2026-03-31-agency[-dukcapil][-ktp-el].csv``: codes only, so
    the name is safe in a header and on every file system."""
    q = report.query
    parts = [
        "laporan",
        report.hall_id,
        q.start.isoformat(),
        q.end.isoformat(),
        q.by.value,
        q.agency,
        q.service,
    ]
    return "-".join(p for p in parts if p) + f".{extension}"


# ---- CSV ----


def to_csv(report: Report) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads it as UTF-8), commas, the csv module's
    quoting, a point for decimals, empty for nothing to measure."""
    cols, rows = table(report)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    for cells in rows:
        writer.writerow(["" if v is None else v for v in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---- Excel ----

NUMBER_FORMATS: dict[Kind, str] = {"text": "@", "count": "0", "minutes": "0.0", "percent": "0.0"}


def sheet_title(report: Report) -> str:
    """Excel allows 31 characters and none of ``[]:*?/\\``."""
    return f"Per {DIMENSION_NAMES[report.query.by][0].lower()}"[:31]


def to_xlsx(report: Report) -> bytes:
    """One sheet: the header in bold and frozen, numbers as numbers with their format, the range
    and filters in the workbook's properties."""
    # openpyxl (30 MiB with what it loads) only when a sheet is asked for, as WeasyPrint below.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols, rows = table(report)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = sheet_title(report)
    sheet.append([c.header for c in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cells in rows:
        sheet.append(cells)
    for index, col in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(32, len(col.header) // 2 + 4))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = NUMBER_FORMATS[col.kind]
    last = sheet.cell(row=len(rows) + 1, column=1)
    for cell in sheet[last.row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    q = report.query
    book.properties.title = f"{report.hall_name}: {q.start.isoformat()} – {q.end.isoformat()}"
    book.properties.subject = " ".join(p for p in (q.by.value, q.agency, q.service) if p)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the monthly PDF (Laporan Bulanan) ----

TEMPLATE = Path(__file__).parent / "templates" / "monthly.html"
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def number(value: float | int | None, decimals: int = 0) -> str:
    """As Indonesian writes numbers: 1.234,5 (a dash for nothing to measure)."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _minutes(seconds: float | None) -> str:
    return number(minutes(seconds), 1)


def _share(share: Share) -> str:
    """A share's cell, coloured by its verdict."""
    css = f' class="{share.verdict}"' if share.verdict else ""
    return f"<td{css}>{number(percent(share.share), 1)}%</td>" if share.share is not None else "<td>–</td>"


def _table(head: Sequence[str], body: Sequence[str], total: str = "") -> str:
    """A table; a heading ending in ``:`` is of a text column (left-aligned)."""
    ths = "".join(
        f'<th class="text">{html.escape(h[:-1])}</th>' if h.endswith(":") else f"<th>{html.escape(h)}</th>"
        for h in head
    )
    foot = f'<tr class="total">{total}</tr>' if total else ""
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{''.join(body)}{foot}</tbody></table>"


def _cells(label: str, cells: Sequence[str]) -> str:
    return f"<td>{html.escape(label)}</td>" + "".join(
        c if c.startswith("<td") else f"<td>{c}</td>" for c in cells
    )


def _summary(f: Figures) -> str:
    cards = [
        ("Kunjungan", number(f.visits)),
        ("Dilayani", number(f.outcomes["served"])),
        ("Tidak hadir / dilewati", f"{number(f.outcomes['no_show'])} / {number(f.outcomes['skipped'])}"),
        ("Tunggu rata-rata · p90 (menit)", f"{_minutes(f.wait.mean)} · {_minutes(f.wait.p90)}"),
        ("Layanan rata-rata · p90 (menit)", f"{_minutes(f.service.mean)} · {_minutes(f.service.p90)}"),
        ("Layanan sesuai standar", f"{number(percent(f.service_within_target.share), 1)}%"),
        ("Tunggu sesuai standar", f"{number(percent(f.wait_within_target.share), 1)}%"),
        ("Datang langsung / online / petugas", " / ".join(number(f.channels[c]) for c in CHANNELS)),
        (
            "Prioritas (lansia, disabilitas, hamil, anak)",
            number(sum(f.priorities.values()) - f.priorities["none"]),
        ),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card">{html.escape(name)}<b>{value}</b></div>' for name, value in cards)
        + "</div>"
    )


def _agency_cells(f: Figures) -> list[str]:
    return [
        number(f.visits),
        number(f.outcomes["served"]),
        number(f.outcomes["no_show"]),
        _minutes(f.wait.mean),
        _minutes(f.wait.p90),
        _minutes(f.service.mean),
        _minutes(f.service.p90),
        _share(f.service_within_target),
        _share(f.wait_within_target),
    ]


AGENCY_HEAD = ("Instansi", "Kunjungan", "Dilayani", "Tidak hadir", "Tunggu rata²", "Tunggu p90",
               "Layanan rata²", "Layanan p90", "Layanan ≤ standar", "Tunggu ≤ standar")  # fmt: skip
SERVICE_HEAD = ("Layanan", "Standar (menit)", "Dilayani", "Layanan rata²", "p50", "p90", "Sesuai standar",
                "Tunggu p90", "Tunggu ≤ standar")  # fmt: skip


def _service_cells(row: Row) -> list[str]:
    f = row.figures
    return [
        number(row.target_minutes),
        number(f.outcomes["served"]),
        _minutes(f.service.mean),
        _minutes(f.service.p50),
        _minutes(f.service.p90),
        _share(f.service_within_target),
        _minutes(f.wait.p90),
        _share(f.wait_within_target),
    ]


def _hours(rows: Sequence[Row], busiest: int = 3) -> str:
    if not rows:
        return '<p class="muted">Belum ada kunjungan.</p>'
    top = max(r.figures.queued for r in rows) or 1
    marked = {id(r) for r in sorted(rows, key=lambda r: -r.figures.queued)[:busiest]}
    body = []
    for r in rows:
        f = r.figures
        bar = f'<span class="bar" style="width:{round(60 * f.queued / top)}mm"></span>'
        cells = [
            number(f.queued),
            _minutes(f.wait.mean),
            _minutes(f.wait.p90),
            f'<td class="text">{bar}</td>',
        ]
        css = ' class="busiest"' if id(r) in marked else ""
        body.append(f"<tr{css}>{_cells(r.label, cells)}</tr>")
    return _table(("Jam", "Antrean", "Tunggu rata²", "Tunggu p90", ""), body)


def _bookings(m: Monthly) -> str:
    def cells(f: Figures) -> list[str]:
        b = f.bookings or Bookings()
        return [number(b.made), number(b.checked_in), number(b.no_show), number(b.cancelled)]

    body = [
        f"<tr>{_cells(r.label, cells(r.figures))}</tr>"
        for r in m.agencies
        if r.figures.bookings and r.figures.bookings.made
    ]
    head = ("Instansi", "Dibuat", "Check-in", "Tidak hadir", "Batal")
    return _table(head, body, _cells("Jumlah", cells(m.totals)))


def _satisfaction(m: Monthly) -> str:
    if not any(s.index.count for s in m.satisfaction):
        return ""
    body = []
    for s in m.satisfaction:
        i = s.index
        grade = f"{i.grade.letter} ({i.grade.label})" if i.grade else "–"
        ikm = number(float(i.ikm_rounded), 2) if i.ikm_rounded is not None else "–"
        note = s.verdict.message or "Sampel mencukupi"
        cells = [
            number(i.count),
            number(s.verdict.minimum),
            ikm,
            grade,
            f'<td class="text">{html.escape(note)}</td>',
        ]
        row = f"<tr>{_cells(s.label, cells)}</tr>"
        body.append(row if s.key else row.replace("<tr>", '<tr class="total">', 1))
    head = ("Instansi", "Responden", "Sampel minimal", "IKM", "Mutu pelayanan", "Keterangan:")
    return "<h2>Survei Kepuasan Masyarakat (SKM)</h2>" + _table(head, body)


def monthly_html(m: Monthly) -> str:
    q = m.query
    month = f"{MONTHS[q.start.month - 1]} {q.start.year}"
    agency = next((r.label for r in m.agencies if r.key == q.agency), q.agency)
    fill = {
        "hall": html.escape(m.hall_name),
        "footer": _css_string(f"{m.hall_name} · Laporan Bulanan {month}"),
        "month": month,
        "period": f"{q.start.day}–{q.end.day} {month}",
        "scope": html.escape(f"Instansi: {agency}" if q.agency else "Seluruh instansi"),
        "summary": _summary(m.totals),
        "agencies": _table(
            AGENCY_HEAD,
            [f"<tr>{_cells(r.label, _agency_cells(r.figures))}</tr>" for r in m.agencies],
            _cells("Jumlah", _agency_cells(m.totals)),
        ),
        "services": _table(
            SERVICE_HEAD, [f"<tr>{_cells(r.label, _service_cells(r))}</tr>" for r in m.services]
        ),
        "hours": _hours(m.hours),
        "bookings": _bookings(m),
        "satisfaction": _satisfaction(m),
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(fill)


def _css_string(text: str) -> str:
    """Text inside a CSS string of the template's <style> (HTML escaping means nothing there)."""
    return "".join(c if c.isalnum() or c in " ·.,-()" else f"\\{ord(c):x} " for c in text)


def monthly_pdf(m: Monthly) -> bytes:
    """The month as an A4 PDF. The page is self-contained, so WeasyPrint may fetch nothing (the
    hall works offline). Imported on first use: it loads Pango and fonts, which a process that
    never prints should not pay for at start."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # Pango missing: apt-get install libpango-1.0-0 libpangoft2-1.0-0
        raise Unavailable(
            "pdf_unavailable",
            "Laporan PDF belum dapat dibuat di server ini (pustaka Pango tidak terpasang)",
            f"This server cannot make the PDF yet (the Pango library is missing: {exc})",
        ) from None

    pdf: bytes | None = HTML(string=monthly_html(m), url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf
