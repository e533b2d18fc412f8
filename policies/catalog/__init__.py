"""The policy catalog: the YAML files in this folder and the loaded `Catalog`.

`taxonomy.yaml` holds the words (org kinds, purposes, legal bases, categories, age rules,
retention classes, obligations), `flows.yaml` the flows of DOMAIN.md §3, and
`regions/<region>.yaml` what a region configures.
"""

from policies.compiled import Catalog, Flow, LegalBasis, Route
from policies.loader import CatalogError, load_catalog

__all__ = ["Catalog", "CatalogError", "Flow", "LegalBasis", "Route", "load_catalog"]
