#!/usr/bin/env bash
# IANA's suite, group and signature scheme names (data/cipher-suites.txt, groups.txt,
# sigalgs.txt) agree with data/suites.txt, with OpenSSL's and GnuTLS's suite lists, and with
# what `scan --json` writes beside the numbers; the generator refuses planted faults (see
# iana_sync.py).  tests/unit/test_iana.c compares the compiled tables with the files.
exec python3 "$(dirname "$0")/iana_sync.py"
