"""``enrol-board --zone``: the board's address with its new token, ready for the TV's start
command (docs/boards.md); a zone the hall file does not have, or ``--speaker`` alone, is refused
in both languages with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from antre import db, devices
from services.display.adapters import tables
from services.display.entrypoints import cli
from services.display.settings import Settings
from tests.support.infra import unique, write_hall


@pytest.fixture
def hall_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("ANTRE_DATABASE_URL", "ANTRE_DATABASE_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTRE_HALL_FILE", str(write_hall(tmp_path, unique("d"))))
    monkeypatch.setenv("ANTRE_STATE_DIR", str(tmp_path / "state"))
    return Settings()


def test_the_speaker_address_carries_a_working_token(
    hall_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["enrol-board", "--board", "papan-lantai-1-a", "--zone", "lantai-1-a", "--speaker"]) == 0
    address = capsys.readouterr().out.strip()
    prefix = "/boards/lantai-1-a?speaker=1#device="
    assert address.startswith(prefix)
    token = address.removeprefix(prefix)
    engine = db.make_engine(hall_env.db_url("display"))
    try:
        with engine.connect() as conn:
            assert devices.device_for(conn, tables.devices, token, "board").id == "papan-lantai-1-a"
    finally:
        engine.dispose()

    assert cli.main(["enrol-board", "--board", "papan-lantai-2", "--zone", "lantai-2"]) == 0
    assert capsys.readouterr().out.strip().startswith("/boards/lantai-2#device=")  # a silent TV
    assert cli.main(["enrol-board", "--board", "papan-3"]) == 0
    assert "/" not in capsys.readouterr().out.strip()  # without --zone: the token alone, as before


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["--zone", "lantai-9"],
            "zona 'lantai-9' tidak ada di berkas aula / no zone 'lantai-9' in the hall file",
        ),
        (["--speaker"], "--speaker perlu --zone / --speaker needs --zone"),
    ],
)
def test_bad_input_is_refused_in_both_languages(
    hall_env: Settings, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert cli.main(["enrol-board", "--board", "papan-x", *argv]) == 2
    out = capsys.readouterr()
    assert out.err.strip() == said and out.out == ""
