"""The Telegram adapter (python-telegram-bot 22): parse updates, call the core, render replies."""

import os

# python-telegram-bot 22 returns durations (a 429's retry_after) as int seconds and warns on every
# read that a future major version returns timedelta; opting in now gives timedelta and no warning.
# Our code reads both forms (outcomes.retry_after_seconds).
os.environ.setdefault("PTB_TIMEDELTA", "1")
