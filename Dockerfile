# syntax=docker/dockerfile:1.7
#
# One image per runtime (SPEC §1, §11), all built from the same esbuild bundles:
#   docker build --target lambda   -t artemis-lambda   --build-arg MCD_AGENT_VERSION=1.2.3 --build-arg MCD_AGENT_BUILD=45 .
#   docker build --target cloudrun -t artemis-cloudrun ...
#   docker build --target azure    -t artemis-azure    ...
#   docker build --target generic  -t artemis          ...
# MCD_AGENT_VERSION, MCD_AGENT_BUILD and MCD_AGENT_PRODUCTION_DATE (`--build-arg MCD_AGENT_PRODUCTION_DATE=$(date -u +%F)`)
# become environment variables that the health route reports, also as its agent_registration block. Images run
# Node 22 (Node 20 is past end of life, and the AWS SDK v3 is dropping it); each holds only its dist/<target>
# folder: the bundles carry their dependencies, so no node_modules is installed in any runtime image.

ARG NODE_VERSION=22

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
COPY packages/testkit/package.json packages/testkit/
RUN pnpm install --frozen-lockfile
COPY . .
RUN node_modules/.bin/tsx scripts/build.ts lambda cloudrun azure generic \
  # The metafiles are for tests and the bench, not for the images.
  && find dist -name meta.json -delete

# ---- lambda: AWS Lambda Node.js base image; handler "index.handler" = dist/lambda/index.mjs ------------------------
FROM public.ecr.aws/lambda/nodejs:${NODE_VERSION} AS lambda
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
ARG MCD_AGENT_PRODUCTION_DATE=
ENV MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD} \
    MCD_AGENT_PRODUCTION_DATE=${MCD_AGENT_PRODUCTION_DATE}
COPY --from=build /src/dist/lambda/ ${LAMBDA_TASK_ROOT}/
CMD ["index.handler"]

# ---- cloudrun: slim Node, non-root, the adapter's own server on 0.0.0.0:$PORT --------------------------------------
FROM node:${NODE_VERSION}-slim AS cloudrun
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
ARG MCD_AGENT_PRODUCTION_DATE=
ENV NODE_ENV=production \
    PORT=8080 \
    MCD_LISTEN_HOST=0.0.0.0 \
    MCD_AGENT_VERSION=${MCD_AGENT_VERSION} \
    MCD_AGENT_BUILD=${MCD_AGENT_BUILD} \
    MCD_AGENT_PRODUCTION_DATE=${MCD_AGENT_PRODUCTION_DATE}
WORKDIR /app
COPY --from=build --chown=node:node /src/dist/cloudrun/ ./
USER node
EXPOSE 8080
# Exec form: node itself is PID 1 and receives SIGTERM (a shell or `npm start` in between would swallow it), so
# in-flight requests are drained before Cloud Run's SIGKILL.
CMD ["node", "index.mjs"]

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

# ---- generic: the plain local server, for any container platform --------------------------------------------------
FROM node:${NODE_VERSION}-slim AS generic
ARG MCD_AGENT_VERSION=local
ARG MCD_AGENT_BUILD=0
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
# The FILESYSTEM storage (the generic default) writes here; mount a volume to keep it.
RUN mkdir -p /app/.artemis/storage && chown -R node:node /app/.artemis
USER node
EXPOSE 8081
CMD ["node", "index.mjs"]
