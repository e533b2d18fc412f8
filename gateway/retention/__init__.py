"""Retention: every stored record has a class from the catalog, and the job that ends it."""
