"""Settings of the benchmark: the test settings (fast hasher, eager Celery) with DEBUG off.

bench.run sets DATABASE_URL to the bench database before Django reads these settings.
"""

from portal.settings.test import *  # noqa: F403

# DEBUG off, as in production: with it on, Django would keep every query in memory and pages
# would render debug-only extras, and both would skew the figures.
DEBUG = False

# Quiet: the bench prints its own figures (axes logs every force_login at INFO).
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # noqa: F405
