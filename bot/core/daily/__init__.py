"""The question of the day: subscriptions at local time, delivered exactly once per local day."""
