#!/usr/bin/env bash
# The compiled cause tables agree with data/causes*.txt (see causes_sync.py).
exec python3 "$(dirname "$0")/causes_sync.py"
