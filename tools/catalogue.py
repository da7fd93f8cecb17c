"""The event catalogue, docs/events.md, generated from what the code really does: the messages and
their comments from ``proto/`` (compiled by protoc with source info), the subjects, headers and
stream settings from :mod:`antre.events` and :mod:`antre.bus`, and who publishes each event from
the services' code (the service whose code builds the message).

    python -m tools.catalogue            # write docs/events.md (``make proto`` runs it)
    python -m tools.catalogue --check    # fail when docs/events.md is stale (``make proto-check``)
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2 as d
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

from antre import bus
from antre.events import COMMANDS, EVENT_HEADER, MSG_ID_HEADER, SUFFIXES, TRACE_HEADER
from tools import catalogue_text

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "events.md"
SHARED = "antre.v1"
# FieldDescriptorProto.Type -> the name written in a .proto file
SCALARS = {
    getattr(d.FieldDescriptorProto, name): name.removeprefix("TYPE_").lower()
    for name in d.FieldDescriptorProto.Type.keys()  # noqa: SIM118 (an enum wrapper, not a dict)
}


class Comments:
    """Leading and trailing comments of a file's messages, fields, enums and enum values."""

    def __init__(self, file: d.FileDescriptorProto) -> None:
        self._by_path = {tuple(loc.path): loc for loc in file.source_code_info.location}

    def of(self, *path: int) -> str:
        loc = self._by_path.get(path)
        if loc is None:
            return ""
        text = " ".join(f"{loc.leading_comments} {loc.trailing_comments}".split())
        return text.replace("|", "\\|")  # inside a table cell


def descriptors(proto_root: Path = ROOT / "proto") -> list[d.FileDescriptorProto]:
    from grpc_tools import protoc

    files = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))
    well_known = resources.files("grpc_tools") / "_proto"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "set.pb"
        args = ["protoc", f"-I{proto_root}", f"-I{well_known}", "--include_source_info"]
        if protoc.main([*args, f"--descriptor_set_out={out}", *files]) != 0:
            raise SystemExit("protoc failed on proto/")
        found = d.FileDescriptorSet.FromString(out.read_bytes())
    return [f for f in found.file if f.package == SHARED]


def publishers(services_root: Path = ROOT / "services") -> dict[str, set[str]]:
    """Message name -> the services whose code builds it (``pb.TicketCalled(...)``)."""
    names = {cls.DESCRIPTOR.name for cls in (*SUFFIXES, *COMMANDS)}
    found: dict[str, set[str]] = {}
    for path in sorted(services_root.rglob("*.py")):
        service = path.relative_to(services_root).parts[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in names
            ):
                found.setdefault(node.func.attr, set()).add(service)
    return found


def stream_settings() -> StreamConfig:
    """The stream exactly as :func:`antre.bus.ensure_stream` creates it."""

    class Recorder:
        config: StreamConfig | None = None

        async def stream_info(self, name: str) -> Any:
            raise NotFoundError()

        async def add_stream(self, config: StreamConfig) -> None:
            self.config = config

    recorder = Recorder()
    asyncio.run(bus.ensure_stream(recorder, "<hall>"))
    assert recorder.config is not None
    return recorder.config


def _type(field: d.FieldDescriptorProto) -> str:
    name = field.type_name.removeprefix(f".{SHARED}.").lstrip(".") if field.type_name else SCALARS[field.type]
    linked = f"[{name}](#{name.lower()})" if field.type_name.startswith(f".{SHARED}.") else f"`{name}`"
    return f"repeated {linked}" if field.label == d.FieldDescriptorProto.LABEL_REPEATED else linked


def _message(message: d.DescriptorProto, comments: Comments, index: int, heading: str) -> list[str]:
    lines = [f"### {heading}", ""]
    about = comments.of(4, index)
    if about:
        lines += [about, ""]
    lines += ["| Field | # | Type | Meaning |", "|---|---|---|---|"]
    for i, field in enumerate(message.field):
        lines.append(f"| `{field.name}` | {field.number} | {_type(field)} | {comments.of(4, index, 2, i)} |")
    return [*lines, ""]


def _enum(enum: d.EnumDescriptorProto, comments: Comments, index: int) -> list[str]:
    lines = [f"### {enum.name}", ""]
    about = comments.of(5, index)
    if about:
        lines += [about, ""]
    lines += ["| Value | # | Meaning |", "|---|---|---|"]
    for i, value in enumerate(enum.value):
        lines.append(f"| `{value.name}` | {value.number} | {comments.of(5, index, 2, i)} |")
    return [*lines, ""]


def render(
    files: Sequence[d.FileDescriptorProto], published: dict[str, set[str]], stream: StreamConfig
) -> str:
    located = {m.name: (m, Comments(f), i) for f in files for i, m in enumerate(f.message_type)}
    suffix = {cls.DESCRIPTOR.name: s for cls, s in SUFFIXES.items()}
    commands = {cls.DESCRIPTOR.name: s for cls, s in COMMANDS.items()}

    def by(name: str) -> str:
        return ", ".join(sorted(published.get(name, ()))) or "(none yet)"

    out = catalogue_text.intro(
        headers={"id": MSG_ID_HEADER, "name": EVENT_HEADER, "trace": TRACE_HEADER},
        stream=stream,
    )
    out += ["## Events", "", "| Subject | Message | Published by |", "|---|---|---|"]
    events = list(suffix)
    for name in events:
        out.append(f"| `antre.<hall>.<agency>.{suffix[name]}` | [{name}](#{name.lower()}) | {by(name)} |")
    out.append("")
    for name in events:
        message, comments, index = located[name]
        out += _message(message, comments, index, name)
        out += [f"Subject `antre.<hall>.<agency>.{suffix[name]}`; published by {by(name)}.", ""]
    out += catalogue_text.commands_intro()
    out += ["| Subject | Message | Sent by |", "|---|---|---|"]
    for name, subject in commands.items():
        sender = "the agency's own system (NATS user `<hall>.<agency>`)"
        out.append(f"| `antre.<hall>.<agency>.{subject}` | [{name}](#{name.lower()}) | {sender} |")
    out.append("")
    for name, subject in commands.items():
        message, comments, index = located[name]
        out += _message(message, comments, index, name)
        out += [f"Subject `antre.<hall>.<agency>.{subject}`; taken by counters.", ""]
    out += ["## Shared types", ""]
    listed = set(suffix) | set(commands)
    for file in files:
        comments = Comments(file)
        for index, message in enumerate(file.message_type):
            if message.name not in listed:
                out += _message(message, comments, index, message.name)
        for index, enum in enumerate(file.enum_type):
            out += _enum(enum, comments, index)
    return "\n".join(out).rstrip("\n") + "\n"


def build() -> str:
    return render(descriptors(), publishers(), stream_settings())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/events.md is stale")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        if not args.output.exists() or args.output.read_text() != text:
            print(f"{args.output} is stale: run 'make proto'", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
