"""Test-wide settings.

Property tests have no deadline: a busy machine (CI runners, parallel jobs) makes
per-example timing flaky, and speed is measured by the benchmarks, not by tests.
"""

from hypothesis import settings

settings.register_profile("project", deadline=None)
settings.load_profile("project")
