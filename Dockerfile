# syntax=docker/dockerfile:1
# Postmortem Insights: the production build and start that .ci/prod-start.sh tests, in three stages.
#   docker build -t postmortem-insights .
#   docker run -p 3000:3000 -v pmi-data:/data --env-file .env postmortem-insights
# Deployment from start to end: docs/deployment.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: every dependency, then `npm run build` (dist/ and build/tab/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only (no tsx, vite, jest, ...).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Run: compiled server, built tab, the post-mortem template the tab links to.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/build/tab ./build/tab
COPY package.json package-lock.json ./
COPY docs/postmortem-template.md ./docs/postmortem-template.md
# The embedded store (when MONGODB_URI is unset) lives on a volume owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# No curl in slim images: node's own fetch asks /api/health (no credentials needed).
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and the server handles SIGTERM itself (graceful shutdown, exit 0, at most 15 s);
# `docker run --init` / compose `init: true` adds tini in front, which also works.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
