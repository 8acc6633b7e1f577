"""Billing rules of pricing.api_cost, table-driven on hand-priced offers, plus hypothesis invariants."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.api_cost import BREAKDOWN, api_cost_frame, api_cost_matrix, offer_price_table
from pricing.catalog import parse_model, read_yaml
from pricing.errors import InputError, UnknownIdError
from pricing.schema import ApiOffer, BatchPrice, OffPeak, PriceTier, ProviderFile, Workload

DATA_API = Path(__file__).resolve().parent.parent / "data" / "api"
AS_OF = dt.date(2026, 11, 1)

# A hand-priced offer exercising every rule; the expected costs below are worked out by hand.
FULL = ApiOffer(
    source="test fixture", as_of=AS_OF, model="full", context_tokens=10_000, max_output_tokens=4_000,
    usd_per_mtok_input=2.0, usd_per_mtok_cached_input=0.5, usd_per_mtok_cache_write=2.5,
    usd_per_mtok_output=8.0, usd_per_request=0.001,
    batch=BatchPrice(usd_per_mtok_input=1.0, usd_per_mtok_output=4.0),
    tiers=(PriceTier(above_input_tokens=1000, usd_per_mtok_input=4.0, usd_per_mtok_output=12.0,
                     usd_per_mtok_cached_input=1.0),),
    off_peak=OffPeak(start_utc="16:30", end_utc="00:30", usd_per_mtok_input=1.0,
                     usd_per_mtok_output=4.0, usd_per_mtok_cached_input=0.25),
)
# A plain offer: no cache, batch, tier, off-peak or fee; reasoning priced apart.
PLAIN = ApiOffer(
    source="test fixture", as_of=AS_OF, model="plain", context_tokens=2_000,
    usd_per_mtok_input=1.0, usd_per_mtok_output=3.0, usd_per_mtok_reasoning=5.0,
)
OFFERS = {"t/full": FULL, "u/plain": PLAIN}

# offer, requests, input, output, reasoning, cached, write, batch, off-peak, expected USD, error
CASES = [
    ("plain prompt exactly at the tier threshold (not above it)",
     "t/full", 1, 1000, 100, 0, 0, 0, 0, 0, (1000 * 2 + 100 * 8) / 1e6 + 0.001, None),
    ("one token past the threshold: whole request at tier prices",
     "t/full", 1, 1001, 100, 0, 0, 0, 0, 0, (1001 * 4 + 100 * 12) / 1e6 + 0.001, None),
    ("cache reads at the cache-read price",
     "t/full", 1, 800, 0, 0, 0.5, 0, 0, 0, (400 * 2 + 400 * 0.5) / 1e6 + 0.001, None),
    ("cache writes at the cache-write price",
     "t/full", 1, 800, 0, 0, 0, 0.25, 0, 0, (600 * 2 + 200 * 2.5) / 1e6 + 0.001, None),
    ("reasoning at the output price when none is listed",
     "t/full", 1, 100, 10, 50, 0, 0, 0, 0, (100 * 2 + 10 * 8 + 50 * 8) / 1e6 + 0.001, None),
    ("reasoning at its own price",
     "u/plain", 1, 100, 10, 50, 0, 0, 0, 0, (100 * 1 + 10 * 3 + 50 * 5) / 1e6, None),
    ("batch share at batch prices",
     "t/full", 1, 100, 10, 0, 0, 0, 1, 0, (100 * 1 + 10 * 4) / 1e6 + 0.001, None),
    ("batch cache read = min(cache read, batch input) when unlisted",
     "t/full", 1, 100, 10, 0, 0.5, 0, 1, 0, (50 * 1 + 50 * 0.5 + 10 * 4) / 1e6 + 0.001, None),
    ("off-peak share at off-peak prices, cache read included",
     "t/full", 1, 100, 10, 0, 0.5, 0, 0, 1, (50 * 1 + 50 * 0.25 + 10 * 4) / 1e6 + 0.001, None),
    ("off-peak applies to the non-batch share only",
     "t/full", 1, 100, 10, 0, 0, 0, 0.5, 0.5, (0.25 * 280 + 0.5 * 140 + 0.25 * 140) / 1e6 + 0.001, None),
    ("tier with cache reads at the tier's cache-read price",
     "t/full", 1, 2000, 0, 0, 0.5, 0, 0, 0, (1000 * 4 + 1000 * 1.0) / 1e6 + 0.001, None),
    ("tier in batch: tier price x batch/standard ratio",
     "t/full", 1, 2000, 0, 0, 0, 0, 1, 0, (2000 * 4 * 0.5) / 1e6 + 0.001, None),
    ("tier cache write unlisted: tier input x cache-write/input ratio",
     "t/full", 1, 2000, 0, 0, 0, 0.5, 0, 0, (1000 * 4 + 1000 * 4 * 1.25) / 1e6 + 0.001, None),
    ("no batch API: batch share billed at standard prices",
     "u/plain", 1, 100, 10, 0, 0, 0, 1, 0, (100 * 1 + 10 * 3) / 1e6, None),
    ("many requests scale linearly",
     "t/full", 1000, 100, 10, 0, 0, 0, 0, 0, 1000 * ((100 * 2 + 10 * 8) / 1e6 + 0.001), None),
    ("zero requests cost nothing", "t/full", 0, 100, 10, 0, 0, 0, 0, 0, 0.0, None),
    ("negative input tokens", "t/full", 1, -1, 10, 0, 0, 0, 0, 0, None, InputError),
    ("negative requests", "t/full", -5, 10, 10, 0, 0, 0, 0, 0, None, InputError),
    ("cached + write above 1", "t/full", 1, 10, 10, 0, 0.7, 0.5, 0, 0, None, InputError),
    ("fraction above 1", "t/full", 1, 10, 10, 0, 0, 0, 1.5, 0, None, InputError),
    ("not a number", "t/full", 1, float("nan"), 10, 0, 0, 0, 0, 0, None, InputError),
    ("infinite output", "t/full", 1, 10, float("inf"), 0, 0, 0, 0, 0, None, InputError),
]


@pytest.mark.parametrize(
    "label,oid,req,inp,out,rsn,cached,write,batch,offpeak,expected,expected_error",
    CASES, ids=[c[0] for c in CASES],
)
def test_billing_rules(label, oid, req, inp, out, rsn, cached, write, batch, offpeak, expected, expected_error):
    """Each rule, through the fast matrix path and through the DataFrame path."""
    table = offer_price_table({oid: OFFERS[oid]})
    args = (table, req, inp, out, rsn, cached, write, batch, offpeak)
    if expected_error:
        with pytest.raises(expected_error):
            api_cost_matrix(*args)
        return
    got = api_cost_matrix(*args)
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    wl = Workload(name="w", requests_per_month=req, input_tokens=inp, output_tokens=out, reasoning_tokens=rsn,
                  cached_input_fraction=cached, cache_write_fraction=write, batch_fraction=batch,
                  off_peak_fraction=offpeak)
    row = api_cost_frame(OFFERS, [oid], [wl]).iloc[0]
    assert row["monthly_usd"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert sum(row[k] for k in BREAKDOWN) == pytest.approx(row["monthly_usd"], rel=1e-12, abs=1e-15)
    assert bool(row["tier_applied"]) == (oid == "t/full" and inp > 1000)


def test_frame_shape_and_columns():
    """One row per (workload, offer), workload-major, with the documented columns."""
    wls = [Workload(name=f"w{i}", requests_per_month=10 * (i + 1), input_tokens=100, output_tokens=10) for i in range(3)]
    df = api_cost_frame(OFFERS, None, wls)
    assert len(df) == 6
    assert list(df["workload"]) == ["w0", "w0", "w1", "w1", "w2", "w2"]
    assert list(df["route_id"]) == ["t/full", "u/plain"] * 3
    assert list(df["provider"]) == ["t", "u"] * 3
    for col in ("tokens_per_month", "usd_per_mtok", "batch_share", "off_peak_share", "warnings", *BREAKDOWN):
        assert col in df.columns
    first = df.iloc[0]
    assert first["tokens_per_month"] == 10 * 110
    assert first["usd_per_mtok"] == pytest.approx(first["monthly_usd"] / 1100 * 1e6)


def test_shares_reported():
    """batch_share and off_peak_share say what was billed where."""
    wl = Workload(name="w", requests_per_month=1, input_tokens=10, output_tokens=1, batch_fraction=0.4,
                  off_peak_fraction=0.5)
    df = api_cost_frame(OFFERS, None, [wl]).set_index("route_id")
    assert df.loc["t/full", "batch_share"] == pytest.approx(0.4)
    assert df.loc["t/full", "off_peak_share"] == pytest.approx(0.3)
    assert df.loc["u/plain", "batch_share"] == 0
    assert df.loc["u/plain", "off_peak_share"] == 0


def test_warnings():
    """Context overflow, output limit and a missing batch API are reported, nothing otherwise."""
    ok = Workload(name="ok", requests_per_month=1, input_tokens=100, output_tokens=10)
    big = Workload(name="big", requests_per_month=1, input_tokens=1990, output_tokens=20, batch_fraction=0.5)
    df = api_cost_frame(OFFERS, ["u/plain"], [ok, big])
    assert df["warnings"].iloc[0] == ""
    assert "context window" in df["warnings"].iloc[1]
    # u/plain has no batch price and no marker: the warning says the price is not known
    assert "batch price not known" in df["warnings"].iloc[1]
    said = OFFERS["u/plain"].model_copy(update={"no_batch_api": True})
    assert "no batch API:" in api_cost_frame({"u/plain": said}, None, [big])["warnings"].iloc[0]
    cached = Workload(name="c", requests_per_month=1, input_tokens=100, output_tokens=10, cached_input_fraction=0.5)
    assert "cache-read price not known" in api_cost_frame(OFFERS, ["u/plain"], [cached])["warnings"].iloc[0]
    marked = OFFERS["u/plain"].model_copy(update={"no_cache_price": True})
    assert api_cost_frame({"u/plain": marked}, None, [cached])["warnings"].iloc[0] == ""
    long_out = Workload(name="o", requests_per_month=1, input_tokens=10, output_tokens=3000, reasoning_tokens=2000)
    assert "output limit" in api_cost_frame(OFFERS, ["t/full"], [long_out])["warnings"].iloc[0]


def test_provider_discount():
    """A provider discount scales that provider's offers only; unknown providers are refused."""
    wl = Workload(name="w", requests_per_month=100, input_tokens=100, output_tokens=10)
    base = api_cost_frame(OFFERS, None, [wl]).set_index("route_id")["monthly_usd"]
    disc = api_cost_frame(OFFERS, None, [wl], provider_discount={"t": 0.2}).set_index("route_id")["monthly_usd"]
    assert disc["t/full"] == pytest.approx(0.8 * base["t/full"])
    assert disc["u/plain"] == base["u/plain"]
    with pytest.raises(InputError, match="unknown provider"):
        api_cost_frame(OFFERS, None, [wl], provider_discount={"nope": 0.1})
    with pytest.raises(InputError):
        api_cost_frame(OFFERS, None, [wl], provider_discount={"t": 1.5})


def test_unknown_offer_suggests():
    """An unknown offer id raises UnknownIdError with close matches."""
    wl = Workload(name="w", requests_per_month=1, input_tokens=1, output_tokens=1)
    with pytest.raises(UnknownIdError) as e:
        api_cost_frame(OFFERS, ["t/ful"], [wl])
    assert "t/full" in e.value.suggestions


def test_price_table_fallbacks():
    """None prices resolve: cached/cache write -> input, reasoning -> output, no batch -> standard."""
    t = offer_price_table(OFFERS)
    plain = t.loc["u/plain"]
    assert plain["usd_per_mtok_cached_input"] == 1.0
    assert plain["usd_per_mtok_cache_write"] == 1.0
    assert plain["usd_per_mtok_reasoning"] == 5.0
    assert plain["batch_usd_per_mtok_input"] == 1.0
    assert not plain["has_batch"]
    assert plain["tier1_above_input_tokens"] == np.inf
    full = t.loc["t/full"]
    assert full["usd_per_mtok_reasoning"] == 8.0
    assert full["batch_usd_per_mtok_cache_write"] == pytest.approx(1.25)
    assert full["tier1_usd_per_mtok_cache_write"] == pytest.approx(5.0)
    assert full["off_peak_usd_per_mtok_cached_input"] == 0.25


def test_matrix_broadcasts_many_volumes():
    """The fast path takes thousands of volumes at once and is linear in requests."""
    t = offer_price_table(OFFERS)
    req = np.linspace(0, 1e7, 5000)
    m = api_cost_matrix(t, req, 500, 100)
    assert m.shape == (2, 5000)
    per_req = api_cost_matrix(t, 1, 500, 100)[:, 0]
    np.testing.assert_allclose(m, per_req[:, None] * req[None, :], rtol=1e-12)


# --------------------------------------------------------------------------- invariants on the real data


def _bundled_offers() -> dict[str, ApiOffer]:
    """Offers straight from data/api (independent of the other data files)."""
    out = {}
    for path in sorted(DATA_API.glob("*.yaml")):
        pf = parse_model(ProviderFile, read_yaml(path), path.name)
        out.update({f"{pf.provider}/{o.model}": o for o in pf.offers})
    return out


BUNDLED = _bundled_offers()
BUNDLED_TABLE = offer_price_table(BUNDLED) if BUNDLED else None

tokens = st.floats(min_value=0, max_value=400_000, allow_nan=False)
small = st.floats(min_value=0, max_value=50_000, allow_nan=False)
frac = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def workloads(draw: st.DrawFn) -> dict[str, float]:
    cached = draw(frac)
    return {
        "requests": draw(st.floats(min_value=0, max_value=1e8, allow_nan=False)),
        "input_tokens": draw(tokens), "output_tokens": draw(small), "reasoning_tokens": draw(small),
        "cached_fraction": cached, "cache_write_fraction": draw(frac) * (1 - cached),
        "batch_fraction": draw(frac), "off_peak_fraction": draw(frac),
    }


def _cost(**w: float) -> np.ndarray:
    assert BUNDLED_TABLE is not None
    return api_cost_matrix(BUNDLED_TABLE, **w)[:, 0]


needs_data = pytest.mark.skipif(not BUNDLED, reason="no data/api/*.yaml")
PROP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@needs_data
@PROP
@given(workloads(), st.sampled_from(["requests", "input_tokens", "output_tokens", "reasoning_tokens"]),
       st.floats(min_value=1e-3, max_value=1e5, allow_nan=False))
def test_cost_never_falls_when_a_count_rises(w, field, bump):
    """More requests or more tokens of any kind never lower any offer's bill."""
    before = _cost(**w)
    after = _cost(**{**w, field: w[field] + bump})
    assert np.all(after >= before * (1 - 1e-12) - 1e-12)


@needs_data
@PROP
@given(workloads())
def test_cached_fraction_zero_is_plain_price(w):
    """With no cache, batch or off-peak, the bill is requests x (input, output, reasoning) prices."""
    assert BUNDLED_TABLE is not None
    w = {**w, "cached_fraction": 0.0, "cache_write_fraction": 0.0, "batch_fraction": 0.0, "off_peak_fraction": 0.0}
    got = _cost(**w)
    exp = []
    for o in BUNDLED.values():
        price = o
        above = [t for t in o.tiers if w["input_tokens"] > t.above_input_tokens]
        tin, tout = (above[-1].usd_per_mtok_input, above[-1].usd_per_mtok_output) if above else (o.usd_per_mtok_input, o.usd_per_mtok_output)
        rsn = tout * ((o.usd_per_mtok_reasoning or o.usd_per_mtok_output) / o.usd_per_mtok_output) if o.usd_per_mtok_output else tout
        if above and above[-1].usd_per_mtok_reasoning is not None:
            rsn = above[-1].usd_per_mtok_reasoning
        per = (w["input_tokens"] * tin + w["output_tokens"] * tout + w["reasoning_tokens"] * rsn) / 1e6
        exp.append(w["requests"] * (per + price.usd_per_request))
    np.testing.assert_allclose(got, exp, rtol=1e-9, atol=1e-9)


@needs_data
@PROP
@given(workloads())
def test_batch_never_costs_more(w):
    """Sending everything through the batch API never costs more than sending none."""
    std = _cost(**{**w, "batch_fraction": 0.0})
    batch = _cost(**{**w, "batch_fraction": 1.0})
    assert np.all(batch <= std * (1 + 1e-12) + 1e-12)


@needs_data
def test_catalog_tiers_and_discounts_never_cheaper_than_base():
    """Data sanity behind the invariants: tiers never cut, batch and off-peak never raise prices."""
    for oid, o in BUNDLED.items():
        for t in o.tiers:
            assert t.usd_per_mtok_input >= o.usd_per_mtok_input, oid
            assert t.usd_per_mtok_output >= o.usd_per_mtok_output, oid
        for d in (o.batch, o.off_peak):
            if d is not None:
                assert d.usd_per_mtok_input <= o.usd_per_mtok_input, oid
                assert d.usd_per_mtok_output <= o.usd_per_mtok_output, oid
