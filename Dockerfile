# syntax=docker/dockerfile:1
# Build: npm ci with dev dependencies, remix vite:build, then prune to the runtime set.
# Run: production dependencies only — no compiler, no embedded PostgreSQL (a dev
# dependency: npm start refuses to run one in production).
FROM node:24-bookworm-slim AS base
WORKDIR /app

FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM base
ENV NODE_ENV=production
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/build /app/build
COPY --from=build /app/package.json /app/tsconfig.json /app/
COPY --from=build /app/app /app/app
COPY --from=build /app/db /app/db
COPY --from=build /app/scripts /app/scripts
USER node
EXPOSE 3000
# Machines hold APP_DATABASE_URL (the app's login); the release command
# (fly.toml) runs the migrations with the privileged DATABASE_URL.
# node itself, not npm, receives SIGTERM: the app stops gracefully on it.
CMD ["node", "--import", "tsx", "scripts/start.ts"]
