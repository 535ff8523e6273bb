# studybot for Telegram and/or Discord: the code, the question bank and the schema migrations,
# run as an unprivileged user with its database on the /data volume.
#   docker build -t studybot .      (or: docker compose up -d --build; see README "Deploy")
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    STUDYBOT_DATA_DIR=/data \
    STUDYBOT_CONTENT_DIR=/app/content \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app

# Dependencies first, exactly as pinned (with hashes) in requirements.lock (scripts/lock writes it
# from pyproject.toml): this layer is rebuilt only when they change, not on every code change.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The code (with its Alembic migrations in bot/storage/migrations) and the question bank.
COPY bot ./bot
COPY content ./content

# Byte-code compiled at build time: the app folder is read-only for the user that runs it.
RUN python -m compileall -q bot \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin studybot \
    && mkdir -p /data \
    && chown studybot:studybot /data

USER studybot
VOLUME ["/data"]
# Only used in Telegram webhook mode (TELEGRAM_WEBHOOK_URL): the listener behind your TLS proxy.
EXPOSE 8443
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=20s --start-period=90s --retries=3 CMD ["python", "-m", "bot", "health"]
# --no-terminal: with no platform token set, stop with a clear error instead of a terminal chat.
CMD ["python", "-m", "bot", "run", "--no-terminal"]
