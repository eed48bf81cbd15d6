#!/usr/bin/env bash
# Checks api/openapi.yaml against the routing table (see check_openapi.py).
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/api/check_openapi.py
