"""The benchmarks reuse the test suite's fixtures: the live console, its sandbox, Chromium."""

from tests.browser.conftest import *  # noqa: F403
from tests.conftest import *  # noqa: F403
