# syntax=docker/dockerfile:1
# One camera agent: ffmpeg (static binary from @ffmpeg-installer) → YOLO on onnxruntime-node (CPU) → ByteTrack →
# events → MQTT. The model and the clips are NOT in the image: mount them at /assets (STORE_ASSETS_DIR).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- deps: production dependencies; the toolchain is for better-sqlite3's source build (shared lockfile).
# ONNXRUNTIME_NODE_INSTALL=skip keeps onnxruntime-node's install script from fetching CUDA libraries (the CPU
# binaries ship inside the package): the image's npm 10 predates package.json's allowScripts, which npm 11 honours.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: non-root, spool and heartbeat in writable places.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    STORE_ASSETS_DIR=/assets \
    AGENT_SPOOL_DIR=/var/lib/agent/spool \
    AGENT_HEARTBEAT_FILE=/tmp/agent-heartbeat \
    AGENT_HEARTBEAT_MAX_AGE_S=60
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY common ./common
COPY agent ./agent
COPY data ./data
RUN mkdir -p /var/lib/agent/spool /assets && chown -R node:node /var/lib/agent
USER node
VOLUME ["/var/lib/agent/spool"]
# Healthy = the agent touched its heartbeat file recently (it does so while frames flow and the publisher runs).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "const s=require('fs').statSync(process.env.AGENT_HEARTBEAT_FILE);process.exit(Date.now()-s.mtimeMs<1000*Number(process.env.AGENT_HEARTBEAT_MAX_AGE_S)?0:1)"
ENTRYPOINT ["node", "--import", "tsx", "agent/main.ts"]
