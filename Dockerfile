# Build stage: a static binary, no cgo (modernc.org/sqlite is pure Go).
FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dagbok ./server \
 && mkdir -p /out/data && chmod 0700 /out/data

# Runtime stage: alpine for busybox wget (the health check), running as a non-root user.
# /data (mode 0700, like the database files' 0600) is the dagbok user's alone.
FROM alpine:3.22
RUN adduser -D -H -u 10001 dagbok
COPY --from=build /out/dagbok /usr/local/bin/dagbok
COPY --from=build --chown=10001:10001 /out/data /data
USER 10001:10001
ENV ADDR=:8080 DATA_DIR=/data
EXPOSE 8080
VOLUME /data
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/dagbok"]
