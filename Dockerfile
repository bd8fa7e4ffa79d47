# syntax=docker/dockerfile:1
# The orchestrator image: `orchestrator run` (webhooks + manager) as config/manager runs it.
#   docker build -t ghcr.io/5dlabs/orchestrator:0.1.0 .      (or buildah bud)
# Three stages: production dependencies, the TypeScript build, and a distroless runtime (no shell, no
# package manager) running as the unprivileged user 65532. The bases are build arguments so that a
# mirror or a locally built base can stand in (the local cluster builds this image from its own:
# images/node and images/node-runtime, src/cluster/operator-image.ts); the defaults are the public ones.
# Built for another platform (`--platform linux/arm64`), the build stage still runs on the build
# machine's own (BUILDPLATFORM): its output is JavaScript, the same on every CPU, and tsc under QEMU
# took more than 20 minutes (docs/decisions/0051). The dependencies' stage and the runtime are the
# target's, so npm there installs what the target's CPU needs. They say so (`--platform=$TARGETPLATFORM`,
# buildx's default): buildah before 1.40 carries one stage's --platform into the stages after it
# (containers/buildah#5968), so the runtime would otherwise be looked up, or pulled, for the build
# machine's CPU. Without --platform, buildah leaves TARGETPLATFORM empty and nothing changes.
ARG NODE_IMAGE=node:24-bookworm-slim
# The build stage's base, taken for BUILDPLATFORM: by default the same multi-platform image. A base of
# one platform only (a local build's images/node) names the build machine's here.
ARG BUILD_NODE_IMAGE=${NODE_IMAGE}
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM --platform=$TARGETPLATFORM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional: the optional dependencies are the development Node (node-linux-<cpu>), which the
# runtime base has, and handlebars' uglify-js, which rendering does not use.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM --platform=$BUILDPLATFORM ${BUILD_NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
# The sources import the schemas' shared definitions (schemas/shared/expand.js).
COPY schemas ./schemas
COPY src ./src
# The build also writes the schemas' precompiled validators (src/validation/precompiled.ts).
COPY scripts/build.js scripts/generate-validators.js ./scripts/
RUN npm run build

FROM --platform=$TARGETPLATFORM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
# What package.json "files" ships, but the local control plane's Go module (cluster/: `orchestrator
# cluster up` builds it where Go is installed, never in a cluster). The schemas are read at run time
# (validation); the rest are the defaults a cluster install overrides with mounted ConfigMaps
# (config/manager). Everything is owned by root and readable by all: the user 65532 reads it, and
# can change none of it.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY crds ./crds
COPY webhooks ./webhooks
COPY templates ./templates
COPY config ./config
COPY console ./console
USER 65532:65532
# --max-semi-space-size: V8's young generation (two semi-spaces) grows to 2 × 16 MiB under a steady
# allocation rate, a fifth of the manager's memory; a reconcile's garbage lives for microseconds, so
# 2 × 4 MiB hold it (docs/design.md §12.1 has the measurement). --liftoff-only: the HTTP client's parser
# (undici's llhttp, WebAssembly) compiled by the baseline compiler alone; its optimizing compile took
# ~25 MiB of peak memory at the first apiserver call (docs/decisions/0088-lean-manager-start.md). The
# one place the manager's Node.js flags are stated: `npm start`, the benchmarks and test replicas read them from here
# (scripts/manager-node-flags.js).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "--liftoff-only", "/app/bin/orchestrator.js", "run"]
