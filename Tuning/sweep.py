#!/usr/bin/env python3
"""Sweep Mailshard's shard count and ring size under one imap-load workload.

For every MAILSHARD_SHARDS × MAILSHARD_RING_ENTRIES pair it starts a fresh Mailshard
on loopback (users load1…loadN / loadpass), runs the workload for a few short rounds,
prints a table of the medians, writes a Markdown table and an SVG chart, and names
the setting that won on this machine.

    python3 Tuning/sweep.py --workload mix --shards 1,2 --ring-entries 64,512,4096
    python3 Tuning/sweep.py --workload append --rounds 3 --duration 5 -- --clients 20
    python3 Tuning/sweep.py --workload mix --fake-results results.json   # no server

Arguments after `--` go to imap-load unchanged. `--fake-results FILE` takes a JSON
list of {"shards", "ringEntries", "result"} (result as imap-load's --json writes it)
instead of running anything: it checks the table, chart and verdict offline.
Until Mailshard serves IMAP the sweep stops at the first run with
"Mailshard: not yet serving IMAP (login fails)" and exit status 3.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SIDE_BY_SIDE = os.path.join(ROOT, "Benchmarks", "Scripts", "side-by-side.py")

# Which way is better for each workload's headline figure (imap-load's `headline`).
LOWER_IS_BETTER = {"idle-fanout", "idle-capacity"}
WORKLOADS = ["mix", "fetch-bodies", "append", "idle-capacity", "idle-fanout"]


def load_side_by_side():
    """The side-by-side script's server control and SVG writer, shared rather than copied."""
    spec = importlib.util.spec_from_file_location("side_by_side", SIDE_BY_SIDE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def positive_list(text):
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}")
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def parse_arguments(argv):
    passthrough = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", default="mix", choices=WORKLOADS)
    parser.add_argument("--shards", type=positive_list, default=[1, 2])
    parser.add_argument("--ring-entries", type=positive_list, default=[64, 512, 4096])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--port", type=int, default=11432)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--fake-results", help="JSON file of precomputed results (no server is run)")
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "results"))
    parser.add_argument("--name", help="result file prefix (default load-sweep-WORKLOAD)")
    parser.add_argument("--work", default="/tmp/mailshard-sweep")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    args.passthrough = passthrough
    args.name = args.name or f"load-sweep-{args.workload}"
    return args


def usable(result):
    """A run counts only if it measured something and had no errors."""
    return result is not None and not result.get("fatal") and not result.get("errors") and result.get("headline") is not None


def summarize(workload, runs):
    """runs: {(shards, ring): [result, …]} → rows sorted by setting, and the winner."""
    rows = []
    for (shards, ring), results in sorted(runs.items()):
        good = [r["headline"] for r in results if usable(r)]
        errors = sum(sum((r.get("errors") or {}).values()) for r in results if r)
        fatal = next((r.get("fatal") for r in results if r and r.get("fatal")), None)
        rows.append({"shards": shards, "ringEntries": ring, "median": statistics.median(good) if good else None,
                     "runs": len(results), "usable": len(good), "errors": errors, "fatal": fatal,
                     "metric": next((r.get("headlineName") for r in results if r and r.get("headlineName")), "")})
    # A setting that produced any error is disqualified, whatever its clean runs say.
    candidates = [row for row in rows if row["median"] is not None and row["errors"] == 0 and row["usable"] == row["runs"]]
    winner = None
    if candidates:
        pick = min if workload in LOWER_IS_BETTER else max
        winner = pick(candidates, key=lambda row: row["median"])
    return rows, winner


def table(rows):
    lines = ["| MAILSHARD_SHARDS | MAILSHARD_RING_ENTRIES | median | usable runs | errors | note |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        median = f"{row['median']:.2f}" if row["median"] is not None else "—"
        lines.append(f"| {row['shards']} | {row['ringEntries']} | {median} | {row['usable']}/{row['runs']} | {row['errors']} | {row['fatal'] or ''} |")
    return "\n".join(lines)


def verdict(workload, winner):
    if winner is None:
        return "No setting produced error-free measurements in every round; no winner."
    direction = "lowest" if workload in LOWER_IS_BETTER else "highest"
    return (f"Winner on this machine: MAILSHARD_SHARDS={winner['shards']} MAILSHARD_RING_ENTRIES={winner['ringEntries']} "
            f"({direction} median {winner['metric']}: {winner['median']:.2f}).")


def write_outputs(args, rows, winner, chart):
    metric = next((row["metric"] for row in rows if row["metric"]), "headline")
    groups = [(f"{row['shards']} sh / {row['ringEntries']}" + (" (errors)" if row["errors"] else ""), {"median": row["median"]})
              for row in rows]
    better = "lower" if args.workload in LOWER_IS_BETTER else "higher"
    svg = chart(f"Mailshard sweep: {args.workload}", metric, groups, ["median"], f"{better} is better; shards / ring entries")
    os.makedirs(args.out, exist_ok=True)
    svg_path = os.path.join(args.out, f"{args.name}.svg")
    with open(svg_path, "w") as f:
        f.write(svg)
    md_path = os.path.join(args.out, f"{args.name}.md")
    with open(md_path, "w") as f:
        f.write(f"# Mailshard sweep: {args.workload}\n\n{table(rows)}\n\n{verdict(args.workload, winner)}\n\n![chart]({os.path.basename(svg_path)})\n")
    return md_path, svg_path


def run_sweep(args, side):
    users = [(f"load{i}", "loadpass") for i in range(1, args.users + 1)]
    binary = os.path.join(ROOT, ".build", "release", "mailshard")
    load_binary = os.path.join(ROOT, "Benchmarks", "LoadTools", ".build", "release", "imap-load")
    if not args.skip_build:
        side.build("imap-load", ["swift", "build", "-c", "release", "--package-path", os.path.join(ROOT, "Benchmarks", "LoadTools"), "--product", "imap-load"])
        side.build("mailshard", ["swift", "build", "-c", "release", "--product", "mailshard"])
    os.makedirs(args.work, exist_ok=True)
    runs = {}
    for shards in args.shards:
        for ring in args.ring_entries:
            server = side.Mailshard(args.port, os.path.join(args.work, f"data-{shards}-{ring}"), users, binary,
                                    {"MAILSHARD_SHARDS": str(shards), "MAILSHARD_RING_ENTRIES": str(ring)})
            server.start()
            try:
                results = []
                for round_index in range(args.rounds):
                    extra = list(args.passthrough)
                    if args.workload == "idle-capacity" and "--pid" not in extra:
                        extra += ["--pid", str(server.pid())]
                    json_path = os.path.join(args.work, f"{shards}-{ring}-{round_index}.json")
                    result, output = side.run_load(load_binary, server, [args.workload, "--users", str(args.users)], extra,
                                                   args.duration, json_path, int(args.duration) + 300)
                    if side.cannot_log_in(result, output):
                        print(f"Mailshard: {side.NOT_SERVING}: {result.get('fatal')}", file=sys.stderr)
                        sys.exit(3)
                    results.append(result)
                    print(f"shards={shards} ring={ring} round {round_index + 1}: {result.get('headlineName')} = "
                          f"{result.get('headline')} errors={result.get('errors')}", flush=True)
                runs[(shards, ring)] = results
            finally:
                server.stop()
    return runs


def main(argv):
    args = parse_arguments(argv)
    side = load_side_by_side()
    if args.fake_results:
        with open(args.fake_results) as f:
            entries = json.load(f)
        runs = {}
        for entry in entries:
            runs.setdefault((int(entry["shards"]), int(entry["ringEntries"])), []).append(entry["result"])
    else:
        runs = run_sweep(args, side)
    rows, winner = summarize(args.workload, runs)
    print(table(rows))
    print(verdict(args.workload, winner))
    # The chart code lives beside side-by-side.py, which put its folder on sys.path.
    import side_by_side_report  # noqa: E402
    md_path, svg_path = write_outputs(args, rows, winner, side_by_side_report.bar_chart_svg)
    print(f"wrote {md_path} and {svg_path}")
    return 0 if winner else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
