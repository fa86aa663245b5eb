#!/usr/bin/env python3
"""Echo comparison: ShardRuntime against SwiftNIO, side by side, alternated.

Builds nothing: run `swift build --package-path Benchmarks -c release --product EchoServer`
and `--product EchoLoad` first. For each (threads, connections) pair and each round,
both servers run the same load in alternating order; the server's CPU (user and sys,
from /proc/<pid>/stat) is sampled around the load window. Then the idle-connection
memory probe: RSS of each server before and after 10,000 idle connections.

Usage: python3 Benchmarks/Scripts/echo-compare.py [seconds per run] [rounds] [A,B]
           (A,B: the two servers, shard,nio by default; shard,shard-fd compares
           registered files against ordinary descriptors in the same runtime)
       python3 Benchmarks/Scripts/echo-compare.py strace [threads] [connections]
           (strace -c -f summary of the shard server under load)
"""
import os
import subprocess
import sys
import time

BIN = os.path.join(os.path.dirname(__file__), "..", ".build", "release")
SERVER = os.path.join(BIN, "EchoServer")
LOAD = os.path.join(BIN, "EchoLoad")
TICK = os.sysconf("SC_CLK_TCK")


def start_server(kind, threads):
    proc = subprocess.Popen([SERVER, kind, str(threads), "0"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    assert line and line[0] == "ready", line
    return proc, int(line[1])


def stop_server(proc):
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK  # utime, stime


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_load(kind, threads, connections, seconds):
    proc, port = start_server(kind, threads)
    load = subprocess.Popen([LOAD, str(port), str(connections), str(seconds), "64"],
                            stdout=subprocess.PIPE, text=True)
    # The client connects first; sample CPU from when its load window starts.
    time.sleep(0.3)
    user0, sys0 = cpu_seconds(proc.pid)
    out = load.communicate()[0].split()
    user1, sys1 = cpu_seconds(proc.pid)
    stop_server(proc)
    trips = int(out[1])
    elapsed = float(out[3])
    return trips / elapsed, (user1 - user0) / trips * 1e6, (sys1 - sys0) / trips * 1e6, trips


def idle_rss(kind, threads, connections):
    proc, port = start_server(kind, threads)
    time.sleep(0.3)
    before = rss_kib(proc.pid)
    load = subprocess.Popen([LOAD, str(port), str(connections), "idle"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert load.stdout.readline().startswith("open")
    time.sleep(1.5)  # let the server accept and settle every connection
    after = rss_kib(proc.pid)
    load.stdin.close()
    load.wait()
    stop_server(proc)
    return before, after, (after - before) * 1024 / connections


def strace_summary(threads=1, connections=64, seconds=3):
    proc, port = start_server("shard", threads)
    trace = subprocess.Popen(["strace", "-c", "-f", "-p", str(proc.pid), "-o", "/tmp/echo-strace.txt"])
    time.sleep(0.5)
    load = subprocess.run([LOAD, str(port), str(connections), str(seconds), "64"], capture_output=True, text=True)
    trace.terminate()
    trace.wait()
    stop_server(proc)
    print(load.stdout.strip())
    print(open("/tmp/echo-strace.txt").read())


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "strace":
        strace_summary(*(int(a) for a in sys.argv[2:4]))
        return
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    first, second = sys.argv[3].split(",") if len(sys.argv) > 3 else ("shard", "nio")
    print("| threads | connections | server | round trips/s (each run) | user µs/rt | sys µs/rt | total µs/rt |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    summary = []
    for threads in (1, 2):
        for connections in (64, 1000):
            results = {first: [], second: []}
            for round_index in range(rounds):
                order = (first, second) if round_index % 2 == 0 else (second, first)
                for kind in order:
                    results[kind].append(run_load(kind, threads, connections, seconds))
            means = {}
            for kind in (first, second):
                rows = results[kind]
                rate = sum(r[0] for r in rows) / len(rows)
                user = sum(r[1] for r in rows) / len(rows)
                system = sum(r[2] for r in rows) / len(rows)
                means[kind] = (rate, user + system)
                spread = " / ".join(f"{r[0] / 1000:.0f}k" for r in rows)
                print(f"| {threads} | {connections} | {kind} | {rate:,.0f} ({spread}) | {user:.2f} | {system:.2f} | {user + system:.2f} |")
            summary.append((threads, connections, means[first][0] / means[second][0],
                            means[first][1] / means[second][1]))
            sys.stdout.flush()
    print()
    print(f"| threads | connections | throughput {first}/{second} | CPU per round trip {first}/{second} |")
    print("| --- | --- | --- | --- |")
    for threads, connections, rate_ratio, cpu_ratio in summary:
        print(f"| {threads} | {connections} | {rate_ratio:.2f} | {cpu_ratio:.2f} |")
    print()
    print("| server | threads | RSS before (KiB) | RSS with 10,000 idle (KiB) | bytes per idle connection |")
    print("| --- | --- | --- | --- | --- |")
    for kind in (first, second):
        for threads in (1, 2):
            before, after, per = idle_rss(kind, threads, 10000)
            print(f"| {kind} | {threads} | {before:,} | {after:,} | {per:,.0f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
