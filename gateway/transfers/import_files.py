"""The files of a `gateway import` batch, and the journal of the ones done."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

MANIFEST = "manifest.json"
# A zip member larger than this is refused unread (a zip bomb expands on reading).
MAX_FILE = 32 * 1024 * 1024


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


def read_batch(path: Path) -> tuple[list[Source], dict[str, Any]]:
    """The OSO files of a directory or zip, in name order, and its manifest (or {})."""
    files: list[tuple[str, bytes]] = []
    manifest: dict[str, Any] = {}
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            name = file.relative_to(path).as_posix()
            if file.is_file() and name == MANIFEST:
                manifest = _manifest(file.read_bytes())
            elif file.is_file() and name.lower().endswith(".xml"):
                files.append((name, file.read_bytes()))
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir() or info.file_size > MAX_FILE:
                    continue
                if info.filename == MANIFEST:
                    manifest = _manifest(archive.read(info))
                elif info.filename.lower().endswith(".xml"):
                    files.append((info.filename, archive.read(info)))
    else:
        raise ValueError("give a directory or a zip file of OSO dossiers")
    sources = [Source(name, data, hashlib.sha256(data).hexdigest()) for name, data in files]
    return sources, manifest


def _manifest(data: bytes) -> dict[str, Any]:
    found = json.loads(data)
    if not isinstance(found, dict):
        raise ValueError("manifest.json must map file names to their recipient")
    return found
