"""How the garbage collector runs: rarely while xhsvc starts, as Python's default once it works.

Starting makes hundreds of thousands of objects that live until the end (modules, classes,
tables); with the default threshold of 700 the collector walks them again and again while they
are made (a tenth of the dashboard's start). So the start runs with a high threshold, and once a
command's database is open (the dashboard: once its first screen is up), what exists is frozen out
of the collector's walks and the default threshold returns, so that what the work makes is freed
as it goes. Left at the starting threshold, an import of 100,000 rows kept 22 MB of garbage
cycles until it ended, and the dashboard would keep a day's.
"""

from __future__ import annotations

import gc

STARTING_THRESHOLD = (100_000, 50, 100)
RUNNING_THRESHOLD = (700, 10, 10)  # Python's own


def start_collector() -> None:
    gc.set_threshold(*STARTING_THRESHOLD)


def settle_collector() -> None:
    gc.freeze()
    gc.set_threshold(*RUNNING_THRESHOLD)
