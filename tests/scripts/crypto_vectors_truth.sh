#!/usr/bin/env bash
# tests/data/crypto/vectors.tsv must hold exactly the encrypted alerts of the
# corpus's truth.tsv (the copy in tests/data/corpus), with the same direction
# and decrypted code, and the key logs it names must be byte-identical to the
# corpus's.  (The unit
# test test_decrypt_corpus then proves each record decrypts to that code.)
set -eu
cd "$(dirname "$0")/../.."
truth=tests/data/corpus/truth.tsv
vec=tests/data/crypto/vectors.tsv
if [ ! -f "$truth" ]; then
	echo "no $truth" >&2
	exit 1
fi
want=$(awk -F'\t' 'NR > 1 && $9 == "yes" {
	d = $7 == "client_to_server" ? "client" : "server"
	print $1, $2, d, $12 }' "$truth" | sort)
got=$(awk -F'\t' '!/^#/ { print $1, $2, $9, $14 }' "$vec" | sort)
if [ "$want" != "$got" ]; then
	echo "vectors.tsv disagrees with truth.tsv:" >&2
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2
	exit 1
fi
n=$(printf '%s\n' "$got" | wc -l)
[ "$n" -ge 19 ] || { echo "only $n vectors" >&2; exit 1; }
for k in $(awk -F'\t' '!/^#/ { print $3 }' "$vec" | sort -u); do
	cmp -s "tests/data/crypto/keylogs/$k" "$(dirname "$truth")/$k" ||
		{ echo "key log $k differs from the corpus copy" >&2; exit 1; }
done
echo "$n encrypted alerts agree with truth.tsv"
