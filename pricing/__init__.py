"""Open weights vs paid API: the cost model. `from pricing import load_catalog, Scenario, compare`."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_catalog": "pricing.catalog",
    "default_catalog": "pricing.catalog",
    "Catalog": "pricing.catalog",
    "Scenario": "pricing.schema",
    "Workload": "pricing.schema",
    "Overrides": "pricing.schema",
    "SelfHostSpec": "pricing.schema",
    "compare": "pricing.compare",
    "load_scenario": "pricing.compare",
    "presets": "pricing.compare",
    "api_cost_frame": "pricing.api_cost",
    "PricingError": "pricing.errors",
    "DataError": "pricing.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import public names lazily so `import pricing` stays cheap."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pricing' has no attribute {name!r}")
