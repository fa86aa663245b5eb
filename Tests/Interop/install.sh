#!/usr/bin/env bash
# Installs what the interop suites need; idempotent and quiet (.ci/run calls it).
#   Debian: isync (mbsync), fetchmail, getmail6, curl, and dovecot-imapd (the
#           reference server of dovecot/dovecot.sh; its system service is never
#           started by us)
#   PyPI:   requirements.txt (imapclient, imap-tools, pytest)
# Needs root for apt-get; anything already present is left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

need=()
for pair in isync:mbsync fetchmail:fetchmail getmail6:getmail curl:curl dovecot-imapd:dovecot; do
    command -v "${pair#*:}" >/dev/null 2>&1 || need+=("${pair%%:*}")
done
if [ "${#need[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; then
        apt-get update -qq >/dev/null
        apt-get install -y -qq "${need[@]}" >/dev/null
    fi
fi

if ! python3 - "$here/requirements.txt" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
pins = [l.split("#")[0].strip() for l in open(sys.argv[1])]
for pin in filter(None, pins):
    if "==" in pin:
        name, wanted = pin.split("==")
        assert version(name) == wanted, pin
    else:
        version(pin.split(">=")[0])
PY
then
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
        -r "$here/requirements.txt"
fi
