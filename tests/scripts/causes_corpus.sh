#!/usr/bin/env bash
# tests/data/diagnose/corpus.tsv covers every alert of the corpus truth (see causes_corpus.py).
exec python3 "$(dirname "$0")/causes_corpus.py"
