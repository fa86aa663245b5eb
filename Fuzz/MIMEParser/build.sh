#!/bin/sh
# Builds the libFuzzer target for the MIME parser into Fuzz/MIMEParser/.build/.
# Run:  Fuzz/MIMEParser/build.sh && Fuzz/MIMEParser/.build/mime-parser-fuzzer \
#         -max_len=65536 -timeout=5 -rss_limit_mb=2048 Fuzz/MIMEParser/.build/corpus Fuzz/MIMEParser/seeds
# (the first directory collects new inputs; the committed seeds stay read-only).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$here/.build/corpus"
swiftc -swift-version 6 -O -g -sanitize=fuzzer,address -parse-as-library \
    -module-name MIMEFuzz \
    "$root"/Sources/MIME/*.swift "$here/FuzzEntry.swift" \
    -o "$here/.build/mime-parser-fuzzer"
echo "built $here/.build/mime-parser-fuzzer"
