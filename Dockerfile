# syntax=docker/dockerfile:1.7
#
# One image per runtime (SPEC §1, §11), all built from the same esbuild bundles:
#   docker build --target lambda   -t artemis-lambda   --build-arg MCD_AGENT_VERSION=1.2.3 --build-arg MCD_AGENT_BUILD=45 .
#   docker build --target cloudrun -t artemis-cloudrun ...
#   docker build --target azure    -t artemis-azure    ...
#   docker build --target generic  -t artemis          ...
# MCD_AGENT_VERSION and MCD_AGENT_BUILD become environment variables that the health route reports. Node 22 is the
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
COPY --from=build /src/dist/lambda/ ${LAMBDA_TASK_ROOT}/
# Through /var/runtime/bootstrap itself (AWS_LAMBDA_EXEC_WRAPPER), so the flags are the runtime's; as the user
# Lambda runs functions as (sbx_user1051, 993:990) and as root (the runtime interface emulator of local runs). /var/task
# is read-only in Lambda, as is this cache: nothing is written at run time (and /tmp would start empty at every
# cold start anyway).
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs lambda "${LAMBDA_TASK_ROOT}/index.mjs" --cache /opt/artemis/compile-cache \
      --lambda-bootstrap /var/runtime/bootstrap --memory-sizes "${LAMBDA_MEMORY_SIZES}" --users 993:990,0:0 --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD}
CMD ["index.handler"]

# ---- cloudrun: slim Node, non-root, the adapter's own server on 0.0.0.0:$PORT --------------------------------------
FROM node:${CLOUDRUN_NODE_VERSION}-slim AS cloudrun
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
ENV NODE_ENV=production \
    PORT=8080 \
    MCD_LISTEN_HOST=0.0.0.0 \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD}
WORKDIR /app
COPY --from=build --chown=node:node /src/dist/cloudrun/ ./
# The server started as CMD starts it, as the user it runs as; a health check; SIGTERM.
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs server /app/index.mjs --cache /opt/artemis/compile-cache \
      --users "$(id -u node):$(id -g node)" --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache
USER node
EXPOSE 8080
# Exec form: node itself is PID 1 and receives SIGTERM (a shell or `npm start` in between would swallow it), so
# in-flight requests are drained before Cloud Run's SIGKILL.
CMD ["node", "index.mjs"]

# ---- azure: Azure Functions Node 22 host; the app folder (host.json, package.json, index.mjs) is the wwwroot --------
FROM mcr.microsoft.com/azure-functions/node:4-node${NODE_VERSION} AS azure
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD}
COPY --from=build /src/dist/azure/ /home/site/wwwroot/
# The Functions host runs the node worker as root, without V8 flags, and imports the app from this path. The cache
# lives outside /home, which App Service can mount over.
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs azure /home/site/wwwroot/index.mjs --cache /opt/artemis/compile-cache --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache

# ---- generic: the plain local server, for any container platform --------------------------------------------------
FROM node:${NODE_VERSION}-slim AS generic
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
ENV NODE_ENV=production \
    PORT=8081 \
    MCD_LISTEN_HOST=0.0.0.0 \
    MCD_STORAGE_PATH=/app/.artemis/storage \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD}
WORKDIR /app
COPY --from=build --chown=node:node /src/dist/generic/ ./
# The FILESYSTEM storage (the generic default) writes here; mount a volume to keep it.
RUN mkdir -p /app/.artemis/storage && chown -R node:node /app/.artemis
RUN --mount=type=bind,from=build,source=/src/scripts/warm-compile-cache.mjs,target=/tmp/warm-compile-cache.mjs \
    node /tmp/warm-compile-cache.mjs server /app/index.mjs --cache /opt/artemis/compile-cache \
      --users "$(id -u node):$(id -g node)" --read-only
ENV NODE_COMPILE_CACHE=/opt/artemis/compile-cache
USER node
EXPOSE 8081
CMD ["node", "index.mjs"]
