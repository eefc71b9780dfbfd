# syntax=docker/dockerfile:1
# Node 24 runs the TypeScript sources directly (docs/decisions/003): there is nothing to compile,
# so the build stage only installs dependencies and drops the development ones.

FROM node:24.21-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev \
 && npm cache clean --force

FROM node:24.21-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY views ./views
COPY public ./public
# The commands: `docker run … node bin/doctor.ts` checks the provider from where the app runs.
COPY bin ./bin
# The SQLite session store (SESSION_DB_PATH defaults to data/sessions.db) needs a writable folder.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# /healthz is liveness only; use /readyz for readiness. slim has no curl: node's fetch does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/server.ts"]
