#!/usr/bin/env python3
"""Mailshard and Dovecot side by side under imap-load (issue 9).

Starts a private Dovecot (Tests/Interop/dovecot/dovecot.sh: loopback, Maildir,
passwd-file SHA512-CRYPT users) and Mailshard on loopback with the same users, seeds
both through IMAP (imap-load does that), runs every workload against each in turn,
alternating which goes first, for several short rounds, and writes a Markdown table of
the medians with the Mailshard/Dovecot ratio plus one SVG chart per workload.

    python3 Benchmarks/Scripts/side-by-side.py                    # both servers
    python3 Benchmarks/Scripts/side-by-side.py --servers dovecot --name load-dovecot-baseline
    python3 Benchmarks/Scripts/side-by-side.py --workloads mix,append --rounds 5 --duration 10

A server that cannot log in yet is recorded as "not yet serving IMAP (login fails)"
(imap-load exits 3 and its JSON `fatal` names the login failure); the run goes on with
the other server. Everything stays on 127.0.0.1 and each imap-load run is bounded by a
timeout. Needs root for Dovecot (it switches to the mail user) and to raise file limits.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOVECOT_SH = os.path.join(ROOT, "Tests", "Interop", "dovecot", "dovecot.sh")
LOAD_PACKAGE = os.path.join(ROOT, "Benchmarks", "LoadTools")
NOT_SERVING = "not yet serving IMAP (login fails)"

# Dovecot's defaults cap a service at 100 processes and a user at 10 connections per
# address; a capacity test must lift both. Durability on (fsync as Dovecot ships it),
# since Mailshard's append is durable by default.
DOVECOT_OVERRIDES = """
# side-by-side.py overrides: room for many connections, durability as shipped.
mail_fsync = optimized
mail_max_userip_connections = 1000000
default_process_limit = 1000
default_client_limit = 15000
default_vsz_limit = 0
service imap {
  process_limit = 15000
}
service imap-login {
  process_limit = 1000
}
"""

# Message-level workloads (issue 7), opt-in: the corpus mailboxes take minutes to seed
# into Dovecot (100,000 messages at ~500/s with MULTIAPPEND), so they are seeded once per
# server per run (`--seed-only`, before round 1) and never per round. fetch-headers and
# store share one 10,000-message mailbox; the search variants share one of 100,000.
CORPUS_10K = ["--messages", "10000", "--message-size", "1024"]
CORPUS_100K = ["--messages", "100000", "--message-size", "1024"]
MESSAGE_WORKLOADS = {
    "fetch-headers": (["fetch-headers", "--clients", "4"] + CORPUS_10K, "messages/s", "higher"),
    "store": (["store", "--clients", "4"] + CORPUS_10K, "STOREs/s", "higher"),
    "search-flags": (["search", "--clients", "2", "--searches", "flagged,unseen,sent-range,internal-range"] + CORPUS_100K, "searches/s", "higher"),
    "search-headers": (["search", "--clients", "2", "--searches", "from,subject"] + CORPUS_100K, "searches/s", "higher"),
    "search-body": (["search", "--clients", "2", "--searches", "body"] + CORPUS_100K, "searches/s", "higher"),
    "fetch-bodies-10m": (["fetch-bodies", "--clients", "4", "--users", "10", "--messages", "4", "--message-size", "10485760"], "MB/s", "higher"),
    # Dovecot needs ~25 s to reach 10,000 idle processes with one EXISTS: allow 60 s.
    "idle-fanout-10000": (["idle-fanout", "--idlers", "10000", "--delivery-timeout", "60"], "p99 delivery to all (ms)", "lower"),
}
# Variants whose runs take seconds each (100,000-message header and body searches):
# measured for at least this long so each run holds more than one or two searches.
MINIMUM_DURATION = {"search-headers": 10.0, "search-body": 10.0}
# imap-load timeouts above the default (duration + 300 s): 10,000 Dovecot idlers take
# minutes to log in and to finish (a process each), yet stay under 10 minutes.
TIMEOUT = {"idle-fanout-10000": 590}
# Variants seeded before round 1, by the arguments that decide what they seed.
SEEDED_FIRST = {"fetch-headers", "store", "search-flags", "search-headers", "search-body", "fetch-bodies-10m"}
# fetch-bodies variants also run against `imap-load serve-copy` (sendfile behind minimal
# IMAP framing, same client code and concurrency): the loopback copy baseline.
COPY_BASELINE = "Loopback copy"

# name -> (imap-load arguments, metric label, which direction is better)
WORKLOADS = {
    "mix": (["mix", "--clients", "100", "--users", "10", "--messages", "20", "--message-size", "4096"], "operations/s", "higher"),
    "fetch-bodies": (["fetch-bodies", "--clients", "10", "--users", "10", "--messages", "20", "--message-size", "102400"], "MB/s", "higher"),
    "append": (["append", "--clients", "10", "--users", "10", "--message-size", "4096"], "messages/s", "higher"),
    "idle-fanout": (["idle-fanout", "--idlers", "50"], "p99 delivery to all (ms)", "lower"),
    # Issue 6's login benchmark: 100 clients cycling LOGIN + SELECT INBOX + LOGOUT
    # (each LOGOUT is followed by a LOGIN; operations/s counts SELECTs and LOGOUT+LOGINs).
    "logins": (["mix", "--clients", "100", "--users", "10", "--messages", "20", "--message-size", "4096",
                "--weights", "list=0,status=0,select=1,fetch-flags=0,fetch-body=0,store=0,expunge=0,append=0,logout=1"],
               "operations/s", "higher"),
    **MESSAGE_WORKLOADS,
}


def machine_info():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, Linux {platform.release()}"


def wait_for_port(port, seconds=30.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def raise_file_limit(wanted=None):
    if wanted is None:
        try:
            with open("/proc/sys/fs/nr_open") as f:
                wanted = int(f.read())
        except (OSError, ValueError):
            wanted = 1_048_576
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in (wanted, hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, limit), max(hard, limit)))
            return
        except (ValueError, OSError):
            continue


class Dovecot:
    name = "Dovecot"

    def __init__(self, port, directory, users):
        self.port, self.directory, self.users = port, directory, users
        self.unavailable = None
        self.version = subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout.strip() \
            if shutil.which("dovecot") else "not installed"

    def start(self):
        subprocess.run(["bash", DOVECOT_SH, "install"], check=True)
        env = dict(os.environ, DOVECOT_USERS=" ".join(f"{u}:{p}" for u, p in self.users), DOVECOT_FRESH="1")
        # dovecot.sh writes the private config; restart it with the capacity overrides.
        subprocess.run(["bash", DOVECOT_SH, "start", str(self.port), self.directory], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["bash", DOVECOT_SH, "stop", str(self.port), self.directory], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.directory, "dovecot.conf"), "a") as f:
            f.write(DOVECOT_OVERRIDES)
        subprocess.run(["dovecot", "-c", os.path.join(self.directory, "dovecot.conf")], check=True, preexec_fn=raise_file_limit)
        if not wait_for_port(self.port):
            raise RuntimeError("Dovecot did not listen on port %d" % self.port)

    def pid(self):
        with open(os.path.join(self.directory, "run", "master.pid")) as f:
            return int(f.read().strip())

    def stop(self):
        subprocess.run(["bash", DOVECOT_SH, "stop", str(self.port), self.directory], stdout=subprocess.DEVNULL)


class Mailshard:
    name = "Mailshard"

    def __init__(self, port, directory, users, binary, environment):
        self.port, self.directory, self.users, self.binary = port, directory, users, binary
        self.environment = environment
        self.process = None
        self.unavailable = None
        self.version = "mailshard (this tree, release build)"

    def start(self):
        shutil.rmtree(self.directory, ignore_errors=True)
        os.makedirs(self.directory)
        for user, password in self.users:
            subprocess.run([self.binary, "user", "add", user, "--password-stdin", "--data", self.directory],
                           input=password + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, **self.environment)
        self.log = open(os.path.join(self.directory, "serve.log"), "w")
        self.process = subprocess.Popen([self.binary, "serve", "--data", self.directory, "--port", str(self.port)],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=raise_file_limit)
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError("mailshard did not listen on port %d (see %s/serve.log)" % (self.port, self.directory))

    def pid(self):
        return self.process.pid

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class CopyBaseline:
    """`imap-load serve-copy` for one message size: the plain file-to-socket copy."""
    name = COPY_BASELINE

    def __init__(self, binary, port, directory, load_args):
        self.binary, self.port, self.directory = binary, port, directory
        self.size = load_args[load_args.index("--message-size") + 1]
        self.messages = load_args[load_args.index("--messages") + 1]
        self.process = None
        self.unavailable = None

    def start(self):
        self.process = subprocess.Popen([self.binary, "serve-copy", "--port", str(self.port), "--message-size", self.size,
                                         "--messages", self.messages, "--data", self.directory],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=raise_file_limit)
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError("serve-copy did not listen on port %d" % self.port)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def build(what, args):
    print(f"building {what} …", flush=True)
    if subprocess.run(args, cwd=ROOT).returncode == 0:
        return
    # SwiftPM's incremental build of a package that depends on the root package by
    # path can miss source files added to the root since the last build ("cannot
    # find type …"); a clean build of that package is the cure.
    if "--package-path" in args:
        package = args[args.index("--package-path") + 1]
        print(f"building {what} again from clean ({package}/.build)", flush=True)
        shutil.rmtree(os.path.join(package, ".build"), ignore_errors=True)
    subprocess.run(args, check=True, cwd=ROOT)


def run_load(binary, server, workload_args, extra, duration, json_path, timeout):
    args = [binary] + workload_args + ["--port", str(server.port), "--password", "loadpass",
                                       "--duration", str(duration), "--json", json_path] + extra
    try:
        completed = subprocess.run(args, capture_output=True, text=True, timeout=timeout, preexec_fn=raise_file_limit)
    except subprocess.TimeoutExpired:
        return {"fatal": f"imap-load timed out after {timeout} s"}, ""
    result = None
    try:
        with open(json_path) as f:
            result = json.load(f)
    except (OSError, ValueError):
        result = {"fatal": "no result: " + (completed.stderr.strip().splitlines() or ["imap-load failed"])[-1]}
    return result, completed.stdout + completed.stderr


def cannot_log_in(result, output):
    text = (result.get("fatal") or "") + "\n" + output
    return result.get("fatal") is not None and ("login failed" in text or "login:" in text)


def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


# ---- SVG ------------------------------------------------------------------------

def escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bar_chart_svg(title, unit, groups, series, note=""):
    """Grouped bar chart. groups: [(label, {series: value or None})]; series: names in
    legend order. A missing value is drawn as an empty slot marked "n/a"."""
    colors = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#76b7b2", "#edc948"]
    width, height = 760, 420
    left, right, top, bottom = 80, 20, 60, 90
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, by in groups for v in by.values() if v is not None]
    peak = max(values) if values else 1.0
    peak = peak if peak > 0 else 1.0
    # A round axis maximum: 1, 2 or 5 times a power of ten above the peak.
    magnitude = 10 ** len(str(int(peak))) / 10 if peak >= 1 else 0.1
    axis_max = next(m * magnitude for m in (1, 2, 2.5, 5, 10, 20) if m * magnitude >= peak)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{escape(title)}</text>']
    if note:
        out.append(f'<text x="{width / 2}" y="44" text-anchor="middle" fill="#555">{escape(note)}</text>')
    for i in range(6):
        value = axis_max * i / 5
        y = top + plot_h - plot_h * i / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value, 2 if axis_max < 10 else 0))}</text>')
    out.append(f'<text x="18" y="{top + plot_h / 2}" text-anchor="middle" transform="rotate(-90 18 {top + plot_h / 2})">{escape(unit)}</text>')
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    for g, (label, by) in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, name in enumerate(series):
            x = x0 + s * bar_w
            value = by.get(name)
            if value is None:
                out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" fill="#999" font-size="10">n/a</text>')
                continue
            h = plot_h * max(0.0, value) / axis_max
            out.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w * 0.92:.1f}" height="{h:.1f}" fill="{colors[s % len(colors)]}"><title>{escape(name)} {escape(label)}: {escape(fmt(value, 2))}</title></rect>')
            out.append(f'<text x="{x + bar_w * 0.46:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" font-size="10">{escape(fmt(value))}</text>')
        out.append(f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')
    for s, name in enumerate(series):
        x = left + s * 160
        out.append(f'<rect x="{x}" y="{height - 30}" width="12" height="12" fill="{colors[s % len(colors)]}"/>')
        out.append(f'<text x="{x + 18}" y="{height - 20}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- Main -----------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="dovecot,mailshard")
    parser.add_argument("--workloads", default="mix,logins,fetch-bodies,append,idle-fanout,idle-capacity",
                        help="default: the issue-9 set; opt-in: " + ",".join(MESSAGE_WORKLOADS))
    parser.add_argument("--dovecot-max-rounds", default="",
                        help="VARIANT=N,…: run Dovecot at most N rounds of VARIANT (10,000 Dovecot idlers take minutes a round)")
    parser.add_argument("--copy-baseline", action="store_true",
                        help="also run fetch-bodies variants against imap-load serve-copy (plain sendfile)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--idle-connections", default="1000", help="comma-separated counts for idle-capacity")
    parser.add_argument("--idle-rounds", type=int, default=1, help="rounds for idle-capacity (slow to open)")
    parser.add_argument("--mix-clients", type=int, default=100)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--dovecot-port", type=int, default=11430)
    parser.add_argument("--mailshard-port", type=int, default=11431)
    parser.add_argument("--mailshard-env", default="", help="extra MAILSHARD_* settings, NAME=VALUE,…")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "results"))
    parser.add_argument("--name", default="load-side-by-side", help="result file prefix")
    parser.add_argument("--work", default="/tmp/mailshard-side-by-side")
    parser.add_argument("--rerender", action="store_true",
                        help="write the report again from the JSON results a finished run left in --work (same arguments)")
    args = parser.parse_args()

    servers_wanted = [s.strip().lower() for s in args.servers.split(",") if s.strip()]
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for w in workloads:
        if w not in WORKLOADS and w != "idle-capacity":
            parser.error(f"unknown workload {w}")
    users = [(f"load{i}", "loadpass") for i in range(1, args.users + 1)]
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    raise_file_limit()

    load_binary = os.path.join(LOAD_PACKAGE, ".build", "release", "imap-load")
    if not args.skip_build:
        build("imap-load", ["swift", "build", "-c", "release", "--package-path", LOAD_PACKAGE, "--product", "imap-load"])
    servers = []
    if "dovecot" in servers_wanted:
        servers.append(Dovecot(args.dovecot_port, os.path.join(args.work, "dovecot"), users))
    if "mailshard" in servers_wanted:
        if not args.skip_build:
            build("mailshard", ["swift", "build", "-c", "release", "--product", "mailshard"])
        env = dict(pair.split("=", 1) for pair in args.mailshard_env.split(",") if "=" in pair)
        servers.append(Mailshard(args.mailshard_port, os.path.join(args.work, "mailshard"), users,
                                 os.path.join(ROOT, ".build", "release", "mailshard"), env))

    # (variant name, imap-load args, metric, better, rounds)
    variants = []
    for w in workloads:
        if w == "idle-capacity":
            for count in [int(c) for c in args.idle_connections.split(",") if c.strip()]:
                variants.append((f"idle-capacity {count}", ["idle-capacity", "--connections", str(count), "--users", str(args.users), "--hold", "3"],
                                 "PSS KiB/connection", "lower", args.idle_rounds))
        else:
            load_args, metric, better = WORKLOADS[w]
            load_args = list(load_args)
            if w == "mix":
                load_args[load_args.index("--clients") + 1] = str(args.mix_clients)
            variants.append((w, load_args, metric, better, args.rounds))

    results = {v[0]: {s.name: [] for s in servers} for v in variants}
    if args.rerender:
        rerender(args, servers, variants, results)
        return
    baselines = {}
    if args.copy_baseline:
        for index, (name, load_args, _, _, _) in enumerate(variants):
            if load_args[0] == "fetch-bodies":
                baselines[name] = CopyBaseline(load_binary, args.mailshard_port + 10 + index,
                                               os.path.join(args.work, f"copy-{name}"), load_args)
                results[name][COPY_BASELINE] = []
    seeding = {}
    dovecot_caps = {k: int(v) for k, v in (p.split("=", 1) for p in args.dovecot_max_rounds.split(",") if "=" in p)}
    started = datetime.now(timezone.utc)
    try:
        for server in servers + list(baselines.values()):
            try:
                server.start()
            except Exception as error:  # a server that cannot start is recorded, not fatal
                server.unavailable = f"did not start: {error}"
                print(f"{server.name}: {server.unavailable}", file=sys.stderr)
        seed_first(args, servers, variants, load_binary, seeding)
        for round_index in range(max(v[4] for v in variants)):
            order = servers if round_index % 2 == 0 else list(reversed(servers))
            for name, load_args, metric, better, rounds in variants:
                if round_index >= rounds:
                    continue
                targets = list(order)
                if name in baselines:
                    # The copy runs between the two servers, so machine noise drifting
                    # through a round does not favour the ratio either way.
                    targets.insert(1, baselines[name])
                for server in targets:
                    if server.unavailable:
                        continue
                    if server.name == "Dovecot" and round_index >= dovecot_caps.get(name, rounds):
                        continue
                    extra = []
                    if name.startswith("idle-capacity"):
                        extra = ["--pid", str(server.pid())]
                    if name in SEEDED_FIRST or server.name == COPY_BASELINE:
                        extra.append("--no-seed")
                    duration = max(args.duration, MINIMUM_DURATION.get(name, 0.0))
                    json_path = os.path.join(args.work, f"{server.name.replace(' ', '-')}-{name.replace(' ', '-')}-{round_index}.json")
                    timeout = TIMEOUT.get(name, int(duration) + 300)
                    result, output = run_load(load_binary, server, load_args, extra, duration, json_path, timeout)
                    if cannot_log_in(result, output):
                        server.unavailable = NOT_SERVING
                        print(f"{server.name}: {NOT_SERVING}: {result.get('fatal')}", flush=True)
                        continue
                    results[name][server.name].append(result)
                    if name.startswith("idle-fanout") and server.name == "Dovecot":
                        settle(server.pid())
                    print(f"round {round_index + 1} {name} {server.name}: {result.get('headlineName')} = "
                          f"{fmt(result.get('headline'), 2)} errors={result.get('errors')} {result.get('fatal') or ''}", flush=True)
    finally:
        for server in servers + list(baselines.values()):
            server.stop()
    write_report(args, servers, variants, results, started, seeding)


def rerender(args, servers, variants, results):
    """Rebuilds results and seeding from the JSON files of a finished run."""
    def load(path):
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    for name, *_ in variants:
        for target in [s.name for s in servers] + ([COPY_BASELINE] if args.copy_baseline and name.startswith("fetch-bodies") else []):
            runs = [load(os.path.join(args.work, f"{target.replace(' ', '-')}-{name.replace(' ', '-')}-{r}.json")) for r in range(args.rounds)]
            results[name][target] = [r for r in runs if r is not None]
    seeding = {}
    for server in servers:
        done = set()
        for name, load_args, _, _, _ in variants:
            if name in SEEDED_FIRST and seed_key(load_args) not in done:
                done.add(seed_key(load_args))
                result = load(os.path.join(args.work, f"{server.name}-seed-{name}.json"))
                if result is not None:
                    seeding.setdefault(describe_seed(load_args), {})[server.name] = result
    started = datetime.fromtimestamp(min((os.path.getmtime(os.path.join(args.work, f)) for f in os.listdir(args.work) if f.endswith(".json")),
                                         default=time.time()), timezone.utc)
    write_report(args, servers, variants, results, started, seeding)


def settle(master, seconds=180):
    """Waits (up to `seconds`) until the Dovecot `master` has fewer than 100 imap
    children left, so Dovecot ending 10,000 of them does not load the machine during the
    next server's run (other users' imap processes are not counted)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        count = 0
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)
                    name = fields[0].split("(", 1)[1]
                    count += name == "imap" and int(fields[1].split()[1]) == master
                except (OSError, IndexError, ValueError):
                    continue
        if count < 100:
            return
        time.sleep(2)


def seed_first(args, servers, variants, load_binary, seeding):
    """Seeds every SEEDED_FIRST variant's mailboxes once per server (variants with the
    same seeding arguments once between them), timing it; a server whose seeding fails
    is marked unavailable for those variants by their runs' own failures."""
    for server in servers:
        if server.unavailable:
            continue
        done = set()
        for name, load_args, _, _, _ in variants:
            if name not in SEEDED_FIRST:
                continue
            key = seed_key(load_args)
            if key in done:
                continue
            done.add(key)
            json_path = os.path.join(args.work, f"{server.name}-seed-{name}.json")
            result, _ = run_load(load_binary, server, load_args, ["--seed-only"], args.duration, json_path, 600)
            label = describe_seed(load_args)
            seeding.setdefault(label, {})[server.name] = result
            print(f"seeded {label} into {server.name}: {fmt(result.get('headline'), 1)} s {result.get('fatal') or ''}", flush=True)


def seed_key(load_args):
    """What a variant seeds: its workload family, message count and size, users, clients."""
    family = "corpus" if load_args[0] in ("fetch-headers", "store", "search") else load_args[0]
    def arg(name):
        return load_args[load_args.index(name) + 1] if name in load_args else ""
    clients = arg("--clients") if family != "corpus" else ""
    return (family, arg("--messages"), arg("--message-size"), arg("--users"), clients)


def describe_seed(load_args):
    family, messages, size, _, clients = seed_key(load_args)
    if family == "corpus":
        return f"corpus mailbox of {int(messages):,} messages of {size} bytes (one user)"
    return f"{family}: {messages} messages of {int(size):,} bytes for each of {clients} users"


def headline(result):
    if result.get("fatal"):
        return None
    return result.get("headline")


def main_command(result):
    commands = result.get("commands") or {}
    for name in ("FETCH BODY", "APPEND", "DELIVERY", "IDLE SETUP"):
        if name in commands and result.get("workload") != "mix":
            return name, commands[name]
    return None, None


def write_report(args, servers, variants, results, started, seeding):
    names = [s.name for s in servers]
    lines = [f"# imap-load: {' vs '.join(names)}", "",
             f"Measured {started.strftime('%Y-%m-%d %H:%M UTC')} on {machine_info()}; loopback only.",
             f"Servers: " + "; ".join(f"{s.name} — {s.version}" for s in servers) + ".",
             f"Each cell is the median over rounds of {args.duration:g} s runs (idle-capacity: {args.idle_rounds} round(s)); "
             "servers alternate which goes first each round. Operations that failed validation count as errors, never as throughput.",
             "Dovecot runs with its shipped `mail_fsync = optimized` (durable appends) and limits raised for many connections.",
             *([f"Longer runs: " + ", ".join(f"{k} {v:g} s" for k, v in MINIMUM_DURATION.items() if k in {v[0] for v in variants}) + "."]
               if any(k in {v[0] for v in variants} for k in MINIMUM_DURATION) else []),
             *([f"Dovecot rounds capped: {args.dovecot_max_rounds}."] if args.dovecot_max_rounds else []),
             "Produced by `python3 Benchmarks/Scripts/side-by-side.py " + " ".join(a for a in sys.argv[1:] if a != "--rerender") + "`.", ""]
    header = "| workload | metric | better | " + " | ".join(names)
    if len(names) == 2:
        header += f" | {names[1]}/{names[0]}"
    lines += [header + " | spread (min–max) | errors | rounds |", "|" + " --- |" * (len(names) + (7 if len(names) == 2 else 6))]
    for name, _, metric, better, _ in variants:
        cells, medians, errors, rounds, spreads = [], [], [], [], []
        for server in servers:
            runs = results[name][server.name]
            values = [headline(r) for r in runs if headline(r) is not None]
            m = median(values)
            if values:
                spreads.append(f"{server.name[0]}: {fmt(min(values), 2)}–{fmt(max(values), 2)}")
            medians.append(m)
            if m is not None:
                cells.append(fmt(m, 2))
            elif server.unavailable:
                cells.append(server.unavailable)
            else:
                fatal = next((r.get("fatal") for r in runs if r.get("fatal")), "no result")
                cells.append(f"failed: {fatal}")
            total_errors = sum(sum((r.get("errors") or {}).values()) for r in runs)
            errors.append(f"{server.name}: {total_errors}")
            rounds.append(str(len(values)))
        row = f"| {name} | {metric} | {better} | " + " | ".join(cells)
        if len(names) == 2:
            ratio = medians[1] / medians[0] if None not in medians and medians[0] else None
            row += f" | {fmt(ratio, 2) + '×' if ratio is not None else '—'}"
        lines.append(row + f" | {'; '.join(spreads) or '—'} | {', '.join(errors)} | {'/'.join(rounds)} |")
    copy_rows = [v for v in variants if COPY_BASELINE in results[v[0]]]
    if copy_rows:
        lines += ["", "## Body FETCH against a plain loopback copy", "",
                  "`imap-load serve-copy` answers the same `fetch-bodies` client (same code, connections and validation) "
                  "with just enough IMAP framing and moves each body with a plain sendfile(2) from a file; "
                  "each server's FETCH MB/s is divided by the copy's MB/s of the same round, and the median of those ratios is shown.", "",
                  "| workload | copy MB/s | " + " | ".join(f"{n} MB/s | {n}/copy" for n in names) + " |",
                  "|" + " --- |" * (2 + 2 * len(names))]
        for name, *_ in copy_rows:
            copies = results[name][COPY_BASELINE]
            row = f"| {name} | {fmt(median([headline(r) for r in copies if headline(r) is not None]), 1)} |"
            for n in names:
                ratios = [headline(r) / headline(c) for r, c in zip(results[name][n], copies)
                          if headline(r) is not None and headline(c)]
                value = median([headline(r) for r in results[name][n] if headline(r) is not None])
                ratio = median(ratios)
                row += f" {fmt(value, 1)} | {(f'{ratio * 100:.0f}%' if ratio is not None else '—')} |"
            lines.append(row)
    if seeding:
        lines += ["", "## Seeding (once per server per run, through IMAP APPEND/MULTIAPPEND, before round 1)", "",
                  "| mailboxes | " + " | ".join(f"{n} s" for n in names) + " |", "|" + " --- |" * (1 + len(names))]
        for label, by in seeding.items():
            cells = []
            for n in names:
                r = by.get(n)
                cells.append("—" if r is None else (f"failed: {r.get('fatal')}" if r.get("fatal") else fmt(r.get("headline"), 1)))
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "## Details (median of each figure over the rounds)", ""]
    for name, _, metric, better, _ in variants:
        lines.append(f"### {name}")
        lines.append("")
        lines.append("| server | operation | per s | MB/s | p50 ms | p90 ms | p99 ms | p99.9 ms |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        shown = servers + ([CopyBaseline.__new__(CopyBaseline)] if COPY_BASELINE in results[name] else [])
        for server in shown:
            if server.name == COPY_BASELINE:
                server.unavailable = None
            runs = [r for r in results[name][server.name] if not r.get("fatal")]
            if not runs:
                lines.append(f"| {server.name} | {server.unavailable or 'no result'} | | | | | | |")
                continue
            operations = sorted({op for r in runs for op in (r.get("commands") or {})})
            for op in operations:
                figures = [r["commands"][op] for r in runs if op in r.get("commands", {})]
                def med(key, scale=1.0):
                    return median([f[key] / scale for f in figures])
                lines.append(f"| {server.name} | {op} | {fmt(med('perSecond'))} | {fmt(med('megabytesPerSecond'), 2)} | "
                             f"{med('p50Microseconds', 1000):.3f} | {med('p90Microseconds', 1000):.3f} | "
                             f"{med('p99Microseconds', 1000):.3f} | {med('p999Microseconds', 1000):.3f} |")
            idle = [r.get("idle") for r in runs if r.get("idle")]
            for i in idle:
                if i.get("pssKiBPerConnection") is not None:
                    lines.append(f"| {server.name} | memory | {i['held']}/{i['requested']} held | | PSS {i['pssKiBPerConnection']:.1f} KiB/conn | "
                                 f"RSS {i['rssKiBPerConnection']:.1f} KiB/conn | processes {i['before']['processes']}→{i['after']['processes']} | opened in {i['openSeconds']:.1f} s |")
        lines.append("")
        svg_name = f"{args.name}-{name.replace(' ', '-')}.svg"
        groups = []
        series = names + ([COPY_BASELINE] if COPY_BASELINE in results[name] else [])
        max_rounds = max([len(results[name][s]) for s in series] + [0])
        for r in range(max_rounds):
            groups.append((f"round {r + 1}", {s: (headline(results[name][s][r]) if r < len(results[name][s]) else None) for s in series}))
        groups.append(("median", {s: median([headline(x) for x in results[name][s] if headline(x) is not None]) for s in series}))
        note = "; ".join(f"{s.name}: {s.unavailable}" for s in servers if s.unavailable) or f"{better} is better"
        with open(os.path.join(args.out, svg_name), "w") as f:
            f.write(bar_chart_svg(f"{name}: {metric}", metric, groups, series, note))
        lines.append(f"![{name}]({svg_name})")
        lines.append("")
    path = os.path.join(args.out, f"{args.name}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
