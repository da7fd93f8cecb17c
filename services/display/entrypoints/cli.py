"""``python -m services.display.entrypoints.cli``: the hall's voice pack.

voice-build [--out DIR] [--lang id --lang en] [--speed 165]
    espeak-ng's default pack (build time: ``apt-get install espeak-ng``) with every word the hall
    file (ANTRE_HALL_FILE) can make the voice say; default DIR: the display's voice folder
    (ANTRE_VOICE_DIR, else <ANTRE_STATE_DIR>/voice)
voice-index DIR
    (re)write DIR/manifest.json from the WAV files a hall dropped in (see
    services/display/voice/README.md)
enrol-board --board ID [--zone ZONE [--speaker]] / revoke-board --board ID
    a board's new token, printed once (its page takes it as ``#device=<token>``); an earlier one
    stops working. With ``--zone`` it prints the board's address instead, token included, to put
    after the display's address in the TV's start command (``--speaker``: the zone's TV that
    speaks; see docs/boards.md). The hall's manager does the same with ``/api/v1/boards``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

from antre import db
from antre import devices as device_ids
from antre.hall.load import load_hall
from antre.runtime import utcnow
from antre.uow import UnitOfWork
from services.display.adapters import espeak, voicepack
from services.display.domain.wording import hall_vocabulary
from services.display.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="antre-display")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("voice-build", help="build the default voice pack with espeak-ng")
    build.add_argument("--out", type=Path, help="default: ANTRE_VOICE_DIR, else <ANTRE_STATE_DIR>/voice")
    build.add_argument("--lang", action="append", choices=sorted(espeak.VOICES), help="default: id and en")
    build.add_argument("--speed", type=int, default=espeak.SPEED, help="words a minute")
    index = sub.add_parser("voice-index", help="write manifest.json for a folder of recordings")
    index.add_argument("folder", type=Path)
    enrol = sub.add_parser("enrol-board", help="a new token for a board")
    enrol.add_argument("--board", required=True)
    enrol.add_argument("--zone", help="print the board's address for this zone, token included")
    enrol.add_argument("--speaker", action="store_true", help="with --zone: the zone's TV that speaks")
    sub.add_parser("revoke-board", help="end a board's token").add_argument("--board", required=True)
    args = parser.parse_args(argv)

    if args.command == "enrol-board":
        settings = Settings()
        zone = args.zone
        if zone is None and args.speaker:
            print("--speaker perlu --zone / --speaker needs --zone", file=sys.stderr)
            return 2
        if zone is not None and zone not in {z.code for z in load_hall(settings.hall_file).zones}:
            print(
                f"zona '{zone}' tidak ada di berkas aula / no zone '{zone}' in the hall file", file=sys.stderr
            )
            return 2
        token = board_device(settings, args.command, args.board)
        print(token if zone is None else board_address(zone, token, args.speaker))
        return 0
    if args.command == "revoke-board":
        print(board_device(Settings(), args.command, args.board))
        return 0
    if args.command == "voice-build":
        settings = Settings()
        out = args.out or settings.voice_path()
        langs = args.lang or ("id", "en")
        try:
            # The hall's own words too (its templates, messages and, when said, agency names).
            hall = load_hall(settings.hall_file)
            words = {lang: hall_vocabulary(hall, lang) for lang in langs}
            pack = espeak.build(out, langs, speed=args.speed, words=words)
        except (OSError, ValueError) as exc:
            print(f"paket suara gagal dibuat / voice pack not built: {exc}", file=sys.stderr)
            return 2
        print(f"paket suara / voice pack: {out} ({_summary(pack)})")
        return 0
    if not args.folder.is_dir():
        print(f"folder tidak ada / no such folder: {args.folder}", file=sys.stderr)
        return 2
    pack = voicepack.index(args.folder)
    if not any(pack.langs.values()):
        print(f"tidak ada klip WAV / no WAV clips in {args.folder}", file=sys.stderr)
        return 2
    print(f"manifest: {voicepack.write_manifest(pack)} ({_summary(pack)})")
    return 0


def board_address(zone: str, token: str, speaker: bool) -> str:
    """The board page's path with its token, as a TV's start command opens it every time."""
    return f"/boards/{quote(zone)}{'?speaker=1' if speaker else ''}#device={token}"


def board_device(settings: Settings, command: str, board: str) -> str:
    """The token of ``enrol-board``, or a line saying what ``revoke-board`` did."""
    from services.display.adapters.tables import devices, outbox
    from services.display.bootstrap import MIGRATIONS

    engine = db.make_engine(settings.db_url("display"), settings.db_schema("display"))
    try:
        db.migrate(engine, MIGRATIONS, settings.db_schema("display"))
        uow = UnitOfWork(engine, outbox, utcnow)
        hall = load_hall(settings.hall_file).id
        if command == "enrol-board":
            return device_ids.enrol_audited(uow, devices, hall, None, board, "board")
        done = device_ids.revoke_audited(uow, devices, hall, None, board, "board")
        return f"papan {board}: " + ("dicabut / revoked" if done else "tidak terdaftar / not enrolled")
    finally:
        engine.dispose()


def _summary(pack: voicepack.VoicePack) -> str:
    return ", ".join(f"{lang}: {len(clips)} klip/clips" for lang, clips in sorted(pack.langs.items()))


if __name__ == "__main__":
    sys.exit(main())
