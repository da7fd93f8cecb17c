"""``python -m services.display.entrypoints.cli``: the hall's voice pack.

voice-build [--out DIR] [--lang id --lang en] [--speed 165]
    espeak-ng's default pack (build time: ``apt-get install espeak-ng``) with every word the hall
    file (ANTRE_HALL_FILE) can make the voice say; default DIR: the display's voice folder
    (ANTRE_VOICE_DIR, else <ANTRE_STATE_DIR>/voice)
voice-index DIR
    (re)write DIR/manifest.json from the WAV files a hall dropped in (see
    services/display/voice/README.md)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from antre.hall.load import load_hall
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
    args = parser.parse_args(argv)

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


def _summary(pack: voicepack.VoicePack) -> str:
    return ", ".join(f"{lang}: {len(clips)} klip/clips" for lang, clips in sorted(pack.langs.items()))


if __name__ == "__main__":
    sys.exit(main())
