"""Fuzzing from the contract: schemathesis cases from the served OpenAPI, sent to the real app.

The document is the one `/v1/openapi.json` serves; every case goes to the same ASGI
app in process, with a real token and context headers of an organisation, and every
response is held to the contract: no 5xx, the status, content type, headers and body
as documented, every refusal problem+json with a `code`, and nothing stored by it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from tests.support.gateway import Gateway

PROBLEM_JSON = "application/problem+json"
# Fixed in CI; `make fuzz` sets FUZZ_SEED (or leaves it to chance) and FUZZ_EXAMPLES.
DEFAULT_SEED = 20160415


@dataclass(frozen=True)
class Budget:
    """How many cases per operation, from which seed: always a concrete one, printed
    with the run, so that a campaign left to chance can be repeated exactly."""

    examples: int
    seed: int

    @classmethod
    def from_env(cls, examples: int) -> Budget:
        seed = os.environ.get("FUZZ_SEED", str(DEFAULT_SEED))
        return cls(
            examples=int(os.environ.get("FUZZ_EXAMPLES", examples)),
            seed=secrets.randbelow(2**32) if seed == "random" else int(seed),
        )

    def settings(self) -> hypothesis.settings:
        return hypothesis.settings(
            max_examples=self.examples,
            derandomize=True,
            database=None,
            deadline=None,
            # No shrinking: the app keeps state, so a replayed case meets another world
            # (an Idempotency-Key now taken) and would end as some other failure. The
            # first failure is reported as it happened (`Net.fuzz`).
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )

    def seeded(self, test: Callable[[], None], salt: int) -> Callable[[], None]:
        """`test` under this budget's seed (a seed overrides `derandomize`)."""
        run: Callable[[], None] = hypothesis.seed(self.seed + salt)(test)
        return run


# Tables an act may write. The audit log is written by refusals too (a deny entry is
# the point of it); every other entry counts as something stored.
STATE = {
    "transfers": "SELECT * FROM transfers",
    "consents": "SELECT * FROM consents",
    "consent_recipients": "SELECT * FROM consent_recipients",
    "consent_events": "SELECT * FROM consent_events",
    "consent_notifications": "SELECT * FROM consent_notifications",
    "gezag_relations": "SELECT * FROM gezag_relations",
    "enrolments": "SELECT * FROM enrolments",
    "subjects": "SELECT * FROM subjects",
    "break_glass_reviews": "SELECT * FROM break_glass_reviews",
    "idempotency_records": "SELECT * FROM idempotency_records",
    "audit_entries (other than deny)": "SELECT * FROM audit_entries WHERE decision <> 'deny'",
}


def stored(gateway: Gateway) -> dict[str, str]:
    """A digest of every row an act could write, per table (ordered, so comparable)."""
    digests: dict[str, str] = {}
    with gateway.services.db.sessions() as session:
        for name, query in STATE.items():
            rows = sorted(repr(tuple(row)) for row in session.execute(text(query)))
            digests[name] = f"{len(rows)}:" + hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def describe(exc: BaseException) -> str:
    """An error and, for a group (Hypothesis reports each distinct bug), every member."""
    if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, FailureGroup):
        return "\n".join(describe(inner) for inner in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Identity:
    """Who a case is sent as: a token and the context of the act, or deliberately less."""

    name: str
    headers: dict[str, str]


@dataclass
class Net:
    """One fuzzing run against one gateway: the schema, the checks, the tally."""

    gateway: Gateway
    schema: Any
    budget: Budget
    sent: int = 0
    refused: int = 0
    pushed: int = 0
    enrolled: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, gateway: Gateway, budget: Budget) -> Net:
        schema = schemathesis.openapi.from_asgi("/v1/openapi.json", gateway.app)
        return cls(gateway, schema, budget)

    def operations(self, prefix: str = "/") -> Iterator[Any]:
        for result in self.schema.get_all_operations():
            operation = result.ok()
            if operation.path.startswith(prefix):
                yield operation

    def operation(self, method: str, path: str) -> Any:
        return self.schema[path][method.upper()]

    def send(self, case: Any, identity: Identity, *, negative: bool = False) -> Any:
        """Sends one case as `identity` and holds the answer to the contract."""
        before = stored(self.gateway)
        response = case.call(headers=identity.headers)
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        checks: list[Callable[..., Any]] = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ]
        if negative:
            checks.append(negative_data_rejection)
        case.validate_response(response, checks=checks, headers=identity.headers)
        if response.status_code >= 400:
            self.refused += 1
            where = f"{case.method} {case.path} as {identity.name} -> {response.status_code}"
            if case.path.startswith("/v1/"):
                media = response.headers.get("content-type", [""])[0].split(";")[0]
                assert media == PROBLEM_JSON, f"{where}: a refusal as {media!r}"
                body = response.json()
                assert isinstance(body.get("code"), str) and body["code"], f"{where}: no code"
            after = stored(self.gateway)
            changed = [name for name in STATE if before[name] != after[name]]
            assert not changed, f"{where} ({response.json().get('code')}): stored {changed}"
        return response

    def fuzz(
        self,
        operation: Any,
        identity: Identity,
        *,
        mode: GenerationMode = GenerationMode.POSITIVE,
        headers: dict[str, str] | None = None,
        salt: int = 0,
    ) -> None:
        """`budget.examples` generated cases of one operation, sent as `identity`;
        a failure is recorded (shrunk) and the run goes on with the next operation."""
        # The token is fixed in the case too, so that a negative case is never one
        # whose only invalid part is a header the call then replaces.
        fixed = {**(headers or {}), **identity.headers}
        strategy = operation.as_strategy(generation_mode=mode, headers=fixed)
        negative = mode is GenerationMode.NEGATIVE

        first: list[str] = []

        @self.budget.settings()
        @hypothesis.given(case=strategy)
        def run(case: Any) -> None:
            try:
                self.send(case, identity, negative=negative)
            except BaseException as exc:
                first.append(describe(exc))
                raise

        try:
            self.budget.seeded(run, salt)()
        except hypothesis.errors.Unsatisfiable:
            # Nothing of the operation can be made invalid once the context is fixed
            # (a path id takes any string): a negative run has nothing to send.
            if not negative:
                raise
        except (Exception, BaseExceptionGroup) as exc:  # every failure is reported, not the first
            label = f"{operation.method.upper()} {operation.path} as {identity.name} ({mode.value})"
            self.failures.append(f"{label}: {first[0] if first else describe(exc)}")

    def given(
        self, strategy: st.SearchStrategy[Any], *, examples: int, salt: int = 0
    ) -> Callable[[Callable[..., None]], Callable[[], None]]:
        """`hypothesis.given` under this run's seed, for a stateful scenario."""

        def decorate(test: Callable[..., None]) -> Callable[[], None]:
            budget = Budget(examples, self.budget.seed)
            return budget.seeded(budget.settings()(hypothesis.given(strategy)(test)), salt)

        return decorate
