# syntax=docker/dockerfile:1
# The aws-log-indexer image: the CLI on Node 24 LTS, `worker` by default, health and metrics on
# HEALTH_PORT. Builds for linux/amd64 and linux/arm64 (Graviton) alike: nothing below is
# architecture-specific (no native modules; tini and Node come for the target platform):
#   docker buildx build --platform linux/amd64,linux/arm64 -t aws-log-indexer .
# Keep NODE_IMAGE's version in step with NODE_24_VERSION in scripts/tools.sh (CI tests on it).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- build: compile TypeScript with the dev dependencies ----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` compiles, which needs the sources copied below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY types ./types
COPY src ./src
RUN npm run build

# --- deps: production dependencies only ----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# tini as PID 1: forwards SIGTERM (ECS stop, scale-in) to Node, whose worker then drains for
# SHUTDOWN_GRACE_SECONDS, and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends 'tini=0.19.0-1*' \
  && rm -rf /var/lib/apt/lists/*
# V8 grows its heap lazily up to a limit it derives from the memory it sees; capped here so that a
# worker's RSS fits a 512 MiB task with MAX_IN_FLIGHT_BYTES at its default (README, Memory and
# Fargate sizing; measured by `npm run bench:e2e`). Raise both together for larger tasks.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=256 \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=9464
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# The saved objects `setup --dashboards-url` imports (found relative to dist/).
COPY --chown=root:root dashboards ./dashboards
# The base image's unprivileged `node` user, by number so that runtimes can check it is not root.
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/aws-log-indexer.js"]
CMD ["worker"]
