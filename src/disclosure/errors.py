"""Errors that name the file, the row and what was expected, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass


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
    def one(cls, file: str, message: str, row: int | None = None, column: str | None = None) -> InputError:
        return cls([Problem(file, message, row, column)])
