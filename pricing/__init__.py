"""Open weights vs paid API: the cost model."""
