"""The files of a `gateway import` batch, and the journal of the ones done."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

MANIFEST = "manifest.json"
# A file larger than this is left out unread (a zip bomb expands on reading).
MAX_FILE = 32 * 1024 * 1024


# A batch's file: its name in the batch, its size, and how to read it.
Member = tuple[str, int, Callable[[], bytes]]


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    data: bytes
    sha256: str


class Journal:
    """One JSON line per finished file, written before the next is counted.

    Lines are flushed, not synced one by one: a line lost to a crash of the machine
    only makes its file run again, and the push's idempotency record answers it.
    `close` syncs what was written.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out: TextIO | None = None

    def entries(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        found: dict[str, dict[str, Any]] = {}
        for line in self.path.read_text("utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by the interruption: that file runs again
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                found[entry["sha256"]] = entry
        return found

    def append(self, entry: dict[str, Any]) -> None:
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("a", encoding="utf-8")
        self._out.write(json.dumps(entry, separators=(",", ":")) + "\n")

    def flush(self) -> None:
        """Hands the lines written so far to the system (after each batch's commit)."""
        if self._out is not None:
            self._out.flush()

    def close(self) -> None:
        if self._out is not None:
            os.fsync(self._out.fileno())
            self._out.close()
            self._out = None


def read_batch(
    path: Path, skipped: list[dict[str, str]] | None = None
) -> tuple[list[Source], dict[str, Any]]:
    """The OSO files of a directory or zip, in name order, and its manifest (or {}).

    A zip whose members all sit in one folder (`zip -r batch.zip batch` makes one) is
    read from inside that folder, so its `manifest.json` and file names are those of
    the directory it was made of. Every other file is left out, and named with the
    reason in `skipped`: it is not `.xml`, it is macOS metadata (`__MACOSX/`, `._*`,
    which a zip made on a Mac holds beside every file), or it is larger than MAX_FILE.
    """
    left_out = skipped if skipped is not None else []
    if path.is_dir():
        members = [
            (file.relative_to(path).as_posix(), file.stat().st_size, file.read_bytes)
            for file in sorted(path.rglob("*"))
            if file.is_file()
        ]
        return _read(members, left_out)
    if not zipfile.is_zipfile(path):
        raise ValueError("give a directory or a zip file of OSO dossiers")
    with zipfile.ZipFile(path) as archive:
        infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
        members = [(i.filename, i.file_size, _reader(archive, i)) for i in infos]
        return _read(_inside_one_folder(members), left_out)


def _read(
    members: list[Member], left_out: list[dict[str, str]]
) -> tuple[list[Source], dict[str, Any]]:
    files: list[tuple[str, bytes]] = []
    manifest: dict[str, Any] = {}
    for name, size, read in members:
        why = _left_out(name, size)
        if why is not None:
            left_out.append({"file": name, "why": why})
        elif name == MANIFEST:
            manifest = _manifest(read())
        else:
            files.append((name, read()))
    sources = [Source(name, data, hashlib.sha256(data).hexdigest()) for name, data in files]
    return sources, manifest


def _reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    return lambda: archive.read(info)


def _inside_one_folder(members: list[Member]) -> list[Member]:
    """The members named from inside the one folder they all sit in, if they do."""
    named = [m for m in members if not _is_mac_metadata(m[0])]
    tops = {name.split("/", 1)[0] for name, _, _ in named if "/" in name}
    if len(tops) != 1 or any("/" not in name for name, _, _ in named):
        return members
    prefix = tops.pop() + "/"
    return [
        (name.removeprefix(prefix), size, read) if name.startswith(prefix) else (name, size, read)
        for name, size, read in members
    ]


def _is_mac_metadata(name: str) -> bool:
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._")


def _left_out(name: str, size: int) -> str | None:
    """Why a batch's file is not read, or None."""
    if _is_mac_metadata(name):
        return "macOS metadata, not a dossier"
    if name != MANIFEST and not name.lower().endswith(".xml"):
        return "not an .xml file"
    if size > MAX_FILE:
        return f"larger than {MAX_FILE // (1024 * 1024)} MB"
    return None


def _manifest(data: bytes) -> dict[str, Any]:
    found = json.loads(data)
    if not isinstance(found, dict):
        raise ValueError("manifest.json must map file names to their recipient")
    return found
