# filmclub in a container, with the store on a volume (see docs/deploy.md):
#   docker build -t filmclub .
#   docker run -d --name filmclub --env-file .env -v filmclub-data:/data filmclub
FROM python:3.11-slim

WORKDIR /app
COPY . /app
# The README's set-up command, without starting the bot.
RUN python3 -m venv .venv && . .venv/bin/activate && pip install -e .

# The store lives on the volume: it outlives the container, and upgrades (a new image)
# migrate it on start.
ENV PATH=/app/.venv/bin:$PATH \
    FILMCLUB_DB=/data/filmclub.db \
    PYTHONUNBUFFERED=1
RUN useradd --system --no-create-home --shell /usr/sbin/nologin filmclub \
    && mkdir -p /data && chown filmclub:filmclub /data
VOLUME ["/data"]
USER filmclub

# docker stop sends SIGTERM: running commands finish, the store closes checkpointed.
STOPSIGNAL SIGTERM
CMD ["filmclub", "run"]
