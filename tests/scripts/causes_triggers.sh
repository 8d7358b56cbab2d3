#!/usr/bin/env bash
# Every cause rule is triggered by a real-shaped log line or a capture, or says why none
# exists (see causes_triggers.py and tests/data/causes/triggers.tsv).
exec python3 "$(dirname "$0")/causes_triggers.py"
