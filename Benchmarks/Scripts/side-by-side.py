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
    # issue 7's message commands (opt-in; the first two take under 10 minutes here, the fan-out
    # one up to ~13: one Dovecot round of 10,000 idlers takes 5-10 minutes):
    python3 Benchmarks/Scripts/side-by-side.py --workloads fetch-headers,store,search-flags,search-headers,search-body --name load-messages
    python3 Benchmarks/Scripts/side-by-side.py --workloads fetch-bodies,fetch-bodies-10m --copy-baseline --name load-bodies
    python3 Benchmarks/Scripts/side-by-side.py --workloads idle-fanout-10000 --dovecot-max-rounds idle-fanout-10000=1 --name load-fanout-10000
    # Over implicit TLS (both servers with the test certificate, every connection a full
    # handshake; not for the fan-out workloads or the copy baseline):
    python3 Benchmarks/Scripts/side-by-side.py --tls --workloads mix,logins,fetch-bodies,append,idle-capacity --name load-tls

A server that cannot log in yet is recorded as "not yet serving IMAP (login fails)"
(imap-load exits 3 and its JSON `fatal` names the login failure); the run goes on with
the other server. Everything stays on 127.0.0.1 and each imap-load run is bounded by a
timeout. Needs root for Dovecot (it switches to the mail user) and to raise file limits.
"""
import argparse
import fcntl
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from side_by_side_report import COPY_BASELINE, fmt, write_report  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOVECOT_SH = os.path.join(ROOT, "Tests", "Interop", "dovecot", "dovecot.sh")
# `--tls`: the project's test-only certificate for 127.0.0.1 (its key is public).
TLS_CERT = os.path.join(ROOT, "Tests", "TLSFixtures", "localhost-cert.pem")
TLS_KEY = os.path.join(ROOT, "Tests", "TLSFixtures", "localhost-key.pem")
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
    # Headline by arrival in the idlers' sockets (kernel receive timestamps): the client
    # shares the server's cores here, and its own reading would otherwise count as the
    # server's latency. The read figure (DELIVERY TO ALL) stays in the details.
    "idle-fanout-10000": (["idle-fanout", "--idlers", "10000", "--delivery-timeout", "60"], "p99 arrival at all (ms)", "lower"),
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

# name -> (imap-load arguments, metric label, which direction is better)
WORKLOADS = {
    "mix": (["mix", "--clients", "100", "--users", "10", "--messages", "20", "--message-size", "4096"], "operations/s", "higher"),
    "fetch-bodies": (["fetch-bodies", "--clients", "10", "--users", "10", "--messages", "20", "--message-size", "102400"], "MB/s", "higher"),
    "append": (["append", "--clients", "10", "--users", "10", "--message-size", "4096"], "messages/s", "higher"),
    "idle-fanout": (["idle-fanout", "--idlers", "50"], "p99 arrival at all (ms)", "lower"),
    # Issue 6's login benchmark: 100 clients cycling LOGIN + SELECT INBOX + LOGOUT
    # (each LOGOUT is followed by a LOGIN; operations/s counts SELECTs and LOGOUT+LOGINs).
    "logins": (["mix", "--clients", "100", "--users", "10", "--messages", "20", "--message-size", "4096",
                "--weights", "list=0,status=0,select=1,fetch-flags=0,fetch-body=0,store=0,expunge=0,append=0,logout=1"],
               "operations/s", "higher"),
    **MESSAGE_WORKLOADS,
}


def wait_for_port(port, seconds=30.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def port_in_use(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def hold_work_directory(directory):
    """Keeps a second run off this --work directory for as long as the returned file stays open.

    Two runs sharing one directory delete each other's server data at start-up and then
    measure each other's servers; refusing the second run is the only safe answer."""
    lock = open(os.path.join(directory, ".side-by-side.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(f"another side-by-side run is using --work {directory}; give this one its own --work and ports")
    return lock


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


def dovecot_tls_overrides(tls_port):
    """Implicit TLS on `tls_port` with the test certificate, Dovecot's other TLS
    settings as shipped (its login process then stays as each connection's proxy)."""
    return f"""
# side-by-side.py --tls: implicit TLS on {tls_port}.
ssl = yes
ssl_cert = <{TLS_CERT}
ssl_key = <{TLS_KEY}
service imap-login {{
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
"""


class Dovecot:
    name = "Dovecot"

    def __init__(self, port, directory, users, tls_port=None):
        self.port, self.directory, self.users = port, directory, users
        # With --tls every imap-load run connects here instead of `port`.
        self.tls_port = tls_port
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
            if self.tls_port:
                f.write(dovecot_tls_overrides(self.tls_port))
        subprocess.run(["dovecot", "-c", os.path.join(self.directory, "dovecot.conf")], check=True, preexec_fn=raise_file_limit)
        for port in [self.port] + ([self.tls_port] if self.tls_port else []):
            if not wait_for_port(port):
                raise RuntimeError("Dovecot did not listen on port %d" % port)

    def pid(self):
        # Just after a (re)start the master may listen before it writes its pid file.
        path = os.path.join(self.directory, "run", "master.pid")
        for _ in range(100):
            if os.path.exists(path):
                break
            time.sleep(0.1)
        with open(path) as f:
            return int(f.read().strip())

    def stop(self):
        subprocess.run(["bash", DOVECOT_SH, "stop", str(self.port), self.directory], stdout=subprocess.DEVNULL)


class Mailshard:
    name = "Mailshard"

    def __init__(self, port, directory, users, binary, environment, tls_port=None):
        self.port, self.directory, self.users, self.binary = port, directory, users, binary
        self.environment = dict(environment)
        self.tls_port = tls_port
        if tls_port:
            self.environment.update(MAILSHARD_TLS_CERT_FILE=TLS_CERT, MAILSHARD_TLS_KEY_FILE=TLS_KEY,
                                    MAILSHARD_LISTEN_TLS_PORT=str(tls_port))
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
        for port in [self.port] + ([self.tls_port] if self.tls_port else []):
            if not wait_for_port(port):
                self.stop()
                raise RuntimeError("mailshard did not listen on port %d (see %s/serve.log)" % (port, self.directory))

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
        # The same users as the workload's clients, each with files of its own (the
        # server's working set, not one shared set of files).
        self.clients = load_args[load_args.index("--clients") + 1]
        self.users = load_args[load_args.index("--users") + 1]
        self.process = None
        self.unavailable = None
        self.tls_port = None  # plain sendfile only: side-by-side refuses --copy-baseline with --tls

    def start(self):
        self.process = subprocess.Popen([self.binary, "serve-copy", "--port", str(self.port), "--message-size", self.size,
                                         "--messages", self.messages, "--clients", self.clients, "--users", self.users,
                                         "--data", self.directory],
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
    # A server with a TLS port is measured through it (`--tls`), its certificate checked.
    port = ["--port", str(server.tls_port), "--tls", "--tls-ca-file", TLS_CERT] if server.tls_port else ["--port", str(server.port)]
    args = [binary] + workload_args + port + ["--password", "loadpass",
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
    parser.add_argument("--tls", action="store_true",
                        help="measure both servers through implicit TLS (the test certificate on the ports below)")
    parser.add_argument("--dovecot-tls-port", type=int, default=11432)
    parser.add_argument("--mailshard-tls-port", type=int, default=11433)
    parser.add_argument("--copy-port", type=int, default=None,
                        help="first port of the --copy-baseline servers (default: --mailshard-port + 10)")
    # idle by default: on an otherwise quiet machine the server then has both cores while it
    # fans out (arrival at all p50 44-46 against 64-126 ms at normal priority, 10,000 idlers;
    # Benchmarks/results/load-fanout-10000-final.md). Under others' load the idle reader
    # is starved until that load ends (CLIENT CPU PER ROUND halves to ~25 ms: look for it).
    parser.add_argument("--fanout-readers-priority", choices=["idle", "normal"], default="idle",
                        help="scheduling class of imap-load's thread while it reads the idle-fanout idlers "
                             "(idle: SCHED_IDLE, it reads only when no other thread wants the core; APPENDs go out at normal priority)")
    parser.add_argument("--fanout-receiver", choices=["ring", "gated-ring", "epoll"], default="ring",
                        help="imap-load's idle-fanout receiver (gated-ring: idlers' arrivals wake it only "
                             "after the APPEND's reply, so on loopback the server's sends stop running the "
                             "reader's wake-ups, which a remote client pays for on its own machine)")
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
        if args.tls and w.startswith("idle-fanout"):
            parser.error(f"{w} has no TLS mode (its receiver reads the idlers' sockets directly)")
    if args.tls and args.copy_baseline:
        parser.error("--copy-baseline is a plain sendfile server: it has no TLS mode")
    users = [(f"load{i}", "loadpass") for i in range(1, args.users + 1)]
    os.makedirs(args.work, exist_ok=True)
    work_lock = hold_work_directory(args.work)  # noqa: F841 (held until the run ends)
    os.makedirs(args.out, exist_ok=True)
    raise_file_limit()

    load_binary = os.path.join(LOAD_PACKAGE, ".build", "release", "imap-load")
    if not args.skip_build:
        build("imap-load", ["swift", "build", "-c", "release", "--package-path", LOAD_PACKAGE, "--product", "imap-load"])
    servers = []
    if "dovecot" in servers_wanted:
        servers.append(Dovecot(args.dovecot_port, os.path.join(args.work, "dovecot"), users,
                               args.dovecot_tls_port if args.tls else None))
    if "mailshard" in servers_wanted:
        if not args.skip_build:
            build("mailshard", ["swift", "build", "-c", "release", "--product", "mailshard"])
        env = dict(pair.split("=", 1) for pair in args.mailshard_env.split(",") if "=" in pair)
        servers.append(Mailshard(args.mailshard_port, os.path.join(args.work, "mailshard"), users,
                                 os.path.join(ROOT, ".build", "release", "mailshard"), env,
                                 args.mailshard_tls_port if args.tls else None))

    if not args.rerender:
        for server in servers:
            for port in [server.port] + ([server.tls_port] if server.tls_port else []):
                if port_in_use(port):
                    sys.exit(f"port {port} already answers: another server would be measured instead of {server.name}; pick another port")

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
                first_copy_port = args.copy_port if args.copy_port is not None else args.mailshard_port + 10
                baselines[name] = CopyBaseline(load_binary, first_copy_port + index,
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
                        # A fresh server: memory an earlier workload grew and freed would
                        # otherwise absorb the new connections and hide their cost.
                        server.stop()
                        server.start()
                        extra = ["--pid", str(server.pid())]
                    if name.startswith("idle-fanout"):
                        extra += ["--idle-readers-priority", args.fanout_readers_priority,
                                  "--idle-receiver", args.fanout_receiver]
                    if name.startswith("idle-fanout") and server.name == "Mailshard":
                        # Its CPU time per delivery round (one process; Dovecot's are many).
                        extra += ["--pid", str(server.pid())]
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
    write_report(args, servers, variants, results, started, seeding, MINIMUM_DURATION)


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
    write_report(args, servers, variants, results, started, seeding, MINIMUM_DURATION)


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


if __name__ == "__main__":
    main()
