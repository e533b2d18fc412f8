"""Prints how many requests the contract fuzzing sent, so the net's size is visible."""

from __future__ import annotations

import pytest

from tests.fuzz.summary import REPORTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for database, net in REPORTS:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(net.statuses.items()))
        terminalreporter.write_line(
            f"contract fuzzing ({database}, seed {net.budget.seed}, "
            f"{net.budget.examples} examples per operation): {net.sent} requests sent, "
            f"{net.refused} refused, {len(net.failures)} failures ({statuses})"
        )
