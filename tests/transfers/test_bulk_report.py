"""`gateway import`'s report: what a school administrator needs to mend a refused file.

A refused file's meldingen as the API's problem detail has them (type, text, location,
category); a row answered from an earlier run's journal says so; a dossier without BSN
gets the command line's hint (manifest.json), not the API's query parameter; and the
table reads whole at 80 columns.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from gateway.core import migrate
from gateway.deps import edges_of
from gateway.import_cli import table, view, why
from gateway.transfers import bulk
from gateway.transfers.models import Transfer
from tests.support.gateway import Gateway, Org
from tests.support.portal import enrol
from tests.support.standing import enrolled
from tests.test_cli import gateway_cli
from tests.transfers.test_bulk_import import OPT_OUT, batch, count, dossier, run
from tests.transfers.test_oso_profiles import example, pupil_of, push_xml, registered, voswv

TLV = "tlv.aanvraag"


@pytest.fixture
def parties(gateway: Gateway) -> tuple[Org, Org]:
    return gateway.make_org("school_po"), gateway.make_org("school_vo")


def imported(
    gateway: Gateway, folder: Path, sender: Org, journal: Path, *, purpose: str, recipient: str
) -> list[dict[str, Any]]:
    options = bulk.Options(
        sender=sender.id, actor="ib-1", role="ib", recipient=recipient, purpose=purpose
    )
    importer = bulk.Importer(
        gateway.services.db,
        lambda: edges_of(gateway.services),
        options,
        bulk.Journal(journal),
        sender_kind=sender.kind,
    )
    return importer.run(*bulk.read_batch(folder))


def shown(found: dict[str, Any], width: int = 80) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(view(found))
    return out.getvalue()


def flat(text: str) -> str:
    """The words of a text, whatever lines and borders it was drawn across."""
    return " ".join(text.replace("│", " ").split())


# --- 1. meldingen: type and location, as the API has them --------------------------


def test_a_refused_files_meldingen_are_the_apis_with_type_and_location(
    gateway: Gateway, tmp_path: Path
) -> None:
    school, swv = gateway.make_org("school_vo"), gateway.make_org("swv_vo")
    raw = voswv(keep_vve=True)  # VOSWV forbids vve: four Fout, each at the leerling
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "vo-swv.xml").write_bytes(raw)

    (row,) = imported(gateway, folder, school, tmp_path / "j", purpose=TLV, recipient=swv.id)
    problem = push_xml(gateway, school, swv, TLV, raw, subject_ref="x").json()

    assert row["code"] == problem["code"] == "invalid_dossier"
    assert row["meldingen"] == problem["meldingen"]
    assert len(row["meldingen"]) == 4
    for melding in row["meldingen"]:
        assert list(melding) == ["type", "text", "location", "category"]
        assert melding["type"] == "Fout"  # only a Fout refuses (rules.errors)
        assert melding["location"] == "/dossier[1]/huidigeschool[1]/leerling[1]"
    assert count(gateway, Transfer) == 0


# --- 2. rows of an earlier run -------------------------------------------------------


def test_a_resumed_run_marks_the_rows_its_journal_answered(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    journal = tmp_path / "j.jsonl"
    with pytest.raises(bulk.Interrupted):
        run(gateway, folder, po, journal, recipient=vo.id, stop_after=3, size=3)
    before = {entry["file"] for entry in bulk.Journal(journal).entries().values()}

    rows = run(gateway, folder, po, journal, recipient=vo.id)

    assert {row["file"] for row in rows if row["earlier_run"]} == before
    assert len(before) == 3 and sum(not row["earlier_run"] for row in rows) == 4
    found = bulk.summary(rows, str(folder))
    assert found["earlier_run"] == 3
    assert "(3 in an earlier run)" in str(table(found).title)
    # The journal holds each file's outcome alone, as before: the mark is the report's.
    assert not any("earlier_run" in entry for entry in bulk.Journal(journal).entries().values())


def test_earlier_run_and_idempotency_replay_read_differently(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    run(gateway, folder, po, tmp_path / "j1.jsonl", recipient=vo.id)

    from_journal = {
        r["file"]: r for r in run(gateway, folder, po, tmp_path / "j1.jsonl", recipient=vo.id)
    }
    replayed = {
        r["file"]: r for r in run(gateway, folder, po, tmp_path / "j2.jsonl", recipient=vo.id)
    }

    assert all(row["earlier_run"] for row in from_journal.values())
    assert why(from_journal["good-0.xml"]) == "imported in an earlier run"
    # A file refused for its own content is mended into another file; a cause outside
    # it (the aanmelding) is mended elsewhere, and --retry-refused tries the file again.
    assert "a mended file is imported as new" in why(from_journal["broken.xml"])
    assert "--retry-refused" not in why(from_journal["broken.xml"])
    assert "--retry-refused" in why(from_journal["no-aanmelding.xml"])
    assert not any(row["earlier_run"] for row in replayed.values())
    assert replayed["good-0.xml"]["new"] is False
    assert why(replayed["good-0.xml"]) == "already imported"
    assert "--retry-refused" not in why(replayed["broken.xml"])
    assert count(gateway, Transfer) == 4


def test_a_journal_written_before_the_report_knew_types_and_locations_still_reads(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = tmp_path / "b"
    folder.mkdir()
    raw = dossier(10, **OPT_OUT)[0]
    (folder / "rules.xml").write_bytes(raw)
    source = bulk.read_batch(folder)[0][0]
    old = {  # a line as the journal had it: meldingen with text and category only
        "sha256": source.sha256,
        "file": "rules.xml",
        "outcome": "refused",
        "code": "invalid_dossier",
        "detail": "The OSO dossier is not valid: the OSO business rules report 1 error(s) (Fout).",
        "meldingen": [{"text": "Een [oude] melding.", "category": "verzuim"}],
    }
    journal = tmp_path / "old.jsonl"
    journal.write_text(json.dumps(old) + "\n", "utf-8")

    (row,) = run(gateway, folder, po, journal, recipient=vo.id)

    assert row == {**old, "earlier_run": True}
    printed = shown(bulk.summary([row], str(folder)))
    assert "Fout: Een [oude] melding. (category verzuim)" in printed
    assert " at " not in printed  # no location to show


# --- 3. a dossier without BSN: the command line's hint -------------------------------


def test_a_dossier_without_bsn_gets_the_manifest_hint_and_the_api_keeps_its_own(
    gateway: Gateway, tmp_path: Path
) -> None:
    school, swv = gateway.make_org("school_po"), gateway.make_org("swv_po")
    raw = example("PaO_POSWV_full")
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "tlv.xml").write_bytes(raw)

    (row,) = imported(gateway, folder, school, tmp_path / "j1", purpose=TLV, recipient=swv.id)
    problem = push_xml(gateway, school, swv, TLV, raw).json()

    assert row["code"] == problem["code"] == "invalid_request"
    assert row["detail"] == bulk.NO_SUBJECT_REF
    assert "manifest.json" in row["detail"] and '"subject_ref"' in row["detail"]
    assert "&subject_ref=" not in row["detail"]
    assert problem["detail"] == (
        "This dossier carries no BSN: name the pupil with &subject_ref=<your subject_ref>."
    )

    # Mended as the hint says, the file goes.
    ref = registered(gateway, school, pupil_of(raw))
    manifest = {"tlv.xml": {"recipient": swv.id, "subject_ref": ref}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (again,) = imported(gateway, folder, school, tmp_path / "j2", purpose=TLV, recipient="")
    assert again["outcome"] == "accepted", again


# --- 4. readable at 80 columns ------------------------------------------------------

LONG = "leerling-2026-groep8-de-regenboog-verzuim-uitgezet.xml"


def test_the_report_reads_whole_at_80_columns(gateway: Gateway, tmp_path: Path) -> None:
    school, swv = gateway.make_org("school_vo"), gateway.make_org("swv_vo")
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / LONG).write_bytes(voswv(keep_vve=True))
    (folder / "[bold]x.xml").write_bytes(b"<dossier>")
    (folder / "tlv.xml").write_bytes(example("PaO_POSWV_full"))
    rows = imported(gateway, folder, school, tmp_path / "j", purpose=TLV, recipient=swv.id)
    found = bulk.summary(rows, str(folder))

    printed = shown(found)

    assert max(len(line) for line in printed.splitlines()) <= 80
    assert "…" not in printed  # nothing cut short: long texts fold
    assert "[bold]x.xml" in printed  # a file name is text, not markup
    assert f"{LONG} (invalid_dossier):" in printed  # each refused file's meldingen below
    words = flat(printed)
    (refused,) = [row for row in rows if row["file"] == LONG]
    for melding in refused["meldingen"]:
        assert flat(f"Fout: {melding['text']}") in words
    assert "at /dossier[1]/huidigeschool[1]/leerling[1]" in printed
    assert flat(bulk.NO_SUBJECT_REF) in words


def test_the_command_prints_the_report_whole_in_an_80_column_terminal(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    env = {"GATEWAY_DATA_DIR": str(var), "COLUMNS": "80"}
    migrate.upgrade(f"sqlite:///{var / 'gateway.db'}")
    added = gateway_cli("orgs", "add", "--name", "OBS", "--kind", "school_vo", "--json", env=env)
    assert added.returncode == 0, added.stderr
    school = json.loads(added.stdout)["id"]
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / LONG).write_bytes(voswv(keep_vve=True))
    (folder / "tlv.xml").write_bytes(example("PaO_POSWV_full"))
    args = ("import", str(folder), "--from", school, "--actor", "admin-1", "--workers", "0")

    done = gateway_cli(*args, "--recipient", "org_nobody", "--purpose", TLV, env=env)
    again = gateway_cli(*args, "--recipient", "org_nobody", "--purpose", TLV, env=env)

    assert done.returncode == again.returncode == 1, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    assert "…" not in done.stdout and f"{LONG} (invalid_dossier):" in done.stdout
    assert "manifest.json" in flat(done.stdout) and "&subject_ref" not in done.stdout
    assert "(2 in an earlier run)" in again.stdout
    assert "--retry-refused" in flat(again.stdout)


def test_an_accepted_file_in_the_table_names_its_transfer(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = tmp_path / "b"
    folder.mkdir()
    raw, pupil = dossier(0)
    enrolled(gateway, po, pupil)
    enrol(gateway, vo, pupil)
    (folder / "a.xml").write_bytes(raw)

    rows = run(gateway, folder, po, tmp_path / "j", recipient=vo.id)

    printed = shown(bulk.summary(rows, str(folder)))
    assert rows[0]["transfer"] in printed and "1 accepted, 0 refused of 1" in printed
