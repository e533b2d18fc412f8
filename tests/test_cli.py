"""The command line as an operator uses it: a real process on a real database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from gateway.audit.service import verify
from gateway.core import migrate
from gateway.core.db import Database
from gateway.core.settings import Settings
from gateway.crypto.keyring import ensure_local_keys
from gateway.demo import ensure_demo_region
from policies.catalog import load_catalog
from tests.policies.test_policy_register import assert_complete
from tests.support.gateway import Gateway, make_dossier, make_subject


def gateway_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_orgs_add_prints_credentials_as_json(tmp_path: Path) -> None:
    env = {"GATEWAY_DATA_DIR": str(tmp_path)}
    migrate.upgrade(f"sqlite:///{tmp_path / 'gateway.db'}")
    result = gateway_cli(
        "orgs",
        "add",
        "--name",
        "OBS De Hien",
        "--kind",
        "school_po",
        "--brin",
        "12AB",
        "--json",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["id"].startswith("org_") and created["client_secret"]
    refused = gateway_cli("orgs", "add", "--name", "X", "--kind", "bakery", "--json", env=env)
    assert refused.returncode == 2


def test_audit_verify_fails_on_one_altered_row(gateway: Gateway, database_url: str) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrolled = gateway.client.post(
        "/v1/enrolments", json={"subject": subject}, headers=vo.headers()
    )
    assert enrolled.status_code == 201
    denied = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={"recipient": vo.id, "subject": make_subject("123456782"), "dossier": make_dossier()},
    )
    assert denied.status_code == 403
    env = {"GATEWAY_DATABASE_URL": database_url}
    ok = gateway_cli("audit", "verify", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout) == {"ok": True, "entries": 2, "checkpoints": 0}

    engine = create_engine(database_url)
    with engine.begin() as connection:
        # The stored bytes (every column is derived from them): the entry now says permit.
        connection.execute(
            text("UPDATE audit_entries SET leaf = replace(leaf, :deny, :permit) WHERE seq = 2"),
            {"deny": '"decision":"deny"', "permit": '"decision":"permit"'},
        )
    engine.dispose()
    broken = gateway_cli("audit", "verify", env=env)
    assert broken.returncode == 1
    found = json.loads(broken.stdout)
    assert found["first_bad_seq"] == 2
    assert found["entries"] == 1  # verified before the bad one, named as on success


@pytest.mark.parametrize("command", [["--help"], ["db", "--help"]])
def test_help_runs(command: list[str]) -> None:
    assert gateway_cli(*command, env={}).returncode == 0


def test_every_command_is_listed_in_one_line_the_help_wraps() -> None:
    """A command's summary in its group's list is its docstring's first paragraph as one
    line; left to typer, it kept the docstring's line breaks and broke sentences."""
    import typer.main

    from gateway.cli import app

    def walk(command: Any) -> list[Any]:
        subs = getattr(command, "commands", None)
        if subs is None:
            return [command]
        return [found for sub in subs.values() for found in walk(sub)]

    commands = walk(typer.main.get_command(app))
    assert len(commands) > 10
    for command in commands:
        assert command.short_help, command.name
        assert "\n" not in command.short_help, command.name
        assert command.short_help.startswith(command.help.split()[0]), command.name


def test_policy_explain_walks_the_decision_in_words() -> None:
    result = gateway_cli(
        "policy",
        "explain",
        "--purpose",
        "overdracht.po_vo",
        "--sender-kind",
        "school_po",
        "--recipient-kind",
        "school_vo",
        "--category",
        "school",
        "--category",
        "vve",
        "--action",
        "send",
        "--age",
        "12",
        "--aanmelding",
        env={},
    )
    assert result.returncode == 0, result.stderr
    assert (
        "NIET VOLDAAN (category_forbidden): verboden (VERBODEN): Voor- en vroegschoolse "
        "educatie." in result.stdout
    )
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith("Uitkomst: GEWEIGERD (category_forbidden)")
    )


def test_policy_explain_asks_what_the_push_asks_unless_told_release() -> None:
    """Like the API's dry run, the explanation is of the exchange itself by default."""
    base = ["policy", "explain", "--purpose", "overdracht.po_vo", "--sender-kind", "school_po"]
    base += ["--recipient-kind", "school_vo", "--category", "school", "--age", "12"]
    default = gateway_cli(*base, env={})
    release = gateway_cli(*base, "--action", "release", env={})
    unknown = gateway_cli(*base, "--action", "read", env={})
    assert default.stdout.startswith("Verzoek: verzenden voor Overstap van PO naar VO")
    assert release.stdout.startswith("Verzoek: verstrekken aan de ontvanger voor Overstap")
    assert unknown.returncode != 0


def test_policy_check_accepts_the_catalog_and_refuses_a_broken_one(tmp_path: Path) -> None:
    catalog = Path(__file__).resolve().parents[1] / "policies" / "catalog"
    assert gateway_cli("policy", "check", str(catalog), env={}).returncode == 0
    broken = tmp_path / "catalog"
    shutil.copytree(catalog, broken)
    flows = broken / "flows.yaml"
    flows.write_text(flows.read_text().replace("overstapadvies", "overstapadviesX", 1))
    refused = gateway_cli("policy", "check", str(broken), env={})
    assert refused.returncode == 1
    assert "overstapadviesX" in refused.stderr


@pytest.fixture
def demo_region(tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    """A data directory holding the demo region's organisations; the env to read it."""
    migrate.upgrade(f"sqlite:///{tmp_path / 'gateway.db'}")
    db = Database.connect(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        made = ensure_demo_region(db, tmp_path, load_catalog().org_kinds)
    finally:
        db.dispose()
    env = {"GATEWAY_DATA_DIR": str(tmp_path), "GATEWAY_REGION": "demo"}
    env |= {"GATEWAY_ENVIRONMENT": "development"}
    return env, [org["org_id"] for org in made]


def test_the_demo_regions_register_is_complete_for_every_controller(
    demo_region: tuple[dict[str, str], list[str]],
) -> None:
    env, org_ids = demo_region
    result = gateway_cli("policy", "register", "--format", "md", env=env)
    assert result.returncode == 0, result.stderr
    assert_complete(result.stdout, {"gateway", *org_ids})


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_policy_register_for_one_controller(
    demo_region: tuple[dict[str, str], list[str]], fmt: str
) -> None:
    env, org_ids = demo_region
    result = gateway_cli("policy", "register", "--format", fmt, "--controller", org_ids[0], env=env)
    assert result.returncode == 0, result.stderr
    for purpose in ("overdracht.po_vo", "jeugdhulp.verwijzing", "meldcode.melding"):
        assert purpose in result.stdout
    assert "OBS De Hien" in result.stdout and "Da Vinci College" not in result.stdout
    unknown = gateway_cli("policy", "register", "--controller", "org_nobody", env=env)
    assert unknown.returncode == 2


def test_policy_explain_takes_any_fact_by_name() -> None:
    base = ["policy", "explain", "--purpose", "rechten.inzage", "--sender-kind", "school_vo"]
    base += ["--recipient-kind", "data_subject", "--category", "leerling", "--age", "17"]
    given = gateway_cli(*base, "--fact", "requester=pupil", "--action", "release", env={})
    assert given.returncode == 0, given.stderr
    assert "Feiten: verzoeker: leerling." in given.stdout
    assert given.stdout.strip().splitlines()[-1].startswith("Uitkomst: TOEGESTAAN")
    refused = gateway_cli(*base, "--fact", "mood=good", env={})
    assert refused.returncode == 2 and "unknown fact 'mood'" in refused.stderr


def test_the_register_neither_runs_nor_calculates_what_an_organisation_registered(
    demo_region: tuple[dict[str, str], list[str]],
) -> None:
    env, _ = demo_region
    name, contact = "<script>alert(1)</script> SWV", '=HYPERLINK("http://x")'
    officer = "@SUM(1+1) <img src=x onerror=alert(1)>"
    added = gateway_cli(
        "orgs", "add", "--name", name, "--kind", "swv_vo", "--contact", contact,
        "--privacy-officer", officer, "--json", env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    org = json.loads(added.stdout)["id"]
    csv_out = gateway_cli("policy", "register", "--format", "csv", "--controller", org, env=env)
    assert csv_out.returncode == 0, csv_out.stderr
    cells = [c for row in __import__("csv").reader(csv_out.stdout.splitlines()) for c in row]
    assert "'" + contact in cells and "'" + officer in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    md = gateway_cli("policy", "register", "--format", "md", "--controller", org, env=env)
    assert md.returncode == 0, md.stderr
    assert "<script>" not in md.stdout and "<img" not in md.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt; SWV" in md.stdout


@pytest.mark.parametrize("option", ["--name", "--contact", "--privacy-officer"])
@pytest.mark.parametrize("hidden", ["\x1b[2J", "\u202e"])
def test_orgs_add_refuses_control_and_bidi_characters(
    tmp_path: Path, option: str, hidden: str
) -> None:
    env = {"GATEWAY_DATA_DIR": str(tmp_path)}
    migrate.upgrade(f"sqlite:///{tmp_path / 'gateway.db'}")
    values = {"--name": "OBS De Hien", "--contact": "info@hien.example"}
    values[option] = f"OBS {hidden}neiH eD"
    args = [a for pair in values.items() for a in pair]
    refused = gateway_cli("orgs", "add", *args, "--kind", "school_po", "--json", env=env)
    assert refused.returncode == 2, refused.stdout
    assert "control or formatting characters" in refused.stdout + refused.stderr


EXPLAIN_VERZUIM = ["policy", "explain", "--purpose", "leerplicht.verzuim"]
EXPLAIN_VERZUIM += ["--sender-kind", "school_vo", "--recipient-kind", "leerplicht"]
EXPLAIN_VERZUIM += ["--category", "leerling", "--category", "school"]
EXPLAIN_VERZUIM += ["--category", "verzuim_melding", "--age", "14", "--action", "send"]
EXPLAIN_VERZUIM += ["--sender-related"]  # the school's own pupil


@pytest.mark.parametrize(
    ("fact", "known"),
    [
        ("meldcode_steps=signalen,gesprek", "collegiale_consultatie"),
        ("meldcode_step=praatje", "besluit"),
        ("absence_type=ziek", "luxe"),
        ("requester=buurman", "pupil"),
        ("grantor=oom", "parent"),
    ],
)
def test_policy_explain_refuses_a_value_a_closed_fact_cannot_take(fact: str, known: str) -> None:
    refused = gateway_cli(*EXPLAIN_VERZUIM, "--fact", fact, env={})
    assert refused.returncode == 2, refused.stdout
    message = " ".join(refused.stderr.split())
    assert "does not know" in message and known in message


def test_policy_explain_lists_the_short_names_of_facts() -> None:
    helped = gateway_cli("policy", "explain", "--help", env={"COLUMNS": "400"})
    refused = gateway_cli(*EXPLAIN_VERZUIM, "--fact", "mood=good", env={"COLUMNS": "400"})
    for said in (helped.stdout, refused.stderr):
        words = " ".join(said.replace("│", " ").split())
        for alias in ("hours", "age", "grantor", "meldcode_step", "reason", "consent_category"):
            assert f"{alias} (" in words, alias


def test_policy_explain_leaves_out_a_threshold_the_kind_is_free_of() -> None:
    luxe = gateway_cli(
        *EXPLAIN_VERZUIM, "--fact", "absence_type=luxe", "--fact", "absence_hours=8", env={}
    )
    assert luxe.returncode == 0, luxe.stderr
    assert "drempel" not in luxe.stdout
    assert luxe.stdout.strip().splitlines()[-1].startswith("Uitkomst: TOEGESTAAN")
    below = gateway_cli(*EXPLAIN_VERZUIM, "--fact", "absence_hours=8", env={})
    assert "drempel" in below.stdout and "NIET VOLDAAN (below_threshold)" in below.stdout


def test_orgs_officer_add_list_remove_store_a_pseudonym_and_are_logged(tmp_path: Path) -> None:
    env = {"GATEWAY_DATA_DIR": str(tmp_path)}
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    migrate.upgrade(url)
    ensure_local_keys(tmp_path / "keys")
    made = gateway_cli(
        "orgs", "add", "--name", "Da Vinci", "--kind", "school_vo", "--json", env=env
    )
    org = json.loads(made.stdout)["id"]
    added = gateway_cli("orgs", "officer", "add", "--org", org, "--sub", "fg-login-42", env=env)
    assert added.returncode == 0, added.stderr
    again = gateway_cli("orgs", "officer", "add", "--org", org, "--sub", "fg-login-42", env=env)
    assert again.returncode == 2
    listed = json.loads(gateway_cli("orgs", "officer", "list", "--org", org, env=env).stdout)
    assert [o["org"] for o in listed] == [org] and "fg-login-42" not in json.dumps(listed)
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT officer_ref FROM privacy_officers")).scalars()
        assert [ref.startswith("fg_") for ref in stored] == [True]
    removed = gateway_cli(
        "orgs", "officer", "remove", "--org", org, "--sub", "fg-login-42", env=env
    )
    assert removed.returncode == 0, removed.stderr
    assert json.loads(gateway_cli("orgs", "officer", "list", "--org", org, env=env).stdout) == []
    missing = gateway_cli(
        "orgs", "officer", "remove", "--org", org, "--sub", "fg-login-42", env=env
    )
    assert missing.returncode == 2
    with engine.connect() as connection:
        query = text("SELECT action FROM audit_entries WHERE org = :org ORDER BY seq")
        acts = list(connection.execute(query, {"org": org}).scalars())
    engine.dispose()
    assert acts == ["audit.officer_add", "audit.officer_remove"]
    db = Database.connect(url)
    with db.sessions() as session:
        assert verify(session).ok
    db.dispose()


def test_rights_remind_runs_and_reports_its_count(
    gateway: Gateway, database_url: str, tmp_path: Path
) -> None:
    env = {"GATEWAY_DATABASE_URL": database_url, "GATEWAY_DATA_DIR": str(tmp_path)}
    ensure_local_keys(Settings(database_url=database_url, data_dir=tmp_path).keys_dir)
    ran = gateway_cli("rights", "remind", env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == {"reminded": 0}


def test_a_command_without_a_database_says_where_it_looked(tmp_path: Path) -> None:
    """Run outside the directory `gateway serve` made its data in: a clear word and
    exit 2, not a traceback; nothing is created there."""
    env = {"GATEWAY_DATA_DIR": str(tmp_path / "var"), "GATEWAY_DATABASE_URL": ""}
    for command in (("audit", "verify"), ("retention", "purge", "--dry-run")):
        ran = gateway_cli(*command, env=env)
        assert ran.returncode == 2, (command, ran.stdout, ran.stderr)
        assert "No gateway database in" in ran.stderr and "Traceback" not in ran.stderr
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("columns", [80, 250])
def test_the_demo_credentials_print_whole_on_a_line_each(
    tmp_path: Path,
    columns: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each id and secret can be copied from one line: a table where the terminal is wide
    enough, else a block per organisation (a table folded the secrets at 80 columns)."""
    from gateway.cli import _print_demo

    monkeypatch.setenv("COLUMNS", str(columns))
    settings = Settings(data_dir=tmp_path, region="demo", environment="development")
    ensure_local_keys(settings.keys_dir)
    migrate.upgrade(settings.effective_database_url)
    _print_demo(settings)
    printed = capsys.readouterr().out
    made = json.loads((tmp_path / "demo-credentials.json").read_text())
    lines = printed.splitlines()
    assert len(made) >= 5
    for org in made:
        for value in (org["org_id"], org["client_id"], org["client_secret"]):
            assert any(value in line for line in lines), (columns, value[:6])
    assert all(len(line) <= columns for line in lines if "│" in line)
    assert ("│" in printed) == (columns == 250)
