"""`gateway import`: a batch of OSO files through the push service, resumable and idempotent.

The importer runs in-process against the harness's database: the same checks and the
same audit entries as POST /v1/transfers, one idempotent push per file (key from the
file's content hash), a journal to resume from, and a report that names no pupil.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from connectors.oso.xsd import qualify
from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.core import migrate
from gateway.core.errors import Conflict
from gateway.deps import edges_of
from gateway.import_cli import table
from gateway.transfers import bulk, push
from gateway.transfers.models import Transfer
from tests.support import oso
from tests.support.gateway import Gateway, Org
from tests.support.portal import enrol
from tests.support.standing import enrolled
from tests.test_cli import gateway_cli

POVO_FULL = (oso.EXAMPLES / "Voorbeelddossier_OV_POVO_full.xml").read_bytes()
NAMES = ["Aalders", "Bakker", "Claassen", "Dekker"]


def bsn(n: int) -> str:
    """A BSN that passes the 11-proef, one per n."""
    head = f"{10000000 + n * 7919:08d}"
    total = sum(int(d) * w for d, w in zip(head, range(9, 1, -1), strict=True))
    last = total % 11
    if last == 10:
        return bsn(n + 1000)
    return head + str(last)


def dossier(n: int, **changes: bytes) -> tuple[bytes, dict[str, str]]:
    """The POVO example for pupil n: its own BSN and family name."""
    root = etree.fromstring(POVO_FULL)
    pupil = root.find(qualify("huidigeschool/leerling"))
    assert pupil is not None
    number = bsn(n)
    for name, value in {"bsn": number, "achternaam": NAMES[n % len(NAMES)] + str(n)}.items():
        element = pupil.find(qualify(name))
        assert element is not None
        element.text = value
    raw = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    for old, new in changes.items():
        raw = raw.replace(old.encode(), new)
    return raw, {"bsn": number, "birth_date": "2003-03-17"}


OPT_OUT = {"<cat_verzuim>OPTIONEEL</cat_verzuim>": b"<cat_verzuim>OPT-UIT</cat_verzuim>"}


def batch(gateway: Gateway, tmp_path: Path, po: Org, vo: Org) -> Path:
    """Four good dossiers, one the business rules refuse, one that is no XML, one for a
    pupil the VO school has no aanmelding of."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(4):
        raw, pupil = dossier(n)
        enrolled(gateway, po, pupil)
        enrol(gateway, vo, pupil)
        (folder / f"good-{n}.xml").write_bytes(raw)
    raw, pupil = dossier(10, **OPT_OUT)
    enrolled(gateway, po, pupil)
    enrol(gateway, vo, pupil)
    (folder / "rules.xml").write_bytes(raw)
    (folder / "broken.xml").write_bytes(b"<dossier>not closed")
    raw, pupil = dossier(11)
    enrolled(gateway, po, pupil)
    (folder / "no-aanmelding.xml").write_bytes(raw)
    (folder / "notes.txt").write_text("not an OSO file")
    return folder


def run(
    gateway: Gateway,
    path: Path,
    po: Org,
    journal: Path,
    *,
    recipient: str | None,
    workers: int = 0,
    stop_after: int | None = None,
    size: int = bulk.BATCH,
    retry_refused: bool = False,
) -> list[dict[str, Any]]:
    options = bulk.Options(
        sender=po.id,
        actor="admin-po",
        role="ib",
        recipient=recipient,
        workers=workers,
        stop_after=stop_after,
        batch=size,
        retry_refused=retry_refused,
    )
    importer = bulk.Importer(
        gateway.services.db,
        lambda: edges_of(gateway.services),
        options,
        bulk.Journal(journal),
        sender_kind=po.kind,
    )
    sources, manifest = bulk.read_batch(path)
    return importer.run(sources, manifest)


def count(gateway: Gateway, model: Any, **where: str) -> int:
    with gateway.services.db.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query) or 0


@pytest.fixture
def parties(gateway: Gateway) -> tuple[Org, Org]:
    return gateway.make_org("school_po"), gateway.make_org("school_vo")


def test_a_batch_reports_every_file_accepted_or_refused_and_why(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)

    rows = run(gateway, folder, po, tmp_path / "j.jsonl", recipient=vo.id)

    found = {row["file"]: row for row in rows}
    assert sorted(found) == [
        "broken.xml",
        "good-0.xml",
        "good-1.xml",
        "good-2.xml",
        "good-3.xml",
        "no-aanmelding.xml",
        "rules.xml",
    ]
    for n in range(4):
        assert found[f"good-{n}.xml"]["outcome"] == "accepted"
        assert found[f"good-{n}.xml"]["transfer"].startswith("tr_")
    assert found["broken.xml"]["code"] == "invalid_dossier"
    assert found["rules.xml"]["code"] == "invalid_dossier"
    assert found["rules.xml"]["meldingen"] == [
        {
            "type": "Fout",
            "text": 'Een dossier mag geen gegevens uit de categorie "Verzuim" bevatten wanneer '
            "deze categorie is uitgezet.",
            "location": "",  # this rule names no element, in the API's answer either
            "category": "verzuim",
        }
    ]
    assert found["no-aanmelding.xml"]["outcome"] == "refused"
    assert count(gateway, Transfer) == 4
    # The same audit entries as the API: each push, and each refusal the policy made.
    assert count(gateway, AuditEntry, action="transfer.send", decision="permit") == 4
    assert count(gateway, AuditEntry, action="transfer.send", decision="deny") >= 1
    report = json.dumps(bulk.summary(rows, str(folder)))
    for n in (*range(4), 10, 11):
        assert bsn(n) not in report and NAMES[n % len(NAMES)] + str(n) not in report
    assert "Berg" not in report


def test_an_interrupted_import_resumes_without_duplicates(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    journal = tmp_path / "j.jsonl"

    with pytest.raises(bulk.Interrupted):
        run(gateway, folder, po, journal, recipient=vo.id, stop_after=2)
    assert len(bulk.Journal(journal).entries()) == 2
    rows = run(gateway, folder, po, journal, recipient=vo.id)

    assert len(rows) == 7
    assert sum(row["outcome"] == "accepted" for row in rows) == 4
    assert count(gateway, Transfer) == 4
    assert count(gateway, AuditEntry, action="transfer.send", decision="permit") == 4


def test_a_refused_file_is_tried_again_only_when_asked_once_its_cause_is_mended(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    journal = tmp_path / "j.jsonl"
    run(gateway, folder, po, journal, recipient=vo.id)
    enrol(gateway, vo, dossier(11)[1])  # the VO school registers the missing aanmelding

    again = {row["file"]: row for row in run(gateway, folder, po, journal, recipient=vo.id)}
    assert again["no-aanmelding.xml"]["outcome"] == "refused"  # the journal answers
    assert count(gateway, Transfer) == 4

    retried = run(gateway, folder, po, journal, recipient=vo.id, retry_refused=True)
    found = {row["file"]: row for row in retried}
    assert found["no-aanmelding.xml"]["outcome"] == "accepted"
    assert found["broken.xml"]["code"] == "invalid_dossier"  # still what it was
    assert count(gateway, Transfer) == 5  # the four accepted before are not sent again
    assert count(gateway, AuditEntry, action="transfer.send", decision="permit") == 5


def test_a_refused_file_in_the_middle_of_a_batch_rolls_back_alone_and_is_on_record(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = tmp_path / "batch"
    folder.mkdir()
    for n, name in ((0, "a"), (1, "c")):
        raw, pupil = dossier(n)
        enrolled(gateway, po, pupil)
        enrol(gateway, vo, pupil)
        (folder / f"{name}.xml").write_bytes(raw)
    raw, pupil = dossier(11)  # the VO school has no aanmelding of this pupil: denied
    enrolled(gateway, po, pupil)
    (folder / "b.xml").write_bytes(raw)

    rows = run(gateway, folder, po, tmp_path / "j.jsonl", recipient=vo.id, size=3)

    assert [row["outcome"] for row in rows] == ["accepted", "refused", "accepted"]
    assert count(gateway, Transfer) == 2
    refused = edges_of(gateway.services).keyring.pseudonyms.subject_ref(bsn(11))
    denied = count(gateway, AuditEntry, action="transfer.send", subject_ref=refused)
    assert denied == 1 and count(gateway, Transfer, subject_ref=refused) == 0
    assert count(gateway, AuditEntry, action="transfer.send", decision="permit") == 2
    with gateway.services.db.sessions() as session:
        assert audit.verify(session).ok


def test_a_crash_in_the_middle_of_a_batch_keeps_nothing_of_it_and_the_rerun_loses_nothing(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    journal = tmp_path / "j.jsonl"
    stored = push.store
    calls = []

    def crash_at_the_third(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the operator's ^C, mid-transaction
        return stored(*args, **kwargs)

    monkeypatch.setattr(push, "store", crash_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        run(gateway, folder, po, journal, recipient=vo.id, size=2)
    # The first batch (the broken file, good-0) was committed and journalled; the second
    # (good-1, good-2), cut short after good-1 was written, left nothing: no transfer,
    # no audit entry, no journal line.
    assert sorted(e["file"] for e in bulk.Journal(journal).entries().values()) == [
        "broken.xml",
        "good-0.xml",
    ]
    first = count(gateway, Transfer)
    permits = count(gateway, AuditEntry, action="transfer.send", decision="permit")
    assert first == permits == 1
    monkeypatch.setattr(push, "store", stored)

    rows = run(gateway, folder, po, journal, recipient=vo.id, size=4)

    assert len(rows) == 7 and sum(row["outcome"] == "accepted" for row in rows) == 4
    assert count(gateway, Transfer) == 4
    assert count(gateway, AuditEntry, action="transfer.send", decision="permit") == 4
    assert len({row["transfer"] for row in rows if row["outcome"] == "accepted"}) == 4


def test_a_file_refused_while_it_is_written_leaves_no_idempotency_record_behind(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused after its answer was recorded: the savepoint takes the record back too,
    so a later run pushes the file rather than replaying a transfer that never was."""
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    stored = push.store
    calls = []

    def refuse_the_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise Conflict("The pupil's record changed meanwhile.", code="subject_conflict")
        return stored(*args, **kwargs)

    monkeypatch.setattr(push, "store", refuse_the_second)
    first = run(gateway, folder, po, tmp_path / "j1.jsonl", recipient=vo.id)
    assert [r["code"] for r in first if r.get("code") == "subject_conflict"] == ["subject_conflict"]
    assert count(gateway, Transfer) == 3
    monkeypatch.setattr(push, "store", stored)

    again = run(gateway, folder, po, tmp_path / "j2.jsonl", recipient=vo.id)

    assert count(gateway, Transfer) == 4
    made = [r["transfer"] for r in again if r["outcome"] == "accepted"]
    assert len(made) == 4 and all(count(gateway, Transfer, id=made_id) == 1 for made_id in made)


def test_the_audit_log_verifies_after_a_bulk_import(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)

    run(gateway, folder, po, tmp_path / "j.jsonl", recipient=vo.id, size=2, workers=1)

    with gateway.services.db.sessions() as session:
        found = audit.verify(session)
    assert found.ok and found.checked >= 5


def test_running_a_batch_again_creates_nothing_new_even_without_its_journal(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    folder = batch(gateway, tmp_path, po, vo)
    first = run(gateway, folder, po, tmp_path / "j1.jsonl", recipient=vo.id)

    again = run(gateway, folder, po, tmp_path / "j2.jsonl", recipient=vo.id)

    assert count(gateway, Transfer) == 4
    accepted = {r["file"]: r for r in again if r["outcome"] == "accepted"}
    assert len(accepted) == 4 and not any(r["new"] for r in accepted.values())
    assert {r["file"]: r["transfer"] for r in first if r["outcome"] == "accepted"} == {
        name: r["transfer"] for name, r in accepted.items()
    }
    assert count(gateway, AuditEntry, action="transfer.send", decision="permit") == 4


def test_a_zip_with_a_manifest_names_the_recipient_per_file_in_worker_processes(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, vo = parties
    other_vo = gateway.make_org("school_vo")
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for n, school in ((0, vo), (1, other_vo)):
            raw, pupil = dossier(n)
            enrolled(gateway, po, pupil)
            enrol(gateway, school, pupil)
            out.writestr(f"leerling-{n}.xml", raw)
        raw, _ = dossier(2, **OPT_OUT)
        out.writestr("leerling-2.xml", raw)
        manifest = {
            "leerling-0.xml": {"recipient": vo.id},
            "leerling-1.xml": {"recipient": other_vo.id},
            "leerling-2.xml": {"recipient": vo.id},
        }
        out.writestr("manifest.json", json.dumps(manifest))

    rows = run(gateway, archive, po, tmp_path / "j.jsonl", recipient=None, workers=1)

    found = {row["file"]: row for row in rows}
    assert found["leerling-0.xml"]["outcome"] == found["leerling-1.xml"]["outcome"] == "accepted"
    assert found["leerling-2.xml"]["code"] == "invalid_dossier"
    assert found["leerling-2.xml"]["meldingen"][0]["category"] == "verzuim"
    assert count(gateway, Transfer, recipient_org_id=other_vo.id) == 1
    shown = table(bulk.summary(rows, str(archive)))
    assert shown.row_count == 3


def test_a_file_without_recipient_is_refused_not_guessed(
    gateway: Gateway, tmp_path: Path, parties: tuple[Org, Org]
) -> None:
    po, _ = parties
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "a.xml").write_bytes(dossier(0)[0])

    (row,) = run(gateway, folder, po, tmp_path / "j.jsonl", recipient=None)

    assert row["code"] == "invalid_request"
    assert count(gateway, Transfer) == 0


def test_the_command_prints_a_table_writes_the_report_and_exits_1_on_a_refusal(
    tmp_path: Path,
) -> None:
    env = {"GATEWAY_DATA_DIR": str(tmp_path / "var")}
    (tmp_path / "var").mkdir()
    migrate.upgrade(f"sqlite:///{tmp_path / 'var' / 'gateway.db'}")
    added = gateway_cli("orgs", "add", "--name", "OBS", "--kind", "school_po", "--json", env=env)
    assert added.returncode == 0, added.stderr
    school = json.loads(added.stdout)["id"]
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "rules.xml").write_bytes(dossier(10, **OPT_OUT)[0])
    (folder / "broken.xml").write_bytes(b"<dossier>")
    report = tmp_path / "report.json"

    done = gateway_cli(
        "import", str(folder), "--from", school, "--actor", "admin-1",
        "--recipient", "org_nobody", "--workers", "0", "--report", str(report), env=env,
    )  # fmt: skip

    assert done.returncode == 1, done.stderr
    assert "0 accepted, 2 refused of 2" in done.stdout
    found = json.loads(report.read_text())
    assert [item["code"] for item in found["items"]] == ["invalid_dossier", "invalid_dossier"]
    assert bsn(10) not in done.stdout + done.stderr + report.read_text()
    assert list((tmp_path / "var" / "imports").glob("batch-*.jsonl"))
    verified = gateway_cli("audit", "verify", env=env)
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"], verified.stdout


@pytest.mark.parametrize("ahead", [bulk.SLICE, 4 * bulk.SLICE])
def test_readings_come_back_in_order_whoever_read_them(ahead: int) -> None:
    """With a worker process the importing process reads too: the next slice while the
    worker starts (a short window ahead), or, once every slice is handed out (a window
    as long as the batch), those the worker has not begun. Every file is read once, in
    order, and exactly as in one process."""
    files = [dossier(n)[0] for n in range(3 * bulk.SLICE + 5)]
    files[3] = b"<dossier>not closed"
    files[bulk.SLICE + 1] = dossier(40, **OPT_OUT)[0]
    sources = [bulk.Source(f"{n}.xml", data, str(n)) for n, data in enumerate(files)]

    found = list(bulk.readings(sources, 1, ahead))

    assert found == [bulk.examine(data) for data in files]
    assert found[3].reason and found[bulk.SLICE + 1].meldingen
