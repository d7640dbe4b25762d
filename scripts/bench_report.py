"""What the benchmark scripts share: the machine line and appending a
section to docs/benchmarks.md (and printing it)."""
from __future__ import annotations

import os
import platform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"


def publish(text: list[str], out: str | None) -> None:
    print("\n".join(text))
    if out:
        with open(os.path.join(ROOT, out), "a", encoding="utf-8") as handle:
            handle.write("\n".join(text))
