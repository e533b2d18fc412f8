"""Where the tests find the OSO 2019.1 standard: a copy inside the repository (tests/data/oso)."""

from __future__ import annotations

from pathlib import Path

OSO = Path(__file__).resolve().parents[1] / "data" / "oso"
EXAMPLES = OSO / "examples"
# The XSD as Edustandaard ships it, kept apart from the connector's copy so a test can
# prove the two are the same file.
STANDARD_XSD = OSO / "OSO_gegevensset_2019.1.xsd"
VALIDATOR_XSL = OSO / "ValideerOSOgegevensset.xsl"
