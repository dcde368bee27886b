# syntax=docker/dockerfile:1
# Build: npm ci with dev dependencies, remix vite:build. Run: production deps only.
FROM node:20-bookworm-slim AS base
ENV NODE_ENV=production
WORKDIR /app

FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --include=dev
COPY . .
RUN npx remix vite:build && npm prune --omit=dev

FROM base
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/build /app/build
COPY --from=build /app/package.json /app/tsconfig.json /app/
COPY --from=build /app/app /app/app
COPY --from=build /app/db /app/db
COPY --from=build /app/scripts /app/scripts
USER node
EXPOSE 3000
# DATABASE_URL and APP_DATABASE_PASSWORD come from secrets; migrations run as
# the release command (fly.toml), not on every machine start.
CMD ["node", "--import", "tsx", "scripts/start.ts"]
