"""The OSO 2019.1 edge: read an OSO dossier safely, and hand out only what may go.

    bytes --parse_dossier--> OsoDossier --filter_dossier(dossier, allowed)--> OSO XML
                                        --to_json(dossier, allowed)---------> JSON data

`parse_dossier` refuses (OsoError) anything that is not a well-formed, DOCTYPE-free,
XSD-valid dossier with a known profile, and (OsoRulesError, with the meldingen) one
that the standard's own business-rule validators report a `Fout` about. Both outputs
hold only the content categories that are in `allowed` and that the sender did not
declare OPT-UIT or VERBODEN. The element -> category mapping comes from the standard's
own validation XSLT, see `categories`.
"""

from connectors.oso.categories import CATEGORY_PATHS, CONTENT_CATEGORIES, STRUCTURE_PATHS
from connectors.oso.errors import OsoError
from connectors.oso.json_view import to_json
from connectors.oso.model import OsoDossier, OsoInzage
from connectors.oso.parser import PROFILES, SUBJECT_PATHS, RuleCheck, parse_dossier
from connectors.oso.rules import Melding, OsoRulesError
from connectors.oso.writer import filter_dossier

__all__ = [
    "CATEGORY_PATHS",
    "CONTENT_CATEGORIES",
    "PROFILES",
    "STRUCTURE_PATHS",
    "SUBJECT_PATHS",
    "Melding",
    "OsoDossier",
    "OsoError",
    "OsoInzage",
    "OsoRulesError",
    "RuleCheck",
    "filter_dossier",
    "parse_dossier",
    "to_json",
]
