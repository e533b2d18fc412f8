"""The acts on a knooppunt case as the access log reads them, in Dutch."""

from __future__ import annotations

# (what the actor did, what a refused act would have been after "wilde")
CASE_ACTIONS: dict[str, tuple[str, str]] = {
    "case.create": ("begon een overleg", "een overleg beginnen"),
    "case.list": ("bekeek de lijst van overleggen", "de lijst van overleggen bekijken"),
    "case.read": ("bekeek het overleg", "het overleg bekijken"),
    "case.participant.add": (
        "voegde een deelnemer toe aan het overleg",
        "een deelnemer toevoegen aan het overleg",
    ),
    "case.participant.leave": (
        "legde vast dat een deelnemer het overleg verliet",
        "een deelnemer uit het overleg halen",
    ),
    "case.close": ("sloot het overleg", "het overleg sluiten"),
    "case.mdo": (
        "maakte van het overleg een multidisciplinair overleg (MDO)",
        "van het overleg een MDO maken",
    ),
    "case.evaluate": ("legde de evaluatie van het overleg vast", "de evaluatie vastleggen"),
    "case.entry.write": ("schreef een stuk in het overleg", "een stuk in het overleg schrijven"),
    "case.entries.read": (
        "las de stukken uit het overleg die het mocht lezen",
        "stukken uit het overleg lezen",
    ),
    "case.entry.read": ("las een stuk uit het overleg", "een stuk uit het overleg lezen"),
    "case.entry.purge": (
        "verwijderde een stuk uit het gesloten overleg na afloop van de eigen bewaartermijn",
        "een stuk uit het overleg verwijderen",
    ),
    "case.export": (
        "maakte een ondertekend overzicht van het overleg voor een bezwaar of geschil",
        "een ondertekend overzicht van het overleg maken",
    ),
}
