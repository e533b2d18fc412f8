"""The AVG art. 30 register of processing, one per controller, generated from the catalog.

Every connected organisation is controller of its own processing: the flows it sends
and receives, its pupil registration, its privacy officer's supervision. The operator of
the gateway is controller of what the gateway itself does (the consent registry, the
gezag register, aanmeldingen, the portal login, the break-glass review, the audit log).
Each register answers art. 30(1)(a)-(g): (a) who, with contact and FG; (b) purposes;
(c) data subjects and personal data; (d) recipients; (e) transfers outside the EEA, from
the deployment's configuration; (f) retention terms; (g) security measures.

Because it is generated, the register the privacy officer hands to the Autoriteit
Persoonsgegevens cannot drift from the rules the gateway enforces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from policies import nl
from policies.compiled import Catalog, Flow, LegalBasis

Format = Literal["md", "csv", "json", "html"]
GATEWAY = "gateway"
NOT_SET = "niet ingesteld"

# The EEA: the EU member states with Iceland, Liechtenstein and Norway (ISO 3166-1).
EEA = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        "IS", "LI", "NO",
    }
)  # fmt: skip

# Safeguards every exchange through the gateway has.
_BASE_SAFEGUARDS = (
    "encryption_at_rest",
    "hash_chained_audit",
    "purpose_binding",
    "category_minimisation",
    "organisation_authentication",
)

# Who besides the pupil a category is about (art. 30(1)(c)); the pupil always is.
_SUBJECTS_OF = {
    "oudersverzorgers": "ouders/verzorgers",
    "signaal": "melders (professionals die signaleren)",
    "deskundigenadvies": "deskundigen die adviseren",
    "gezinsplan": "gezinsleden en huisgenoten",
    "knooppunt_afspraken": "professionals van de deelnemende partijen",
    "visie_ouders": "ouders/verzorgers",
}
PUPILS = "leerlingen (jeugdigen)"
ACTING_STAFF = "medewerkers die handelen (vastgelegd in het auditlog)"


@dataclass(frozen=True, slots=True)
class Controller:
    """A controller as the registry and the deployment name it (art. 30(1)(a))."""

    id: str
    name: str
    kind: str | None  # the org kind; None for the operator of the gateway
    contact: str
    privacy_officer: str


@dataclass(frozen=True, slots=True)
class Location:
    """Where part of the processing happens: the hosting, an identity provider."""

    what: str
    name: str
    country: str  # ISO 3166-1 alpha-2; "" when the deployment did not say


@dataclass(frozen=True, slots=True)
class Deployment:
    operator: Controller
    dpia_reference: str
    hosting: Location
    identity_providers: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class Activity:
    """One processing activity of one controller."""

    purpose: str
    name: str
    role: str
    purposes: str  # (b)
    legal_basis: str
    legal_basis_note: str
    data_subjects: tuple[str, ...]  # (c)
    personal_data: tuple[str, ...]  # (c)
    special_categories: tuple[str, ...]
    consent: str
    recipients: tuple[str, ...]  # (d)
    transfers: str  # (e)
    retention: str  # (f)
    security: tuple[str, ...]  # (g)


@dataclass(frozen=True, slots=True)
class ControllerRegister:
    controller: str
    controller_name: str  # (a)
    contact: str  # (a)
    privacy_officer: str  # (a)
    dpia_reference: str
    activities: tuple[Activity, ...] = field(default=())


def registers(
    catalog: Catalog, organisations: Iterable[Controller], deployment: Deployment
) -> list[ControllerRegister]:
    """The operator's register first, then one per organisation in name order."""
    found = [_operator_register(catalog, deployment)]
    for org in sorted(organisations, key=lambda o: (o.name, o.id)):
        activities = tuple(_org_activities(catalog, org, deployment))
        found.append(_controller(org, deployment, activities))
    return found


def _controller(
    who: Controller, deployment: Deployment, activities: tuple[Activity, ...]
) -> ControllerRegister:
    return ControllerRegister(
        controller=who.id,
        controller_name=who.name or NOT_SET,
        contact=who.contact or NOT_SET,
        privacy_officer=who.privacy_officer or NOT_SET,
        dpia_reference=deployment.dpia_reference or NOT_SET,
        activities=activities,
    )


# --- the organisations ---------------------------------------------------------------


def _org_activities(catalog: Catalog, org: Controller, dep: Deployment) -> Iterable[Activity]:
    kind = org.kind or ""
    for flow in sorted(catalog.flows.values(), key=lambda f: f.id):
        if not flow.enabled:
            continue
        if kind in flow.sender_kinds:
            yield _flow_activity(catalog, flow, kind, "verstrekker", dep)
        if kind in flow.recipient_kinds:
            yield _flow_activity(catalog, flow, kind, "ontvanger", dep)
    for purpose in sorted(catalog.purposes - set(catalog.flows)):
        actors = catalog.taxonomy.purposes[purpose].actors
        if not actors or kind in actors:
            yield _own_activity(catalog, purpose, dep)


def _flow_activity(catalog: Catalog, flow: Flow, kind: str, role: str, dep: Deployment) -> Activity:
    routes = [
        r for r in flow.routes if kind in (r.senders if role == "verstrekker" else r.recipients)
    ]
    categories = frozenset().union(*(r.allowed for r in routes))
    ends = frozenset().union(
        *((r.recipients if role == "verstrekker" else r.senders) for r in routes)
    )
    label, description = nl.purpose(flow.id, catalog)
    safeguards = [*_BASE_SAFEGUARDS, *flow.safeguards]
    safeguards.append("bsn_allowed" if flow.bsn_allowed else "pseudonymised_bsn")
    if flow.consent is not None:
        safeguards.append("consent_registry")
    if role == "verstrekker":
        recipients = tuple(nl.kind(k, catalog) for k in sorted(ends))
    else:
        senders = ", ".join(nl.kind(k, catalog) for k in sorted(ends))
        recipients = (
            f"Geen: de organisatie ontvangt deze gegevens (van: {senders}); verder verstrekt "
            "zij alleen via haar eigen stromen in dit register",
        )
    return Activity(
        purpose=flow.id,
        name=label,
        role=role,
        purposes=description,
        legal_basis=flow.legal_basis.label,
        legal_basis_note=_basis_note(flow.legal_basis),
        data_subjects=_data_subjects(flow, categories),
        personal_data=tuple(
            _describe_category(name, catalog)
            for name in sorted(categories)
            if not catalog.taxonomy.categories[name].structure
        ),
        special_categories=tuple(
            f"{nl.category(name, catalog)}: {ground.label}{_unverified(ground)}"
            for name, ground in sorted(flow.special_grounds.items())
            if name in categories
        ),
        consent=_consent_text(flow),
        recipients=recipients,
        transfers=_transfers(dep, portal=False),
        retention=nl.retention(flow.retention.key, catalog),
        security=tuple(nl.safeguard(name, catalog) for name in dict.fromkeys(safeguards)),
    )


def _own_activity(catalog: Catalog, purpose: str, dep: Deployment) -> Activity:
    """A purpose without an exchange: pupil registration, the FG's supervision."""
    label, description = nl.purpose(purpose, catalog)
    basis = catalog.legal_basis(purpose)
    own = _OWN.get(purpose, _OWN_DEFAULT)
    return Activity(
        purpose=purpose,
        name=label,
        role="eigen verwerking",
        purposes=description,
        legal_basis=basis.label if basis else NOT_SET,
        legal_basis_note=_basis_note(basis) if basis else NOT_SET,
        data_subjects=own["subjects"],
        personal_data=own["data"],
        special_categories=(),
        consent="Niet van toepassing: geen toestemming als grondslag",
        recipients=own["recipients"],
        transfers=_transfers(dep, portal=False),
        retention=own["retention"],
        security=tuple(nl.safeguard(n, catalog) for n in own["security"]),
    )


_OWN_DEFAULT: Mapping[str, Any] = {
    "subjects": (PUPILS, ACTING_STAFF),
    "data": ("Gepseudonimiseerde leerlingreferentie en wat het doel vraagt",),
    "recipients": ("Geen: de verwerking blijft bij de organisatie",),
    "retention": "Volgens de termijn van het dossier waartoe de gegevens horen",
    "security": ("hash_chained_audit", "pseudonymised_bsn"),
}
_OWN: Mapping[str, Mapping[str, Any]] = {
    "leerling.inschrijving": {
        "subjects": (PUPILS, "ouders/verzorgers met gezag", ACTING_STAFF),
        "data": (
            "BSN of onderwijsnummer (alleen als sleutelpseudoniem bewaard), geboortedatum",
            "Wie het gezag heeft (ouders of voogd, als pseudoniem), en wijzigingen daarvan",
            "Aanmelding en inschrijving bij de school, met status en data",
        ),
        "recipients": (
            "De gateway zelf, om leeftijdsregels en toestemmingsrechten toe te passen",
            "De ouders met gezag, die elke wijziging van het gezag in het portaal zien",
        ),
        "retention": nl.RETENTION["verzuim_5y"] + " (inschrijvingsgegevens)",
        "security": ("encryption_at_rest", "pseudonymised_bsn", "hash_chained_audit"),
    },
    "audit.toezicht": {
        "subjects": (PUPILS, "ouders/verzorgers", ACTING_STAFF),
        "data": (
            "Auditregels: gepseudonimiseerde leerlingreferentie, doel, categorienamen, "
            "besluit en regel; nooit de inhoud van een dossier",
        ),
        "recipients": ("De functionaris gegevensbescherming (FG) van de eigen organisatie",),
        "retention": "Zo lang als de langste bewaartermijn van de verwerkingen die het log "
        "vastlegt",
        "security": ("hash_chained_audit", "pseudonymised_bsn"),
    },
}


def _data_subjects(flow: Flow, categories: frozenset[str]) -> tuple[str, ...]:
    found = [PUPILS]
    found += [_SUBJECTS_OF[c] for c in sorted(categories) if c in _SUBJECTS_OF]
    if flow.consent is not None and "ouders/verzorgers" not in found:
        found.append("ouders/verzorgers (als toestemmingsgevers)")
    if flow.requester_rule is not None:
        found.append("ouders of leerling die een recht uitoefenen")
    if flow.break_glass:
        found += ["melders (professionals die melden)", "gezinsleden en huisgenoten"]
    found.append(ACTING_STAFF)
    return tuple(dict.fromkeys(found))


def _describe_category(name: str, catalog: Catalog) -> str:
    """The Dutch label and the closed list of fields the category may hold."""
    spec = catalog.taxonomy.categories[name]
    fields = _field_names(spec.fields or {})
    text = nl.category(name, catalog)
    if fields:
        text += ": " + ", ".join(fields)
    if spec.special:
        text += " (bijzonder persoonsgegeven, AVG art. 9)"
    return text


def _field_names(schema: Mapping[str, Any]) -> list[str]:
    if schema.get("type") == "array":
        return _field_names(schema.get("items", {}))
    return [name.replace("_", " ") for name in schema.get("properties", {})]


def _consent_text(flow: Flow) -> str:
    rule = flow.consent
    if rule is None:
        return "Niet nodig: de stroom rust op " + _KIND_NL.get(
            flow.legal_basis.kind, flow.legal_basis.kind
        )
    parents = "beide ouders" if rule.parents_needed == 2 else "één ouder"
    scope = "Nodig voor de hele stroom" if rule.required else "Nodig buiten de gesloten lijst"
    return f"{scope}, naar leeftijd ({rule.age_rule.statute}); ouders nodig: {parents}."


_KIND_NL = {
    "legal_obligation": "een wettelijke plicht",
    "public_task": "een publieke taak",
    "statutory_power": "een wettelijke bevoegdheid",
    "data_subject_right": "het recht van de betrokkene",
    "accountability": "de verantwoordingsplicht",
    "consent": "toestemming",
    "task_and_consent": "de eigen wettelijke taak en toestemming",
}


def _basis_note(basis: LegalBasis) -> str:
    return basis.description + _unverified(basis)


def _unverified(basis: LegalBasis) -> str:
    return f" Niet bevestigd: {basis.unverified}" if basis.unverified else ""


def _transfers(dep: Deployment, *, portal: bool) -> str:
    """Art. 30(1)(e) from the deployment's hosting and, for the portal, its IdPs."""
    places = [dep.hosting, *(dep.identity_providers if portal else ())]
    unset = [p for p in places if not p.country or not p.name]
    outside = [p for p in places if p.country and p.country.upper() not in EEA]
    where = "; ".join(f"{p.what}: {p.name or NOT_SET} ({p.country or NOT_SET})" for p in places)
    if unset:
        return f"Niet vast te stellen, de configuratie is onvolledig ({where})."
    if outside:
        names = ", ".join(f"{p.what} in {p.country}" for p in outside)
        return (
            f"Doorgifte buiten de EER: {names}. Passende waarborgen (AVG hoofdstuk V) legt de "
            f"verwerkingsverantwoordelijke vast. ({where})"
        )
    return f"Geen doorgifte buiten de EER ({where})."


# --- the operator of the gateway ---------------------------------------------------------


def _operator_register(catalog: Catalog, dep: Deployment) -> ControllerRegister:
    activities = []
    for purpose, spec in _GATEWAY_ACTIVITIES.items():
        basis = catalog.legal_bases[spec["basis"]]
        activities.append(
            Activity(
                purpose=purpose,
                name=spec["name"],
                role="eigen verwerking van de gateway",
                purposes=spec["purposes"],
                legal_basis=basis.label,
                legal_basis_note=_basis_note(basis),
                data_subjects=spec["subjects"],
                personal_data=spec["data"],
                special_categories=(),
                consent="Niet van toepassing: geen toestemming als grondslag",
                recipients=spec["recipients"],
                transfers=_transfers(dep, portal=spec.get("portal", False)),
                retention=spec["retention"],
                security=tuple(nl.safeguard(n, catalog) for n in spec["security"]),
            )
        )
    return _controller(dep.operator, dep, tuple(activities))


_GATEWAY_ACTIVITIES: Mapping[str, Mapping[str, Any]] = {
    "gateway.toestemmingsregister": {
        "name": "Toestemmingsregister",
        "purposes": "Vastleggen wie toestemming gaf voor welk doel, welke ontvangers en "
        "categorieën, tot wanneer, en de intrekking; bewijs van toestemming (AVG art. 7(1)).",
        "basis": "avg_accountability",
        "subjects": (PUPILS, "ouders/verzorgers met gezag", ACTING_STAFF),
        "data": (
            "Gepseudonimiseerde leerlingreferentie, doel, ontvangers, categorieën, geldig tot",
            "Wie gaf (rol), hoe (digitaal of papieren formulier) en wanneer; intrekking",
        ),
        "recipients": (
            "De organisaties van de stroom waarvoor de toestemming geldt (als bewijs)",
            "De ouders en de leerling zelf in het portaal",
        ),
        "retention": "Zo lang als de gegevens waarop de toestemming ziet worden bewaard; een "
        "intrekking wist de geschiedenis niet",
        "security": ("consent_registry", "encryption_at_rest", "hash_chained_audit"),
    },
    "gateway.gezagsregister": {
        "name": "Gezagsregister",
        "purposes": "Bijhouden wie het gezag heeft, zoals de school van inschrijving het "
        "vastlegt, om te bepalen wie toestemming mag geven en wie het kind in het portaal ziet.",
        "basis": "school_administration",
        "subjects": (PUPILS, "ouders/verzorgers met gezag"),
        "data": (
            "BSN van leerling en gezagdragers (alleen als sleutelpseudoniem), geboortedatum",
            "Relatie (ouder, voogd), begin en einde van het gezag, wie het vastlegde",
        ),
        "recipients": ("De ouders met gezag (zij zien elke wijziging in het portaal)",),
        "retention": nl.RETENTION["leerlingdossier"],
        "security": ("pseudonymised_bsn", "encryption_at_rest", "hash_chained_audit"),
    },
    "gateway.aanmeldingen": {
        "name": "Aanmeldingen en inschrijvingen",
        "purposes": "Vastleggen bij welke school een leerling is aangemeld of ingeschreven, "
        "zodat alleen die school het overstapdossier ontvangt en feiten over de leerling "
        "vastlegt.",
        "basis": "school_administration",
        "subjects": (PUPILS,),
        "data": ("Gepseudonimiseerde leerlingreferentie, school, status en data",),
        "recipients": ("De school van aanmelding en de verstrekkende school (alleen de status)",),
        "retention": nl.RETENTION["verzuim_5y"] + " (inschrijvingsgegevens)",
        "security": ("pseudonymised_bsn", "purpose_binding", "hash_chained_audit"),
    },
    "gateway.portaal": {
        "name": "Inloggen op het ouderportaal",
        "purposes": "Ouders en leerlingen vanaf 16 loggen in bij de ingestelde inlogdienst "
        "(OpenID Connect) om toestemming te geven of in te trekken en hun rechten uit te oefenen.",
        "basis": "avg_15",
        "subjects": ("ouders/verzorgers", "leerlingen vanaf 16"),
        "data": (
            "BSN uit de inlog (alleen in de versleutelde sessie, nooit in een log)",
            "Sessie: begin, laatste activiteit; inlogmoment in het auditlog",
        ),
        "recipients": ("Geen: de sessie blijft bij de gateway",),
        "retention": "De sessie: tot uitloggen, na inactiviteit of na de ingestelde maximale "
        "duur; het inlogmoment: met het auditlog",
        "security": ("pseudonymised_bsn", "hash_chained_audit"),
        "portal": True,
    },
    "gateway.doorbraakbeoordeling": {
        "name": "Beoordeling van doorbraken (break-glass)",
        "purposes": "De FG beoordeelt achteraf elke melding aan Veilig Thuis zonder "
        "toestemming: de meldcodestappen en de redenen.",
        "basis": "avg_accountability",
        "subjects": (PUPILS, "melders (professionals die melden)", ACTING_STAFF),
        "data": (
            "Gepseudonimiseerde leerlingreferentie, vastgelegde meldcodestappen, redenen, "
            "melder en organisatie, oordeel van de FG",
        ),
        "recipients": ("De FG van de meldende organisatie",),
        "retention": "Met het auditlog",
        "security": ("break_glass_review", "hash_chained_audit"),
    },
    "gateway.auditlog": {
        "name": "Auditlog",
        "purposes": "Elk besluit en elke handeling vastleggen (aan wie, op welke grondslag, "
        "voor welk doel), zodat elke organisatie en haar FG verantwoording kan afleggen.",
        "basis": "avg_accountability",
        "subjects": (PUPILS, "ouders/verzorgers", ACTING_STAFF),
        "data": (
            "Gepseudonimiseerde leerlingreferentie, doel, categorienamen, besluit en regel, "
            "handelende persoon en organisatie; nooit de inhoud van een dossier",
        ),
        "recipients": ("De FG van elke betrokken organisatie, voor haar eigen regels",),
        "retention": "Zo lang als de langste bewaartermijn van de verwerkingen die het log "
        "vastlegt",
        "security": ("hash_chained_audit", "pseudonymised_bsn"),
    },
}
