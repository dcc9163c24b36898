"""`disclosure check` over a collection: every institution-year loaded and rebuilt as the per-year
pipeline does, then the whole rule catalogue evaluated once over all of them (checks.columnar)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from disclosure import pipeline
from disclosure.batch.collection import InstitutionYear
from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.catalogue import context
from disclosure.checks.columnar import Stack, check_stack, rule_names, stack
from disclosure.checks.rules import Context, Rule, load_rules
from disclosure.errors import InputError


@dataclass
class Loaded:
    stack: Stack
    bad_input: dict[str, list[str]] = field(default_factory=dict)  # key -> problems
    seconds: float = 0.0


def load_stack(items: list[InstitutionYear]) -> Loaded:
    """Each institution-year through the per-year stages up to the checks (load, previous year,
    rebuild, checklist) and into one stack; a year with bad input is set aside with its problems."""
    started = time.perf_counter()
    contexts, keys, bad = [], [], {}
    for item in items:
        try:
            data = pipeline.load(item.root, item.year)
            before = pipeline.previous(data)
            stats = pipeline.rebuild(data, before)
            checklist = pipeline.checklist(data)
        except InputError as exc:
            bad[item.key] = [str(p) for p in exc.problems]
            continue
        previous_year = before.year if before.statistics is not None else None
        contexts.append(context(data, stats, checklist, previous_year))
        keys.append({"institution": item.institution, "year": item.year})
    names = rule_names(catalogue(items[0].root, contexts)) if contexts else True
    loaded = stack(contexts, pd.DataFrame(keys, columns=["institution", "year"]), encode=names)
    return Loaded(loaded, bad, time.perf_counter() - started)


def catalogue(forms_root: Path, contexts: list[Context]) -> list[Rule]:
    """The rule catalogue of forms_root/forms, for the tables the contexts hold."""
    columns = {name: tuple(frame.columns) for name, frame in contexts[0].tables.items()}
    return load_rules(forms_root, int(contexts[0].values["form_rows"]), columns)


def check_loaded(loaded: Loaded, forms_root: Path, detail: str = "failed") -> pd.DataFrame:
    """Every rule of the shared catalogue on every loaded institution-year."""
    rules = catalogue(forms_root, loaded.stack.contexts)
    return check_stack(loaded.stack, rules, CODE_CHECKS, detail)
