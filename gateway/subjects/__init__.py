"""Pupils as the gateway knows them: a keyed pseudonym and an encrypted identity."""
