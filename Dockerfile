# syntax=docker/dockerfile:1
# One image for every AgentMon app: `docker run -e APP=sessionizer agentmon:0.1.0` runs
# apps/sessionizer/src/main.ts (TypeScript through swc, as `npm start` does). Any other command
# (`npx agentmon migrate`, `npx agentmon topics`) runs in the same image.

# --- build: the full dependency tree from the lock file, then only what production needs ---
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /srv/agentmon
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm prune --omit=dev --no-audit --no-fund \
  && rm -rf .git .ci .agentmon coverage dist

# --- runtime: sources + production node_modules, unprivileged ---
FROM node:20.20.2-bookworm-slim AS runtime
# Containers are reached from outside: every app binds all interfaces.
ENV HTTP_HOST=0.0.0.0
WORKDIR /srv/agentmon
COPY --from=build --chown=node:node /srv/agentmon ./
USER node
# The apps' default ports (GATEWAY_PORT, SESSIONIZER_PORT … NOTIFIER_PORT).
EXPOSE 4318 9464 9465 9466 9467
# APP names the app (a folder of apps/); run-app.sh execs node with NODE_FLAGS of libs/launcher.
CMD ["sh", "deploy/docker/run-app.sh"]
