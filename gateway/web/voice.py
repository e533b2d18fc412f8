"""How the portal addresses its reader: a parent as "u", the pupil as "je" (B1).

Parents and the pupil (from 12 on their own cases, from 16 on everything) read the
same pages. Every sentence that speaks to the reader has its two forms here, side by
side, and the page picks one by who reads it (`Voice`), so a sentence never exists in
only the parents' form. Sentences about the pupil that address nobody stay in
`wording`; a code's wording that names "uw kind" has its pupil's form here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from gateway.web import case_words, wording


def _both(text: str) -> tuple[str, str]:
    """A sentence that addresses nobody: the same for both readers."""
    return (text, text)


# key: (to a parent, to the pupil)
TEXTS: dict[str, tuple[str, str]] = {
    # The access log (`access_log._who`).
    "log_self": (
        "U (rol: {role}, via het ouderportaal)",
        "Jij (via dit portaal)",
    ),
    "log_pupil": ("Uw kind (via het ouderportaal)", "Jij (via dit portaal)"),
    "log_other": (
        "Een andere {role} (via het ouderportaal)",
        "Je {role} (via het ouderportaal)",
    ),
    "gezag_intro": (
        "Dit is wat de school van {name} over het gezag heeft vastgelegd. Klopt het niet? "
        "Vraag de school het te verbeteren.",
        "Dit heeft je school vastgelegd over wie het gezag over jou heeft. Klopt het niet? "
        "Vraag de school het te verbeteren.",
    ),
    "log_heading": ("Wie bekeek de gegevens van {name}?", "Wie bekeek je gegevens?"),
    "log_empty": (
        "Nog niemand heeft gegevens van {name} gedeeld of bekeken.",
        "Nog niemand heeft je gegevens gedeeld of bekeken.",
    ),
    # The consent form and what follows it.
    "consent_heading": ("Toestemming geven voor {name}", "Toestemming geven"),
    "consent_purpose": ("Waarvoor geeft u toestemming?", "Waarvoor geef je toestemming?"),
    "consent_explicit": (
        "alleen met uw uitdrukkelijke toestemming",
        "alleen met je uitdrukkelijke toestemming",
    ),
    "consent_withdraw_hint": (
        "U kunt uw toestemming altijd weer intrekken. Wat dan al gedeeld is, blijft bij de "
        "organisatie die het kreeg.",
        "Je kunt je toestemming altijd weer intrekken. Wat dan al gedeeld is, blijft bij de "
        "organisatie die het kreeg.",
    ),
    "consent_given": ("Uw toestemming is vastgelegd.", "Je toestemming is vastgelegd."),
    "consent_withdrawn": (
        "Uw toestemming is ingetrokken. Vanaf nu mag niemand met deze toestemming nog "
        "gegevens delen of ophalen. Gegevens die een organisatie al eerder kreeg, blijven bij "
        "die organisatie. Wilt u dat die organisatie ze verwijdert? Vraag dat dan aan de "
        "organisatie zelf.",
        "Je toestemming is ingetrokken. Vanaf nu mag niemand met deze toestemming nog "
        "gegevens delen of ophalen. Gegevens die een organisatie al eerder kreeg, blijven bij "
        "die organisatie. Wil je dat die organisatie ze verwijdert? Vraag dat dan aan de "
        "organisatie zelf.",
    ),
    # The dossier and its inzage.
    "inzage_rights": (
        "U heeft het recht dit dossier te bekijken (inzage) voordat het naar de nieuwe school "
        "gaat. De school moet u die kans geven. Tegenhouden kunt u het dossier niet: ook als u "
        "het er niet mee eens bent, gaat het naar de nieuwe school.",
        "Je hebt het recht dit dossier te bekijken (inzage) voordat het naar de nieuwe school "
        "gaat. De school moet je die kans geven. Tegenhouden kun je het dossier niet: ook als "
        "je het er niet mee eens bent, gaat het naar de nieuwe school.",
    ),
    "inzage_zienswijze": (
        "Wel kunt u uw mening over het dossier opschrijven. Dat heet uw zienswijze. Die gaat "
        "met het dossier mee naar de nieuwe school. Staat er iets in dat feitelijk niet klopt? "
        "Vraag de school dan om het te verbeteren.",
        "Wel kun je je mening over het dossier opschrijven. Dat heet je zienswijze. Die gaat "
        "met het dossier mee naar de nieuwe school. Staat er iets in dat niet klopt? Vraag de "
        "school dan om het te verbeteren.",
    ),
    "inzage_agree": ("Bent u het eens met dit dossier?", "Ben je het eens met dit dossier?"),
    "inzage_field": ("Uw zienswijze", "Je zienswijze"),
    "inzage_field_hint": (
        "Schrijf hier wat de nieuwe school volgens u moet weten, of waar u het niet mee eens bent.",
        "Schrijf hier wat de nieuwe school volgens jou moet weten, of waar je het niet mee "
        "eens bent.",
    ),
    "inzage_done": (
        "Uw inzage is vastgelegd. De nieuwe school kan het dossier nu ophalen, met uw "
        "zienswijze als u die schreef.",
        "Je inzage is vastgelegd. De nieuwe school kan het dossier nu ophalen, met je "
        "zienswijze als je die schreef.",
    ),
    "zienswijze_heading": (
        "Zienswijze (mening van de ouders)",
        "Zienswijze (mening over het dossier)",
    ),
    # A dossier's status; who recorded the inzage is said next to it (`inzage_recorded`):
    # the school can record it as well as the parents.
    "status_awaiting_inzage": (
        "De nieuwe school ziet nog niets. U kunt het dossier eerst inzien.",
        "De nieuwe school ziet nog niets. Je kunt het dossier eerst inzien.",
    ),
    "status_available": _both("De nieuwe school kan het dossier nu ophalen."),
    "status_received": _both("De nieuwe school heeft het dossier ontvangen."),
    "status_acknowledged": _both(
        "De nieuwe school heeft bevestigd dat het overdrachtsgesprek is gevoerd."
    ),
    # Words explained where they occur, in a <details> that opens without JavaScript.
    "word_inzage": (
        "Inzage betekent: de gegevens bekijken. U heeft het recht om te zien welke gegevens "
        "een school of organisatie heeft vastgelegd.",
        "Inzage betekent: de gegevens bekijken. Je hebt het recht om te zien welke gegevens "
        "een school of organisatie over jou heeft vastgelegd.",
    ),
    "word_zienswijze": (
        "Uw zienswijze is uw mening over het dossier, in uw eigen woorden. De school stuurt "
        "die mee met het dossier. Het dossier gaat ook naar de nieuwe school als u het er niet "
        "mee eens bent.",
        "Je zienswijze is je mening over het dossier, in je eigen woorden. De school stuurt "
        "die mee met het dossier. Het dossier gaat ook naar de nieuwe school als je het er "
        "niet mee eens bent.",
    ),
    "word_overdrachtsgesprek": (
        "Een overdrachtsgesprek is een gesprek tussen de oude en de nieuwe school over wat uw "
        "kind nodig heeft.",
        "Een overdrachtsgesprek is een gesprek tussen de oude en de nieuwe school over wat "
        "jij nodig hebt.",
    ),
    "word_aandachtsfunctionaris": _both(
        "Een aandachtsfunctionaris is een medewerker van een school of organisatie die "
        "collega's helpt als zij zich zorgen maken over de veiligheid van een kind."
    ),
    # Who recorded the inzage (`inzage_recorded`).
    "inzage_by_self": (
        "U heeft het dossier op {when} ingezien.",
        "Je hebt het dossier op {when} ingezien.",
    ),
    "inzage_by_school": (
        "De school heeft genoteerd dat u het dossier op {when} heeft ingezien. Klopt dat "
        "niet? Zeg het dan tegen de school.",
        "De school heeft genoteerd dat je het dossier op {when} hebt ingezien. Klopt dat "
        "niet? Zeg het dan tegen de school.",
    ),
    "inzage_by_pupil": (
        "Uw kind heeft het dossier op {when} ingezien.",
        "Je hebt het dossier op {when} ingezien.",
    ),
    "inzage_by_other": (
        "Een {role} heeft het dossier op {when} ingezien.",
        "Je {role} heeft het dossier op {when} ingezien.",
    ),
    # A decision with an objection route, and a refused rights request.
    "tlv_about": ("{name}", "jij"),
    "tlv_category": (
        "De categorie zegt hoeveel extra ondersteuning de school voor uw kind krijgt.",
        "De categorie zegt hoeveel extra ondersteuning de school voor jou krijgt.",
    ),
    "tlv_objection_until": (
        "U kunt bezwaar maken tot en met {day}.",
        "Je kunt bezwaar maken tot en met {day}.",
    ),
    "objection": (
        "Bent u het niet eens met het besluit? Dan kunt u bezwaar maken. Stuur binnen 6 weken "
        "een brief naar {swv}. De 6 weken beginnen op de dag nadat u het besluit kreeg. Schrijf "
        "in de brief uw naam en adres, de datum, over welk besluit het gaat en waarom u het er "
        "niet mee eens is, en zet uw handtekening eronder. Dit staat in de Algemene wet "
        "bestuursrecht (artikel 6:5 en 6:7). Heeft u het besluit zelf niet gekregen? Vraag het "
        "dan aan {swv}.",
        "Ben je het niet eens met het besluit? Dan kun je bezwaar maken. Stuur binnen 6 weken "
        "een brief naar {swv}. De 6 weken beginnen op de dag nadat je het besluit kreeg. "
        "Schrijf in de brief je naam en adres, de datum, over welk besluit het gaat en waarom "
        "je het er niet mee eens bent, en zet je handtekening eronder. Dit staat in de "
        "Algemene wet bestuursrecht (artikel 6:5 en 6:7). Heb je het besluit zelf niet "
        "gekregen? Vraag het dan aan {swv}.",
    ),
    "refusal_child": ("uw kind", "jou"),
    "refusal_restricted": (
        "U krijgt niet alles wat u vroeg",
        "Je krijgt niet alles wat je vroeg",
    ),
    "refusal_remedy": (
        "Bent u het er niet mee eens? Vraag de organisatie om uitleg. U kunt ook een klacht "
        "indienen bij de Autoriteit Persoonsgegevens, of naar de rechter gaan.",
        "Ben je het er niet mee eens? Vraag de organisatie om uitleg. Je kunt ook een klacht "
        "indienen bij de Autoriteit Persoonsgegevens, of naar de rechter gaan.",
    ),
    "you_are": ("U bent", "Jij bent"),
}

# The case pages' sentences live with the case pages' words.
TEXTS.update(case_words.CASE_TEXTS)

# A code's wording that names the reader: the pupil's form, where it differs.
PUPIL_ACTIONS: dict[str, tuple[str, str]] = {
    "enrolment.ingeschreven": ("schreef je in", "jou inschrijven"),
    "enrolment.uitgeschreven": ("schreef je uit", "jou uitschrijven"),
    "meldcode.restriction_lift": (
        "hief de afscherming van een melding op",
        "de afscherming van een melding opheffen",
    ),
}
PUPIL_PURPOSES: dict[str, str] = {
    "rechten.inzage": "je recht op inzage",
    "rechten.correctie": "je recht op correctie",
    "rechten.verwijdering": "je recht op verwijdering",
}


class Reader(Protocol):
    @property
    def is_self(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Voice:
    """The portal's words for one reader: `pupil` when the pupil reads their own page."""

    pupil: bool = False

    def __call__(self, key: str, **values: object) -> str:
        return self.pick(TEXTS[key]).format(**values)

    def pick(self, texts: tuple[str, str]) -> str:
        """One of (to a parent, to the pupil), for texts kept next to their use."""
        return texts[1] if self.pupil else texts[0]

    def action(self, code: str, *, refused: bool = False) -> str:
        if self.pupil and code in PUPIL_ACTIONS:
            done, attempted = PUPIL_ACTIONS[code]
            return attempted if refused else done
        return wording.action(code, refused=refused)

    def purpose(self, code: str) -> str:
        if self.pupil and code in PUPIL_PURPOSES:
            return PUPIL_PURPOSES[code]
        return wording.purpose(code)

    def word(self, name: str) -> str:
        return self(f"word_{name}")

    def transfer_status(self, status: str) -> str:
        key = f"status_{status}"
        return self(key) if key in TEXTS else status

    def inzage_recorded(self, on: date, *, by: str) -> str:
        """Who recorded the inzage, so the reader can tell a school's note from their own
        act: the viewer ("self"), the sending school ("school", through the API), or
        someone else in the portal by their role ("parent", "guardian", "pupil")."""
        when = wording.day(on)
        if by in ("self", "school", "pupil"):
            return self(f"inzage_by_{by}", when=when)
        return self("inzage_by_other", role=wording.role(by), when=when)

    def decision(self, code: str, *, name: str, school: str, swv: str) -> tuple[str, str]:
        """What a decision is about, and how to object to it."""
        about = wording.decision_text(code, kind=self("tlv_about", name=name), school=school)
        return about, self("objection", swv=swv)

    def tlv_facts(self, tlv: wording.TlvDecided) -> list[str]:
        """What the SWV decided on a TLV, and until when the reader may object."""
        if tlv.outcome is None:
            return []
        facts = [
            "Het samenwerkingsverband heeft de TLV toegekend."
            if tlv.outcome == "toegekend"
            else "Het samenwerkingsverband heeft de TLV niet toegekend."
        ]
        if tlv.category is not None:
            category = wording.TLV_CATEGORIES[tlv.category]
            facts.append(f"Categorie: {category}. {self('tlv_category')}")
        if tlv.valid_from is not None and tlv.valid_until is not None:
            facts.append(
                f"De TLV geldt van {wording.day(tlv.valid_from)} "
                f"tot {wording.day(tlv.valid_until)}."
            )
        if tlv.objection_until is not None:
            facts.append(self("tlv_objection_until", day=wording.day(tlv.objection_until)))
        return facts

    def refusal(self, org: str, right: str, outcome: str, when: datetime) -> str:
        """E.g. "Veilig Thuis heeft een verzoek om … geweigerd op 15 april 2016 om 11:00."."""
        asked = wording.RIGHTS_ASKED.get(right, self.purpose(right))
        done = wording.REFUSAL_OUTCOMES[outcome].format(right=asked)
        line = f"{org} {done} op {wording.moment(when)}."
        if outcome == "restricted":
            line += f" {self('refusal_restricted')}."
        return line

    def refusal_ground(self, ground: str) -> str:
        return wording.REFUSAL_GROUNDS[ground].format(kind=self("refusal_child"))


PARENT = Voice(pupil=False)
PUPIL = Voice(pupil=True)


def of(kid: Reader | None) -> Voice:
    """The voice for a page about `kid`: the pupil's own page speaks to the pupil."""
    return PUPIL if kid is not None and kid.is_self else PARENT
