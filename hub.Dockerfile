# syntax=docker/dockerfile:1
# The hub: Koa API + dashboard + embedded MQTT broker (or a client of an external one) + SQLite/PostgreSQL.
# Node pinned to the release the project is developed and tested on (node -v: v20.20.2).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- deps: production dependencies only. better-sqlite3 compiles from source when no prebuilt binary
# matches, hence the toolchain here (and only here). ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node's
# optional CUDA download off (the image's npm 10 predates package.json's allowScripts).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- dashboard: the browser bundle needs the dev tools (esbuild, uPlot); only its output is kept.
FROM deps AS dashboard
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY common ./common
COPY hub ./hub
COPY scripts ./scripts
RUN npm run build:dashboard

# --- runtime: no compiler, no dev dependencies, non-root. tsx is a runtime dependency (ESM TypeScript as is).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HUB_HTTP_PORT=8000 \
    HUB_MQTT_PORT=1883 \
    DATABASE_URL=sqlite:/var/lib/store/store.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY common ./common
COPY hub ./hub
COPY data ./data
COPY --from=dashboard /app/hub/dashboard/dist ./hub/dashboard/dist
# The SQLite volume mounts here; owned by the unprivileged user so a fresh named volume is writable.
RUN mkdir -p /var/lib/store && chown node:node /var/lib/store
USER node
EXPOSE 8000 1883
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HUB_HTTP_PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "hub/main.ts"]
