"""The platform-neutral core: it decides, adapters translate.

Nothing under bot/core imports a platform library (telegram, discord), the storage driver
(aiosqlite, SQLAlchemy) or the scheduler (apscheduler); tests enforce it.
"""
