# syntax=docker/dockerfile:1.7
#
# One image per runtime (SPEC §1, §11), all built from the same esbuild bundles:
#   docker build --target lambda   -t artemis-lambda   --build-arg MCD_AGENT_VERSION=1.2.3 --build-arg MCD_AGENT_BUILD=45 .
#   docker build --target cloudrun -t artemis-cloudrun ...
#   docker build --target azure    -t artemis-azure    ...
#   docker build --target generic  -t artemis          ...
# MCD_AGENT_VERSION, MCD_AGENT_BUILD and MCD_AGENT_PRODUCTION_DATE (`--build-arg MCD_AGENT_PRODUCTION_DATE=$(date -u +%F)`)
# become environment variables that the health route reports, also as its agent_registration block. Node 22 is the
# floor (Node 20 is past end of life, and the AWS SDK v3 is dropping it): the build, Azure and generic images run
# it, Lambda and Cloud Run run Node 24 (see below). Each image holds only its dist/<target> folder: the bundles
# carry their dependencies, so no node_modules is installed in any runtime image.
#
# Each runtime stage also warms a V8 compile cache for its bundle (scripts/warm-compile-cache.mjs: the bundle is
# started as the platform starts it, answers a health check, and every chunk is compiled) into
# /opt/artemis/compile-cache, root-owned and read-only, and names it in NODE_COMPILE_CACHE. Node only accepts it
# when the node binary, the V8 flags and the user are those of the warm-up, so the warm-up runs in the final stage,
# as the user and with the flags the platform uses; where anything differs (or the bundle changed) Node compiles
# as if there were no cache, silently. BuildKit is needed (RUN --mount), as for `# syntax` above.

ARG NODE_VERSION=22
# Lambda and Cloud Run run Node 24: fewer instructions to the first answer, less memory, less CPU per request over
# HTTP, measured against 22 with the same bundles (README, "Node 24 for the Lambda and Cloud Run images").
ARG LAMBDA_NODE_VERSION=24
ARG CLOUDRUN_NODE_VERSION=24

# ---- build: install the workspace and bundle every target ---------------------------------------------------------
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /src
RUN npm install --global --no-fund --no-audit pnpm@10.34.8
# Manifests first, so the dependency layer is cached until one of them changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/connectors/package.json packages/connectors/
COPY packages/lambda/package.json packages/lambda/
COPY packages/cloudrun/package.json packages/cloudrun/
COPY packages/azure/package.json packages/azure/
COPY packages/generic/package.json packages/generic/
COPY packages/testkit/package.json packages/testkit/
RUN pnpm install --frozen-lockfile
COPY . .
RUN node_modules/.bin/tsx scripts/build.ts lambda cloudrun azure generic \
  # The metafiles are for tests and the bench, not for the images.
  && find dist -name meta.json -delete

# ---- lambda: AWS Lambda Node.js base image; handler "index.handler" = dist/lambda/index.mjs ------------------------
FROM public.ecr.aws/lambda/nodejs:${LAMBDA_NODE_VERSION} AS lambda
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
# Lambda's bootstrap sizes the V8 heap from the function's memory, and V8 flags are part of the cache key: list the
# memory sizes (MB) the image is deployed with (the infra templates default to 1024). Other sizes run uncached.
ARG LAMBDA_MEMORY_SIZES=1024
ARG MCD_AGENT_PRODUCTION_DATE=
COPY --from=build /src/dist/lambda/ ${LAMBDA_TASK_ROOT}/
# The heap from the function's memory (75% of AWS_LAMBDA_FUNCTION_MEMORY_SIZE, read at start): Lambda runs an exec
# wrapper with its own node command line, whose --max-old-space-size (~90% of the memory) would win over NODE_OPTIONS
# and leave the memory guard (MCD_MEMORY_GUARD_HEAP_FRACTION) no room for Buffers. See scripts/image/node-with-heap.
COPY --from=build --chmod=755 /src/scripts/image/node-with-heap /opt/node-with-heap
# Through /var/runtime/bootstrap itself and the same exec wrapper, so the flags (heap size included: Node 22 keys
# the cache by it) are the runtime's; as the user Lambda runs functions as (sbx_user1051, 993:990) and as root (the
# runtime interface emulator of local runs). /var/task is read-only in Lambda, as is this cache: nothing is written at
# run time (and /tmp would start empty at every cold start anyway).
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs lambda "${LAMBDA_TASK_ROOT}/index.mjs" --cache /opt/artemis/compile-cache \
      --lambda-bootstrap /var/runtime/bootstrap --exec-wrapper /opt/node-with-heap \
      --memory-sizes "${LAMBDA_MEMORY_SIZES}" --users 993:990,0:0 --read-only
ENV AWS_LAMBDA_EXEC_WRAPPER=/opt/node-with-heap \
    NODE_COMPILE_CACHE=/opt/artemis/compile-cache \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD} \
    MCD_AGENT_PRODUCTION_DATE=${MCD_AGENT_PRODUCTION_DATE}
CMD ["index.handler"]

# ---- cloudrun: slim Node, non-root, the adapter's own server on 0.0.0.0:$PORT --------------------------------------
FROM node:${CLOUDRUN_NODE_VERSION}-slim AS cloudrun
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
# The container memory limits (MiB) the image is deployed with (infra/terraform/gcp-cloudrun defaults to 1Gi): the
# heap flag node-with-heap derives from the limit is part of the compile cache's key. Other sizes run uncached.
ARG SERVER_MEMORY_SIZES=1024
ARG MCD_AGENT_PRODUCTION_DATE=
ENV NODE_ENV=production \
    PORT=8080 \
    MCD_LISTEN_HOST=0.0.0.0 \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD} \
    MCD_AGENT_PRODUCTION_DATE=${MCD_AGENT_PRODUCTION_DATE}
WORKDIR /app
COPY --from=build --chown=node:node /src/dist/cloudrun/ ./
COPY --from=build --chmod=755 /src/scripts/image/node-with-heap /usr/local/bin/node-with-heap
# The server started as CMD starts it (through node-with-heap, once without a memory limit and once per size in
# SERVER_MEMORY_SIZES, since the heap flag is part of the cache key), as the user it runs as; a health check; SIGTERM.
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs server /app/index.mjs --cache /opt/artemis/compile-cache \
      --exec-wrapper /usr/local/bin/node-with-heap --memory-sizes "${SERVER_MEMORY_SIZES}" \
      --users "$(id -u node):$(id -g node)" --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache
USER node
EXPOSE 8080
# Exec form, and node-with-heap ends in `exec node`: node itself is PID 1 and receives SIGTERM (a shell or
# `npm start` left in between would swallow it), so in-flight requests are drained before Cloud Run's SIGKILL. The
# heap is 75% of the container's memory limit, which Cloud Run sets from the service's configured memory.
CMD ["node-with-heap", "index.mjs"]

# ---- azure: Azure Functions Node 22 host; the app folder (host.json, package.json, index.mjs) is the wwwroot --------
FROM mcr.microsoft.com/azure-functions/node:4-node${NODE_VERSION} AS azure
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
ARG MCD_AGENT_PRODUCTION_DATE=
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD} \
    MCD_AGENT_PRODUCTION_DATE=${MCD_AGENT_PRODUCTION_DATE}
COPY --from=build /src/dist/azure/ /home/site/wwwroot/
# The Functions host starts the node worker itself and shares the container's memory with it: V8's default heap
# (a quarter of the memory Node sees) applies; set languageWorkers__node__arguments=--max-old-space-size=<MiB> to
# change it (README, "Memory"), and the compile cache then no longer matches (V8 flags are part of its key).
# The host runs the node worker as root, without V8 flags, and imports the app from this path. The cache lives
# outside /home, which App Service can mount over.
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs azure /home/site/wwwroot/index.mjs --cache /opt/artemis/compile-cache --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache

# ---- generic: the plain local server, for any container platform --------------------------------------------------
FROM node:${NODE_VERSION}-slim AS generic
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
# As in cloudrun: the memory limits (MiB) to warm the compile cache for, besides running without a limit.
ARG SERVER_MEMORY_SIZES=1024
ARG MCD_AGENT_PRODUCTION_DATE=
ENV NODE_ENV=production \
    PORT=8081 \
    MCD_LISTEN_HOST=0.0.0.0 \
    MCD_STORAGE_PATH=/app/.artemis/storage \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD} \
    MCD_AGENT_PRODUCTION_DATE=${MCD_AGENT_PRODUCTION_DATE}
WORKDIR /app
COPY --from=build --chown=node:node /src/dist/generic/ ./
COPY --from=build --chmod=755 /src/scripts/image/node-with-heap /usr/local/bin/node-with-heap
# The FILESYSTEM storage (the generic default) writes here; mount a volume to keep it.
RUN mkdir -p /app/.artemis/storage && chown -R node:node /app/.artemis
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs server /app/index.mjs --cache /opt/artemis/compile-cache \
      --exec-wrapper /usr/local/bin/node-with-heap --memory-sizes "${SERVER_MEMORY_SIZES}" \
      --users "$(id -u node):$(id -g node)" --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache
USER node
EXPOSE 8081
# The heap is 75% of the container's memory limit (`docker run --memory`), V8's default without one.
CMD ["node-with-heap", "index.mjs"]
