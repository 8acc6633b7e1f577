"""data/models.yaml: hand-checked config facts, and parameter counts consistent with the architecture."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pricing.catalog import parse_model, read_yaml
from pricing.schema import ModelArch, ModelsFile

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION = ROOT / "data" / "measurements" / "throughput.csv"  # the measurements the model is fitted on
MODELS: dict[str, ModelArch] = {
    m.id: m for m in parse_model(ModelsFile, read_yaml(ROOT / "data" / "models.yaml"), "models.yaml").models
}

REQUIRED = (
    "deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen3-235B-A22B", "Qwen/Qwen3-32B",
    "Qwen/Qwen2.5-72B-Instruct", "zai-org/GLM-4.5", "zai-org/GLM-4.5-Air", "moonshotai/Kimi-K2-Instruct",
    "meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-405B-Instruct",
    "meta-llama/Llama-2-70b-chat-hf", "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "mistralai/Mixtral-8x22B-Instruct-v0.1", "openai/gpt-oss-120b", "openai/gpt-oss-20b",
)

# (model, field, value) read by hand from each config.json.
FACTS = [
    ("meta-llama/Llama-3.1-70B-Instruct", "layers", 80),
    ("meta-llama/Llama-3.1-70B-Instruct", "kv_heads", 8),
    ("meta-llama/Llama-3.1-70B-Instruct", "head_dim", 128),
    ("meta-llama/Llama-3.1-70B-Instruct", "max_context_tokens", 131072),
    ("meta-llama/Llama-3.1-405B-Instruct", "layers", 126),
    ("meta-llama/Llama-3.1-405B-Instruct", "hidden_size", 16384),
    ("meta-llama/Llama-2-70b-chat-hf", "max_context_tokens", 4096),
    ("deepseek-ai/DeepSeek-V3", "attention", "mla"),
    ("deepseek-ai/DeepSeek-V3", "kv_lora_rank", 512),
    ("deepseek-ai/DeepSeek-V3", "qk_rope_head_dim", 64),
    ("deepseek-ai/DeepSeek-V3", "layers", 61),
    ("deepseek-ai/DeepSeek-V3", "experts_routed", 256),
    ("deepseek-ai/DeepSeek-V3", "experts_active", 8),
    ("deepseek-ai/DeepSeek-V3", "experts_shared", 1),
    ("deepseek-ai/DeepSeek-V3", "dense_layers", 3),
    ("deepseek-ai/DeepSeek-V3", "native_precision", "fp8"),
    ("deepseek-ai/DeepSeek-R1", "kv_lora_rank", 512),
    ("moonshotai/Kimi-K2-Instruct", "experts_routed", 384),
    ("moonshotai/Kimi-K2-Instruct", "attention_heads", 64),
    ("moonshotai/Kimi-K2-Instruct", "dense_layers", 1),
    ("Qwen/Qwen3-235B-A22B", "layers", 94),
    ("Qwen/Qwen3-235B-A22B", "kv_heads", 4),
    ("Qwen/Qwen3-235B-A22B", "experts_active", 8),
    ("Qwen/Qwen3-32B", "attention_heads", 64),
    ("zai-org/GLM-4.5-Air", "layers", 46),
    ("zai-org/GLM-4.5-Air", "dense_layers", 1),
    ("zai-org/GLM-4.5", "experts_routed", 160),
    ("openai/gpt-oss-120b", "sliding_window_tokens", 128),
    ("openai/gpt-oss-120b", "sliding_window_layers", 18),
    ("openai/gpt-oss-120b", "native_precision", "fp4"),
    ("openai/gpt-oss-20b", "experts_routed", 32),
    ("mistralai/Mistral-7B-Instruct-v0.1", "sliding_window_layers", 32),
    ("mistralai/Mistral-7B-Instruct-v0.1", "sliding_window_tokens", 4096),
    ("mistralai/Mixtral-8x22B-Instruct-v0.1", "layers", 56),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "experts_routed", 128),
    ("Qwen/Qwen2.5-72B-Instruct", "intermediate_size", 29568),
    ("Qwen/Qwen3-Coder-480B-A35B-Instruct", "experts_routed", 160),
    ("zai-org/GLM-5", "layers", 78),
    ("zai-org/GLM-5", "kv_lora_rank", 512),
    ("deepseek-ai/DeepSeek-V4-Pro", "experts_active", 6),
    ("deepseek-ai/DeepSeek-V4-Flash", "layers", 43),
    ("moonshotai/Kimi-K2-Thinking", "native_precision", "int4"),
]

# vocab_size per config.json (not a ModelArch field; needed for the embedding share of params).
VOCAB = {
    "llama-2": 32000, "llama-3": 128256, "llama-3.1": 128256, "llama-3.2": 128256, "llama-3.3": 128256,
    "llama-4": 202048, "mistral": 32000, "mixtral": 32000, "qwen2.5": 152064, "qwen3": 151936,
    "deepseek-v3": 129280, "glm-4.5": 151552, "gpt-oss": 201088, "kimi-k2": 163840,
    "qwen3-next": 151936, "qwen3.5": 248320, "deepseek-v4": 129280, "glm-5": 154880,
    "mistral-nemo": 131072, "kimi-k3": 163840, "ministral-3": 131072, "gemma-4": 262144, "minimax-m3": 200064,
    "mistral-small-4": 131072,
}
TIED_EMBEDDINGS = {"meta-llama/Llama-3.2-3B-Instruct", "mistralai/Ministral-3-3B-Instruct-2512", "google/gemma-4-31B-it"}
MIXTRAL_8X22B_VOCAB = 32768
# MLA projection sizes per config.json: q_lora_rank, qk_nope_head_dim, v_head_dim.
MLA_EXTRA = {"deepseek-v3": (1536, 128, 128), "kimi-k2": (1536, 128, 128), "glm-5": (2048, 192, 256),
             "mistral-small-4": (1024, 64, 128)}
# Active counts the simple GQA formula cannot describe, with the reason (totals are still checked).
# Totals the simple formula cannot describe either (GQA attention and full-width experts), with the reason.
TOTAL_NOT_COUNTED = {
    "moonshotai/Kimi-K3": "latent MoE (experts run in a 3584-wide latent, half the 7168-wide formula) and "
    "69 Kimi Delta Attention layers; test_kimi_k3_total_from_its_latent_experts checks it instead",
}
ACTIVE_NOT_COUNTED = {
    "moonshotai/Kimi-K3": TOTAL_NOT_COUNTED["moonshotai/Kimi-K3"],
    "deepseek-ai/DeepSeek-V4-Pro": "low-rank q/o projections and one 512-dim KV head: GQA count overstates attention",
    "deepseek-ai/DeepSeek-V4-Flash": "low-rank q/o projections and one 512-dim KV head: GQA count overstates attention",
}


def estimated_params_b(m: ModelArch) -> tuple[float, float]:
    """Total and active parameters (billions) from the config fields: attention, MLP/experts, embeddings."""
    h, heads, kv, d = m.hidden_size, m.attention_heads, m.kv_heads, m.head_dim
    if m.attention == "mla":
        assert m.kv_lora_rank and m.qk_rope_head_dim
        q_lora, nope, v = MLA_EXTRA[m.family]
        rope, kvr = m.qk_rope_head_dim, m.kv_lora_rank
        attn = h * q_lora + q_lora * heads * (nope + rope) + h * (kvr + rope) + kvr * heads * (nope + v) + heads * v * h
    else:
        attn = 2 * h * heads * d + 2 * h * kv * d
    if m.is_moe:
        assert m.moe_intermediate_size
        expert = 3 * h * m.moe_intermediate_size
        dense = m.dense_layers * 3 * h * (m.intermediate_size or 0)
        moe_layers = m.layers - m.dense_layers
        total = m.layers * attn + dense + moe_layers * (m.experts_routed + m.experts_shared) * expert
        active = m.layers * attn + dense + moe_layers * (m.experts_active + m.experts_shared) * expert
    else:
        assert m.intermediate_size
        total = active = m.layers * (attn + 3 * h * m.intermediate_size)
    vocab = MIXTRAL_8X22B_VOCAB if "8x22B" in m.id else VOCAB[m.family]
    emb = (1 if m.id in TIED_EMBEDDINGS else 2) * vocab * h
    return (total + emb) / 1e9, (active + emb) / 1e9


@pytest.mark.parametrize("model_id", REQUIRED)
def test_required_models_present(model_id: str) -> None:
    assert model_id in MODELS


@pytest.mark.parametrize(("model_id", "field", "value"), FACTS)
def test_hand_checked_config_facts(model_id: str, field: str, value: object) -> None:
    assert getattr(MODELS[model_id], field) == value


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_active_at_most_total_and_sourced(model_id: str) -> None:
    m = MODELS[model_id]
    assert m.params_b_active <= m.params_b_total
    assert "huggingface.co/" + m.id in m.source
    if not m.is_moe:
        assert m.params_b_active == m.params_b_total


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_total_params_match_the_architecture(model_id: str) -> None:
    m = MODELS[model_id]
    if model_id in TOTAL_NOT_COUNTED:
        pytest.skip(TOTAL_NOT_COUNTED[model_id])
    total, active = estimated_params_b(m)
    assert total == pytest.approx(m.params_b_total, rel=0.10)
    if model_id not in ACTIVE_NOT_COUNTED:
        # Stated active counts often leave out embeddings, so allow more slack there.
        assert active == pytest.approx(m.params_b_active, rel=0.25)


def test_param_estimate_catches_a_wrong_layer_count() -> None:
    m = MODELS["meta-llama/Llama-3.1-70B-Instruct"].model_copy(update={"layers": 60})
    assert estimated_params_b(m)[0] < 0.9 * m.params_b_total


def test_every_calibration_model_name_is_mapped() -> None:
    """Each model name in data/measurements/throughput.csv appears as an alias in some model's notes."""
    with CALIBRATION.open(newline="", encoding="utf-8") as f:
        names = {row["model"] for row in csv.DictReader(f)}
    notes = " ".join(m.notes or "" for m in MODELS.values())
    missing = [n for n in sorted(names) if re.sub(r" \(.*", "", n) not in notes]
    assert not missing, f"calibration names with no model alias: {missing}"


def test_kimi_k3_total_from_its_latent_experts() -> None:
    """92 MoE layers x 896 experts x (gate, up, down) of 3584 x 3072 = 2.72T routed, most of the 2.78T."""
    m = MODELS["moonshotai/Kimi-K3"]
    latent = 3584
    routed_b = (m.layers - m.dense_layers) * m.experts_routed * 3 * latent * (m.moe_intermediate_size or 0) / 1e9
    assert routed_b == pytest.approx(2720, rel=0.01)
    assert routed_b < m.params_b_total < routed_b * 1.05


# Open models that API offers name but whose architecture could not be sourced (id -> reason). Each stays
# without a self-hosting route until its config.json (or an equivalent transcription) can be cited.
NO_ARCHITECTURE: dict[str, str] = {}  # empty: every open model an offer names has a sourced architecture


def test_every_offer_open_model_resolves_to_an_architecture(catalog) -> None:
    named = {o.open_model for o in catalog.offers.values() if o.open_model}
    missing = sorted(named - set(catalog.models) - set(NO_ARCHITECTURE))
    assert not missing, f"offers name open models with no architecture in data/models.yaml: {missing}"


def test_the_no_architecture_list_is_not_stale(catalog) -> None:
    """Every allow-listed id is still named by an offer and still has no architecture."""
    named = {o.open_model for o in catalog.offers.values() if o.open_model}
    for model_id, reason in NO_ARCHITECTURE.items():
        assert model_id in named, f"{model_id}: no offer names it any more; drop it from NO_ARCHITECTURE"
        assert model_id not in catalog.models, f"{model_id} now has an architecture; drop it from NO_ARCHITECTURE"
        assert len(reason) > 40


NEW_FACTS = [
    ("zai-org/GLM-5.1", "indexer_layers", 78),
    ("moonshotai/Kimi-K3", "linear_attention_layers", 69),
    ("moonshotai/Kimi-K3", "experts_routed", 896),
    ("Qwen/Qwen3.6-27B", "linear_attention_layers", 48),
    ("Qwen/Qwen3.6-27B", "kv_heads", 4),
    ("Qwen/Qwen3.5-9B", "head_dim", 256),
    ("mistralai/Mistral-Nemo-Instruct-2407", "head_dim", 128),
    ("mistralai/Ministral-3-8B-Instruct-2512", "layers", 34),
    ("google/gemma-4-31B-it", "sliding_window_layers", 50),
    ("google/gemma-4-31B-it", "full_attention_head_dim", 512),
    ("zai-org/GLM-4.5V", "experts_routed", 128),
    ("deepseek-ai/DeepSeek-V4-Pro", "kv_compress_ratio_layers", {4: 30, 128: 31}),
    ("deepseek-ai/DeepSeek-V4-Flash", "kv_compress_ratio_layers", {4: 21, 128: 20}),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "chunked_attention_layers", 36),
    ("MiniMaxAI/Minimax-M3", "indexer_layers", 57),
    ("MiniMaxAI/Minimax-M3", "kv_heads", 4),
    ("MiniMaxAI/Minimax-M3", "max_context_tokens", 1048576),
    ("mistralai/Mistral-Small-4-119B-2603", "kv_lora_rank", 256),
    ("mistralai/Mistral-Small-4-119B-2603", "v_head_dim", 128),
    ("mistralai/Mistral-Small-4-119B-2603", "layers", 36),
    ("moonshotai/Kimi-K2.7-Code", "experts_routed", 384),
]


@pytest.mark.parametrize(("model_id", "field", "value"), NEW_FACTS)
def test_hand_checked_facts_of_issue_9_models(model_id: str, field: str, value: object) -> None:
    assert getattr(MODELS[model_id], field) == value
