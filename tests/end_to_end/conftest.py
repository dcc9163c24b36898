"""Everything in tests/end_to_end/ runs real notebooks or the real command: marked e2e (slow)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "end_to_end" in item.path.parts:
            item.add_marker(pytest.mark.e2e)
