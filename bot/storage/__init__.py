"""Storage: SQLAlchemy Core repositories over SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
