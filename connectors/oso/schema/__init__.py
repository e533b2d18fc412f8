"""The OSO 2019.1 XSD as Edustandaard publishes it, shipped as package data."""
