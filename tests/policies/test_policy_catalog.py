"""Loading the catalog: what it holds, and the clear error a broken file gives."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog, CatalogError, load_catalog
from policies.check import check
from policies.check import main as check_main
from policies.loader import DEFAULT_PATH
from tests.policies.policy_cases import decide
from tests.support import oso

Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]

DOMAIN_KINDS = {
    "school_po", "school_sbo", "school_so", "school_vo", "school_vso", "school_pro", "swv_po",
    "swv_vo", "wijkteam", "leerplicht", "jgz", "smw", "voorschool", "mbo", "jeugdhulp",
    "veilig_thuis",
}  # fmt: skip
DOMAIN_PURPOSES = {
    "overdracht.po_vo", "overdracht.po_po", "overdracht.vo_vo", "overdracht.vo_mbo",
    "overdracht.so", "overdracht.voorschool_po", "tlv.aanvraag", "tlv.besluit", "tlv.advies",
    "leerplicht.verzuim",
    "leerplicht.thuiszitter", "jeugdhulp.verwijzing", "jeugdhulp.terugkoppeling",
    "knooppunt.casus", "verwijsindex.signaal", "verwijsindex.match", "meldcode.melding",
    "rechten.inzage", "rechten.correctie", "rechten.verwijdering",
}  # fmt: skip
OSO_CATEGORIES = {
    "metadata", "ouderinzage", "school", "leerling", "oudersverzorgers", "vve", "schoolloopbaan",
    "overstapadvies", "onderwijsondersteuning", "verzuim", "eindtoetsbo", "toetsresultaten",
    "handelingsplannen", "cijferlijsten", "vombo", "bijlagedocs",
}  # fmt: skip
GATEWAY_CATEGORIES = {
    "opp", "duiden_en_doen", "gezinsplan", "knooppunt_afspraken", "verzuim_melding",
    "tlv_aanvraag", "deskundigenadvies", "tlv_besluit", "signaal", "gezondheid",
    "visie_ouders", "visie_leerling",
}  # fmt: skip
OSO_EXAMPLES = oso.EXAMPLES


def test_the_taxonomy_speaks_the_words_of_the_contract(catalog: Catalog) -> None:
    assert catalog.org_kinds == DOMAIN_KINDS
    # The gateway's own processing: the FG's supervision, the school's pupil registration.
    assert DOMAIN_PURPOSES | {"audit.toezicht", "leerling.inschrijving"} == catalog.purposes
    assert set(catalog.flows) == DOMAIN_PURPOSES
    assert catalog.categories == OSO_CATEGORIES | GATEWAY_CATEGORIES


@pytest.mark.parametrize(
    ("purpose", "statute"),
    [
        ("overdracht.po_vo", "WPO art. 42"),
        ("overdracht.so", "WEC art. 43"),
        ("overdracht.voorschool_po", "AVG art. 6(1)(a)"),
        ("leerplicht.verzuim", "Leerplichtwet 1969 art. 21a"),
        ("verwijsindex.signaal", "Jeugdwet §7.1"),
        ("meldcode.melding", "Wmo 2015 art. 5.2.6"),
        ("rechten.inzage", "AVG art. 12 en 15"),
        ("rechten.verwijdering", "AVG art. 12, 17 en 21"),
        ("audit.toezicht", "AVG art. 5(2), 30 en 39"),
        ("leerling.inschrijving", "WPO art. 178a"),
    ],
)
def test_every_purpose_names_its_statute(catalog: Catalog, purpose: str, statute: str) -> None:
    basis = catalog.legal_basis(purpose)
    assert basis is not None
    assert statute in basis.label


def test_unknown_purpose_has_no_basis_and_no_flow(catalog: Catalog) -> None:
    assert catalog.legal_basis("overdracht.po_mbo") is None
    assert catalog.flow_for_purpose("overdracht.po_mbo") is None
    assert catalog.flow_for("overdracht.po_vo", "school_po", "jgz") is None
    flow = catalog.flow_for("overdracht.po_vo", "school_po", "school_vo")
    assert flow is catalog.flow_for_purpose("overdracht.po_vo")


def test_version_is_a_content_hash_and_loading_is_cached(catalog: Catalog) -> None:
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", catalog.version)
    assert load_catalog() is catalog
    assert load_catalog(DEFAULT_PATH, "demo") is catalog


def test_a_changed_rule_changes_the_version(catalog_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda d: d["settings"].update(parents="both"))
    assert load_catalog(catalog_dir).version != load_catalog().version


def test_to_dict_is_the_json_of_get_policies(catalog: Catalog) -> None:
    public = json.loads(json.dumps(catalog.to_dict()))
    assert public["version"] == catalog.version
    po_vo = next(f for f in public["flows"] if f["purpose"] == "overdracht.po_vo")
    assert po_vo["routes"][0]["forbidden"] == ["vombo", "vve"]
    assert po_vo["preconditions"] == {
        "send": ["sender_related", "aanmelding"],
        "release": ["aanmelding", "inzage"],
    }
    # What standing the sender needs is published with the route: the PO school's own pupil.
    assert po_vo["routes"][0]["sender_relation"] == {
        "enrolled": True,
        "received": [],
        "case": False,
        "registered_consent": False,
        "holds_data": False,
    }
    assert po_vo["legal_basis"]["statute"] == "WPO art. 42"


@pytest.mark.parametrize(
    ("example", "purpose", "sender", "recipient"),
    [
        ("Voorbeelddossier_OV_POVO_full.xml", "overdracht.po_vo", "school_po", "school_vo"),
        ("Voorbeelddossier_OV_POPO_full.xml", "overdracht.po_po", "school_po", "school_po"),
        ("Voorbeelddossier_PaO_POSWV_full.xml", "tlv.aanvraag", "school_po", "swv_po"),
    ],
)
def test_routes_follow_the_real_oso_profiles(
    catalog: Catalog, example: str, purpose: str, sender: str, recipient: str
) -> None:
    xml = (OSO_EXAMPLES / example).read_text(encoding="utf-8")
    status = dict(re.findall(r"<(?:\w+:)?cat_(\w+)>([A-Z-]+)<", xml))
    route = catalog.routes[(purpose, sender, recipient)].route
    structure = {"metadata", "ouderinzage"}
    assert {c for c, s in status.items() if s == "VERBODEN"} == route.forbidden
    assert {c for c, s in status.items() if s == "VERPLICHT"} - structure == route.mandatory
    carried = (route.mandatory | route.optional) & OSO_CATEGORIES
    assert {c for c, s in status.items() if s != "VERBODEN"} == carried


def test_a_region_can_switch_the_verwijsindex_off(catalog_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda d: d["settings"].update(verwijsindex=False))
    off = load_catalog(catalog_dir)
    signal = decide(off, "school_vo", "verwijsindex", "verwijsindex.signaal",
                    {"leerling", "signaal"}, age=14, pre=["informed"], action="send")  # fmt: skip
    assert (signal.effect, signal.code) == ("deny", "flow_disabled")


def test_a_region_chooses_one_or_both_parents_per_flow(catalog_dir: Path, edit_yaml: Edit) -> None:
    def one_parent(d: dict[str, Any]) -> None:
        d["flows"] = {
            "knooppunt.casus": {"parents": "one"},
            "jeugdhulp.verwijzing": {"parents": "both"},
        }

    edit_yaml(catalog_dir / "regions/demo.yaml", one_parent)
    region = load_catalog(catalog_dir)
    casus = decide(region, "school_po", "jgz", "knooppunt.casus", {"leerling"}, age=9,
                   grantors=("parent",), pre=["participant"])  # fmt: skip
    referral = decide(region, "school_po", "wijkteam", "jeugdhulp.verwijzing", {"leerling"},
                      age=9, grantors=("parent",))  # fmt: skip
    assert casus.permitted
    assert referral.code == "consent_missing"


def test_a_region_can_switch_a_flow_off(catalog_dir: Path, edit_yaml: Edit) -> None:
    off = {"overdracht.voorschool_po": {"enabled": False}}
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda d: d["flows"].update(off))
    region = load_catalog(catalog_dir)
    decision = decide(region, "voorschool", "school_po", "overdracht.voorschool_po", {"leerling"},
                      age=4, grantors=("parent",))  # fmt: skip
    assert decision.code == "flow_disabled"


def _flow(data: dict[str, Any], purpose: str) -> dict[str, Any]:
    return next(f for f in data["flows"] if f["purpose"] == purpose)


def _cats(data: dict[str, Any], purpose: str, status: str) -> list[str]:
    categories: list[str] = _flow(data, purpose)["routes"][0]["categories"][status]
    return categories


def _move_to_own_task(data: dict[str, Any], purpose: str, route: int, category: str) -> None:
    lists = _flow(data, purpose)["routes"][route]["categories"]
    lists["optional"].remove(category)
    lists.setdefault("own_task", []).append(category)


BROKEN: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
    ("health data on a task alone", "flows.yaml",
     lambda d: _move_to_own_task(d, "knooppunt.casus", 1, "gezondheid"),
     "flow 'knooppunt.casus': routes[1]: a special category cannot be shared on a task "
     "alone: ['gezondheid']"),
    ("own-task categories on a flow without consent", "flows.yaml",
     lambda d: _move_to_own_task(d, "tlv.besluit", 0, "school"),
     "flow 'tlv.besluit': routes[0]: own_task categories only mean something on a flow "
     "with a consent block"),
    ("unknown category", "flows.yaml",
     lambda d: _cats(d, "overdracht.po_vo", "optional").append("dagboek"),
     "flows.yaml: flow 'overdracht.po_vo': routes[0]: unknown category 'dagboek'"),
    ("extra key in a flow", "flows.yaml",
     lambda d: _flow(d, "tlv.besluit").update(colour="red"),
     "flows.yaml: flow 'tlv.besluit': colour: Extra inputs are not permitted"),
    ("unknown kind", "flows.yaml",
     lambda d: _flow(d, "tlv.besluit")["routes"][0]["recipients"].append("school_mbo"),
     "flows.yaml: flow 'tlv.besluit': routes[0]: unknown recipient kind 'school_mbo'"),
    ("unknown legal basis", "flows.yaml",
     lambda d: _flow(d, "tlv.besluit").update(legal_basis="wvo_99"),
     "flows.yaml: flow 'tlv.besluit': unknown legal basis 'wvo_99'"),
    ("health without its own ground", "flows.yaml",
     lambda d: _cats(d, "tlv.besluit", "optional").append("gezondheid"),
     "flow 'tlv.besluit': routes[0]: special category 'gezondheid' needs its own ground"),
    ("a pair on two routes", "flows.yaml",
     lambda d: _flow(d, "tlv.besluit")["routes"].append(_flow(d, "tlv.besluit")["routes"][0]),
     "is on more than one route"),
    ("a category both allowed and forbidden", "flows.yaml",
     lambda d: _cats(d, "overdracht.po_vo", "forbidden").append("verzuim"),
     "categories listed twice: ['verzuim']"),
    ("a flow defined twice", "flows.yaml",
     lambda d: d["flows"].append(_flow(d, "tlv.besluit")),
     "flows.yaml: flow 'tlv.besluit': defined twice"),
    ("unknown purpose", "flows.yaml",
     lambda d: _flow(d, "tlv.besluit").update(purpose="tlv.herbeoordeling"),
     "flows.yaml: flow 'tlv.herbeoordeling': unknown purpose 'tlv.herbeoordeling'"),
    ("a gap in an age rule", "taxonomy.yaml",
     lambda d: d["age_rules"]["jeugdwet"]["bands"][1].update(min_age=13),
     "taxonomy.yaml: age rule 'jeugdwet' band 1: starts at 13, expected 12"),
    ("a content category without fields", "taxonomy.yaml",
     lambda d: d["categories"]["gezinsplan"].pop("fields"),
     "taxonomy.yaml: category 'gezinsplan': a content category needs its fields"),
    ("open fields", "taxonomy.yaml",
     lambda d: d["categories"]["verzuim_melding"]["fields"].pop("additionalProperties"),
     "category 'verzuim_melding': verzuim_melding must set additionalProperties: false"),
    ("open nested fields", "taxonomy.yaml",
     lambda d: d["categories"]["verzuim_melding"]["fields"]["properties"]["periode"].pop(
         "additionalProperties"),
     "category 'verzuim_melding': verzuim_melding.periode must set additionalProperties: false"),
    ("fields that are no JSON Schema", "taxonomy.yaml",
     lambda d: d["categories"]["signaal"]["fields"].update(type="dossier"),
     "taxonomy.yaml: category 'signaal': fields are not a valid JSON Schema"),
    ("an example that does not fit", "taxonomy.yaml",
     lambda d: d["categories"]["verzuim_melding"]["example"].update(reden="ziek"),
     "the example verzuim_melding holds a field the catalog does not list"),
    ("override of an unknown flow", "regions/demo.yaml",
     lambda d: d["flows"].update({"knooppunt.overleg": {"parents": "one"}}),
     "regions/demo.yaml: override for unknown flow 'knooppunt.overleg'"),
    ("unknown region setting", "regions/demo.yaml",
     lambda d: d["settings"].update(verwijsindex_on=True),
     "regions/demo.yaml: settings.verwijsindex_on: Extra inputs are not permitted"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "file", "change", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_catalog_is_a_clear_load_error(
    catalog_dir: Path, edit_yaml: Edit, name: str, file: str,
    change: Callable[[dict[str, Any]], None], message: str,
) -> None:  # fmt: skip
    edit_yaml(catalog_dir / file, change)
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_dir)
    assert any(message in error for error in raised.value.errors), raised.value.errors
    assert any(message in error for error in check(catalog_dir))


def test_invalid_yaml_and_missing_files_are_named(catalog_dir: Path) -> None:
    (catalog_dir / "flows.yaml").write_text("flows: [unclosed", encoding="utf-8")
    (catalog_dir / "taxonomy.yaml").unlink()
    errors = check(catalog_dir)
    assert any(e.startswith("flows.yaml: not valid YAML") for e in errors)
    assert any(e.startswith("taxonomy.yaml: file not found") for e in errors)


def test_region_names_cannot_walk_the_file_system() -> None:
    with pytest.raises(CatalogError, match="invalid region name"):
        load_catalog(region="../taxonomy")
    with pytest.raises(CatalogError, match=r"regions/nowhere\.yaml: file not found"):
        load_catalog(region="nowhere")


def test_check_passes_the_packaged_catalog_and_fails_ci_on_errors(
    catalog_dir: Path, edit_yaml: Edit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(DEFAULT_PATH) == []
    assert check_main([str(DEFAULT_PATH)]) == 0
    edit_yaml(catalog_dir / "regions/demo.yaml", lambda d: d.update(region="elsewhere"))
    assert check_main([str(catalog_dir)]) == 1
    assert "regions/demo.yaml: declares region 'elsewhere'" in capsys.readouterr().err
