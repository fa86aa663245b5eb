#!/bin/bash
# Builds the libFuzzer target for IMAPCodec's command side into .build-fuzz/ (ignored by git).
#   Fuzz/CommandParser/build.sh
#   .build-fuzz/fuzz-command-parser -max_total_time=600 .build-fuzz/corpus Fuzz/CommandParser/corpus
# The module's sources are compiled with the harness as one module, with libFuzzer and
# AddressSanitizer, optimised so the run covers ground. New inputs go to the first corpus
# directory; keep the committed seed corpus second so it stays unchanged.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/.build-fuzz"
mkdir -p "$out/corpus"
find "$root/Sources/IMAPCodec" -name '*.swift' | sort > "$out/sources.txt"
# gold warns about every ASan helper symbol it cannot export; those lines are noise.
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name FuzzIMAPCodec \
    $(cat "$out/sources.txt") "$root/Fuzz/CommandParser/FuzzCommandParser.swift" \
    -o "$out/fuzz-command-parser" 2>&1 | { grep -v "Cannot export local symbol" || true; }
echo "built $out/fuzz-command-parser"
