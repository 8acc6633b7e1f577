"""Look up a model's sourced quality indices (data/quality.yaml) for an offer id, HF id or other key.

An open-weight offer resolves through its `open_model` (HF id); a closed model through its own
offer id, or through `CLOSED_MODEL_KEYS` when a host resells a closed model whose score is filed
under the first party's id. A missing score is absent (None), never 0.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pricing.catalog import Catalog

INTELLIGENCE = "Artificial Analysis Intelligence Index"

# Offer id -> the quality key of the same closed model sold elsewhere (hosts reselling closed weights).
CLOSED_MODEL_KEYS: dict[str, str] = {
    "together/Qwen/Qwen3.7-Max": "alibaba/qwen3.7-max",
    "together/Qwen/Qwen3.7-Plus": "alibaba/qwen3.7-plus",
    "together/Qwen/Qwen3.6-Plus": "qwen/qwen3.6-plus",
    "fireworks/qwen3p7-plus": "alibaba/qwen3.7-plus",
    "alibaba/glm-5.2": "zai-org/GLM-5.2",
    "together/zai-org/GLM-5.2": "zai-org/GLM-5.2",
    "deepinfra/zai-org/GLM-5.2": "zai-org/GLM-5.2",
    "zai/glm-5.2": "zai-org/GLM-5.2",
    # the same model filed under its dated snapshot: OpenAI's gpt-4o pointed at gpt-4o-2024-05-13
    # when Artificial Analysis scored it (only its coding index is in the 2026-08-01 answer)
    "openai/gpt-4o": "openai/gpt-4o-2024-05-13",
}
# deepseek-ai/DeepSeek-V3 (December 2024) has its own score in data/quality.yaml from Artificial
# Analysis' leaderboard of 2026-08-23 (the OpenRouter answer gives none), so it needs no alias.
# Checked and left missing, since no Intelligence Index v4 score of the same weights exists in
# either source (a later checkpoint or a different post-training is a different model, and the
# older v3 index of 2025 is another scale): moonshotai/Kimi-K2-Instruct and -0905 (only -Thinking,
# K2.5 and later are scored) and the Intelligence Index of gpt-4o and gpt-4o-mini (Artificial
# Analysis gives them only coding/agentic indices).

Scores = dict[str, tuple[float, dt.date]]


def _index(catalog: Catalog) -> dict[str, Scores]:
    """Key -> index name -> (value, as_of), built once per catalog."""
    cache = catalog._cache
    if "quality_index" not in cache:
        idx: dict[str, Scores] = {}
        for q in catalog.quality:
            idx.setdefault(q.key, {}).setdefault(q.index_name, (q.value, q.as_of))
        lower = {k.lower(): v for k, v in idx.items()}
        cache["quality_index"] = (idx, lower)
    idx, _ = cache["quality_index"]
    return idx


def candidate_keys(catalog: Catalog, key_or_offer_id: str) -> list[str]:
    """The keys tried, in order, for an offer id (itself, a closed-model alias, its open model) or any key."""
    keys = [key_or_offer_id]
    if key_or_offer_id in CLOSED_MODEL_KEYS:
        keys.append(CLOSED_MODEL_KEYS[key_or_offer_id])
    offer = catalog.offers.get(key_or_offer_id)
    if offer is not None and offer.open_model:
        keys.append(offer.open_model)
    return keys


def quality_for(catalog: Catalog, key_or_offer_id: str) -> Scores:
    """Index name -> (value, as_of) for an offer id, HF id or quality key; {} when nothing is sourced."""
    idx = _index(catalog)
    _, lower = catalog._cache["quality_index"]
    for k in candidate_keys(catalog, key_or_offer_id):
        hit = idx.get(k) or lower.get(k.lower())
        if hit:
            return dict(hit)
    return {}


def score(catalog: Catalog, key_or_offer_id: str, index_name: str = INTELLIGENCE) -> float | None:
    """One index value, or None when it is not sourced (never 0)."""
    got = quality_for(catalog, key_or_offer_id).get(index_name)
    return got[0] if got else None


def quality_frame(catalog: Catalog) -> pd.DataFrame:
    """One row per API offer: each index's value and date (NaN / None where not sourced)."""
    names = sorted({q.index_name for q in catalog.quality})
    rows = []
    for oid in catalog.offers:
        q = quality_for(catalog, oid)
        row: dict[str, object] = {"id": oid}
        for n in names:
            row[n] = q[n][0] if n in q else float("nan")
        row["quality_as_of"] = min((v[1] for v in q.values()), default=None)
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", *names, "quality_as_of"])
