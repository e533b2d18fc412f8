"""A broken catalog names the flow and the field at fault, and `check` says how many.

A region's CI shows these lines to the person who edited the YAML, so each is
specified word for word: the flow by its purpose (not its index), the path inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.check import check
from policies.check import main as check_main
from policies.loader import DEFAULT_PATH, CatalogError

Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]


def first_flow(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda data: change(data["flows"][0])


def replace_first_flow(data: dict[str, Any]) -> None:
    data["flows"][0] = "not a flow"


def break_first_route(flow: dict[str, Any]) -> None:
    flow["routes"][0]["senders"] = 5


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            first_flow(lambda flow: flow.pop("purpose")),
            ["flows.yaml: flow '?': purpose: Field required"],
        ),
        (
            replace_first_flow,
            ["flows.yaml: flow '?': Input should be a valid dictionary or instance of FlowSpec"],
        ),
        (
            first_flow(break_first_route),
            [
                "flows.yaml: flow 'overdracht.po_vo': routes.0.senders: Input should be a valid "
                "tuple",
                "flows.yaml: flow 'overdracht.po_vo': routes: Tuple should have at least 1 item "
                "after validation, not 0",
            ],
        ),
        (
            lambda data: data.update(extra=5),
            ["flows.yaml: extra: Extra inputs are not permitted"],
        ),
    ],
    ids=["purpose_missing", "not_a_mapping", "nested_field", "top_level_key"],
)
def test_a_flow_error_names_the_flow_by_its_purpose(
    catalog_dir: Path, edit_yaml: Edit, change: Callable[[dict[str, Any]], None], errors: list[str]
) -> None:
    edit_yaml(catalog_dir / "flows.yaml", change)
    assert check(catalog_dir) == errors


@pytest.mark.parametrize(
    ("file", "change", "error"),
    [
        (
            "flows.yaml",
            first_flow(lambda flow: flow.update(retention="forever")),
            "flows.yaml: flow 'overdracht.po_vo': unknown retention class 'forever'",
        ),
        (
            "flows.yaml",
            first_flow(lambda flow: flow.update(obligations=["dance"])),
            "flows.yaml: flow 'overdracht.po_vo': unknown obligation 'dance'",
        ),
        (
            "flows.yaml",
            first_flow(lambda flow: flow.update(safeguards=["moat"])),
            "flows.yaml: flow 'overdracht.po_vo': unknown safeguard 'moat'",
        ),
        (
            "flows.yaml",
            first_flow(lambda flow: flow["routes"][0].update(senders=["school_mbo"])),
            "flows.yaml: flow 'overdracht.po_vo': routes[0]: unknown sender kind 'school_mbo'",
        ),
        (
            "taxonomy.yaml",
            lambda data: data["org_kinds"].update(data_subject=data["org_kinds"]["school_po"]),
            "taxonomy.yaml: names used as both org kind and party: ['data_subject']",
        ),
    ],
    ids=["retention", "obligation", "safeguard", "sender_kind", "kind_and_party"],
)
def test_a_reference_to_nothing_is_named(
    catalog_dir: Path,
    edit_yaml: Edit,
    file: str,
    change: Callable[[dict[str, Any]], None],
    error: str,
) -> None:
    edit_yaml(catalog_dir / file, change)
    assert check(catalog_dir) == [error]


def test_a_file_that_is_not_a_mapping_is_named(catalog_dir: Path) -> None:
    (catalog_dir / "flows.yaml").write_text("- a list\n", encoding="utf-8")
    assert check(catalog_dir) == ["flows.yaml: expected a mapping at the top level"]


def test_the_load_error_lists_every_problem_on_its_own_line() -> None:
    error = CatalogError(["flows.yaml: one", "taxonomy.yaml: two"])
    assert str(error) == "invalid policy catalog:\n  flows.yaml: one\n  taxonomy.yaml: two"
    assert error.errors == ["flows.yaml: one", "taxonomy.yaml: two"]


def test_check_prints_ok_or_the_number_of_problems(
    catalog_dir: Path, edit_yaml: Edit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_main([]) == 0
    assert capsys.readouterr() == (f"{DEFAULT_PATH}: ok\n", "")
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda data: data.update(region="elsewhere"))
    assert check_main([str(catalog_dir)]) == 1
    assert capsys.readouterr() == (
        f"{catalog_dir}: 1 problem(s)\n",
        "regions/demo.yaml: declares region 'elsewhere'\n",
    )
