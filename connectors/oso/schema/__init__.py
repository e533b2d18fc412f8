"""The OSO 2019.1 XSD and the standard's business-rule validators (XSLT 2.0) as
Edustandaard publishes them, shipped as package data. `include/` holds the codelist and
category checks under the name both validators include them by."""
