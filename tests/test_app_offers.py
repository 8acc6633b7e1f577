"""All API offers page (the first page of the pricing-core issue): every offer ranked, with source and age."""

from __future__ import annotations

import math

from tests.app_helpers import new_app, no_exceptions


def test_every_offer_is_ranked_with_source_and_age(catalog) -> None:
    at = new_app()
    at.run()
    at.switch_page("views/offers.py")
    at.run()
    no_exceptions(at)
    df = at.dataframe[0].value
    assert len(df) == len(catalog.offers)
    assert df["Monthly cost"].is_monotonic_increasing
    assert df["Price age"].str.match(r"^(fresh|aging|STALE) \(\d+ d\)$").all()
    assert df["As of"].notna().all()
    assert (df["Source"] != "").mean() > 0.9
    first = df["Monthly cost"].iloc[0]

    at.selectbox(key="w0_preset").set_value("reasoning-heavy agent")
    at.run()
    no_exceptions(at)
    df2 = at.dataframe[0].value
    assert df2["Monthly cost"].iloc[0] != first
    assert at.session_state["w0_rsn"] > 0

    at.text_input(key="cat_q").input("deepseek")
    at.run()
    shown = at.dataframe[0].value
    assert 0 < len(shown) < len(df)
    assert all("deepseek" in (o + p + w).lower() for o, p, w in
               zip(shown["Offer"], shown["Provider"], shown["Open weights"], strict=True))


def test_the_deciding_columns_fit_1440_px_with_quality_and_whole_provider_names() -> None:
    import json

    at = new_app()
    at.run()
    at.switch_page("views/offers.py").run()
    no_exceptions(at)
    table = at.dataframe[0]
    df = table.value
    cols = json.loads(table.proto.columns)
    deciding = ["Rank", "Offer", "Provider", "Monthly cost", "Per 1M tokens", "Quality", "Price age"]
    assert list(df.columns[: len(deciding)]) == deciding
    assert sum(cols[c]["width"] for c in deciding) <= 978  # the grid: 980 px less its borders
    assert cols["Provider"]["width"] >= max(len(p) for p in df["Provider"]) * 6 + 16  # 'Nebius Token Factory' was cut
    q = df["Quality"].astype(float)
    assert 0.3 < q.map(math.isfinite).mean() < 1  # sourced scores shown; a missing one is drawn blank (+-inf)
    assert not (q == 0).any()
