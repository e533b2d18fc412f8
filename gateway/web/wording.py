"""The portal's words: what parents read instead of codes, and how dates are written.

The catalog's labels are English for the people who maintain it; parents read Dutch,
in plain words, here. A code without a Dutch word falls back to the code itself, so a
new purpose or category shows up (recognisably) before anyone has named it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from gateway.rights.words import ACTIONS as RIGHTS_ACTIONS
from gateway.web.case_actions import CASE_ACTIONS
from gateway.web.officer_actions import OFFICER_ACTIONS

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# "voor …": completes a sentence of the access log.
PURPOSES: dict[str, str] = {
    "overdracht.po_vo": "overdracht naar het voortgezet onderwijs",
    "overdracht.po_po": "overdracht naar een andere basisschool",
    "overdracht.vo_vo": "overdracht naar een andere school voor voortgezet onderwijs",
    "overdracht.vo_mbo": "overdracht naar het mbo",
    "overdracht.so": "overdracht vanuit het speciaal onderwijs",
    "overdracht.voorschool_po": "overdracht van de voorschool naar de basisschool",
    "tlv.aanvraag": "een aanvraag voor extra ondersteuning (TLV of arrangement)",
    "tlv.besluit": "het besluit over toelaatbaarheid (TLV)",
    "tlv.advies": "advies van deskundigen voor het besluit over toelaatbaarheid (TLV)",
    "leerplicht.verzuim": "een verzuimmelding aan leerplicht",
    "leerplicht.thuiszitter": "overleg met leerplicht over thuiszitten",
    "jeugdhulp.verwijzing": "een verwijzing naar het wijkteam, jeugdhulp, "
    "schoolmaatschappelijk werk of de jeugdgezondheidszorg",
    "jeugdhulp.terugkoppeling": "terugkoppeling van het wijkteam, jeugdhulp, "
    "schoolmaatschappelijk werk of de jeugdgezondheidszorg aan school",
    "knooppunt.casus": "overleg in het knooppunt (ondersteuningsteam)",
    "verwijsindex.signaal": "een melding in de verwijsindex",
    "verwijsindex.match": "een match in de verwijsindex",
    "meldcode.melding": "een melding bij Veilig Thuis",
    "rechten.inzage": "uw recht op inzage",
    "rechten.correctie": "uw recht op correctie",
    "rechten.verwijdering": "uw recht op verwijdering",
    "audit.toezicht": "toezicht door de functionaris gegevensbescherming",
    "leerling.inschrijving": "de leerlingadministratie van de school",
    "koppeling.webhooks": "de koppeling van het eigen systeem van de organisatie",
}

CATEGORIES: dict[str, str] = {
    "school": "gegevens van de school",
    # Read by parents and by the pupil on their own page: about the pupil, to neither.
    "leerling": "gegevens van de leerling (naam, geboortedatum)",
    "oudersverzorgers": "gegevens van ouders en verzorgers",
    "vve": "voor- en vroegschoolse educatie",
    "schoolloopbaan": "schoolloopbaan",
    "overstapadvies": "schooladvies",
    "onderwijsondersteuning": "ondersteuning op school",
    "verzuim": "verzuim",
    "eindtoetsbo": "doorstroomtoets",
    "toetsresultaten": "toetsresultaten",
    "handelingsplannen": "handelingsplannen",
    "cijferlijsten": "cijferlijsten",
    "vombo": "resultaten voor het mbo",
    "bijlagedocs": "bijlagen",
    "opp": "ontwikkelingsperspectiefplan (OPP)",
    "duiden_en_doen": "plan 'duiden en doen'",
    "gezinsplan": "gezinsplan",
    "knooppunt_afspraken": "afspraken uit het knooppunt",
    "verzuim_melding": "verzuimmelding",
    "tlv_aanvraag": "aanvraag voor een toelaatbaarheidsverklaring (TLV)",
    "deskundigenadvies": "advies van deskundigen over de TLV",
    "tlv_besluit": "besluit over de toelaatbaarheidsverklaring (TLV)",
    "signaal": "signaal in de verwijsindex",
    "gezondheid": "gezondheidsgegevens",
    "visie_ouders": "eigen visie van de ouders",
    "visie_leerling": "eigen visie van de leerling",
}

ROLES: dict[str, str] = {
    "leerkracht": "leerkracht",
    "ib": "IB'er",
    "directeur": "directeur",
    "mentor": "mentor",
    "zorgcoordinator": "zorgcoördinator",
    "trajectbegeleider": "trajectbegeleider",
    "orthopedagoog": "orthopedagoog",
    "tlv_commissie": "TLV-commissie",
    "jeugdprofessional": "jeugdprofessional",
    "leerplichtambtenaar": "leerplichtambtenaar",
    "jeugdarts": "jeugdarts",
    "schoolmaatschappelijk_werker": "schoolmaatschappelijk werker",
    "pedagogisch_medewerker": "pedagogisch medewerker",
    "behandelaar": "behandelaar",
    "aandachtsfunctionaris": "aandachtsfunctionaris",
    "privacy_officer": "functionaris gegevensbescherming",
    "fg": "functionaris gegevensbescherming",
    "parent": "ouder",
    "guardian": "voogd",
    "parent_without_gezag": "ouder zonder gezag",
    "pupil": "leerling",
}

# What the actor did (a verb phrase after the actor), and what a refused act would
# have been (after "wilde").
ACTIONS: dict[str, tuple[str, str]] = {
    "transfer.send": ("stuurde het dossier", "het dossier sturen"),
    "transfer.read": ("las het dossier", "het dossier lezen"),
    "transfer.list": (
        "bekeek de lijst van ontvangen of verstuurde dossiers",
        "de lijst van ontvangen of verstuurde dossiers bekijken",
    ),
    "transfer.inzage": ("legde de inzage in het dossier vast", "de inzage vastleggen"),
    "transfer.acknowledge": (
        "bevestigde het overdrachtsgesprek",
        "het overdrachtsgesprek bevestigen",
    ),
    "tlv.open": (
        "begon aan de aanvraag voor een toelaatbaarheidsverklaring (TLV)",
        "beginnen aan de aanvraag voor een TLV",
    ),
    "tlv.advice": (
        "legde vast welke deskundige advies gaf over de TLV",
        "vastleggen welke deskundige advies gaf",
    ),
    "tlv.decide": ("nam een besluit over de TLV", "een besluit over de TLV nemen"),
    "tlv.read": ("bekeek de stand van de TLV", "de stand van de TLV bekijken"),
    "tlv.purge": (
        "verwijderde de TLV-gegevens na afloop van de bewaartermijn",
        "de TLV-gegevens verwijderen na afloop van de bewaartermijn",
    ),
    "retention.destroy": (
        "vernietigde de gegevens na afloop van de bewaartermijn",
        "de gegevens vernietigen na afloop van de bewaartermijn",
    ),
    "tlv.list": (
        "bekeek welke TLV's binnenkort aflopen",
        "bekijken welke TLV's binnenkort aflopen",
    ),
    "enrolment.register": ("registreerde een aanmelding", "een aanmelding registreren"),
    "enrolment.ingeschreven": ("schreef uw kind in", "uw kind inschrijven"),
    "enrolment.afgewezen": ("wees de aanmelding af", "de aanmelding afwijzen"),
    "enrolment.uitgeschreven": ("schreef uw kind uit", "uw kind uitschrijven"),
    "consent.grant": ("legde een toestemming vast", "een toestemming vastleggen"),
    "consent.withdraw": ("trok een toestemming in", "een toestemming intrekken"),
    "consent.read": ("bekeek een toestemming", "een toestemming bekijken"),
    "consent.search": ("zocht naar toestemmingen", "naar toestemmingen zoeken"),
    "consent.notification": (
        "kreeg bericht van een ingetrokken toestemming",
        "bericht krijgen van een ingetrokken toestemming",
    ),
    "consent.gezag": ("legde vast wie het gezag heeft", "vastleggen wie het gezag heeft"),
    "subject.restate": (
        "legde de geboortedatum en naam vast zoals de school die kent",
        "de geboortedatum en naam vastleggen",
    ),
    "meldcode.restriction_lift": (
        "hief de afscherming van een melding voor u op",
        "de afscherming van een melding opheffen",
    ),
    "rights.refused": ("weigerde een verzoek", "een verzoek weigeren"),
    "rights.restricted": (
        "voerde een verzoek maar voor een deel uit",
        "een verzoek beperken",
    ),
    "subject.correct": (
        "verbeterde de geboortedatum of naam",
        "de geboortedatum of naam verbeteren",
    ),
    "enrolment.aangemeld": ("registreerde een aanmelding", "een aanmelding registreren"),
    "enrolment.decide": ("besliste over een aanmelding", "over een aanmelding beslissen"),
    "consent.cosign": ("gaf ook zelf toestemming", "ook zelf toestemming geven"),
    "consent.renewal": (
        "zag dat een toestemming opnieuw moet",
        "zien welke toestemmingen opnieuw moeten",
    ),
    "signal.register": (
        "meldde in de verwijsindex dat zij betrokken is bij uw kind",
        "een signaal in de verwijsindex afgeven",
    ),
    "signal.match": (
        "kreeg via de verwijsindex te horen welke andere hulpverlener betrokken is",
        "horen welke andere hulpverlener betrokken is",
    ),
    "signal.matches": (
        "bekeek met welke hulpverleners zij samen betrokken is",
        "bekijken met welke hulpverleners zij samen betrokken is",
    ),
    "signal.list": ("bekeek haar eigen signalen", "haar eigen signalen bekijken"),
    "signal.notifications": (
        "bekeek haar berichten uit de verwijsindex",
        "haar berichten uit de verwijsindex bekijken",
    ),
    "signal.withdraw": ("trok een signaal in en verwijderde het", "een signaal intrekken"),
    "signal.archive": (
        "trok een signaal in omdat de zorg voorbij is; het gaat naar het archief",
        "een signaal naar het archief brengen",
    ),
    "signal.expire": (
        "bracht een signaal na twee jaar naar het archief",
        "een signaal naar het archief brengen",
    ),
    "signal.destroy": ("vernietigde een signaal", "een signaal vernietigen"),
    "signal.remind": (
        "herinnerde de melder eraan u over het signaal in te lichten",
        "de melder herinneren aan het inlichten",
    ),
    "signal.informed": (
        "legde vast dat u over het signaal bent ingelicht, of waarom niet",
        "vastleggen dat u bent ingelicht",
    ),
    "signal.regie": (
        "legde vast welke hulpverlener de regie heeft",
        "vastleggen wie de regie heeft",
    ),
    "signal.archive_lookup": (
        "raadpleegde het archief van de verwijsindex binnen een casus",
        "het archief van de verwijsindex raadplegen",
    ),
    "signal.death": ("legde een overlijden vast", "een overlijden vastleggen"),
    "signal.volume_alert": (
        "kreeg een waarschuwing over ongewoon veel signalen",
        "een waarschuwing geven over ongewoon veel signalen",
    ),
    "webhook.register": (
        "koppelde een eigen systeem aan om berichten te ontvangen",
        "een eigen systeem aankoppelen voor berichten",
    ),
    "webhook.delete": (
        "ontkoppelde een eigen systeem voor berichten",
        "een eigen systeem ontkoppelen",
    ),
    "webhook.replay": (
        "liet een niet afgeleverd bericht opnieuw versturen",
        "een bericht opnieuw laten versturen",
    ),
    "webhook.dead_letter": (
        "kreeg een waarschuwing dat een bericht niet kon worden afgeleverd",
        "waarschuwen dat een bericht niet kon worden afgeleverd",
    ),
    "webhook.deliver": (
        "kreeg een bericht over een nieuw dossier, een ingetrokken toestemming of een match "
        "afgeleverd op haar eigen systeem",
        "een bericht laten afleveren op haar eigen systeem",
    ),
    "notification.poll": (
        "haalde berichten op over nieuwe dossiers, ingetrokken toestemmingen of matches",
        "berichten ophalen over nieuwe dossiers, ingetrokken toestemmingen of matches",
    ),
    "audit.search": ("zocht in het logboek", "in het logboek zoeken"),
    "audit.read": ("bekeek het logboek", "het logboek bekijken"),
    "audit.logboek": (
        "haalde het logboek op als logboek dataverwerkingen",
        "het logboek ophalen als logboek dataverwerkingen",
    ),
    "audit.reviews": (
        "bekeek welke handelingen nog achteraf beoordeeld moeten worden",
        "bekijken welke handelingen nog beoordeeld moeten worden",
    ),
    "audit.review": ("beoordeelde een handeling achteraf", "een handeling achteraf beoordelen"),
    "audit.proof": (
        "liet bewijzen dat een regel in het logboek ongewijzigd is",
        "laten bewijzen dat een regel in het logboek ongewijzigd is",
    ),
    "audit.consistency": (
        "liet bewijzen dat het logboek achteraf niet is veranderd",
        "laten bewijzen dat het logboek achteraf niet is veranderd",
    ),
}
# The knooppunt's acts (`gateway.web.case_actions`) read the same way.
ACTIONS.update(CASE_ACTIONS)
# So do the privacy officer's (`gateway.web.officer_actions`).
ACTIONS.update(OFFICER_ACTIONS)
ACTIONS.update(RIGHTS_ACTIONS)


# A decision with an objection route (a beschikking, Awb art. 1:3): what parents read
# about it, by purpose.
DECISIONS: dict[str, tuple[str, str]] = {
    "tlv.besluit": (
        "Besluit over toelaatbaarheid (TLV)",
        "Het samenwerkingsverband heeft besloten of {kind} naar het speciaal "
        "basisonderwijs, het speciaal onderwijs of het praktijkonderwijs mag. Zo'n besluit "
        "heet een toelaatbaarheidsverklaring (TLV). Het besluit is naar {school} gestuurd.",
    ),
}


# The bekostigingscategorie of a TLV for the (V)SO: how much support the school gets.
TLV_CATEGORIES = {"laag": "laag", "midden": "midden", "hoog": "hoog"}


class TlvDecided(Protocol):
    @property
    def outcome(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def valid_from(self) -> date | None: ...
    @property
    def valid_until(self) -> date | None: ...
    @property
    def objection_until(self) -> date | None: ...


def decision_title(code: str) -> str:
    return DECISIONS[code][0]


def decision_text(code: str, *, kind: str, school: str) -> str:
    """What the decision is about (how to object is said to the reader: `voice`)."""
    return DECISIONS[code][1].format(kind=kind, school=school)


def first_upper(text: str) -> str:
    """Capitalised like a sentence, without lowering the rest (OPP, TLV stay)."""
    return text[:1].upper() + text[1:]


def purpose(code: str) -> str:
    return PURPOSES.get(code, code)


def officer_purpose(code: str) -> str:
    """A purpose as the privacy officer reads it: a parent's right is not the reader's."""
    return purpose(code).replace("uw recht op", "het recht op", 1)


def category(code: str) -> str:
    return CATEGORIES.get(code, code)


def role(code: str | None) -> str:
    if not code:
        return "rol niet opgegeven"
    return ROLES.get(code, code)


def action(code: str, *, refused: bool = False) -> str:
    done, attempted = ACTIONS.get(code, (f"deed '{code}'", f"'{code}' doen"))
    return attempted if refused else done


def counted(number: int, one: str, more: str) -> str:
    """A count with its noun: "1 weigering", "0 weigeringen", "3 weigeringen"."""
    return f"{number} {one if number == 1 else more}"


def day(value: date) -> str:
    """15 april 2016."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """15 april 2016 om 10:12, in Dutch time."""
    local = value.astimezone(AMSTERDAM)
    return f"{day(local.date())} om {local:%H:%M}"


def mask_bsn(bsn: str) -> str:
    """Only the last four digits show: enough to recognise, too few to use."""
    return "*" * (len(bsn) - 4) + bsn[-4:]


# A refused or restricted rights request, as the requester reads it (B1); the sentence
# is made in `voice`. `{kind}` is "uw kind" for a parent, "jou" for the pupil.
RIGHTS_ASKED: dict[str, str] = {
    "rechten.inzage": "inzage (de gegevens bekijken)",
    "rechten.correctie": "verbetering van gegevens",
    "rechten.verwijdering": "verwijdering van gegevens",
}
REFUSAL_OUTCOMES: dict[str, str] = {
    "refused": "heeft een verzoek om {right} geweigerd",
    "restricted": "heeft een verzoek om {right} maar voor een deel uitgevoerd",
}
REFUSAL_GROUNDS: dict[str, str] = {
    "child_interest": "De organisatie vindt dat het nu niet goed is voor {kind} als dit "
    "gebeurt. Een hulpverlener moet eerst aan het belang van het kind denken. Dat staat in "
    "de Jeugdwet (artikel 7.3.11, lid 3).",
    "third_party_interest": "In de gegevens staat ook iets over iemand anders. De "
    "organisatie moet die persoon beschermen. Dat staat in de Jeugdwet (artikel 7.3.11, "
    "lid 1).",
    "avg_23": "De wet staat toe dat een organisatie een verzoek weigert of beperkt als dat "
    "nodig is om {kind} of iemand anders te beschermen. Dat staat in de privacywet (AVG, "
    "artikel 23, en Uitvoeringswet AVG, artikel 41).",
}


# ---- Consent and the pupil's age: renewal and the pupil's own consent ----------------
# New texts only; kept together at the end. Parents read "u", the pupil reads "je".

# Whose consent counts from a birthday, by the age rule of the purpose.
RENEWAL_WHO: dict[tuple[bool, bool], str] = {
    (True, True): "u én {name} zelf",
    (False, True): "alleen {name} zelf",
    (True, False): "u als ouder",
}


def renewal_for_parent(name: str, age: int, since: date, needs: tuple[bool, bool]) -> str:
    """Why a parent's consent stopped counting, in plain words (B1)."""
    who = RENEWAL_WHO.get(needs, "iemand anders").format(name=name)
    return (
        f"{name} is op {day(since)} {age} jaar geworden. Vanaf die dag geldt deze "
        f"toestemming niet meer. Vanaf {age} jaar moet {who} toestemming geven. "
        "Tot dat gebeurt, mag niemand deze toestemming gebruiken."
    )


RENEWAL_HOW_PARENT = (
    "Wat kunt u doen? Heeft {name} een eigen DigiD? Dan kan {name} inloggen en zelf "
    "toestemming geven. Zonder DigiD kunt u samen met {name} een formulier van de school "
    "invullen. De school legt het dan vast."
)
RENEWAL_HEADING = "Toestemming moet opnieuw"


def renewal_for_pupil(age: int, since: date, needs: tuple[bool, bool]) -> str:
    """Why the pupil's consent is asked, addressed to the pupil (B1)."""
    if needs == (True, True):
        asked = "Vanaf 12 jaar beslis je samen met je ouders. Je ouders gaven al toestemming."
    else:
        asked = "Vanaf 16 jaar beslis je zelf. Je ouders gaven eerder toestemming."
    return (
        f"Je bent op {day(since)} {age} jaar geworden. {asked} Deze toestemming geldt "
        "pas weer als jij ook toestemming geeft. Wil je dat niet? Dan hoef je niets te doen."
    )


COSIGN_BUTTON = "Ik geef ook toestemming"
COSIGNED = "Je toestemming is vastgelegd. De toestemming geldt nu weer."
PUPIL_12_INTRO = (
    "Je ouders beslissen over de meeste dingen tot je 16 bent. Voor hulp van het wijkteam "
    "of de jeugdhulp, en voor overleg over jou, is vanaf 12 jaar ook jouw toestemming nodig. "
    "Hieronder zie je waarvoor je toestemming wordt gevraagd."
)
PUPIL_12_NOTHING = "Er wordt nu niets aan je gevraagd."
PARENT_16_DOSSIERS = (
    "U heeft als ouder wel recht op informatie van de school over hoe het met {name} gaat. "
    "Gaat {name} naar een andere school? Dan mag u het onderwijskundig rapport (het dossier "
    "voor de nieuwe school) ook inzien, tot {name} 18 jaar is. U vindt het hieronder."
)
