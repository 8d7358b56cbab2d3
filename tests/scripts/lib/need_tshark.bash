# Sourced by the tshark differential tests (tests/scripts/*_tshark.sh): without tshark the
# test is skipped (status 77, counted by tests/run.sh), except on CI, which installs it
# (tools/install-deps.sh): there a missing tshark is a failure.
if ! command -v tshark >/dev/null 2>&1; then
	echo "tshark is not installed (apt-get install tshark); differential test not run"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
