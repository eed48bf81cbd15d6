#!/bin/bash
# healthcheck.sh - the image's HEALTHCHECK: GET /livez on the port fitd listens on,
# with nothing but bash (/dev/tcp), so the runtime image needs no curl.
# Reads FITD_PORT (default 8080) and FITD_BIND (0.0.0.0 or unset -> 127.0.0.1).
# Exit 0 when fitd answers 200, 1 otherwise. Set the port with FITD_PORT, not
# with `serve --port`, or this probe looks at the wrong port.
port=${FITD_PORT:-8080}
host=${FITD_BIND:-127.0.0.1}
[ "$host" = "0.0.0.0" ] && host=127.0.0.1
{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || { echo "fitd /livez: no answer on $host:$port" >&2; exit 1; }
printf 'GET /livez HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$host" >&3
IFS= read -r -t 4 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "fitd /livez: ${status%$'\r'}" >&2; exit 1 ;;
esac
