"""The exports of the known day: the CSV parses back to the report's numbers, the workbook opens
in openpyxl with the same numbers as numbers, and the monthly PDF is a real PDF with pages whose
text names the hall, the month, every agency and the SKM."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient

from services.reports.entrypoints import exports
from services.reports.handlers import reporting
from tests.integration.reports.day_app import DAY, day_app
from tests.support.people import MANAGER, bearer
from tests.support.stores import BACKENDS
from tests.support.visit_day import Day

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

SPAN = {"from": DAY.isoformat(), "to": DAY.isoformat()}


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Day]]:
    with day_app(str(request.param), tmp_path_factory.mktemp("exports")) as running:
        yield running


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


# Some columns by their header, and where the JSON report keeps the same number.
SAME: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Kunjungan / Visits": lambda r: r["visits"],
    "Antrean / Queued": lambda r: r["queued"],
    "Dilayani / Served": lambda r: r["outcomes"]["served"],
    "Tidak hadir / No-shows": lambda r: r["outcomes"]["no_show"],
    "Dialihkan / Transferred out": lambda r: r["outcomes"]["transferred"],
    "Tunggu rata-rata (menit) / Mean wait (min)": lambda r: minutes(r["wait"]["mean"]),
    "Tunggu p50 (menit) / Wait p50 (min)": lambda r: minutes(r["wait"]["p50"]),
    "Tunggu p90 (menit) / Wait p90 (min)": lambda r: minutes(r["wait"]["p90"]),
    "Layanan p90 (menit) / Service p90 (min)": lambda r: minutes(r["service"]["p90"]),
    "Layanan sesuai standar (%) / Service within standard (%)": lambda r: percent(
        r["service_within_target"]["share"]
    ),
    "Tunggu sesuai standar (%) / Wait within standard (%)": lambda r: percent(
        r["wait_within_target"]["share"]
    ),
    "Lansia / Elderly": lambda r: r["priorities"]["elderly"],
    "Online / Online": lambda r: r["channels"]["online"],
}


def report(client: TestClient, by: str, token: str = "token-manager") -> dict[str, Any]:
    return client.get("/api/v1/reports", params={**SPAN, "by": by}, headers=bearer(token)).json()


def download(client: TestClient, path: str, token: str = "token-manager", **params: str) -> Any:
    answer = client.get(path, params=params, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer


def number(cell: str) -> int | float | None:
    if cell == "":
        return None
    return float(cell) if "." in cell else int(cell)


@pytest.mark.parametrize("by", ["agency", "service", "counter", "hour"])
def test_the_csv_parses_back_to_the_reports_numbers(app: tuple[TestClient, Day], by: str) -> None:
    client, _ = app
    answer = download(client, "/api/v1/reports.csv", **SPAN, by=by)
    assert answer.headers["content-type"].startswith("text/csv")
    hall = client.app.state.ctx.deps.hall.id  # type: ignore[attr-defined]
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="laporan-{hall}-{DAY}-{DAY}-{by}.csv"'
    )
    assert answer.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    header, *lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    want = report(client, by)
    assert len(lines) == len(want["rows"]) + 1
    assert all(len(line) == len(header) for line in lines)
    for line, row in zip(lines, [*want["rows"], want["totals"]], strict=True):
        cells = dict(zip(header, line, strict=True))
        for name, pick in SAME.items():
            assert number(cells[name]) == pick(row), (by, row.get("key"), name)
    assert lines[-1][1] == "Jumlah"
    if by == "service":
        assert [line[0] for line in lines[:-1]] == [r["key"] for r in want["rows"]]
        assert [number(line[2]) for line in lines[:-1]] == [r["target_minutes"] for r in want["rows"]]


def test_a_name_with_a_comma_or_quote_survives_the_csv(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    text = download(client, "/api/v1/reports.csv", **SPAN, by="service").content.decode("utf-8-sig")
    names = [line[1] for line in csv.reader(io.StringIO(text))][1:-1]
    assert "Pajak Daerah (hotel, restoran, hiburan, reklame, parkir)" in names


def test_the_workbook_has_the_same_numbers_as_numbers(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    answer = download(client, "/api/v1/reports.xlsx", **SPAN, by="agency")
    assert (
        answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer.headers["content-disposition"].endswith('-agency.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Per instansi"]
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    assert all(cell.font.bold for cell in sheet[1])
    want = report(client, "agency")
    assert len(rows) == len(want["rows"]) + 2
    for values, row in zip(rows[1:], [*want["rows"], want["totals"]], strict=True):
        cells = dict(zip(header, values, strict=True))
        for name, pick in SAME.items():
            assert cells[name] == pick(row), (row.get("key"), name)
            assert cells[name] is None or isinstance(cells[name], int | float)
    wait = header.index("Tunggu p90 (menit) / Wait p90 (min)") + 1
    assert sheet.cell(row=2, column=wait).number_format == "0.0"


def test_a_supervisors_export_is_their_agency(app: tuple[TestClient, Day]) -> None:
    client, day = app
    answer = download(client, "/api/v1/reports.csv", "token-supervisor", **SPAN, by="agency")
    assert answer.headers["content-disposition"].endswith('-agency-dukcapil.csv"')
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["dukcapil", ""]
    dukcapil = {leg.ticket_id for leg in day.legs if leg.agency == "dukcapil"}
    assert int(lines[1][2]) == len(dukcapil)


# ---- the monthly PDF ----


def pdf_pages(data: bytes) -> int:
    """The pages of the PDF as a real reader opens it (PDFium, Chromium's PDF engine)."""
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def first_page_picture(data: bytes, path: Path) -> tuple[int, int]:
    """The first page drawn as a PNG (the README shows it); its size in pixels."""
    document = pdfium.PdfDocument(data)
    try:
        image = document[0].render(scale=1.5).to_pil()
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
        return image.size
    finally:
        document.close()


def test_the_monthly_pdf_is_a_pdf_with_pages(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    answer = download(client, "/api/v1/reports/monthly.pdf", month="2026-03")
    assert answer.headers["content-type"] == "application/pdf"
    hall = client.app.state.ctx.deps.hall.id  # type: ignore[attr-defined]
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="laporan-bulanan-{hall}-2026-03.pdf"'
    )
    assert answer.content.startswith(b"%PDF-")
    assert pdf_pages(answer.content) >= 2  # six agencies, fifteen services, hours, bookings, SKM
    width, height = first_page_picture(answer.content, SCREENSHOTS / "laporan-bulanan.png")
    assert 1.3 < height / width < 1.5  # A4 upright


def test_a_supervisors_monthly_pdf_is_their_agency(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    answer = download(client, "/api/v1/reports/monthly.pdf", "token-supervisor-bpjs", month="2026-03")
    assert answer.headers["content-disposition"].endswith('-2026-03-bpjs.pdf"')
    assert answer.content.startswith(b"%PDF-") and pdf_pages(answer.content) >= 1


def test_an_empty_month_still_prints(app: tuple[TestClient, Day]) -> None:
    client, _ = app
    answer = download(client, "/api/v1/reports/monthly.pdf", month="2031-02")
    assert pdf_pages(answer.content) >= 1


def test_the_monthly_page_says_what_the_month_was(app: tuple[TestClient, Day]) -> None:
    client, day = app
    deps = client.app.state.ctx.deps  # type: ignore[attr-defined]
    month = reporting.monthly(deps, reporting.ask_month(deps.hall, MANAGER, DAY, "2026-03"))
    page = exports.monthly_html(month)
    assert "Laporan Bulanan" in page and "Maret 2026" in page and "1–31 Maret 2026" in page
    assert deps.hall.name in page
    for agency in deps.hall.agencies:
        assert agency.name in page
    assert f"<b>{len(day.visits)}</b>" in page  # the month's visits, as the summary shows them
    assert "Survei Kepuasan Masyarakat" in page and "IKM" in page
    assert month.totals.visits == len(day.visits)
    answered = [s for s in month.satisfaction if s.key]
    assert sum(s.index.count for s in answered) == len(day.surveys)
    assert month.satisfaction[-1].key == "" and month.satisfaction[-1].index.count == len(day.surveys)
