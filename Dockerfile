# fault — the proxy image.
#
#   docker build -t fault .
#   docker run --rm -it -p 3180:3180 fault run --proxy-address 0.0.0.0:3180 --upstream '*' --with-latency --latency-mean 300
#
# The proxy listens on 127.0.0.1:3180 by default, which nobody outside the container can reach:
# pass --proxy-address 0.0.0.0:3180 (or FAULT_HTTP_PROXY_ADDRESS=0.0.0.0:3180) explicitly.

# ---- build stage: compilers, dev dependencies, TypeScript -------------------------------------
FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts
COPY tsconfig.json binding.gyp ./
COPY native ./native
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY workers ./workers
# The SO_REUSEPORT addon must be there: fail the image build rather than ship one shard.
# After the build: production dependencies only, and of uWebSockets.js (binaries for every
# platform and Node ABI, ~110 MB) only the binary this image loads.
RUN FAULT_NATIVE_REBUILD=1 npm run build \
 && test -f build/Release/fault_native.node \
 && npm prune --omit=dev \
 && keep="uws_linux_$(node -p process.arch)_$(node -p process.versions.modules).node" \
 && find node_modules/@trufflesuite/uws-js-unofficial -name 'uws_*.node' ! -path "*/binaries/$keep" -delete \
 && rm -rf node_modules/@trufflesuite/uws-js-unofficial/docs

# ---- final stage: node runtime only, no compilers ---------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workers ./dist/workers
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build/Release/fault_native.node ./build/Release/fault_native.node
# The image's own unprivileged user (uid 1000); reports land in its home directory.
USER node
WORKDIR /home/node
# The default proxy port. Remember: it is only reachable with --proxy-address 0.0.0.0:3180.
EXPOSE 3180
ENTRYPOINT ["node", "/app/bin/fault.js"]
CMD ["--help"]
