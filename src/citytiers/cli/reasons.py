"""How the commands print a quarantine reason on one line (``load``, ``releases list``)."""

from __future__ import annotations

import re


def reason_head(reason: str | None) -> str:
    """The first line of a quarantine reason. When that line only introduces a list
    ("file x.csv: 2 problem(s):", "validation suite ... failed:"), the first item instead
    (with the count), so that the line names the file and the cell at fault."""
    lines = [line.strip() for line in (reason or "").splitlines() if line.strip()]
    if not lines:
        return ""
    head = lines[0]
    if not head.endswith(":") or len(lines) < 2:
        return head
    first = lines[1].removeprefix("- ").strip()
    problems = re.search(r": (\d+) problem\(s\):$", head)
    if problems:
        count = int(problems.group(1))
        return first + (f" (and {count - 1} more problem(s))" if count > 1 else "")
    return f"{head} {first}"
