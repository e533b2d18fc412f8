"""The organisation registry and the OAuth clients organisations authenticate with."""
