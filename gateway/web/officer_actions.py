"""The privacy officer's acts, and the registration of one, as the logs read them in Dutch."""

from __future__ import annotations

# (what the actor did, what a refused act would have been after "wilde")
OFFICER_ACTIONS: dict[str, tuple[str, str]] = {
    "audit.export": ("exporteerde regels uit het logboek", "regels uit het logboek exporteren"),
    "audit.register": ("bekeek het verwerkingsregister", "het verwerkingsregister bekijken"),
    "audit.fg_login": (
        "logde in als functionaris gegevensbescherming",
        "inloggen als functionaris gegevensbescherming",
    ),
    "audit.officer_add": (
        "legde vast wie de functionaris gegevensbescherming is",
        "vastleggen wie de functionaris gegevensbescherming is",
    ),
    "audit.officer_remove": (
        "haalde een functionaris gegevensbescherming weg",
        "een functionaris gegevensbescherming weghalen",
    ),
}
