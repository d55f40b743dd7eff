# Flightdeck's image: the app and its CLIs (web, worker and one-off commands share it).
#   docker build -t flightdeck .
#   docker compose -f deploy/compose.yaml run --rm web python -m model.train   # first run
# See docs/deploy.md. Generated data, models and the SQLite log never go in the image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLIGHTDECK_HOME=/srv/flightdeck/var \
    FLIGHTDECK_AUTO_BUILD=0 \
    BIND_HOST=0.0.0.0 \
    PORT=8050

RUN groupadd --system --gid 10001 flightdeck \
    && useradd --system --uid 10001 --gid flightdeck \
       --home-dir /srv/flightdeck --shell /usr/sbin/nologin flightdeck

WORKDIR /srv/flightdeck/app

# Requirements first: this layer is rebuilt only when they change, not on every code edit.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=root:root . .
RUN mkdir -p /srv/flightdeck/var /srv/flightdeck/artifacts \
    && chown -R flightdeck:flightdeck /srv/flightdeck/var /srv/flightdeck/artifacts

USER 10001:10001
EXPOSE 8050

# /healthz: the process answers (slim has no curl; Python's urllib does the asking).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8050') + '/healthz', timeout=4)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
