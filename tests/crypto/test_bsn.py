from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gateway.crypto.bsn import is_valid_bsn


def test_eleven_proof_accepts_valid_numbers() -> None:
    assert is_valid_bsn("111222333")
    assert is_valid_bsn("123456782")
    assert is_valid_bsn("269326728")


def test_eleven_proof_rejects_the_rest() -> None:
    for value in ("123456789", "000000000", "12345678", "1234567890", "12345678a", "١٢٣٤٥٦٧٨٢"):
        assert not is_valid_bsn(value)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_changing_one_digit_breaks_the_proof(value: str) -> None:
    if not is_valid_bsn(value):
        return
    changed = value[:4] + str((int(value[4]) + 1) % 10) + value[5:]
    assert not is_valid_bsn(changed)
