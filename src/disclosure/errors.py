"""Every exception of the package, and the input problem that names file, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file. `row` is the line as a spreadsheet user sees it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" 列“{self.column}”"
        return f"{where}:{self.message}"


class InputError(Exception):
    """Input that cannot be trusted; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(
        cls, file: str, message: str, row: int | None = None, column: str | None = None
    ) -> InputError:
        return cls([Problem(file, message, row, column)])


class ExpressionError(ValueError):
    """An expression that uses something outside the language, or names something unknown."""


class RunFailed(Exception):
    """The notebook raised or the kernel died; the failed notebook is kept as evidence."""

    def __init__(self, message: str, failed_dir: Path | None) -> None:
        self.failed_dir = failed_dir
        super().__init__(message)


class ChecksFailed(RuntimeError):
    """Raised in strict runs so papermill stops at the findings and keeps the notebook as
    evidence."""


class FontMissing(RuntimeError):
    """The CJK font is not installed: figures would show boxes instead of characters."""
