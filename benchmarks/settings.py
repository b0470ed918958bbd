"""The product's settings plus one bare view, for the benchmarks only (never in production URLs)."""

from reviewer.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
