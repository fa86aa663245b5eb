"""The report side-by-side.py writes: the Markdown table of medians, spreads and ratios,
the copy-baseline and seeding tables, per-operation details, and one SVG chart per
workload. Kept apart from the runner so each file stays readable."""
import os
import platform
import statistics
import sys

# The pseudo-server of the fetch-bodies copy baseline (imap-load serve-copy).
COPY_BASELINE = "Loopback copy"


class Series:
    """A column that is not a server (the copy baseline): a name, never unavailable."""

    def __init__(self, name):
        self.name = name
        self.unavailable = None


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


def write_report(args, servers, variants, results, started, seeding, minimum_duration):
    names = [s.name for s in servers]
    lines = [f"# imap-load: {' vs '.join(names)}", "",
             f"Measured {started.strftime('%Y-%m-%d %H:%M UTC')} on {machine_info()}; loopback only.",
             "Servers: " + "; ".join(f"{s.name} — {s.version}" for s in servers) + ".",
             f"Each cell is the median over rounds of {args.duration:g} s runs (idle-capacity: {args.idle_rounds} round(s)); "
             "servers alternate which goes first each round. Operations that failed validation count as errors, never as throughput.",
             "Dovecot runs with its shipped `mail_fsync = optimized` (durable appends) and limits raised for many connections.",
             *(["Longer runs: " + ", ".join(f"{k} {v:g} s" for k, v in minimum_duration.items() if k in {v[0] for v in variants}) + "."]
               if any(k in {v[0] for v in variants} for k in minimum_duration) else []),
             *([f"Dovecot rounds capped: {args.dovecot_max_rounds}."] if args.dovecot_max_rounds else []),
             *(["Every connection is implicit TLS (both servers with the test certificate for 127.0.0.1, which the client checks; "
                "a full handshake per connection, no session resumption); Dovecot's TLS settings as shipped."]
               if getattr(args, "tls", False) else []),
             *([f"idle-fanout: the headline is by arrival in the idlers' sockets (kernel receive timestamps; ARRIVAL AT ALL); "
                f"the time the client read them is DELIVERY TO ALL in the details. The client read the idlers at "
                f"{'SCHED_IDLE' if getattr(args, 'fanout_readers_priority', 'normal') == 'idle' else 'normal priority'}, "
                "and sent each APPEND at normal priority."]
               if any(v[0].startswith("idle-fanout") for v in variants) else []),
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
        shown = servers + ([Series(COPY_BASELINE)] if COPY_BASELINE in results[name] else [])
        for server in shown:
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
