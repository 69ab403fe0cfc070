"""A finding of the checks (tools layer): where (file and key) and what, an error or a warning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: where (file and key) and what."""

    file: str
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.severity}: {self.message}"
