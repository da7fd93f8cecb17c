"""The generated files agencies read: the event catalogue and the NATS users, fresh and true."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from antre import nats_accounts
from antre.events import COMMANDS, SUFFIXES
from antre.hall.model import Hall
from tests.support.infra import ROOT
from tools import catalogue


def test_the_catalogue_is_fresh() -> None:
    assert catalogue.OUTPUT.read_text() == catalogue.build(), "docs/events.md is stale: run 'make proto'"


def test_the_catalogue_lists_every_event_and_command_with_its_subject_and_publisher() -> None:
    text = catalogue.OUTPUT.read_text()
    for cls, suffix in (*SUFFIXES.items(), *COMMANDS.items()):
        name = cls.DESCRIPTOR.name
        assert f"| `antre.<hall>.<agency>.{suffix}` | [{name}](#{name.lower()}) |" in text
        assert f"\n### {name}\n" in text
    published = catalogue.publishers()
    assert published["TicketIssued"] == {"ticketing"}
    assert published["TicketCalled"] == {"counters"}
    assert published["CommandRefused"] == {"counters"}
    assert "PauseCounter" not in published  # agencies' systems send it, no service does


def test_field_comments_come_from_the_proto_source(tmp_path: Path) -> None:
    (tmp_path / "antre" / "v1").mkdir(parents=True)
    (tmp_path / "antre" / "v1" / "x.proto").write_text(
        'syntax = "proto3";\npackage antre.v1;\n'
        "// What a board shows.\nmessage Board {\n"
        "  string zone = 1;   // zone code | kode zona\n"
        "  // Numbers on the board, newest first.\n  repeated string numbers = 2;\n}\n"
    )
    (file,) = catalogue.descriptors(tmp_path)
    lines = catalogue._message(file.message_type[0], catalogue.Comments(file), 0, "Board")
    assert lines[2] == "What a board shows."
    assert "| `zone` | 1 | `string` | zone code \\| kode zona |" in lines
    assert "| `numbers` | 2 | repeated `string` | Numbers on the board, newest first. |" in lines


def test_the_kendari_nats_users_are_fresh(kendari: Hall) -> None:
    command = "python -m antre.nats_accounts config examples/kendari.yaml"
    expected = nats_accounts.render([kendari], command)
    assert (ROOT / "deploy" / "nats" / "accounts.conf").read_text() == expected, (
        f"deploy/nats/accounts.conf is stale: run '{command} -o deploy/nats/accounts.conf'"
    )


def test_users_whose_password_variables_would_clash_are_refused(kendari: Hall) -> None:
    clash = replace(kendari, id="kendari-x")
    other = replace(kendari, id="kendari_x")
    with pytest.raises(ValueError, match="ANTRE_NATS_KENDARI_X_DUKCAPIL"):
        nats_accounts.grants([clash, other])


def test_generated_passwords_are_read_by_nats_server_as_strings() -> None:
    # A variable's value starting with a digit or '-' is taken for a number by nats-server.
    for _ in range(200):
        password = nats_accounts.random_password()
        assert password[0].isalpha() and password.isalnum() and len(password) == 32
