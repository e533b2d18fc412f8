"""The files of a `gateway import` batch as a school hands them over: a zip made of a
folder (`zip -r batch.zip batch`) is read from inside that folder, with its manifest;
what is not a dossier is left out and named; and an import stopped by a signal says
how to go on, and goes on without sending anything twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from gateway.core import migrate
from gateway.transfers import bulk
from tests.test_cli import gateway_cli
from tests.transfers.test_bulk_import import dossier


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_of_a_folder_is_read_from_inside_it_with_its_manifest(tmp_path: Path) -> None:
    raw, _ = dossier(0)
    manifest = {"a.xml": {"recipient": "org_x"}}
    archive = zipped(
        tmp_path / "batch.zip",
        {
            "batch/manifest.json": json.dumps(manifest).encode(),
            "batch/a.xml": raw,
            "batch/notes.txt": b"not a dossier",
            "__MACOSX/batch/._a.xml": b"\x00\x05\x16\x07",
        },
    )
    skipped: list[dict[str, str]] = []

    sources, found = bulk.read_batch(archive, skipped)

    assert [s.name for s in sources] == ["a.xml"]
    assert found == manifest
    assert skipped == [
        {"file": "__MACOSX/batch/._a.xml", "why": "macOS metadata, not a dossier"},
        {"file": "notes.txt", "why": "not an .xml file"},
    ]


def test_a_zip_with_files_at_its_top_keeps_their_names(tmp_path: Path) -> None:
    raw, _ = dossier(0)
    archive = zipped(
        tmp_path / "b.zip",
        {"manifest.json": b"{}", "po/a.xml": raw, "vo/b.xml": raw.replace(b"Berg", b"Bos")},
    )

    sources, found = bulk.read_batch(archive)

    assert [s.name for s in sources] == ["po/a.xml", "vo/b.xml"] and found == {}


def test_a_directory_names_what_it_leaves_out(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.xml").write_bytes(dossier(0)[0])
    (folder / "._a.xml").write_bytes(b"\x00")
    (folder / "leerlingen.csv").write_text("x")
    skipped: list[dict[str, str]] = []

    sources, _ = bulk.read_batch(folder, skipped)

    assert [s.name for s in sources] == ["a.xml"]
    assert [item["file"] for item in skipped] == ["._a.xml", "leerlingen.csv"]


def test_an_import_stopped_by_sigterm_says_how_to_go_on_and_goes_on(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    env = {"GATEWAY_DATA_DIR": str(var), "COLUMNS": "100"}
    migrate.upgrade(f"sqlite:///{var / 'gateway.db'}")
    added = gateway_cli("orgs", "add", "--name", "OBS", "--kind", "school_po", "--json", env=env)
    school = json.loads(added.stdout)["id"]
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(240):  # each refused (no such recipient) after its full reading
        (folder / f"{n:03d}.xml").write_bytes(dossier(n)[0])
    (folder / "notes.txt").write_text("x")
    journal = tmp_path / "journal.jsonl"
    args = ["import", str(folder), "--from", school, "--actor", "admin-1"]
    args += ["--recipient", "org_nobody", "--batch", "8", "--journal", str(journal)]

    running = subprocess.Popen(
        [sys.executable, "-m", "gateway", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 120
    while not (journal.exists() and journal.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    running.send_signal(signal.SIGTERM)
    _, err = running.communicate(timeout=120)

    assert running.returncode == 130, err
    done = len(journal.read_text().splitlines())
    assert 0 < done < 240
    said = " ".join(err.split())
    assert "Interrupted" in said and "Run the same command again" in said
    assert "Traceback" not in err

    again = gateway_cli(*args, env=env)

    assert again.returncode == 1, again.stderr
    report = json.loads((tmp_path / "journal.report.json").read_text())
    assert report["files"] == report["refused"] == 240
    assert report["earlier_run"] == done
    assert report["skipped"] == [{"file": "notes.txt", "why": "not an .xml file"}]
    assert len(journal.read_text().splitlines()) == 240
    assert "Left out (1):" in again.stdout and "notes.txt: not an .xml file" in again.stdout
