"""`disclosure check` over a collection: every institution-year through the per-year stages up to
the checks, then the rule catalogue over all of them at once (`checks.many`, N institution-years).

Where the time goes is loading (reading, validating and rebuilding a year), so:
- each year is loaded once: a year's previous year is the table already rebuilt for it, not a
  second load (`pipeline.previous(data, rebuilt)`);
- the form is read once per process for each content of forms/ (`inputs.formset`);
- institutions are shared among `jobs` worker processes (each loads and checks its own share;
  two workers give about 1.9x on two cores), and the findings are joined in the order given.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from disclosure import pipeline
from disclosure.batch.collection import InstitutionYear
from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.catalogue import context, forms_of, rules_for
from disclosure.checks.findings import COLUMNS
from disclosure.checks.many import check_many
from disclosure.checks.rules import Context
from disclosure.compute.statistics import statistics, with_previous
from disclosure.errors import InputError
from disclosure.inputs.dataset import YearData
from disclosure.inputs.formset import FormSet

KEYS = ["institution", "year"]
IN_PROCESS_BELOW = 16  # fewer institution-years than this: no worker processes (start-up costs)


@dataclass
class CollectionCheck:
    findings: pd.DataFrame  # institution, year and the findings columns, one row per finding
    checked: list[tuple[str, str]] = field(default_factory=list)  # (institution, year) checked
    bad_input: dict[str, list[str]] = field(default_factory=dict)  # key -> problems
    load_seconds: float = 0.0  # CPU seconds of loading, summed over the workers
    rule_seconds: float = 0.0  # CPU seconds of the rules, summed over the workers
    seconds: float = 0.0  # wall-clock, end to end

    def failing(self) -> int:
        """How many institution-years failed an error check."""
        found = self.findings
        bad = found[(found["passed"] == False) & (found["severity"] == "error")]  # noqa: E712
        return int(bad[KEYS].drop_duplicates().shape[0])


def check_collection(
    items: Sequence[InstitutionYear], jobs: int | None = None, detail: str = "failed"
) -> CollectionCheck:
    """Every institution-year of `items`: loaded, rebuilt and checked; a year with bad input is set
    aside with its problems. `jobs` worker processes (default: one per core)."""
    started = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    shares = _shares(items, jobs if len(items) >= IN_PROCESS_BELOW else 1)
    if len(shares) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=len(shares)) as pool:
            parts = list(pool.map(_check_share, shares, [detail] * len(shares)))
    else:
        parts = [_check_share(share, detail) for share in shares]
    order = {(i.institution, i.year): n for n, i in enumerate(items)}
    frames = [f for part in parts for f in part.frames]
    findings = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEYS + COLUMNS)
    )
    if len(findings):
        rank = [order[k] for k in zip(findings["institution"], findings["year"], strict=True)]
        findings = (
            findings.assign(_at=rank)
            .sort_values("_at", kind="stable")
            .drop(columns="_at")
            .reset_index(drop=True)
        )
    checked = sorted((k for part in parts for k in part.checked), key=order.__getitem__)
    bad = {k: v for part in parts for k, v in part.bad_input.items()}
    return CollectionCheck(
        findings,
        checked,
        {i.key: bad[i.key] for i in items if i.key in bad},
        sum(p.load_seconds for p in parts),
        sum(p.rule_seconds for p in parts),
        time.perf_counter() - started,
    )


@dataclass
class _Part:
    frames: list[pd.DataFrame] = field(default_factory=list)
    checked: list[tuple[str, str]] = field(default_factory=list)
    bad_input: dict[str, list[str]] = field(default_factory=dict)
    load_seconds: float = 0.0
    rule_seconds: float = 0.0


def _shares(items: Sequence[InstitutionYear], jobs: int) -> list[list[InstitutionYear]]:
    """Whole institutions (their years load each other's previous year) dealt to `jobs` shares,
    largest first, each to the share with the fewest years so far."""
    by_institution: dict[str, list[InstitutionYear]] = defaultdict(list)
    for item in items:
        by_institution[item.institution].append(item)
    shares: list[list[InstitutionYear]] = [[] for _ in range(max(1, jobs))]
    for group in sorted(by_institution.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [s for s in shares if s]


def _check_share(items: list[InstitutionYear], detail: str) -> _Part:
    part = _Part()
    cpu = time.process_time()
    contexts: dict[str, list[tuple[tuple[str, str], Context]]] = defaultdict(list)
    forms: dict[str, FormSet] = {}
    by_root: dict[str, _Years] = {}
    for item in items:
        years = by_root.setdefault(str(item.root), _Years(item))
        try:
            data, plain = years.get(item.year)
            before = pipeline.previous(data, lambda y, years=years: years.get(y)[1])
            stats = with_previous(plain, before.statistics)
            checklist = pipeline.checklist(data)
        except InputError as exc:
            part.bad_input[item.key] = [str(p) for p in exc.problems]
            continue
        previous_year = before.year if before.statistics is not None else None
        ctx = context(data, stats, checklist, previous_year)
        digest = forms_of(data).digest
        forms[digest] = forms_of(data)
        contexts[digest].append(((item.institution, item.year), ctx))
    part.load_seconds = time.process_time() - cpu
    cpu = time.process_time()
    for digest, entries in contexts.items():  # each form's catalogue over its own years
        rules = rules_for(forms[digest], entries[0][1])
        found = check_many([c for _, c in entries], rules, CODE_CHECKS, detail)
        for (key, _), frame in zip(entries, found, strict=True):
            part.checked.append(key)
            if len(frame):
                part.frames.append(frame.assign(institution=key[0], year=key[1])[KEYS + COLUMNS])
    part.rule_seconds = time.process_time() - cpu
    return part


class _Years:
    """One institution's years, each loaded and rebuilt once (or its InputError, kept)."""

    def __init__(self, item: InstitutionYear) -> None:
        self.root = item.root
        self.done: dict[str, tuple[YearData, pd.DataFrame] | InputError] = {}

    def get(self, year: str) -> tuple[YearData, pd.DataFrame]:
        if year not in self.done:
            try:
                data = pipeline.load(self.root, year)
                self.done[year] = (data, statistics(data))
            except InputError as exc:
                self.done[year] = exc
        found = self.done[year]
        if isinstance(found, InputError):
            raise found
        return found
