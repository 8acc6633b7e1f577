"""The errors a user can act on; anything else raised is a bug."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in one place: file, entry, field and what is wrong."""

    file: str
    entry: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.entry, self.field) if p)
        return f"{where}: {self.message}" if where else self.message


class PricingError(Exception):
    """Base of every error the user can fix by changing an input."""


class DataError(PricingError):
    """One or more problems in data files or scenario files, each naming file, entry and field."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues) or "invalid data")


class UnknownIdError(PricingError):
    """An id (offer, model, GPU, hosting) that the catalog does not hold; suggests close matches."""

    def __init__(self, kind: str, given: str, known: Iterable[str]):
        self.kind, self.given = kind, given
        known_list = list(known)
        lower = {k.lower(): k for k in known_list}
        close = [lower[m] for m in difflib.get_close_matches(given.lower(), list(lower), n=5, cutoff=0.5)]
        if not close:
            tail = given.lower().rsplit("/", 1)[-1]
            close = [k for k in known_list if tail and tail in k.lower()][:5]
        self.suggestions = close
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        super().__init__(f"unknown {kind} id {given!r}{hint}")


class InputError(PricingError):
    """A bad argument or value given by the user (CLI flag, widget, query parameter)."""
