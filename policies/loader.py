"""Reads and validates a catalog directory: taxonomy, flows and one region's settings."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from policies.build import build_catalog
from policies.compiled import Catalog
from policies.references import flow_errors, region_errors, taxonomy_errors
from policies.schema import Flows, FlowSpec, Region, Taxonomy

DEFAULT_PATH = Path(__file__).parent / "catalog"
_REGION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader when present: the same documents, ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    """The catalog cannot be loaded; `errors` names each problem with its file."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid policy catalog:\n  " + "\n  ".join(errors))


def load_catalog(path: Path | None = None, region: str = "demo") -> Catalog:
    """The catalog at `path` (default: the packaged one) for `region`, loaded once."""
    root = (path or DEFAULT_PATH).resolve()
    return _load(str(root), region)


@functools.lru_cache(maxsize=32)
def _load(root: str, region: str) -> Catalog:
    return build_catalog(*read_sources(Path(root), region))


def read_sources(root: Path, region: str) -> tuple[Taxonomy, tuple[FlowSpec, ...], Region]:
    """The three validated files; raises `CatalogError` listing every problem found."""
    if not _REGION_NAME.match(region):
        raise CatalogError([f"invalid region name {region!r}"])
    errors: list[str] = []
    region_file = f"regions/{region}.yaml"
    tax = _parse(root, "taxonomy.yaml", Taxonomy, errors)
    flows = _parse(root, "flows.yaml", Flows, errors)
    reg = _parse(root, region_file, Region, errors)
    if tax is None or flows is None or reg is None:
        raise CatalogError(errors)
    errors.extend(taxonomy_errors(tax))
    errors.extend(flow_errors(tax, flows.flows))
    errors.extend(region_errors(reg, flows.flows, region_file))
    if reg.region != region:
        errors.append(f"{region_file}: declares region '{reg.region}'")
    if errors:
        raise CatalogError(errors)
    return tax, flows.flows, reg


def _parse(root: Path, name: str, model: type[M], errors: list[str]) -> M | None:
    path = root / name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        errors.append(f"{name}: file not found in {root}")
        return None
    except yaml.YAMLError as exc:
        errors.append(f"{name}: not valid YAML: {exc}")
        return None
    if not isinstance(raw, dict):
        errors.append(f"{name}: expected a mapping at the top level")
        return None
    # Top-level keys starting with "_" only hold YAML anchors for reuse.
    data = {key: value for key, value in raw.items() if not str(key).startswith("_")}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(f"{name}: {_where(data, e['loc'])}: {e['msg']}" for e in exc.errors())
        return None


def _where(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """A pydantic error location, naming the flow instead of its index."""
    if len(loc) >= 2 and loc[0] == "flows" and isinstance(loc[1], int):
        flows = data.get("flows")
        purpose = "?"
        if isinstance(flows, list) and loc[1] < len(flows) and isinstance(flows[loc[1]], dict):
            purpose = str(flows[loc[1]].get("purpose", "?"))
        rest = ".".join(str(part) for part in loc[2:])
        return f"flow '{purpose}'" + (f": {rest}" if rest else "")
    return ".".join(str(part) for part in loc) or "(top level)"
