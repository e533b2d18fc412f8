"""All cryptography of the gateway lives here: envelope encryption, pseudonyms, signing."""
