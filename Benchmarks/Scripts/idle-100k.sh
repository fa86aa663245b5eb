#!/usr/bin/env bash
# 100,000 idle IMAP connections against one Mailshard process (issue 9), on loopback.
#
#   Benchmarks/Scripts/idle-100k.sh [connections] [shards] [users]    (100000 8 2000)
#
# Needs release builds of mailshard (swift build -c release --product mailshard) and
# imap-load (swift build -c release --package-path Benchmarks/LoadTools). Not part of
# any test or CI step: it takes a few minutes and ~6 GiB of memory.
#
# Why these numbers: the hard RLIMIT_NOFILE here is 20,000 and cannot be raised, so
# the server keeps its sockets in each shard's registered file table (bounded by that
# limit per ring, not per process; MAILSHARD_FIXED_FILES). 100,000 connections need
# at least 6 shards, and users spread so that no home shard gets more than 20,000:
# with load1..load2000 the FNV-1a home shards get 12,400-12,650 connections each of
# 8 shards (16,100-17,200 of 6). imap-load spreads its side over child processes
# (its own file limit) and 127.0.0.1-4 (25,000 ports each), and logs every
# connection in with the normal SHA512-CRYPT scheme (~1.3 ms each on the server).
# Every user gets the same password hash (one `mailshard user add`, copied): the
# login cost is the same as with distinct salts, and 2,000 `user add` runs are not.
set -euo pipefail
connections=${1:-100000}
shards=${2:-8}
users=${3:-2000}
root=$(cd "$(dirname "$0")/../.." && pwd)
server="$root/.build/release/mailshard"
load="$root/Benchmarks/LoadTools/.build/release/imap-load"
work=/tmp/mailshard-idle-100k
port=11500

rm -rf "$work"
mkdir -p "$work/data"
echo loadpass | "$server" user add load1 --password-stdin --data "$work/data" >/dev/null
passwd=$(find "$work/data" -maxdepth 2 -name 'passwd*' -type f | head -1)
line=$(grep '^load1:' "$passwd")
for ((i = 2; i <= users; i++)); do echo "load$i:${line#load1:}"; done >> "$passwd"

MAILSHARD_SHARDS=$shards MAILSHARD_PIN_THREADS=false MAILSHARD_LOG_LEVEL=warning \
    "$server" serve --data "$work/data" --port "$port" > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

# Sample the server's ordinary descriptors and established connections while it holds.
(
    while kill -0 "$pid" 2>/dev/null; do
        fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        established=$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l)
        echo "$(date -u +%T) server_fds=$fds established=$established"
        sleep 5
    done
) > "$work/samples.log" &
sampler=$!

echo "machine: $(nproc) CPUs, $(uname -r), $(free -g | awk '/Mem:/{print $2}') GiB, nofile $(ulimit -Sn)/$(ulimit -Hn)"
echo "server pid $pid, $shards shards, $users users, $connections connections"
timeout 1200 "$load" idle-capacity --port "$port" --connections "$connections" --users "$users" \
    --password loadpass --pid "$pid" --hold 20 --json "$work/result.json" | tee "$work/table.txt"
kill "$sampler" 2>/dev/null || true
echo "--- samples (server descriptors, established server-side connections)"
cat "$work/samples.log"
echo "--- server log (warnings)"
tail -20 "$work/serve.log"
