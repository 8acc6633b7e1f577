"""Memory-fit and throughput formulas against hand-computed cases, the fit cases, and invariants."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import perf
from pricing.errors import InputError
from pricing.perf import PerfParams
from pricing.schema import Gpu, ModelArch

P = PerfParams()


def arch(**kw) -> ModelArch:
    """A hand-built model (Llama-3.1-70B shape unless overridden)."""
    base = dict(
        id="test/dense-70b", family="test", params_b_total=70.6, params_b_active=70.6, layers=80,
        hidden_size=8192, attention_heads=64, kv_heads=8, head_dim=128, max_context_tokens=131072,
        license="test", source="hand-built for tests", as_of=dt.date(2026, 1, 1),
    )
    base.update(kw)
    return ModelArch(**base)


def gpu(**kw) -> Gpu:
    """A hand-built GPU (H100 SXM figures unless overridden)."""
    base = dict(
        id="test-gpu", name="Test GPU", vendor="nvidia", memory_gb=80, mem_bandwidth_tbs=3.35,
        bf16_tflops_dense=989, fp8_tflops_dense=1979, tdp_w=700, interconnect="nvlink",
        interconnect_gbs=900, source="hand-built for tests", as_of=dt.date(2026, 1, 1),
    )
    base.update(kw)
    return Gpu(**base)


MLA = dict(id="test/mla", params_b_total=671, params_b_active=37, layers=61, hidden_size=7168,
           attention_heads=128, kv_heads=128, head_dim=128, attention="mla", kv_lora_rank=512,
           qk_rope_head_dim=64, experts_routed=256, experts_active=8, experts_shared=1, dense_layers=3)


# --------------------------------------------------------------------------- hand-computed formulas


def test_kv_bytes_llama_70b_bf16():
    assert perf.kv_bytes_per_token(arch(), "bf16") == 2 * 80 * 8 * 128 * 2 == 327_680


def test_kv_bytes_llama_70b_from_catalog(catalog):
    m = catalog.model("meta-llama/Llama-3.1-70B-Instruct")
    assert perf.kv_bytes_per_token(m, "bf16") == 327_680
    assert perf.kv_bytes_per_token(m, "fp8") == 163_840


def test_kv_bytes_deepseek_v3_mla_bf16(catalog):
    assert perf.kv_bytes_per_token(arch(**MLA), "bf16") == 61 * (512 + 64) * 2 == 70_272
    assert perf.kv_bytes_per_token(catalog.model("deepseek-ai/DeepSeek-V3"), "bf16") == 70_272


def test_sliding_window_layers_cap_their_cache():
    m = arch(layers=4, sliding_window_tokens=1000, sliding_window_layers=2)
    per_layer = 2 * 8 * 128 * 2
    assert perf.kv_bytes_per_token(m, "bf16") == 4 * per_layer  # no context given: uncapped
    # at 4000 tokens: 2 full layers hold 4000, 2 window layers hold 1000 -> per token average
    assert perf.kv_bytes_per_token(m, "bf16", 4000) == pytest.approx(per_layer * (2 + 2 * 1000 / 4000))
    assert perf.kv_bytes_per_token(m, "bf16", 500) == 4 * per_layer


def test_mixtral_weights_at_fp8(catalog):
    m = catalog.model("mistralai/Mixtral-8x7B-Instruct-v0.1")
    assert perf.weights_bytes(m, "fp8") / 1e9 == pytest.approx(46.7, rel=0.01)
    # 4-bit MoE checkpoints quantize the routed experts only; the rest stays at 8 bits (perf.dense_precision)
    dense_b, expert_b = perf._dense_expert_params_b(m)
    assert perf.weights_bytes(m, "int4") == pytest.approx((dense_b * 1.0 + expert_b * 0.5) * 1e9)
    assert perf.weights_bytes(m, "fp8") / 2 < perf.weights_bytes(m, "int4") < perf.weights_bytes(m, "fp8")
    assert perf.weights_bytes(m, "bf16") == pytest.approx(perf.weights_bytes(m, "fp8") * 2)


def test_unknown_precision_is_an_input_error():
    with pytest.raises(InputError, match="unknown precision"):
        perf.weights_bytes(arch(), "fp3")


def test_moe_bytes_read_grow_with_batch_from_active_to_total():
    m = arch(**MLA)
    r = perf.rows([(m, gpu(), "fp8", 8)], P)
    one = perf._weights_read(r, np.array([1.0]))[0]
    many = perf._weights_read(r, np.array([1e6]))[0]
    assert one == pytest.approx(37e9, rel=1e-6)
    assert many == pytest.approx(671e9, rel=1e-6)
    # expected distinct experts E (1 - (1 - k/E)^B): at B=4, 256 * (1 - (1 - 8/256)^4)
    e4 = 256 * (1 - (1 - 8 / 256) ** 4)
    per_expert = (671 - 37) / (256 - 8) * 1e9
    assert perf._weights_read(r, np.array([4.0]))[0] == pytest.approx(37e9 - 8 * per_expert + e4 * per_expert)


def test_decode_step_is_bandwidth_bound_at_batch_one():
    p = PerfParams(step_overhead_ms=0.0, bandwidth_efficiency=1.0, decode_compute_efficiency=1.0)
    r = perf.rows([(arch(), gpu(), "fp8", 1)], p)
    t, t_mem, t_cmp = perf.decode_step_s(r, np.array([1.0]), np.array([0.0]), p)
    assert t_mem[0] == pytest.approx(70.6e9 / 3.35e12)
    assert t[0] == pytest.approx(t_mem[0], rel=1e-4)  # the rounded roofline: compute is 1/300 of the read
    assert t_cmp[0] < t_mem[0] / 100


def test_allreduce_only_with_tensor_parallel():
    r1 = perf.rows([(arch(), gpu(), "fp8", 1)], P)
    r2 = perf.rows([(arch(), gpu(), "fp8", 2)], P)
    assert perf._allreduce_s(r1, np.array([64.0]), P)[0] == 0
    assert perf._allreduce_s(r2, np.array([64.0]), P)[0] > 0
    pcie = perf.rows([(arch(), gpu(interconnect="pcie", interconnect_gbs=64), "fp8", 2)], P)
    assert perf._allreduce_s(pcie, np.array([64.0]), P)[0] > perf._allreduce_s(r2, np.array([64.0]), P)[0]


# --------------------------------------------------------------------------- fit cases


@pytest.mark.parametrize(
    ("model", "gpu_id", "precision", "n", "fits"),
    [
        ("meta-llama/Llama-3.1-405B-Instruct", "a100-80gb", "bf16", 8, False),
        ("deepseek-ai/DeepSeek-R1", "h100-sxm", "fp8", 8, False),
        ("deepseek-ai/DeepSeek-R1", "h200", "fp8", 8, True),
        ("meta-llama/Llama-3.1-70B-Instruct", "h100-sxm", "fp8", 1, True),
        ("meta-llama/Llama-3.1-70B-Instruct", "h100-sxm", "bf16", 1, False),
        ("meta-llama/Llama-3.1-8B-Instruct", "rtx-4090", "bf16", 1, True),
    ],
)
def test_fit_cases(catalog, model, gpu_id, precision, n, fits):
    p = PerfParams.from_factors(catalog.efficiency)
    r = perf.throughput(catalog.model(model), catalog.gpu(gpu_id), n, precision, 1000, 1000, p)
    assert r["fits"] is fits
    if not fits:
        assert r["output_tokens_per_s"] == 0
        assert any("does not fit" in x for x in r["notes"])


def test_smallest_deployment(catalog):
    p = PerfParams.from_factors(catalog.efficiency)
    m = catalog.model("deepseek-ai/DeepSeek-R1")
    assert perf.min_gpus(m, catalog.gpu("h200"), "fp8", 1000, 1000, p) == 8
    assert perf.min_gpus(m, catalog.gpu("h100-sxm"), "fp8", 1000, 1000, p) == 16
    assert perf.min_gpus(catalog.model("meta-llama/Llama-3.1-8B-Instruct"), catalog.gpu("h100-sxm"), "bf16",
                         1000, 1000, p) == 1
    # PCIe consumer GPUs do not span nodes
    assert perf.min_gpus(m, catalog.gpu("rtx-4090"), "fp8", 1000, 1000, p) is None


def test_context_longer_than_the_model_does_not_fit(catalog):
    m = catalog.model("mistralai/Mixtral-8x7B-Instruct-v0.1")
    r = perf.throughput(m, catalog.gpu("h200"), 8, "fp8", m.max_context_tokens, 1000)
    assert not r["fits"]
    assert "context" in r["notes"][0]


def test_fp8_on_a100_falls_back_to_bf16_compute(catalog):
    a100, l40s = catalog.gpu("a100-80gb"), catalog.gpu("l40s")
    assert perf.compute_precision("fp8", a100) == "bf16"
    assert perf.compute_precision("fp8", l40s) == "fp8"
    assert perf.compute_precision("fp4", catalog.gpu("h100-sxm")) == "bf16"
    assert perf.compute_precision("fp4", catalog.gpu("b200")) == "fp4"
    assert perf.peak_tflops("fp8", a100) == a100.bf16_tflops_dense
    r = perf.throughput(catalog.model("meta-llama/Llama-3.1-70B-Instruct"), a100, 2, "fp8", 1000, 1000)
    assert r["compute_precision"] == "bf16" and r["kv_precision"] == "bf16"
    assert any("no fp8 tensor cores" in n for n in r["notes"])
    assert r["memory_gb_per_gpu"]["weights"] == pytest.approx(70.6 / 2)  # still stored at 1 byte


def test_kv_precision_default_and_override(catalog):
    h100 = catalog.gpu("h100-sxm")
    assert perf.default_kv_precision("fp8", h100) == "fp8"
    assert perf.default_kv_precision("bf16", h100) == "bf16"
    assert perf.default_kv_precision("int4", h100) == "bf16"
    m = catalog.model("meta-llama/Llama-3.1-70B-Instruct")
    a = perf.throughput(m, h100, 2, "fp8", 1000, 1000)
    b = perf.throughput(m, h100, 2, "fp8", 1000, 1000, kv_precision="bf16")
    assert b["max_batch_kv"] < a["max_batch_kv"]


def test_zero_gpus_is_an_input_error(catalog):
    with pytest.raises(InputError, match="positive"):
        perf.throughput(catalog.model("meta-llama/Llama-3.1-8B-Instruct"), catalog.gpu("h100-sxm"), 0,
                        "bf16", 100, 100)


def test_result_has_the_documented_keys(catalog):
    r = perf.throughput(catalog.model("meta-llama/Llama-3.1-8B-Instruct"), catalog.gpu("h100-sxm"), 1,
                        "fp8", 1000, 1000, max_tpot_ms=30)
    for k in ("fits", "gpus", "batch", "output_tokens_per_s", "requests_per_s", "per_user_tokens_per_s",
              "ttft_ms", "tpot_ms", "memory_gb_per_gpu", "bound"):
        assert k in r
    assert set(r["memory_gb_per_gpu"]) >= {"weights", "kv_cache", "overhead"}
    assert r["tpot_ms"] <= 30 + 1e-6
    assert r["bound"] == "latency"
    assert r["requests_per_s"] == pytest.approx(r["output_tokens_per_s"] / 1000)


def test_infeasible_latency_is_flagged(catalog):
    r = perf.throughput(catalog.model("meta-llama/Llama-3.1-405B-Instruct"), catalog.gpu("h100-sxm"), 8,
                        "fp8", 1000, 1000, max_tpot_ms=1)
    assert r["latency_ok"] is False and r["bound"] == "latency"


# --------------------------------------------------------------------------- invariants

NVLINK = ["h100-sxm", "h200", "b200", "a100-80gb", "mi300x"]
LENGTHS = st.tuples(st.integers(16, 16000), st.integers(16, 4000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), lengths=LENGTHS)
def test_more_gpus_never_lower_capacity(catalog, data, lengths):
    """NVLink: KV room never shrinks with more GPUs, and a memory-limited replica of 2n GPUs serves at
    least what n serve. (Once both sit at the engine's batch cap, or over PCIe, tensor parallelism
    can cost more in all-reduces than it gains: real, and why selfhost costs several replica sizes.)"""
    model = catalog.model(data.draw(st.sampled_from(sorted(catalog.models))))
    g = catalog.gpu(data.draw(st.sampled_from(NVLINK)))
    prec = data.draw(st.sampled_from(["bf16", "fp8", "int4"]))
    p = PerfParams.from_factors(catalog.efficiency)
    r = perf.rows([(model, g, prec, n) for n in (1, 2, 4, 8)], p)
    res = perf.evaluate(r, lengths[0], lengths[1], p)
    thr = np.where(res["fits"] > 0, res["output_tokens_per_s"], 0.0)
    assert np.all(np.diff(res["max_batch_kv"]) >= 0)
    assert np.all(np.diff(res["fits"]) >= 0)
    below_cap = res["batch"][:-1] < p.max_batch
    # where the KV room no longer doubles (GQA heads copied beyond kv_heads, e.g. 2-4 KV heads at TP8),
    # a wider group can lose to its all-reduces: the planner then picks replicas instead
    doubles = res["max_batch_kv"][1:] >= 1.9 * res["max_batch_kv"][:-1]
    assert np.all((np.diff(thr) >= -1e-6 * thr[1:]) | ~below_cap | ~doubles)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), lengths=LENGTHS, t1=st.floats(5, 500), t2=st.floats(5, 500))
def test_tighter_latency_never_raises_throughput(catalog, data, lengths, t1, t2):
    model = catalog.model(data.draw(st.sampled_from(sorted(catalog.models))))
    g = catalog.gpu(data.draw(st.sampled_from(sorted(catalog.gpus))))
    n = data.draw(st.sampled_from([1, 2, 4, 8]))
    p = PerfParams.from_factors(catalog.efficiency)
    tight, loose = sorted((t1, t2))
    a = perf.throughput(model, g, n, "fp8", lengths[0], lengths[1], p, max_tpot_ms=tight)
    b = perf.throughput(model, g, n, "fp8", lengths[0], lengths[1], p, max_tpot_ms=loose)
    c = perf.throughput(model, g, n, "fp8", lengths[0], lengths[1], p)
    assert a["output_tokens_per_s"] <= b["output_tokens_per_s"] * (1 + 1e-9) + 1e-9
    assert b["output_tokens_per_s"] <= c["output_tokens_per_s"] * (1 + 1e-9) + 1e-9
    if a["latency_ok"]:
        assert a["tpot_ms"] <= tight * (1 + 1e-6)


def test_vectorised_rows_match_one_at_a_time(catalog):
    p = PerfParams.from_factors(catalog.efficiency)
    specs = [(catalog.model("deepseek-ai/DeepSeek-R1"), catalog.gpu("h200"), "fp8", 8),
             (catalog.model("meta-llama/Llama-3.1-8B-Instruct"), catalog.gpu("l40s"), "fp8", 1)]
    ones = [perf.throughput(m, g, n, pr, [1000, 500][i], [1000, 200][i], p, max_tpot_ms=[50, 40][i])
            for i, (m, g, pr, n) in enumerate(specs)]
    lays = [perf.Layout(tp=o["layout"]["tp"], pp=o["layout"]["pp"], ep=o["layout"]["ep"],
                        attention_dp=o["layout"]["attention_dp"]) for o in ones]
    rows_ = perf.rows([(m, g, pr, lay.instance_gpus) for (m, g, pr, _), lay in zip(specs, lays, strict=True)],
                      p, None, lays)
    res = perf.evaluate(rows_, np.array([1000.0, 500.0]), np.array([1000.0, 200.0]), p,
                        max_tpot_ms=np.array([50.0, 40.0]))
    for i, one in enumerate(ones):
        dp = one["layout"]["dp"]
        assert res["output_tokens_per_s"][i] * dp == pytest.approx(one["output_tokens_per_s"])
        assert round(res["batch"][i] * dp) == one["batch"]


def test_prefix_cache_cuts_prefill_and_ttft(catalog):
    p = PerfParams.from_factors(catalog.efficiency)
    r = perf.rows([(catalog.model("meta-llama/Llama-3.1-70B-Instruct"), catalog.gpu("h100-sxm"), "fp8", 4)], p)
    cold = perf.evaluate(r, 8000, 300, p)
    warm = perf.evaluate(r, 8000, 300, p, cached_fraction=0.75)
    assert warm["prefill_ms"][0] < 0.4 * cold["prefill_ms"][0]
    assert warm["output_tokens_per_s"][0] > cold["output_tokens_per_s"][0]
    full = perf.prefill_s(r, np.array([8000.0]), p)
    same = perf.prefill_s(r, np.array([8000.0]), p, np.array([8000.0]))
    assert full[0] == pytest.approx(same[0])


def test_min_context_must_fit(catalog):
    p = PerfParams.from_factors(catalog.efficiency)
    m = catalog.model("meta-llama/Llama-3.1-70B-Instruct")
    r = perf.rows([(m, catalog.gpu("h100-sxm"), "fp8", 1)], p)
    assert perf.evaluate(r, 1000, 300, p)["fits"][0] == 1
    assert perf.evaluate(r, 1000, 300, p, min_context_tokens=m.max_context_tokens + 1)["fits"][0] == 0
    # 128k tokens of fp8 KV (21 GB) do not fit beside 70.6 GB of weights on one H100
    assert perf.evaluate(r, 1000, 300, p, min_context_tokens=128_000)["fits"][0] == 0


def test_linear_attention_layers_keep_no_kv_cache(catalog) -> None:
    """Qwen3-Next: 12 of 48 layers are full attention (config full_attention_interval 4)."""
    from pricing.perf import kv_bytes_per_token

    m = catalog.model("Qwen/Qwen3-Next-80B-A3B-Instruct")
    assert m.linear_attention_layers == 36
    assert kv_bytes_per_token(m, "bf16") == 12 * 2 * 2 * 256 * 2
    full = m.model_copy(update={"linear_attention_layers": 0})
    assert kv_bytes_per_token(full, "bf16") == 4 * kv_bytes_per_token(m, "bf16")


# --------------------------------------------------------------------------- compressed, sparse, chunked KV


def test_deepseek_v4_pro_compressed_kv_by_hand(catalog) -> None:
    """30 CSA layers (1 entry / 4 tokens) + 31 HCA (1 / 128); entries one 512-dim bf16 vector (K = V);
    CSA layers add a 128-dim indexer key per 4 tokens."""
    m = catalog.model("deepseek-ai/DeepSeek-V4-Pro")
    by_hand = 30 * 512 * 2 / 4 + 31 * 512 * 2 / 128 + 30 * 128 * 2 / 4
    assert by_hand == 9_848
    assert perf.kv_bytes_per_token(m, "bf16") == by_hand
    assert perf.kv_bytes_per_token(m, "fp8") == by_hand / 2
    # the plain-attention reading of the same config (2 x layers x 1 head x 512 x 2 bytes) was 12.7x more
    plain = 2 * 61 * 1 * 512 * 2
    assert plain / by_hand == pytest.approx(12.69, abs=0.01)
    # at 1M tokens the 128-token local window of all 61 layers adds 61 x 1024 x 128 bytes per sequence:
    # DeepSeek states 9.62 GiB for a 1M-token V4-Pro cache in bf16
    ctx = 2**20
    per_tok = perf.kv_bytes_per_token(m, "bf16", ctx)
    assert per_tok == pytest.approx(by_hand + 61 * 1024 * 128 / ctx)
    assert per_tok * ctx / 2**30 == pytest.approx(9.62, abs=0.005)


def test_deepseek_v4_flash_sliding_and_compressed_layers_by_hand(catalog) -> None:
    m = catalog.model("deepseek-ai/DeepSeek-V4-Flash")
    grows = 21 * 1024 / 4 + 20 * 1024 / 128 + 21 * 256 / 4  # CSA + HCA + indexer, per token
    assert grows == 6_880
    assert perf.kv_bytes_per_token(m, "bf16") == grows + 2 * 1024  # no context: window layers in full
    # 2 window-only layers + the local windows of 41 compressed layers hold 128 tokens each
    assert perf.kv_bytes_per_token(m, "bf16", 4096) == pytest.approx(grows + (2 + 41) * 1024 * 128 / 4096)


def test_dsa_indexer_key_cache_deepseek_v32_and_glm5(catalog) -> None:
    """MLA latent + a 132-byte indexer key (128 fp8 + 4-byte scale) per token on every layer."""
    v32 = catalog.model("deepseek-ai/DeepSeek-V3.2")
    assert perf.kv_bytes_per_token(v32, "bf16") == 61 * (512 + 64) * 2 + 61 * 132 == 78_324
    assert perf.kv_bytes_per_token(v32, "fp8") == 61 * (512 + 64) + 61 * 132 == 43_188
    glm5 = catalog.model("zai-org/GLM-5")
    assert perf.kv_bytes_per_token(glm5, "bf16") == 78 * (512 + 64) * 2 + 78 * 132 == 100_152
    # the V3 model (no indexer) is unchanged
    assert perf.kv_bytes_per_token(catalog.model("deepseek-ai/DeepSeek-V3"), "bf16") == 70_272


def test_llama4_chunked_attention_by_hand(catalog) -> None:
    """36 of 48 layers attend within 8192-token chunks; 12 NoPE layers keep the whole context."""
    m = catalog.model("meta-llama/Llama-4-Scout-17B-16E-Instruct")
    per_layer = 2 * 8 * 128 * 2
    assert perf.kv_bytes_per_token(m, "bf16", 131_072) == 12 * per_layer + 36 * per_layer * 8192 / 131_072 == 58_368
    assert perf.kv_bytes_per_token(m, "bf16", 8192) == 48 * per_layer == 196_608
    assert perf.kv_bytes_per_token(m, "bf16") == 48 * per_layer  # no context: an upper bound


@pytest.mark.parametrize("model_id", [
    "deepseek-ai/DeepSeek-V4-Pro", "deepseek-ai/DeepSeek-V4-Flash", "deepseek-ai/DeepSeek-V3.2", "zai-org/GLM-5",
    "meta-llama/Llama-4-Scout-17B-16E-Instruct", "openai/gpt-oss-120b", "Qwen/Qwen3-Next-80B-A3B-Instruct",
])
def test_vectorised_kv_matches_the_scalar_formula(catalog, model_id: str) -> None:
    m = catalog.model(model_id)
    ctx = np.array([100.0, 5000.0, 200_000.0])
    for kvq in ("bf16", "fp8"):
        r = perf.rows([(m, catalog.gpu("h200"), "fp8", 1)] * 3, P, [kvq] * 3)
        scalar = np.array([perf.kv_bytes_per_token(m, kvq, c) * c for c in ctx])
        np.testing.assert_allclose(perf._kv_seq(r, ctx), scalar, rtol=1e-12)


def test_compressed_kv_is_not_replicated_under_tensor_parallelism(catalog) -> None:
    v4 = perf.rows([(catalog.model("deepseek-ai/DeepSeek-V4-Pro"), catalog.gpu("b200"), "fp4", 8)], P)
    assert perf._kv_rep(v4)[0] == 1.0  # default layout: attention DP
    llama = perf.rows([(catalog.model("meta-llama/Llama-3.1-70B-Instruct"), catalog.gpu("h100-sxm"), "fp8", 16)], P)
    assert perf._kv_rep(llama)[0] == 1.0  # tp 8 = kv_heads 8: no copy yet
    # pinned tensor-parallel attention (vLLM's TP8 for MLA) does copy the latent KV on every rank
    v4_tp = perf.rows([(catalog.model("deepseek-ai/DeepSeek-V4-Pro"), catalog.gpu("b200"), "fp4", 8)], P, None,
                      [perf.Layout(tp=8)])
    assert perf._kv_rep(v4_tp)[0] == 8.0


@pytest.mark.parametrize(("update", "message"), [
    ({"chunked_attention_layers": 3}, "needs attention_chunk_tokens"),
    ({"chunked_attention_layers": 3, "attention_chunk_tokens": 8192, "sliding_window_layers": 2,
      "sliding_window_tokens": 128}, "not both"),
    ({"indexer_layers": 4}, "needs index_head_dim"),
    ({"kv_compress_ratio_layers": {4: 90}}, "above layers"),
    ({"kv_compress_ratio_layers": {1: 4}}, "ratio >= 2"),
])
def test_bad_attention_fields_are_rejected(update: dict[str, object], message: str) -> None:
    base = arch().model_dump()
    base.update(update)
    with pytest.raises(ValueError, match=message):
        ModelArch(**base)


def test_gemma4_two_attention_geometries_by_hand(catalog) -> None:
    """50 sliding layers (16 KV heads x 256, window 1024) + 10 global layers (4 KV heads x 512, key = value)."""
    m = catalog.model("google/gemma-4-31B-it")
    sliding, glob = 50 * 2 * 16 * 256 * 2, 10 * 1 * 4 * 512 * 2
    assert perf.kv_bytes_per_token(m, "bf16") == sliding + glob == 860_160
    assert perf.kv_bytes_per_token(m, "bf16", 131_072) == glob + sliding * 1024 / 131_072 == 47_360


def test_kimi_k3_caches_only_its_nope_mla_latent(catalog) -> None:
    """24 gated MLA layers keep a 512-dim latent (no RoPE key); 69 KDA layers keep none."""
    assert perf.kv_bytes_per_token(catalog.model("moonshotai/Kimi-K3"), "bf16") == 24 * 512 * 2 == 24_576


def test_gpu_memory_is_shown_as_the_vendor_states_it(catalog) -> None:
    """An H100 SXM is '80 GB' (binary HBM: 80 x 2^30 bytes = 85.9 decimal GB); other figures are decimal GB."""
    r = perf.throughput(catalog.model("meta-llama/Llama-3.1-8B-Instruct"), catalog.gpu("h100-sxm"), 1, "bf16",
                        1000, 200, P)
    mem = r["memory_gb_per_gpu"]
    assert mem["total"] == 80
    assert mem["total_decimal"] == pytest.approx(80 * 2**30 / 1e9) == pytest.approx(85.9, abs=0.01)
    assert mem["usable"] == pytest.approx(80 * 2**30 * P.usable_memory_fraction / 1e9)
    assert mem["weights"] == pytest.approx(8.03 * 2)  # decimal GB of bf16 weights
