"""The product's settings plus one bare view, for the benchmarks only (never in production URLs).

A process started with SERVE=sandbox (the demo layout's sandbox) keeps the sandbox's own URLs."""

from reviewer.settings import *  # noqa: F403

if SERVE != "sandbox":  # noqa: F405
    ROOT_URLCONF = "benchmarks.urls"
