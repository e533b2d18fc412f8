"""The embedded default's key files: created once, loaded on every start."""

from __future__ import annotations

from pathlib import Path

from gateway.crypto.keyring import Keyring
from gateway.crypto.keys import LocalKeyProvider
from gateway.crypto.notes import NoteKeys, open_note


def test_local_keys_are_created_once_and_reload(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    first = Keyring.local(keys, create=True)
    token = first.signing.sign_jwt({"sub": "x"})
    again = Keyring.local(keys, create=True)
    assert again.signing.decode_jwt(token).claims == {"sub": "x"}
    assert again.pseudonyms.subject_ref("111222333") == first.pseudonyms.subject_ref("111222333")
    name = "gateway.test/audit"
    assert again.checkpoints.active(name).key_id == first.checkpoints.active(name).key_id
    assert again.index.child("111222333") == first.index.child("111222333")
    assert sorted(p.stat().st_mode & 0o777 for p in keys.iterdir()) == [0o600] * 6


def test_a_new_checkpoint_key_signs_and_the_old_one_still_verifies(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    old = Keyring.local(keys, create=True).checkpoints.active("log")
    note = old.signed_note("log\n1\nAA==\n", old.sign("log\n1\nAA==\n"))
    NoteKeys.create(keys)
    rotated = NoteKeys.load(keys)
    assert rotated.active("log").key_id != old.key_id
    text, signer = open_note(note, rotated.verifiers("log"))
    assert text == "log\n1\nAA==\n" and signer.key_id == old.key_id


def test_the_verwijsindex_key_is_its_own(tmp_path: Path) -> None:
    """The index's pseudonyms are under a key of their own, and a child's and a parent's
    pseudonym of one BSN differ."""
    keyring = Keyring.local(tmp_path / "keys", create=True)
    assert (tmp_path / "keys" / "verwijsindex.key").read_bytes() != (
        tmp_path / "keys" / "pseudonym.key"
    ).read_bytes()
    child = keyring.index.child("111222333")
    assert child.removeprefix("vc_") not in keyring.pseudonyms.subject_ref("111222333")
    assert keyring.index.parent("111222333").removeprefix("vp_") != child.removeprefix("vc_")


def test_a_new_kek_becomes_active_and_old_wraps_still_open(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    Keyring.local(keys, create=True)
    old = LocalKeyProvider(keys)
    kek_id, wrapped = old.wrap(b"k" * 32, b"aad")
    LocalKeyProvider.create(keys)
    new = LocalKeyProvider(keys)
    assert new.active_kek_id != kek_id
    assert new.unwrap(kek_id, wrapped, b"aad") == b"k" * 32
