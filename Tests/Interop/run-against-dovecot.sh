#!/usr/bin/env bash
# Runs both interop suites against a fresh private Dovecot (the reference):
# the imaptest corpus with Dovecot's expected skips, then the client suites.
# Usage: run-against-dovecot.sh [PORT]   (default 12143; data in a temp dir)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-12143}
dir=$(mktemp -d /tmp/mailshard-dovecot-ref.XXXXXX)

"$here/dovecot/dovecot.sh" start "$port" "$dir" >/dev/null
trap '"$here/dovecot/dovecot.sh" stop "$port" "$dir" >/dev/null; rm -rf "$dir"' EXIT
set -a
eval "$("$here/dovecot/dovecot.sh" env "$port" "$dir")"
set +a

status=0
python3 "$here/imaptest_runner.py" --expected-skips "$here/imaptest-expected-skips.dovecot" || status=1
python3 -m pytest -q -p no:cacheprovider "$here/clients" || status=1
exit $status
