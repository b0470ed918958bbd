"""Every benchmark module `python -m benchmarks` runs, in order: one line each (benchmarks/README.md)."""

MODULES = {
    "overlays": "benchmarks.overlays",
    "p1": "benchmarks.console_action",
    "p4": "benchmarks.review_throughput",
    "claims": "benchmarks.claims",
    "reviewers": "benchmarks.load_reviewers",
    "memory": "benchmarks.worker_memory",
}
