"""Derive data/tokens_per_task.yaml from Artificial Analysis' output tokens per Intelligence Index task.

Run `python -m pricing.importers.tokens_per_task [--src PATH] [--data-dir DIR] [--check]`.

Source: data/sources/artificial_analysis/tokens_per_task_2026-10-03.csv. Artificial Analysis
publishes, per model and reasoning setting, `intelligenceIndexOutputTokensPerTask`
{reasoning, answer, output}: the output tokens the model spent to run its Intelligence Index,
divided by the number of tasks (https://artificialanalysis.ai/articles/artificial-analysis-intelligence-index-v4-1,
"Tokens per Task"). The rows were read on 2026-10-03 from the model pages' data
(https://artificialanalysis.ai/models/<slug>) as saved by the public project
github.com/fstandhartinger/model-market-comparison (data/raw/aa-efficiency.json, collected
2026-10-03T08:06Z); numbers rounded to whole tokens. Only rows that map to a model of ours are kept.

Keys (how the app finds a figure, like data/quality.yaml): the Hugging Face id for open weights,
else the offer id of the closed model (every host selling the same closed weights is listed).
Each row names what was measured (`measured_as`: Artificial Analysis' model name with its
reasoning setting, the one its Intelligence Index headline uses), so a reader sees when a
figure is for "max" effort. A model of ours that Artificial Analysis lists under several
checkpoints is mapped only where the checkpoint is certain.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import yaml

from pricing.catalog import DEFAULT_DATA_DIR, Catalog, load_catalog
from pricing.importers import write_or_check
from pricing.quality import CLOSED_MODEL_KEYS
from pricing.schema import TaskTokensFile, TaskTokensRow

DEFAULT_SRC = Path(__file__).resolve().parents[2] / "data/sources/artificial_analysis/tokens_per_task_2026-10-03.csv"
AS_OF = dt.date(2026, 10, 3)
SOURCE = (
    "https://artificialanalysis.ai/models/{slug} intelligenceIndexOutputTokensPerTask (Artificial Analysis, "
    "Intelligence Index v4.1 tokens per task), read 2026-10-03 as saved by "
    "github.com/fstandhartinger/model-market-comparison data/raw/aa-efficiency.json"
)

# Artificial Analysis slug -> our keys (HF id, or the offer ids of one closed model at every host).
SLUG_KEYS: dict[str, tuple[str, ...]] = {
    # OpenAI
    "gpt-6-1-sol": ("openai/gpt-6.1-sol",),
    "gpt-6-sol": ("openai/gpt-6-sol",),
    "gpt-6-astra": ("openai/gpt-6-astra",),
    "gpt-6-luna": ("openai/gpt-6-luna",),
    "gpt-5-6-sol": ("openai/gpt-5.6-sol",),
    "gpt-5-6-terra": ("openai/gpt-5.6-terra",),
    "gpt-5-6-luna": ("openai/gpt-5.6-luna",),
    "gpt-5-5": ("openai/gpt-5.5",),
    "gpt-5-4-mini": ("openai/gpt-5.4-mini",),
    "gpt-5-4-nano": ("openai/gpt-5.4-nano",),
    "gpt-5-mini": ("openai/gpt-5-mini",),
    "gpt-oss-120b": ("openai/gpt-oss-120b",),
    "gpt-oss-20b": ("openai/gpt-oss-20b",),
    # Anthropic
    "claude-fable-5-1": ("anthropic/claude-fable-5-1",),
    "claude-fable-5": ("anthropic/claude-fable-5",),
    "claude-opus-5-5": ("anthropic/claude-opus-5-5",),
    "claude-opus-5": ("anthropic/claude-opus-5",),
    "claude-opus-4-8": ("anthropic/claude-opus-4-8",),
    "claude-sonnet-5-5": ("anthropic/claude-sonnet-5-5",),
    "claude-sonnet-5": ("anthropic/claude-sonnet-5",),
    "claude-sonnet-4-6-adaptive": ("anthropic/claude-sonnet-4-6",),
    "claude-4-5-sonnet-thinking": ("anthropic/claude-sonnet-4-5",),
    "claude-4-5-haiku-reasoning": ("anthropic/claude-haiku-4-5",),
    # Google
    "gemini-4-argon": ("google/gemini-4-argon",),
    "gemini-3-8-flash": ("google/gemini-3.8-flash",),
    "gemini-3-7-flash": ("google/gemini-3.7-flash",),
    "gemini-3-6-flash": ("google/gemini-3.6-flash",),
    "gemini-3-5-flash": ("google/gemini-3.5-flash",),
    "gemini-3-5-flash-lite": ("google/gemini-3.5-flash-lite",),
    "gemini-3-1-pro-preview": ("google/gemini-3.1-pro-preview",),
    "gemini-3-1-flash-lite-preview": ("google/gemini-3.1-flash-lite",),
    "gemini-2-5-pro": ("google/gemini-2.5-pro",),
    "gemma-4-31b": ("google/gemma-4-31B-it",),
    # xAI
    "grok-4-7": ("xai/grok-4.7",),
    "grok-4-6": ("xai/grok-4.6",),
    "grok-4-5": ("xai/grok-4.5",),
    "grok-4-3": ("xai/grok-4.3",),
    # Alibaba / Qwen
    "qwen3-7-max": ("alibaba/qwen3.7-max", "together/Qwen/Qwen3.7-Max"),
    "qwen3-7-plus": ("alibaba/qwen3.7-plus", "together/Qwen/Qwen3.7-Plus", "fireworks/qwen3p7-plus"),
    "qwen3-8-27b": ("deepinfra/Qwen/Qwen3.8-27B", "cerebras/qwen-3.8-27b", "groq/qwen/qwen3.8-27b"),
    "qwen3-235b-a22b-instruct-2507-reasoning": ("Qwen/Qwen3-235B-A22B-Thinking-2507",),
    "qwen3-5-397b-a17b": ("Qwen/Qwen3.5-397B-A17B",),
    "qwen3-5-9b": ("Qwen/Qwen3.5-9B",),
    "qwen3-6-27b": ("Qwen/Qwen3.6-27B",),
    # DeepSeek: the V4 HF repos are the April releases; the 0813 / 0731 / V4.1 checkpoints are sold by id
    "deepseek-v3": ("deepseek-ai/DeepSeek-V3",),
    "deepseek-v3-0324": ("deepseek-ai/DeepSeek-V3-0324",),
    "deepseek-r1-0120": ("deepseek-ai/DeepSeek-R1",),
    "deepseek-v4-pro-0424": ("deepseek-ai/DeepSeek-V4-Pro",),
    "deepseek-v4-flash-0420": ("deepseek-ai/DeepSeek-V4-Flash",),
    "deepseek-v4-pro": ("together/deepseek-ai/DeepSeek-V4-Pro-0813", "novita/deepseek/deepseek-v4-pro-0813"),
    "deepseek-v4-1-flash": (
        "deepinfra/deepseek-ai/DeepSeek-V4.1-Flash", "together/deepseek-ai/DeepSeek-V4.1-Flash",
        "fireworks/deepseek-v4p1-flash",
    ),
    # Z.ai: GLM-5.2 resolves through quality.CLOSED_MODEL_KEYS for its hosts
    "glm-5-1": ("zai-org/GLM-5.1",),
    "glm-5-2": ("zai-org/GLM-5.2",),
    "glm-5-3": (
        "zai/glm-5.3", "together/zai-org/GLM-5.3", "nebius/zai-org/GLM-5.3", "novita/zai-org/glm-5.3",
        "fireworks/glm-5p3", "mistral/zai-glm-5-3",
    ),
    "glm-5-3-flash": ("zai/glm-5.3-flash", "together/zai-org/GLM-5.3-Flash", "fireworks/glm-5p3-flash"),
    # Moonshot
    "kimi-k3": ("moonshotai/Kimi-K3",),
    "kimi-k2-6": ("moonshotai/Kimi-K2.6",),
    "kimi-k2-7-code": ("moonshotai/Kimi-K2.7-Code",),
    # Mistral, MiniMax
    "mistral-large-3": ("mistral/mistral-large-3",),
    "mistral-medium-3-5": ("mistral/mistral-medium-3.5",),
    "mistral-small-4": ("mistralai/Mistral-Small-4-119B-2603",),
    "ministral-3-14b": ("mistralai/Ministral-3-14B-Instruct-2512",),
    "ministral-3-8b": ("mistralai/Ministral-3-8B-Instruct-2512",),
    "ministral-3-3b": ("mistralai/Ministral-3-3B-Instruct-2512",),
    "minimax-m3": ("MiniMaxAI/Minimax-M3",),
}


def known_keys(cat: Catalog) -> set[str]:
    """Keys a figure can be found under: offer ids, HF ids (models and offers') and closed-model aliases."""
    return {*cat.offers, *cat.models, *(o.open_model for o in cat.offers.values() if o.open_model),
            *CLOSED_MODEL_KEYS.values()}


def rows_from_csv(src: Path, known: set[str], as_of: dt.date = AS_OF) -> tuple[list[TaskTokensRow], list[str]]:
    """One row per our key of each mapped Artificial Analysis model; the slugs left unmapped."""
    out: list[TaskTokensRow] = []
    unmapped: list[str] = []
    with src.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            slug = rec["aa_slug"]
            keys = [k for k in SLUG_KEYS.get(slug, ()) if k in known]
            if not keys:
                unmapped.append(slug)
                continue
            reasoning, answer, output = (float(rec[c]) for c in ("reasoning_tokens", "answer_tokens", "output_tokens"))
            if abs(reasoning + answer - output) > 1:
                raise ValueError(f"{src.name}: {slug}: reasoning + answer tokens differ from output tokens")
            for k in keys:
                out.append(TaskTokensRow(key=k, measured_as=rec["aa_name"], output_tokens=output,
                                         reasoning_tokens=reasoning, as_of=as_of,
                                         source=SOURCE.format(slug=slug)))
    return sorted(out, key=lambda r: r.key.lower()), unmapped


def render(rows: Sequence[TaskTokensRow]) -> str:
    """YAML of data/tokens_per_task.yaml with a banner saying how it was made."""
    TaskTokensFile(rows=tuple(rows))
    banner = (
        "# Generated by `python -m pricing.importers.tokens_per_task` from Artificial Analysis' output tokens\n"
        "# per Intelligence Index task (data/sources/artificial_analysis/). Keys: HF id, else offer id.\n"
    )
    data = [{"key": r.key, "measured_as": r.measured_as, "output_tokens": r.output_tokens,
             "reasoning_tokens": r.reasoning_tokens, "source": r.source, "as_of": r.as_of.isoformat()}
            for r in rows]
    return banner + yaml.safe_dump({"rows": data}, sort_keys=False, allow_unicode=True, width=200)


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with --check, compare) data/tokens_per_task.yaml."""
    ap = argparse.ArgumentParser(prog="python -m pricing.importers.tokens_per_task",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="Artificial Analysis tokens-per-task CSV")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--check", action="store_true", help="exit 1 if data/tokens_per_task.yaml would change")
    args = ap.parse_args(argv)
    rows, unmapped = rows_from_csv(args.src, known_keys(load_catalog(args.data_dir)))
    text = render(rows)
    return write_or_check(args.data_dir / "tokens_per_task.yaml", text, args.check,
                          f"{len(rows)} rows; {len(unmapped)} models not in our catalog left out")


if __name__ == "__main__":
    raise SystemExit(main())
