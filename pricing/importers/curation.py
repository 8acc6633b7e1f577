"""Hand-curated list of the LiteLLM entries we keep, per provider, with the fields a feed lacks.

The importer (pricing/importers/litellm.py) takes prices, context windows and source URLs from
the LiteLLM price map and merges these curated fields over them: the model name as the provider
calls it, the Hugging Face id of open weights (`open_model`), a family, a display name, a reasoning
flag where LiteLLM is silent or wrong, and notes (disagreements with pricing pages, deprecations).

Open-weight ids come from the issue's seed list, from `hugging_face_id` in
../shared/reference/openrouter_models_2026-08-01.json and, for GLM-5.1, from NVIDIA's NeMo model
coverage page (docs.nvidia.com/nemo/automodel, "GLM-5 / GLM-5.1", HF id zai-org/GLM-5.1); an offer whose weights we could not tie to
a Hugging Face repo from those sources keeps `open_model` empty rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ProviderKind = Literal["closed", "first-party-open", "open-host", "mixed"]


@dataclass(frozen=True)
class ProviderMeta:
    """A provider file's header: display name, kind, pricing page and LiteLLM key prefixes."""

    name: str
    kind: ProviderKind
    pricing_page: str
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pick:
    """One LiteLLM entry we keep, and the curated fields merged over the feed's values."""

    key: str
    model: str | None = None
    open_model: str | None = None
    family: str | None = None
    display_name: str | None = None
    reasoning: bool | None = None
    notes: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


PROVIDERS: dict[str, ProviderMeta] = {
    "openai": ProviderMeta("OpenAI", "closed", "https://developers.openai.com/api/docs/pricing"),
    "anthropic": ProviderMeta("Anthropic", "closed", "https://platform.claude.com/docs/en/about-claude/pricing"),
    "google": ProviderMeta("Google (Gemini API)", "closed", "https://ai.google.dev/gemini-api/docs/pricing", ("gemini/",)),
    "deepseek": ProviderMeta("DeepSeek", "first-party-open", "https://api-docs.deepseek.com/quick_start/pricing", ("deepseek/",)),
    "alibaba": ProviderMeta(
        "Alibaba Cloud Model Studio (Qwen)", "mixed",
        "https://www.alibabacloud.com/help/en/model-studio/models", ("dashscope/",),
    ),
    "zai": ProviderMeta("Z.ai (GLM)", "first-party-open", "https://docs.z.ai/guides/overview/pricing", ("zai/",)),
    "moonshot": ProviderMeta("Moonshot AI (Kimi)", "first-party-open", "https://platform.kimi.ai/docs/pricing/chat", ("moonshot/",)),
    "mistral": ProviderMeta("Mistral AI", "mixed", "https://mistral.ai/pricing", ("mistral/",)),
    "xai": ProviderMeta("xAI", "closed", "https://docs.x.ai/docs/models", ("xai/",)),
    "together": ProviderMeta("Together AI", "open-host", "https://www.together.ai/pricing", ("together_ai/",)),
    "fireworks": ProviderMeta(
        "Fireworks AI", "open-host", "https://fireworks.ai/pricing",
        ("fireworks_ai/accounts/fireworks/models/", "fireworks_ai/"),
    ),
    "deepinfra": ProviderMeta("DeepInfra", "open-host", "https://deepinfra.com/pricing", ("deepinfra/",)),
    "groq": ProviderMeta("Groq", "open-host", "https://groq.com/pricing", ("groq/",)),
    "cerebras": ProviderMeta("Cerebras", "open-host", "https://www.cerebras.ai/pricing", ("cerebras/",)),
    "nebius": ProviderMeta("Nebius Token Factory", "open-host", "https://nebius.com/prices", ("nebius/",)),
    "novita": ProviderMeta("Novita AI", "open-host", "https://novita.ai/pricing", ("novita/",)),
}

# Hugging Face ids of open weights, keyed by a lower-case model stem the hosts use.
HF: dict[str, str] = {
    "deepseek-r1": "deepseek-ai/DeepSeek-R1",
    "deepseek-r1-0528": "deepseek-ai/DeepSeek-R1-0528",
    "deepseek-v3": "deepseek-ai/DeepSeek-V3",
    "deepseek-v3-0324": "deepseek-ai/DeepSeek-V3-0324",
    "deepseek-v3.1": "deepseek-ai/DeepSeek-V3.1",
    "deepseek-v3.2": "deepseek-ai/DeepSeek-V3.2",
    "deepseek-v4-pro": "deepseek-ai/DeepSeek-V4-Pro",
    "deepseek-v4-flash": "deepseek-ai/DeepSeek-V4-Flash",
    "qwen3-235b-a22b": "Qwen/Qwen3-235B-A22B",
    "qwen3-235b-a22b-instruct-2507": "Qwen/Qwen3-235B-A22B-Instruct-2507",
    "qwen3-235b-a22b-thinking-2507": "Qwen/Qwen3-235B-A22B-Thinking-2507",
    "qwen3-32b": "Qwen/Qwen3-32B",
    "qwen3-30b-a3b": "Qwen/Qwen3-30B-A3B",
    "qwen3-14b": "Qwen/Qwen3-14B",
    "qwen3-coder-480b-a35b-instruct": "Qwen/Qwen3-Coder-480B-A35B-Instruct",
    "qwen3-next-80b-a3b-instruct": "Qwen/Qwen3-Next-80B-A3B-Instruct",
    "qwen3-next-80b-a3b-thinking": "Qwen/Qwen3-Next-80B-A3B-Thinking",
    "qwen3-vl-235b-a22b-instruct": "Qwen/Qwen3-VL-235B-A22B-Instruct",
    "qwen3-vl-32b-instruct": "Qwen/Qwen3-VL-32B-Instruct",
    "qwen3.5-397b-a17b": "Qwen/Qwen3.5-397B-A17B",
    "qwen3.5-9b": "Qwen/Qwen3.5-9B",
    "qwen3.6-27b": "Qwen/Qwen3.6-27B",
    "qwen2.5-72b-instruct": "Qwen/Qwen2.5-72B-Instruct",
    "glm-4.5": "zai-org/GLM-4.5",
    "glm-4.5-air": "zai-org/GLM-4.5-Air",
    "glm-4.5v": "zai-org/GLM-4.5V",
    "glm-4.6": "zai-org/GLM-4.6",
    "glm-4.7": "zai-org/GLM-4.7",
    "glm-5": "zai-org/GLM-5",
    "glm-5.1": "zai-org/GLM-5.1",
    "kimi-k2-instruct": "moonshotai/Kimi-K2-Instruct",
    "kimi-k2-instruct-0905": "moonshotai/Kimi-K2-Instruct-0905",
    "kimi-k2-thinking": "moonshotai/Kimi-K2-Thinking",
    "kimi-k2.5": "moonshotai/Kimi-K2.5",
    "kimi-k2.6": "moonshotai/Kimi-K2.6",
    "kimi-k2.7-code": "moonshotai/Kimi-K2.7-Code",
    "kimi-k3": "moonshotai/Kimi-K3",
    "gpt-oss-120b": "openai/gpt-oss-120b",
    "gpt-oss-20b": "openai/gpt-oss-20b",
    "llama-3.3-70b-instruct": "meta-llama/Llama-3.3-70B-Instruct",
    "llama-3.1-8b-instruct": "meta-llama/Llama-3.1-8B-Instruct",
    "llama-3.1-70b-instruct": "meta-llama/Llama-3.1-70B-Instruct",
    "llama-3.1-405b-instruct": "meta-llama/Llama-3.1-405B-Instruct",
    "llama-3.2-3b-instruct": "meta-llama/Llama-3.2-3B-Instruct",
    "llama-4-scout-17b-16e-instruct": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "llama-4-maverick-17b-128e-instruct": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
    "mixtral-8x7b-instruct-v0.1": "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "mixtral-8x22b-instruct-v0.1": "mistralai/Mixtral-8x22B-Instruct-v0.1",
    "mistral-small-2603": "mistralai/Mistral-Small-4-119B-2603",
    "ministral-3-14b-instruct-2512": "mistralai/Ministral-3-14B-Instruct-2512",
    "ministral-3-8b-instruct-2512": "mistralai/Ministral-3-8B-Instruct-2512",
    "ministral-3-3b-instruct-2512": "mistralai/Ministral-3-3B-Instruct-2512",
    "mistral-nemo-instruct-2407": "mistralai/Mistral-Nemo-Instruct-2407",
    "minimax-m3": "MiniMaxAI/Minimax-M3",
    "gemma-4-31b-it": "google/gemma-4-31B-it",
}

_FAMILIES: tuple[tuple[str, str], ...] = (
    (r"deepseek.*r1", "deepseek-r1"),
    (r"deepseek.*v4", "deepseek-v4"),
    (r"deepseek.*v3[.p]?2", "deepseek-v3.2"),
    (r"deepseek.*v3", "deepseek-v3"),
    (r"deepseek-(chat|reasoner)", "deepseek-v3.2"),
    (r"qwen.?3|qwq", "qwen3"),
    (r"qwen.?2", "qwen2.5"),
    (r"qwen", "qwen"),
    (r"glm", "glm"),
    (r"kimi", "kimi"),
    (r"gpt-oss", "gpt-oss"),
    (r"llama.?4|llama4", "llama-4"),
    (r"llama", "llama-3"),
    (r"mixtral|mistral|ministral|magistral|devstral|codestral|pixtral", "mistral"),
    (r"minimax", "minimax"),
    (r"gemma", "gemma"),
    (r"claude", "claude"),
    (r"gemini", "gemini"),
    (r"grok", "grok"),
    (r"^(gpt|o\d)", "gpt"),
)


def family_of(model: str) -> str | None:
    """A coarse family label from a model name (deepseek-r1, qwen3, glm, kimi, llama-3, ...)."""
    low = model.lower()
    for pat, fam in _FAMILIES:
        if re.search(pat, low):
            return fam
    return None


def _p(key: str, **kw: object) -> Pick:
    return Pick(key, **kw)  # type: ignore[arg-type]


def _host(key: str, hf: str | None = None, **kw: object) -> Pick:
    """A hosted open-weight offer; `hf` is a key of HF (or a full HF id)."""
    open_model = HF.get(hf, hf) if hf else None
    return Pick(key, open_model=open_model, **kw)  # type: ignore[arg-type]


_V4_PEAK = (
    "DeepSeek announced on 2026-06-29 (ai-tldr.dev, letsdatascience.com) that from the V4 launch "
    "(mid-July 2026) V4 Pro and Flash cost 2x during 09:00-12:00 and 14:00-18:00 Beijing time; "
    "LiteLLM's base price here is that peak rate and its off_peak price the normal rate. "
    "tokenpricing.dev quotes V4 Flash at 0.14/0.28 USD per 1M, which matches neither; unresolved."
)
# Flagship prices checked against pricing pages or reports reachable from this environment
# (searched 2026-11-29); agreements and disagreements both recorded, merged into the offer's notes.
_GPT56 = (
    "OpenAI's June 2026 preview announcement (as reported by benchr.org and lushbinary.com, 2026-06-27/28) "
    "quoted GPT-5.6 Sol 5/30, Terra 2.50/15, Luna 1/6 USD per 1M input/output; LiteLLM's November snapshot "
    "lists {ours}. Kept LiteLLM's, the later source; genai-prices 0.2.3 agrees with it."
)
CHECKS: dict[str, str] = {
    "gpt-5.6-sol": _GPT56.format(ours="4/20"),
    "gpt-5.6-terra": _GPT56.format(ours="2/12"),
    "gpt-5.6-luna": _GPT56.format(ours="0.20/1.20"),
    "gemini/gemini-3-flash-preview": (
        "Checked: ai.google.dev/gemini-api/docs/pricing as quoted by factquire.com (2026-07-04) gives "
        "0.50 input, 3.00 output (thinking included), 0.05 cache read; agrees."
    ),
    "claude-opus-4-6": "Checked: 5/25 USD per 1M, 1M context without surcharge (deploybase.ai, 2026-03-21); agrees.",
    "claude-haiku-4-5": "Checked: 1/5 USD per 1M, cache write 1.25, read 0.10 (Anthropic pricing page); agrees.",
    "zai/glm-4.5": (
        "LiteLLM lists no cache-read price; docs.z.ai FAQ says cache hits cost 1/5 of the input price and "
        "genai-prices lists 0.11 USD per 1M. Cached tokens are billed at the input price here (pessimistic)."
    ),
    "zai/glm-5": "Checked: 1.00 input, 3.20 output, 0.20 cache read (openclaw's Z.ai catalog); agrees.",
    "zai/glm-5.1": (
        "openclaw's Z.ai catalog (undated) lists GLM-5.1 at 1.20/4.00, cache read 0.24; LiteLLM lists "
        "1.40/4.40, 0.26 (as do genai-prices and the hosts). Kept LiteLLM's."
    ),
}

_DEPRECATED = "LiteLLM lists deprecation_date {d}, before this snapshot; kept because {why}."
FW = "fireworks_ai/accounts/fireworks/models/"

CURATED: dict[str, tuple[Pick, ...]] = {
    "openai": tuple(
        _p(k) for k in (
            "gpt-6.1-sol", "gpt-6.1-terra", "gpt-6-astra", "gpt-6-sol", "gpt-6-luna",
            "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "gpt-5.5", "gpt-5.5-pro",
            "gpt-5.4", "gpt-5.4-pro", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.2", "gpt-5.2-pro",
            "gpt-5.1", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini",
            "gpt-4o", "gpt-4o-mini", "o3", "o3-pro",
        )
    ),
    "anthropic": (
        *(_p(k) for k in (
            "claude-fable-5-1", "claude-fable-5", "claude-mythos-5-1", "claude-mythos-5",
            "claude-opus-5-5", "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7",
            "claude-opus-4-6", "claude-opus-4-5", "claude-sonnet-5-5", "claude-sonnet-5",
            "claude-sonnet-4-6", "claude-haiku-5-5", "claude-haiku-4-5",
        )),
        _p("claude-sonnet-4-5", notes=(
            "LiteLLM gives a 200k context and no long-context tier; genai-prices 0.2.3 bills prompts above "
            "200k (Anthropic's 1M-context beta) at a higher tier. Prompts past 200k are flagged, not tiered."
        )),
    ),
    "google": tuple(
        _p("gemini/" + k) for k in (
            "gemini-4-argon", "gemini-4-hydrogen", "gemini-3.8-flash", "gemini-3.7-flash",
            "gemini-3.6-flash", "gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.1-pro-preview",
            "gemini-3.1-flash-lite", "gemini-3-flash-preview", "gemini-2.5-pro", "gemini-2.5-flash",
            "gemini-2.5-flash-lite",
        )
    ),
    "deepseek": (
        _p("deepseek/deepseek-v4-pro", open_model=HF["deepseek-v4-pro"], display_name="DeepSeek V4 Pro", notes=_V4_PEAK),
        _p("deepseek/deepseek-v4-flash", open_model=HF["deepseek-v4-flash"], display_name="DeepSeek V4 Flash", notes=_V4_PEAK),
        _p(
            "deepseek/deepseek-chat", open_model=HF["deepseek-v3.2"], display_name="DeepSeek chat (alias)",
            notes=(
                "LiteLLM still prices this alias at DeepSeek-V3.2's rates and lists deprecation_date "
                "2026-07-24; press reports (winbuzzer.com, 2026-07-03) say DeepSeek pointed the alias at "
                "deepseek-v4-flash from 2026-07-24, which would bill at V4 Flash prices instead. "
                "V3.2's 2025 off-peak discount was discontinued in Sept 2025; none is modelled here."
            ),
        ),
        _p(
            "deepseek/deepseek-reasoner", open_model=HF["deepseek-v3.2"], display_name="DeepSeek reasoner (alias)",
            reasoning=True,
            notes=(
                "LiteLLM still prices this alias at DeepSeek-V3.2's rates and lists deprecation_date "
                "2026-07-24; press reports (winbuzzer.com, 2026-07-03) say the alias moved to "
                "deepseek-v4-flash from 2026-07-24. No off-peak window is modelled for this alias."
            ),
        ),
    ),
    "alibaba": (
        _p("dashscope/qwen3.8-flash"),
        _p("dashscope/qwen3.8-max"),
        _p("dashscope/qwen3.7-max"),
        _p("dashscope/qwen3.7-plus"),
        _p("dashscope/qwen3.5-plus"),
        _p("dashscope/qwen3-max"),
        _p("dashscope/qwen-plus-latest"),
        _p("dashscope/qwen-flash"),
        _p("dashscope/qwen3-coder-plus"),
        _p("dashscope/qwen3-coder-flash"),
        _p("dashscope/qwq-plus"),
        _host("dashscope/qwen3-next-80b-a3b-instruct", "qwen3-next-80b-a3b-instruct"),
        _host("dashscope/qwen3-next-80b-a3b-thinking", "qwen3-next-80b-a3b-thinking", reasoning=True),
        _host("dashscope/qwen3-vl-235b-a22b-instruct", "qwen3-vl-235b-a22b-instruct"),
        _host("dashscope/qwen3-vl-32b-instruct", "qwen3-vl-32b-instruct"),
        _host("dashscope/deepseek-v4-pro", "deepseek-v4-pro"),
        _host("dashscope/deepseek-v4-flash", "deepseek-v4-flash"),
        _p("dashscope/glm-5.2"),
        _host("dashscope/kimi-k2.7-code", "kimi-k2.7-code"),
    ),
    "zai": (
        _p("zai/glm-5.3"),
        _p("zai/glm-5.3-flash"),
        _p("zai/glm-5.2"),
        _host("zai/glm-5.1", "glm-5.1"),
        _host("zai/glm-5", "glm-5"),
        _p("zai/glm-5-code"),
        _host("zai/glm-4.7", "glm-4.7"),
        _host("zai/glm-4.6", "glm-4.6"),
        _host("zai/glm-4.5", "glm-4.5", reasoning=True),
        _host("zai/glm-4.5-air", "glm-4.5-air", reasoning=True),
        _p("zai/glm-4.5-x", reasoning=True),
        _p("zai/glm-4.5-airx", reasoning=True),
        _host("zai/glm-4.5v", "glm-4.5v"),
    ),
    "moonshot": (
        _p("moonshot/kimi-k3.1-pro"),
        _p("moonshot/kimi-k3.1-pro-highspeed"),
        _host("moonshot/kimi-k3", "kimi-k3"),
        _host("moonshot/kimi-k2.7-code", "kimi-k2.7-code"),
        _host("moonshot/kimi-k2.6", "kimi-k2.6"),
    ),
    "mistral": (
        _p("mistral/mistral-large-4"),
        _p("mistral/mistral-large-3"),
        _p("mistral/mistral-medium-3.5"),
        _host("mistral/mistral-small-2603", "mistral-small-2603"),
        _p("mistral/magistral-medium-latest"),
        _p("mistral/magistral-small-latest"),
        _p("mistral/devstral-latest"),
        _p("mistral/devstral-small-latest"),
        _p("mistral/codestral-2508"),
        _host("mistral/ministral-14b-2512", "ministral-3-14b-instruct-2512"),
        _host("mistral/ministral-8b-2512", "ministral-3-8b-instruct-2512"),
        _host("mistral/ministral-3b-2512", "ministral-3-3b-instruct-2512"),
        _host("mistral/open-mistral-nemo", "mistral-nemo-instruct-2407"),
        _p("mistral/pixtral-large-latest"),
        _p("mistral/zai-glm-5-3"),
        _p("mistral/deepseek-v4-1-flash-1017"),
    ),
    "xai": tuple(
        _p("xai/" + k) for k in (
            "grok-4.7", "grok-4.6", "grok-4.5", "grok-4.3", "grok-4.20-reasoning",
            "grok-4.20-non-reasoning", "grok-4.20-multi-agent", "grok-build-0.1", "grok-code-fast",
        )
    ),
    "together": (
        _host("together_ai/deepseek-ai/DeepSeek-R1-0528", "deepseek-r1-0528", reasoning=True),
        _host("together_ai/deepseek-ai/DeepSeek-V3", "deepseek-v3"),
        _p("together_ai/deepseek-ai/DeepSeek-V4-Pro-0813", reasoning=True),
        _p("together_ai/deepseek-ai/DeepSeek-V4.1-Flash", reasoning=True),
        _p("together_ai/Qwen/Qwen3.7-Max"),
        _p("together_ai/Qwen/Qwen3.7-Plus"),
        _p("together_ai/Qwen/Qwen3.6-Plus"),
        _p("together_ai/Qwen/Qwen3.8-Flash"),
        _host("together_ai/Qwen/Qwen3.5-9B", "qwen3.5-9b"),
        _host("together_ai/Qwen/Qwen2.5-72B-Instruct", "qwen2.5-72b-instruct"),
        _p("together_ai/zai-org/GLM-5.3"),
        _p("together_ai/zai-org/GLM-5.3-Flash"),
        _p("together_ai/zai-org/GLM-5.2"),
        _host("together_ai/zai-org/GLM-4.6", "glm-4.6"),
        _host("together_ai/moonshotai/Kimi-K3", "kimi-k3"),
        _p("together_ai/moonshotai/Kimi-K3.1-Pro"),
        _host("together_ai/moonshotai/Kimi-K2-Instruct", "kimi-k2-instruct"),
        _host("together_ai/moonshotai/Kimi-K2.5-fp4", "kimi-k2.5", notes="Served at FP4 precision."),
        _host("together_ai/openai/gpt-oss-120b", "gpt-oss-120b"),
        _host(
            "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b-instruct",
            notes=_DEPRECATED.format(d="2026-10-22", why="it is Together's only Llama 3.3 70B listing (seed family)"),
        ),
        _host("together_ai/meta-llama/Llama-3.2-3B-Instruct", "llama-3.2-3b-instruct"),
        _host("together_ai/MiniMaxAI/MiniMax-M3.1-Flash"),
        _host("together_ai/mistralai/Ministral-3-14B-Instruct-2512", "ministral-3-14b-instruct-2512"),
    ),
    "fireworks": (
        _host(FW + "deepseek-r1-0528", "deepseek-r1-0528", reasoning=True),
        _host(FW + "deepseek-r1", "deepseek-r1", reasoning=True),
        _host(FW + "deepseek-v3-0324", "deepseek-v3-0324"),
        _host(FW + "deepseek-v3p1", "deepseek-v3.1"),
        _host(FW + "deepseek-v3p2", "deepseek-v3.2"),
        _p(FW + "deepseek-v4p1-flash"),
        _host(FW + "kimi-k3", "kimi-k3"),
        _p(FW + "kimi-k3p1-pro"),
        _host(FW + "kimi-k2-instruct-0905", "kimi-k2-instruct-0905"),
        _host(FW + "kimi-k2-thinking", "kimi-k2-thinking", reasoning=True),
        _host(FW + "kimi-k2p5", "kimi-k2.5"),
        _p(FW + "glm-5p3"),
        _p(FW + "glm-5p3-flash"),
        _host(FW + "glm-5p1", "glm-5.1"),
        _host(FW + "glm-4p7", "glm-4.7"),
        _host(FW + "glm-4p6", "glm-4.6"),
        _host(FW + "glm-4p5", "glm-4.5"),
        _host(FW + "glm-4p5-air", "glm-4.5-air"),
        _host(FW + "gpt-oss-20b", "gpt-oss-20b"),
        _host(
            FW + "gpt-oss-120b", "gpt-oss-120b",
            notes=_DEPRECATED.format(d="2026-11-07", why="gpt-oss-120b is a seed family"),
        ),
        _host(FW + "qwen3-235b-a22b-instruct-2507", "qwen3-235b-a22b-instruct-2507"),
        _host(FW + "qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-thinking-2507", reasoning=True),
        _host(FW + "qwen3-235b-a22b", "qwen3-235b-a22b"),
        _host(FW + "qwen3-coder-480b-a35b-instruct", "qwen3-coder-480b-a35b-instruct"),
        _host(FW + "qwen3-30b-a3b", "qwen3-30b-a3b"),
        _p(FW + "qwen3p8-max"),
        _p(FW + "qwen3p7-plus"),
        _host(FW + "llama-v3p3-70b-instruct", "llama-3.3-70b-instruct"),
        _host(FW + "llama-v3p1-405b-instruct", "llama-3.1-405b-instruct"),
        _host(FW + "llama-v3p1-8b-instruct", "llama-3.1-8b-instruct"),
        _host(FW + "llama4-maverick-instruct-basic", "llama-4-maverick-17b-128e-instruct"),
        _host(FW + "llama4-scout-instruct-basic", "llama-4-scout-17b-16e-instruct"),
        _host(FW + "mixtral-8x22b-instruct", "mixtral-8x22b-instruct-v0.1"),
        _host(FW + "minimax-m3", "minimax-m3"),
    ),
    "deepinfra": (
        _host("deepinfra/deepseek-ai/DeepSeek-R1-0528", "deepseek-r1-0528", reasoning=True),
        _host("deepinfra/deepseek-ai/DeepSeek-R1", "deepseek-r1", reasoning=True),
        _host("deepinfra/deepseek-ai/DeepSeek-V3", "deepseek-v3"),
        _host("deepinfra/deepseek-ai/DeepSeek-V3.1", "deepseek-v3.1"),
        _host("deepinfra/deepseek-ai/DeepSeek-V3.2", "deepseek-v3.2"),
        _host("deepinfra/deepseek-ai/DeepSeek-V4-Pro", "deepseek-v4-pro"),
        _host("deepinfra/deepseek-ai/DeepSeek-V4-Flash", "deepseek-v4-flash"),
        _p("deepinfra/deepseek-ai/DeepSeek-V4.1-Flash"),
        _host("deepinfra/Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b-instruct-2507"),
        _host("deepinfra/Qwen/Qwen3-235B-A22B-Thinking-2507", "qwen3-235b-a22b-thinking-2507", reasoning=True),
        _host("deepinfra/Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b"),
        _host("deepinfra/Qwen/Qwen3-32B", "qwen3-32b"),
        _host("deepinfra/Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b"),
        _host("deepinfra/Qwen/Qwen3-14B", "qwen3-14b"),
        _host("deepinfra/Qwen/Qwen3-Coder-480B-A35B-Instruct", "qwen3-coder-480b-a35b-instruct"),
        _host("deepinfra/Qwen/Qwen3.5-397B-A17B", "qwen3.5-397b-a17b"),
        _host("deepinfra/Qwen/Qwen3.6-27B", "qwen3.6-27b"),
        _p("deepinfra/Qwen/Qwen3.8-27B"),
        _host("deepinfra/Qwen/Qwen2.5-72B-Instruct", "qwen2.5-72b-instruct"),
        _host("deepinfra/zai-org/GLM-4.5", "glm-4.5"),
        _host("deepinfra/zai-org/GLM-4.6", "glm-4.6"),
        _host("deepinfra/zai-org/GLM-4.7", "glm-4.7"),
        _host("deepinfra/zai-org/GLM-5", "glm-5"),
        _host("deepinfra/zai-org/GLM-5.1", "glm-5.1"),
        _p("deepinfra/zai-org/GLM-5.2"),
        _host("deepinfra/moonshotai/Kimi-K2-Instruct", "kimi-k2-instruct"),
        _host("deepinfra/moonshotai/Kimi-K2-Instruct-0905", "kimi-k2-instruct-0905"),
        _host("deepinfra/moonshotai/Kimi-K2.5", "kimi-k2.5"),
        _host("deepinfra/moonshotai/Kimi-K2.6", "kimi-k2.6"),
        _host("deepinfra/moonshotai/Kimi-K3", "kimi-k3"),
        _host("deepinfra/openai/gpt-oss-120b", "gpt-oss-120b"),
        _host("deepinfra/openai/gpt-oss-20b", "gpt-oss-20b"),
        _host("deepinfra/meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b-instruct"),
        _host("deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b-instruct"),
        _host("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct"),
        _host("deepinfra/meta-llama/Meta-Llama-3.1-70B-Instruct", "llama-3.1-70b-instruct"),
        _host("deepinfra/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "llama-4-maverick-17b-128e-instruct"),
        _host("deepinfra/meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout-17b-16e-instruct"),
        _host("deepinfra/mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b-instruct-v0.1"),
    ),
    "groq": (
        _host("groq/openai/gpt-oss-120b", "gpt-oss-120b"),
        _host("groq/openai/gpt-oss-20b", "gpt-oss-20b"),
        _p("groq/qwen/qwen3.8-27b"),
    ),
    "cerebras": (
        _host("cerebras/gpt-oss-120b", "gpt-oss-120b"),
        _p("cerebras/qwen-3.8-27b"),
        _host("cerebras/gemma-4-31b", "gemma-4-31b-it"),
    ),
    "nebius": (
        _host("nebius/deepseek-ai/DeepSeek-R1-0528", "deepseek-r1-0528"),
        _host("nebius/deepseek-ai/DeepSeek-V3-0324", "deepseek-v3-0324"),
        _host("nebius/deepseek-ai/DeepSeek-V4-Pro", "deepseek-v4-pro"),
        _host("nebius/deepseek-ai/DeepSeek-V4-Flash", "deepseek-v4-flash"),
        _host("nebius/Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b-instruct-2507"),
        _host("nebius/Qwen/Qwen3-32B", "qwen3-32b"),
        _host("nebius/Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b"),
        _host("nebius/Qwen/Qwen2.5-72B-Instruct", "qwen2.5-72b-instruct"),
        _host("nebius/meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b-instruct"),
        _host("nebius/meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct"),
        _host("nebius/meta-llama/Meta-Llama-3.1-405B-Instruct", "llama-3.1-405b-instruct"),
        _host("nebius/openai/gpt-oss-120b", "gpt-oss-120b"),
        _host("nebius/moonshotai/Kimi-K2.6", "kimi-k2.6"),
        _host("nebius/moonshotai/Kimi-K3", "kimi-k3"),
        _p("nebius/zai-org/GLM-5.3"),
    ),
    "novita": (
        _host("novita/deepseek/deepseek-r1-0528", "deepseek-r1-0528"),
        _host("novita/deepseek/deepseek-v3-0324", "deepseek-v3-0324"),
        _host("novita/deepseek/deepseek-v3.1", "deepseek-v3.1"),
        _host("novita/deepseek/deepseek-v3.2", "deepseek-v3.2"),
        _p("novita/deepseek/deepseek-v4-pro-0813"),
        _host("novita/qwen/qwen3-235b-a22b-instruct-2507", "qwen3-235b-a22b-instruct-2507"),
        _host("novita/qwen/qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-thinking-2507"),
        _host("novita/qwen/qwen3-coder-480b-a35b-instruct", "qwen3-coder-480b-a35b-instruct"),
        _host("novita/zai-org/glm-4.5", "glm-4.5"),
        _host("novita/zai-org/glm-4.5-air", "glm-4.5-air"),
        _host("novita/zai-org/glm-4.7", "glm-4.7"),
        _p("novita/zai-org/glm-5.3"),
        _host("novita/moonshotai/kimi-k2-instruct", "kimi-k2-instruct"),
        _host("novita/moonshotai/kimi-k2-thinking", "kimi-k2-thinking"),
        _host("novita/moonshotai/kimi-k3", "kimi-k3"),
        _host("novita/openai/gpt-oss-120b", "gpt-oss-120b"),
        _host("novita/openai/gpt-oss-20b", "gpt-oss-20b"),
        _host("novita/meta-llama/llama-3.3-70b-instruct", "llama-3.3-70b-instruct"),
        _host("novita/meta-llama/llama-4-maverick-17b-128e-instruct-fp8", "llama-4-maverick-17b-128e-instruct"),
        _host("novita/meta-llama/llama-4-scout-17b-16e-instruct", "llama-4-scout-17b-16e-instruct"),
    ),
}
