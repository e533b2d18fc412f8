"""The hash-chained audit log: every permit and every deny, in the act's transaction."""
