"""`check(path)`: every problem in a catalog directory, for a region's CI.

    python -m policies.check [catalog-dir]     # exit 1 and one line per problem

Each file in `regions/` is checked together with the taxonomy and the flows, so a
region's override that names an unknown flow or setting fails before it is deployed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from policies.build import build_catalog
from policies.loader import DEFAULT_PATH, CatalogError, read_sources


def check(path: Path) -> list[str]:
    """The errors found validating the catalog at `path`; empty when it is valid."""
    regions = sorted((path / "regions").glob("*.yaml"))
    if not regions:
        return [f"regions/: no region files in {path}"]
    errors: list[str] = []
    for region_file in regions:
        try:
            build_catalog(*read_sources(path, region_file.stem))
        except CatalogError as exc:
            errors.extend(e for e in exc.errors if e not in errors)
    return errors


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_PATH
    errors = check(path)
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{path}: {'ok' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
