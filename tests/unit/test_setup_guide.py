"""The hall's set-up guide (docs/panduan-pemasangan.md) against the code it describes: every
picture and relative link it has exists (a link into another page's heading finds the heading),
every ``python -m ...`` command in its code blocks names a subcommand and options that command's
parser takes, and every ``ANTRE_*`` variable it names is a setting some service reads.

The commands are checked by asking each CLI itself for the subcommand's ``--help`` (argparse
answers it before anything else runs): a renamed subcommand or option fails here, not on the
Monday a technician types it."""

from __future__ import annotations

import importlib
import io
import re
import shlex
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "panduan-pemasangan.md"
SERVICES = ("ticketing", "counters", "display", "notify", "reports")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def guide() -> str:
    assert GUIDE.is_file(), f"{GUIDE.relative_to(REPO)} is missing"
    return GUIDE.read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)


def commands(text: str) -> list[list[str]]:
    """``python -m <module> ...`` in the code blocks, from the module on, up to a redirect, pipe or
    comment; a line ending in a backslash goes on on the next."""
    found = []
    for block in code_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            at = line.find("python -m ")
            if at < 0:
                continue
            words = shlex.split(line[at + len("python -m ") :], comments=True)
            cut = next((i for i, w in enumerate(words) if w in {"<", ">", "|", "&&", ";"}), len(words))
            found.append(words[:cut])
    return found


def help_text(module: str, argv: list[str]) -> tuple[int, str]:
    """What the module's CLI says to ``argv``: its exit code and everything it wrote."""
    main = importlib.import_module(module).main
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out), pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0), out.getvalue()


def settings_names() -> set[str]:
    names: set[str] = set()
    for service in SERVICES:
        settings = importlib.import_module(f"services.{service}.settings").Settings
        names |= {f"ANTRE_{field.upper()}" for field in settings.model_fields}
    return names


def slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_every_picture_and_relative_link_exists() -> None:
    text = guide()
    targets = [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    # The pictures the guide promises: the kiosk both ways, the ticket, the operator page, a board
    # and the hand-drawn network.
    assert {p for p in pictures if p.startswith("panduan/")} >= {
        "panduan/kiosk-1080x1920.png",
        "panduan/kiosk-1920x1080.png",
        "panduan/tiket.png",
        "panduan/operator-1366x768.png",
        "panduan/papan-1920x1080.png",
        "panduan/jaringan-aula.svg",
    }
    missing = []
    for target in targets:
        path, _, anchor = target.partition("#")
        page = (GUIDE.parent / path).resolve() if path else GUIDE
        if not page.exists() or (anchor and page.suffix == ".md" and anchor not in anchors(page)):
            missing.append(target)
    assert not missing, f"links to nothing: {missing}"


def test_the_pictures_are_small() -> None:
    folder = GUIDE.parent / "panduan"
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    assert sum(sizes.values()) < 400_000, sizes  # a few hundred kB for the whole guide


def test_every_command_names_a_subcommand_and_options_its_cli_takes() -> None:
    found = commands(guide())
    modules = {words[0] for words in found}
    assert {
        "services.ticketing.entrypoints.cli",
        "services.counters.entrypoints.cli",
    } <= modules, modules
    wrong = []
    for module, *args in found:
        subcommand = [a for a in args[:1] if not a.startswith("-")]
        code, said = help_text(module, [*subcommand, "--help"])
        if code != 0:
            wrong.append(f"{module} {' '.join(subcommand)}: {said.strip().splitlines()[-1:]}")
            continue
        for at, arg in enumerate(args):
            if not arg.startswith("--"):
                continue
            option = arg.split("=")[0]
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", said):
                wrong.append(f"{module} {' '.join(subcommand)}: no option {option}")
            # An option with choices ("--role {officer,...}") takes only those.
            choices = re.search(rf"{re.escape(option)} \{{([^}}]+)\}}", said)
            value = arg.split("=", 1)[1] if "=" in arg else (args[at + 1] if at + 1 < len(args) else "")
            if choices and value not in choices.group(1).split(","):
                wrong.append(f"{module} {' '.join(subcommand)}: {option} takes no '{value}'")
    assert not wrong, "\n".join(wrong)


def test_a_command_the_cli_does_not_have_is_caught() -> None:
    code, _ = help_text("services.ticketing.entrypoints.cli", ["enroll-kiosk", "--help"])
    assert code != 0
    _, said = help_text("services.ticketing.entrypoints.cli", ["enrol-kiosk", "--help"])
    assert "--kiosk" in said and "--zone" not in said


def test_every_antre_variable_named_is_a_setting() -> None:
    named = set(re.findall(r"\bANTRE_[A-Z0-9_]+", guide()))
    assert named, "the guide names no setting"
    unknown = sorted(named - settings_names())
    assert not unknown, f"not a setting of any service: {unknown}"
