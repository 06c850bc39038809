# Punchlist's container image: one static binary, the web app, and nothing else it does not need.
#
#   docker build -t punchlist .
#   docker run --rm -p 7860:7860 -v punchlist-data:/data punchlist
#
# The contract the image keeps (checked without a Docker engine by scripts/ci.d/40-container-contract):
#   - runs as uid 1000 (what Hugging Face Spaces requires), from a root-owned, read-only /app;
#   - listens on 0.0.0.0:$PORT, 7860 unless the platform sets PORT (Render, Fly.io);
#   - keeps SQLite in DATA_DIR=/data, owned by uid 1000: attach a volume or disk there, or set
#     DATABASE_URL to a PostgreSQL server;
#   - `punchlist healthcheck` is the health check (no curl or shell needed);
#   - SIGTERM closes live connections with 1001, finishes requests in flight, then exits 0.
# Deployment guides for each platform: docs/DEPLOY.md.
#
# Only what .dockerignore allows reaches the build (an allowlist): Package.*, Sources/,
# Tests/PunchlistTests/ (the manifest names that target), linker/ and Public/.

# --- Build: Swift 6.3 on Debian 12, the same distribution as the runtime stage below, so the
# binary links against exactly the glibc and SQLite it will meet at run time.
FROM swift:6.3-bookworm AS build

# GRDB and compress-nio compile against the system SQLite's and zlib's headers; the static
# Foundation links libcurl for FoundationNetworking, which the MCP SDK uses. Package versions
# come from the base image's Debian release: pinned versions vanish from the archive when a
# security update lands.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies first, in their own layer: they change far less often than the sources.
COPY Package.* ./
RUN swift package resolve

COPY Sources ./Sources
COPY Tests/PunchlistTests ./Tests/PunchlistTests
COPY linker ./linker

# The Swift runtime and Foundation are linked in statically, so the runtime stage needs no Swift
# libraries. Every function gets its own section, so that the link (Package.swift, linker/) can
# put the code start-up runs together: 10 MiB less idle memory. The same flags as
# scripts/release-build. Stripping removes debug information and symbols (205 MB -> 86 MB); the
# unwind tables stay. Symbolicate a crash address offline with an unstripped build of the same commit.
RUN swift build -c release --static-swift-stdlib --product punchlist \
        -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/punchlist" /staging/usr/local/bin/punchlist \
    && strip /staging/usr/local/bin/punchlist

# The web app: plain files, served from PUBLIC_DIR=/app/Public. An image built from a tree without
# Public/ gets an empty directory, and `/` then serves the built-in landing page.
COPY . /context
RUN mkdir -p /context/Public /staging/app \
    && cp -R /context/Public /staging/app/Public \
    && chmod -R u=rwX,go=rX /staging/app

# --- Run: Debian 12 slim, plus the two packages the binary needs beyond it.
FROM debian:bookworm-slim

# libsqlite3-0: GRDB links the system SQLite. libcurl4: FoundationNetworking (in the MCP SDK)
# links it. ca-certificates: TLS to PostgreSQL (Neon, sslmode=verify-full), to an external JWKS
# and to the language model. libstdc++6 and zlib1g are already in the base.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libsqlite3-0 libcurl4 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 1000 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin punchlist \
    && install -d -o 1000 -g 1000 -m 0755 /data

# Root-owned and not writable by uid 1000: the process can change nothing but /data.
COPY --from=build /staging/ /

WORKDIR /app
ENV HOST=0.0.0.0 \
    PORT=7860 \
    DATA_DIR=/data \
    PUBLIC_DIR=/app/Public
USER 1000:1000
EXPOSE 7860

# Reads HOST/PORT like the server, so it follows a PORT the platform sets. The start period
# covers DATABASE_CONNECT_TIMEOUT (30 s) of waiting for a database that starts alongside.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["punchlist", "healthcheck"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["punchlist"]
CMD ["serve"]
