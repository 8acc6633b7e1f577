"""The answer at a glance: headline against the references, readable tables, a share link that
round-trips, and computed current-generation defaults (issue 12)."""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pyarrow as pa
import pytest

from pricing import clock
from pricing.compare import current_closed_offers, release_date, version_of
from tests.app_helpers import new_app, no_exceptions, ranked

BAD_TEXT = {"none", "nan", "nat", "<na>", "null"}


@pytest.fixture(scope="module")
def big():
    """The chat-assistant preset at 20M requests a month, on the Compare page."""
    at = new_app()
    at.query_params["w0_req"] = "20000000"
    at.run()
    no_exceptions(at)
    return at


def test_headline_names_the_references_and_their_savings(big) -> None:
    first = str(big.success[0].value)
    assert first.startswith("For chat assistant, the cheapest route is ") and "/month" in first
    refs = " ".join(m.value for m in big.markdown)
    for what in ("the best closed API", "the model maker's own API", "the best self-hosted route"):
        assert what in refs, what
    df = ranked(big)
    closed = df[df["Kind"] == "Closed API"].iloc[0]
    assert f"Against the best closed API ({closed['Route']}," in refs
    maker = df[df["Kind"] == "Maker's API"]
    assert any(f"({r}," in refs for r in maker["Route"])
    # savings in money and in %: "it saves $3.7k/month (86%)"
    assert refs.count("it saves $") >= 2 and refs.count("%)") >= 2


def test_quality_floor_from_a_reference_model(big) -> None:
    at = big
    opts = at.selectbox(key="minq_ref").options
    ref = next(o for o in opts if o.startswith("openai/gpt-5.5 "))
    at.selectbox(key="minq_ref").set_value(ref.split(" ")[0])
    at.run()
    no_exceptions(at)
    assert "at least as good as openai/gpt-5.5" in str(at.success[0].value)
    q = ranked(at)["Quality"].astype(float)
    assert q.notna().all() and (q >= float(ref.split("quality ")[1].rstrip(")"))).all()
    at.selectbox(key="minq_ref").set_value("")
    at.run()


def _cells(at) -> list[tuple[str, str, object]]:
    """(table key, column, what the grid draws) for every cell of every table on the page."""
    out = []
    for d in at.dataframe:
        raw = d.value
        disp = None
        if d.proto.arrow_data.styler.display_values:
            disp = pa.ipc.open_stream(d.proto.arrow_data.styler.display_values).read_all().to_pandas()
        for j, col in enumerate(raw.columns):
            for i in range(len(raw)):
                shown = disp.iloc[i, j] if disp is not None and disp.shape == raw.shape else None
                out.append((str(d.proto.id or d.key), str(col), shown if shown is not None else raw.iloc[i, j]))
    return out


@pytest.mark.parametrize("page", ["views/compare.py", "views/offers.py", "views/breakeven.py", "views/plan.py",
                                  "views/sensitivity.py", "views/selfhost.py", "views/catalog.py"])
def test_no_table_cell_reads_none_or_nan(page) -> None:
    at = new_app()
    at.query_params["w0_req"] = "20000000"
    at.run()
    at.switch_page(page)
    at.run()
    no_exceptions(at)
    if page == "views/compare.py":
        at.multiselect(key="ranked_table_cols").set_value(list(at.multiselect(key="ranked_table_cols").options))
        at.run()
    assert at.dataframe, page
    bad = []
    for key, col, v in _cells(at):
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip().lower() in BAD_TEXT:
            bad.append((key, col, v))
    assert not bad, bad[:10]


def test_share_link_reproduces_the_session() -> None:
    at = new_app()
    at.run()
    at.selectbox(key="w0_preset").set_value("coding agent")
    at.run()
    at.number_input(key="w0_req").set_value(20_000_000.0)
    at.run()
    at.number_input(key="w0_out").set_value(999.0)
    at.number_input(key="minq").set_value(12.0)
    at.text_input(key="cur").input("EUR")
    at.run()
    at.number_input(key="rate").set_value(0.9)
    at.button(key="edit_defaults").click()
    at.run()
    no_exceptions(at)
    link = next(c.value for c in at.code if "?" in c.value)
    query = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
    bar = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert query == bar  # the page's own link is the address bar's
    assert {"w0_req", "w0_preset", "w0_out", "minq", "cur", "rate", "cands", "api", "sh"} <= set(query)
    again = new_app()
    for k, v in query.items():
        again.query_params[k] = v
    again.run()
    no_exceptions(again)
    from app import state

    keys = [p.key for p in state.params()]
    for k in keys:
        if k in at.session_state:
            assert again.session_state[k] == at.session_state[k], k
    pd.testing.assert_frame_equal(ranked(again), ranked(at))
    assert str(again.success[0].value) == str(at.success[0].value)


def test_default_candidates_are_current_and_include_each_closed_providers_newest() -> None:
    from pricing.catalog import default_catalog

    cat = default_catalog()
    today = clock.today()
    at = new_app()
    at.run()
    ids = set(ranked(at)["Route id"])
    api = {i for i in ids if i in cat.offers}
    assert api
    for i in api:
        o = cat.offers[i]
        assert not o.is_retired(today), i
        assert not o.successor or o.successor not in cat.offers or cat.offers[o.successor].is_retired(today), i
    for prov, pf in cat.providers.items():
        if pf.kind != "closed":
            continue
        mine = [i for i, p in cat.offer_provider.items() if p == prov and not cat.offers[i].is_retired(today)]
        newest = max(mine, key=lambda i: (release_date(cat, i) or dt.date.min, version_of(cat.offers[i].model) or -1))
        assert newest in api, (prov, newest)
    assert set(current_closed_offers(cat, today)) <= api


def test_every_default_route_has_a_cost(big) -> None:
    """Owned self-hosting is a default only on a GPU with a sourced purchase price: a default row never
    ranks with a blank cost (owned MI325X routes did, with the reason hidden under More columns)."""
    df = ranked(big)
    assert df["Monthly cost"].notna().all(), list(df[df["Monthly cost"].isna()]["Route"])
    assert not any("No cost for" in str(c.value) for c in big.caption)


def test_a_route_without_a_cost_says_why_under_the_table() -> None:
    from pricing.catalog import default_catalog

    cat = default_catalog()
    gpu = next(g for g, spec in sorted(cat.gpus.items()) if spec.purchase_usd is None)
    at = new_app()
    at.query_params["cands"] = "chosen"
    at.query_params["api"] = "openai/gpt-oss-20b"
    at.query_params["sh"] = f"openai/gpt-oss-20b@{gpu}:fp8:owned"
    at.run()
    no_exceptions(at)
    why = [str(c.value) for c in at.caption if "No cost for" in str(c.value)]
    assert why and f"no purchase price for {gpu}" in why[0], why


def test_every_page_holds_to_the_quality_floor_set_on_compare() -> None:
    """With a quality floor, How sure / Break-even / Plan name the same winner as Compare (they ignored
    the floor and named a cheaper route below it)."""
    at = new_app()
    at.query_params.update({"w0_req": "20000000", "minq_ref": "openai/gpt-5.5"})
    at.run()
    no_exceptions(at)
    table = ranked(at)
    best = table.sort_values("Monthly cost").iloc[0]["Route"]
    assert table["Rank"].iloc[0] == 1 and table["Route"].iloc[0] == best  # ranked among the routes shown
    assert f"is {best} at " in str(at.success[0].value)
    at.switch_page("views/sensitivity.py").run()
    no_exceptions(at)
    assert f"the winner is **{best}**" in at.markdown[0].value
    assert any("the quality floor set on Compare" in c.value for c in at.caption)
    at.switch_page("views/breakeven.py").run()
    no_exceptions(at)
    table = at.dataframe[0].value
    assert best in set(table["Route A"]) | set(table["Route B"])
    at.switch_page("views/plan.py").run()
    no_exceptions(at)
    plan_routes = set(at.dataframe[0].value["Route"])
    assert best in plan_routes
