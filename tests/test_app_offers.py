"""All API offers page (the first page of the pricing-core issue): every offer ranked, with source and age."""

from __future__ import annotations

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
