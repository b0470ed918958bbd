"""What every benchmark module shares: the row it returns (benchmarks/README.md) and a few helpers."""

from __future__ import annotations

import re
import socket
import statistics
import time
from collections.abc import Callable, Sequence


def free_port() -> int:
    """A port no one listens on now, so that two runs (the suite's two passes side by side, or the
    suite beside `make bench`) never collide."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` consecutive ports no one listens on now (for a benchmark that numbers
    its servers from a base)."""
    import random

    for _ in range(200):
        base = random.randrange(20000, 60000 - count)  # noqa: S311 (not a secret)
        try:
            held = []
            for port in range(base, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
        return base
    raise RuntimeError(f"no {count} consecutive free ports")


GOAL = re.compile(r"^\s*(≤|<=|≥|>=)\s*([0-9.]+)\s*×?\s*$")


def meets(ratio: float | None, goal: str | None) -> bool | None:
    """Whether `ratio` meets a goal such as "≤ 1.3" or "≥ 20" (None: no goal or no ratio)."""
    if goal is None or ratio is None:
        return None
    match = GOAL.match(goal)
    if not match:
        raise ValueError(f"A goal is '≤ x' or '≥ x', not {goal!r}")
    bound = float(match.group(2))
    return ratio <= bound if match.group(1) in ("≤", "<=") else ratio >= bound


def figure(
    group: str,
    name: str,
    samples: Sequence[float],
    unit: str,
    reference_name: str,
    reference: Sequence[float] | float | None,
    goal: str | None = None,
    ratio: str = "value/reference",
    note: str = "",
) -> dict:
    """One row: the median of `samples` against the reference's median (or a recorded figure)."""
    if not samples:
        raise ValueError(f"{group}: {name}: no samples")
    if ratio not in ("value/reference", "reference/value"):
        raise ValueError(f"ratio is 'value/reference' or 'reference/value', not {ratio!r}")
    value = statistics.median(samples)
    if reference is None:
        reference_value = None
    elif isinstance(reference, (int, float)):
        reference_value = float(reference)
    else:
        reference_value = statistics.median(reference)
    quotient = None
    if reference_value:
        quotient = value / reference_value if ratio == "value/reference" else reference_value / value
    return {
        "group": group,
        "name": name,
        "value": value,
        "unit": unit,
        "reference_name": reference_name,
        "reference_value": reference_value,
        "ratio": quotient,
        "min": min(samples),
        "median": value,
        "max": max(samples),
        "goal": goal,
        "passed": meets(quotient, goal),
        "runs": len(samples),
        "note": note,
    }


def not_measured(group: str, name: str, why: str) -> dict:
    """A row saying why a figure could not be measured here; never a failure of the run."""
    return {
        "group": group,
        "name": name,
        "value": None,
        "unit": "",
        "reference_name": "",
        "reference_value": None,
        "ratio": None,
        "min": None,
        "median": None,
        "max": None,
        "goal": None,
        "passed": None,
        "runs": 0,
        "note": f"not measured: {why}",
    }


def wait_until(check: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    """Wait for an outcome (a server answering), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(every)
