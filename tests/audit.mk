# The audit trail's end-to-end test (tests/e2e/t30_audit.sh) reads the
# report's JSON with jq.
DEB_DEPS	+= jq
