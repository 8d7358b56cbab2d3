#!/usr/bin/env bash
# The compiled registry agrees with data/alerts.txt and IANA (see registry_sync.py).
exec python3 "$(dirname "$0")/registry_sync.py"
