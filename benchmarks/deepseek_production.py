"""DeepSeek's published production figures vs the model's (read, never fitted): per-node throughput and cost.

Run `python benchmarks/deepseek_production.py`. DeepSeek, "DeepSeek-V3/R1 Inference System Overview"
(open-infra-index, 2025-02-28), day-long averages on H800 nodes of 8 GPUs:
  prefill: routed experts EP32, MLA and shared expert DP32 (units of 4 nodes): 73.7k input tokens/s
           per node (prefix-cache hits included); decode: EP144, DP144 (units of 18 nodes): 14.8k output
           tokens/s per node at 20-22 tokens/s per user; 608B input tokens/day (56.3% cache hits),
           168B output tokens/day, 226.75 nodes on average, $87,072/day at $2 per H800-hour.
The same layouts are asked of pricing.perf (attention DP + expert parallelism across nodes,
disaggregated prefill and decode pools) and the daily volume is priced at $2 per GPU-hour.
Targets (issue 9): each figure within 30%.

H800: not in data/gpus.yaml of this branch, so it is built here from the H100 SXM entry with the H800's
published differences (same GH100 die, HBM3 80 GB at 3.35 TB/s and FP8/BF16 tensor throughput as H100 SXM;
NVLink cut to 400 GB/s bidirectional: https://aiwiki.ai/wiki/nvidia_h800 (reviewed 2026-06-03);
8 GPUs per node with one 400 Gb/s InfiniBand NIC per GPU: DeepSeek-V3 technical report,
arXiv:2412.19437, section 3.1 "Compute Clusters").
Request lengths are not published: the I/O ratio is (608 / 168), and output lengths of 500, 1,000 and
2,000 tokens are tried (an assumption, shown as such).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import perf  # noqa: E402
from pricing.catalog import load_catalog  # noqa: E402

SOURCE = ("https://github.com/deepseek-ai/open-infra-index/blob/main/202502OpenSourceWeek/"
          "day_6_one_more_thing_deepseekV3R1_inference_system_overview.md")
THEIRS = {"prefill_per_node": 73.7e3, "decode_per_node": 14.8e3, "usd_per_day": 87_072.0, "nodes": 226.75}
INPUT_PER_DAY, OUTPUT_PER_DAY, CACHE_HIT = 608e9, 168e9, 0.563
TOKENS_PER_USER_S = 21.0  # 20-22 tokens/s per user
USD_PER_GPU_HOUR = 2.0
HOURS_PER_MONTH = 730.0
GPUS_PER_NODE = 8


def h800(catalog: object) -> perf.Gpu:
    """H800 SXM: the H100 SXM entry with NVLink 400 GB/s, 8-GPU NVLink domain, 400 Gb/s per GPU across nodes."""
    h100 = catalog.gpus["h100-sxm"]  # type: ignore[attr-defined]
    if "h800" in catalog.gpus:  # type: ignore[attr-defined]
        return catalog.gpus["h800"]  # type: ignore[attr-defined,no-any-return]
    return h100.model_copy(update={  # type: ignore[no-any-return]
        "id": "h800", "name": "NVIDIA H800 SXM 80GB (built in benchmarks/deepseek_production.py)",
        "interconnect_gbs": 400.0, "scale_up_domain_gpus": 8, "scale_out_gbps_per_gpu": 400.0,
    })


def main() -> None:
    """Print ours vs theirs for each assumed output length and engine profile."""
    cat = load_catalog()
    gpu = h800(cat)
    model = cat.model("deepseek-ai/DeepSeek-V3")
    pre_lay = perf.Layout(tp=32, ep=32, attention_dp=True)
    dec_lay = perf.Layout(tp=144, ep=144, attention_dp=True)
    print(f"DeepSeek V3/R1 production (H800, FP8, BF16 MLA KV) vs pricing.perf; source: {SOURCE}")
    print(f"  GPU: {gpu.id} {'(data/gpus.yaml)' if 'h800' in cat.gpus else '(H100 SXM + H800 differences, see docstring)'}")
    print("  layouts: prefill EP32 attention-DP32 (4 nodes), decode EP144 attention-DP144 (18 nodes)")
    their_month = THEIRS["usd_per_day"] * HOURS_PER_MONTH / 24.0
    print(f"{'profile':<8} {'out tok':>7} {'prefill/node':>13} {'(theirs)':>9} {'decode/node':>12} {'(theirs)':>9} "
          f"{'nodes':>7} {'(theirs)':>8} {'$/month':>12} {'(theirs)':>11} {'ratio':>6}")
    eff = cat.efficiency
    for engine in ("default", "trtllm"):
        if engine != "default" and (eff is None or engine not in eff.engines):
            continue
        p = perf.PerfParams.from_factors(eff, engine)
        for out_tok in (500.0, 1000.0, 2000.0):
            in_tok = out_tok * INPUT_PER_DAY / OUTPUT_PER_DAY
            rp = perf.rows([(model, gpu, "fp8", pre_lay.instance_gpus)], p, ["bf16"], [pre_lay])
            rd = perf.rows([(model, gpu, "fp8", dec_lay.instance_gpus)], p, ["bf16"], [dec_lay])
            pre = float(perf.prefill_pool_rate(rp, in_tok, p, CACHE_HIT)[0]) / (pre_lay.instance_gpus / GPUS_PER_NODE)
            dec = perf.decode_pool_rate(rd, in_tok, out_tok, p, max_tpot_ms=1e3 / TOKENS_PER_USER_S,
                                        max_batch=1e9)
            dec_node = float(dec["output_tokens_per_s"][0]) / (dec_lay.instance_gpus / GPUS_PER_NODE)
            nodes = INPUT_PER_DAY / 86400 / pre + OUTPUT_PER_DAY / 86400 / dec_node if pre > 0 and dec_node > 0 \
                else float("inf")
            month = nodes * GPUS_PER_NODE * USD_PER_GPU_HOUR * HOURS_PER_MONTH
            print(f"{engine:<8} {out_tok:>7.0f} {pre:>13,.0f} {THEIRS['prefill_per_node']:>9,.0f} {dec_node:>12,.0f} "
                  f"{THEIRS['decode_per_node']:>9,.0f} {nodes:>7.1f} {THEIRS['nodes']:>8.2f} {month:>12,.0f} "
                  f"{their_month:>11,.0f} {month / their_month:>6.2f}")
    print("  decode batch per GPU at the 21 tok/s target and TPOT are in perf.decode_pool_rate; KV transfer "
          "between pools is not charged; nodes = the average needed for the daily volume (theirs: 226.75 average, "
          "278 peak)")


if __name__ == "__main__":
    main()
