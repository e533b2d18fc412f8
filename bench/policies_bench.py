"""How fast is `evaluate`? Decisions per second and per-call latency on one core.

Runs a realistic mix of permits and denies across the flows, and next to it a baseline
that does the least any decision must do (one dict look-up and one frozenset
intersection), measured in the same run so the ratio holds on any machine.

    .venv/bin/python bench/policies_bench.py [--calls N]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from policies.catalog import load_catalog
from policies.engine import evaluate
from policies.model import ConsentState, Preconditions, Request

TARGET_PER_SECOND = 100_000
TARGET_P99_US = 50.0

OVERSTAP = frozenset({"school", "leerling", "oudersverzorgers", "schoolloopbaan", "overstapadvies"})
STEPS = frozenset({"signalen", "collegiale_consultatie", "gesprek", "afweging", "besluit"})
ALL_PRE = Preconditions(aanmelding=True, inzage=True, informed=True, participant=True)


# (sender, recipient, purpose, categories, age, extra request fields): permits and denies
# across the flows in roughly the proportions a region sees them.
_PARENTS_AND_CHILD = ConsentState(("parent", "parent", "pupil"))
_MIX: list[tuple[str, str, str, frozenset[str], int, dict[str, Any]]] = [
    ("school_po", "school_vo", "overdracht.po_vo", OVERSTAP | {"verzuim"}, 12,
     {"preconditions": ALL_PRE}),
    ("school_po", "school_vo", "overdracht.po_vo", OVERSTAP | {"vve"}, 12,
     {"preconditions": ALL_PRE, "action": "send"}),
    ("school_po", "school_vo", "overdracht.po_vo", OVERSTAP, 12,
     {"preconditions": Preconditions(aanmelding=True)}),
    ("school_po", "school_po", "overdracht.po_po", OVERSTAP | {"vve"}, 8,
     {"preconditions": ALL_PRE, "action": "send"}),
    ("school_vo", "leerplicht", "leerplicht.verzuim",
     frozenset({"leerling", "school", "verzuim_melding"}), 14, {"action": "send"}),
    ("school_po", "wijkteam", "jeugdhulp.verwijzing", frozenset({"leerling"}), 13,
     {"consent": _PARENTS_AND_CHILD}),
    ("school_po", "wijkteam", "jeugdhulp.verwijzing", frozenset({"leerling"}), 13,
     {"consent": ConsentState(("parent",))}),
    ("school_vo", "jgz", "knooppunt.casus", frozenset({"leerling", "opp"}), 14,
     {"consent": _PARENTS_AND_CHILD, "preconditions": ALL_PRE}),
    ("school_vo", "verwijsindex", "verwijsindex.signaal", frozenset({"leerling", "signaal"}), 17,
     {"preconditions": ALL_PRE, "action": "send"}),
    ("school_vo", "veilig_thuis", "meldcode.melding", frozenset({"leerling"}), 9,
     {"meldcode_steps": STEPS, "reasons": ("signals",), "action": "send"}),
    ("school_vo", "data_subject", "rechten.inzage", frozenset({"leerling"}), 16,
     {"requester": "pupil"}),
    ("school_po", "school_vo", "unknown.purpose", OVERSTAP, 12, {}),
]  # fmt: skip


def workload() -> list[Request]:
    return [
        Request(sender, recipient, purpose, categories, age, **extra)
        for sender, recipient, purpose, categories, age, extra in _MIX
    ]


def baseline(
    catalog_routes: dict[tuple[str, str, str], frozenset[str]],
) -> Callable[[Request], object]:
    """The minimum: find the route, intersect the categories."""

    def decide(request: Request) -> object:
        allowed = catalog_routes.get((request.purpose, request.sender_kind, request.recipient_kind))
        return None if allowed is None else request.categories & allowed

    return decide


def _fresh(requests: list[Request], count: int, seed: int) -> list[Request]:
    """`count` new Request objects drawn from `requests`, as a server would build them.

    Fresh objects with fresh category sets: nothing (not even a frozenset's hash) is
    carried over from an earlier call.
    """
    rng = random.Random(seed)
    return [
        replace(request, categories=frozenset(list(request.categories)))
        for request in (rng.choice(requests) for _ in range(count))
    ]


def _timed(fn: Callable[[Request], object], mix: list[Request]) -> tuple[int, list[int]]:
    """Total and per-call nanoseconds for one pass over `mix`."""
    timings = [0] * len(mix)
    clock = time.perf_counter_ns
    gc.disable()
    try:
        start = clock()
        for i, request in enumerate(mix):
            t0 = clock()
            fn(request)
            timings[i] = clock() - t0
        total = clock() - start
    finally:
        gc.enable()
    return total, timings


def measure(
    subjects: dict[str, Callable[[Request], object]],
    requests: list[Request],
    calls: int,
    rounds: int,
) -> dict[str, dict[str, float]]:
    """Each subject in alternating rounds, so that a busy machine slows both alike.

    Throughput is the best and the median round (timeit's convention: the best round is
    the least disturbed); p50/p99 are over every call of every round.
    """
    totals: dict[str, list[float]] = {name: [] for name in subjects}
    timings: dict[str, list[int]] = {name: [] for name in subjects}
    for fn in subjects.values():
        _timed(fn, _fresh(requests, 2000, seed=0))  # warm up
    for round_number in range(rounds):
        for name, fn in subjects.items():
            mix = _fresh(requests, calls // rounds, seed=round_number)
            total, per_call = _timed(fn, mix)
            totals[name].append(len(mix) / (total / 1e9))
            timings[name].extend(per_call)
    report = {}
    for name in subjects:
        ordered = sorted(timings[name])
        report[name] = {
            "per_second": round(max(totals[name])),
            "per_second_median": round(statistics.median(totals[name])),
            "p50_us": round(ordered[len(ordered) // 2] / 1000, 2),
            "p99_us": round(ordered[int(len(ordered) * 0.99)] / 1000, 2),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    catalog = load_catalog()
    requests = workload()
    permits = sum(evaluate(r, catalog).permitted for r in requests)
    routes = {key: found.route.allowed for key, found in catalog.routes.items()}
    subjects = {"engine": lambda r: evaluate(r, catalog), "baseline": baseline(routes)}
    result = measure(subjects, requests, args.calls, args.rounds)
    engine, base = result["engine"], result["baseline"]
    met = engine["per_second"] >= TARGET_PER_SECOND and engine["p99_us"] < TARGET_P99_US
    ratio = round(base["per_second"] / engine["per_second"], 1)
    print(
        f"policy version {catalog.version}; mix of {len(requests)} requests "
        f"({permits} permits, {len(requests) - permits} denies); {args.calls} calls each "
        f"in {args.rounds} alternating rounds"
    )
    for name, row in result.items():
        print(
            f"{name:9} {row['per_second']:>10,}/s best round, {row['per_second_median']:>10,}/s "
            f"median  p50 {row['p50_us']:6.2f} µs  p99 {row['p99_us']:6.2f} µs"
        )
    verdict = "met" if met else "NOT met"
    print(
        f"ratio baseline/engine: {ratio}x; target >= {TARGET_PER_SECOND:,}/s and "
        f"p99 < {TARGET_P99_US:g} µs: {verdict}"
    )
    summary = {**result, "ratio": ratio, "target_met": met, "calls": args.calls}
    print(json.dumps({**summary, "policy_version": catalog.version}))


if __name__ == "__main__":
    main()
