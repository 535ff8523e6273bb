"""Scheduling: APScheduler 3 wakes the core's delivery steps at the right moments."""
