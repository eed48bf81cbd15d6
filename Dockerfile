# fitd container image: multi-stage build, non-root runtime, HEALTHCHECK.
#
#   docker build -t fitd .
#   docker run -p 8080:8080 -v fitd-data:/data fitd
#   docker run --rm -v "$PWD:/w" -w /w fitd fit api/examples/linear.json   # one job, in-process
#
# Configuration is by FITD_* environment variables (`docker run fitd serve --help`).
# Set the port with FITD_PORT (not `serve --port`): the HEALTHCHECK reads it.
# The sqlite store lives in /data (a volume owned by fitd, uid:gid 10001:10001).
# fitd drains on SIGTERM for FITD_GRACE seconds (default 10): give `docker stop`
# a longer timeout (e.g. -t 15 / stop_grace_period: 15s) so running jobs can finish.

# ---- stage 1: build build/fitd -------------------------------------------------
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential libjansson-dev libmicrohttpd-dev libsqlite3-dev libpq-dev libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the server binary needs (the Makefile + src/), so edits to tests,
# docs or the API contract do not invalidate the compile layer.
COPY Makefile ./
COPY src/ src/
# The Makefile's flags are portable (no -march=native; -ffp-contract=off keeps
# results bit-identical across x86-64 machines). Debug info is stripped here.
RUN make -j"$(nproc)" build/fitd \
 && strip --strip-unneeded build/fitd \
 && build/fitd serve --help >/dev/null
COPY docker/healthcheck.sh ./
RUN install -m 0755 healthcheck.sh build/fitd-healthcheck

# ---- stage 2: runtime -----------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libjansson4 libmicrohttpd12 libsqlite3-0 libpq5 libjemalloc2 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && groupadd --system --gid 10001 fitd \
 && useradd --system --uid 10001 --gid fitd --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin fitd \
 && install -d -o fitd -g fitd -m 0750 /data
COPY --from=build /src/build/fitd /src/build/fitd-healthcheck /usr/local/bin/
ENV FITD_BIND=0.0.0.0 \
    FITD_PORT=8080 \
    FITD_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
# GET /livez on $FITD_PORT with bash's /dev/tcp (no curl in the image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/fitd-healthcheck"]
STOPSIGNAL SIGTERM
USER fitd:fitd
ENTRYPOINT ["/usr/local/bin/fitd"]
CMD ["serve"]
