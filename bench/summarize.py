#!/usr/bin/env python3
# nbdkit-golang
# Copyright the nbdkit-golang authors
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are
# met:
#
# * Redistributions of source code must retain the above copyright
# notice, this list of conditions and the following disclaimer.
#
# * Redistributions in binary form must reproduce the above copyright
# notice, this list of conditions and the following disclaimer in the
# documentation and/or other materials provided with the distribution.
#
# * Neither the name of the copyright holder nor the names of its
# contributors may be used to endorse or promote products derived from
# this software without specific prior written permission.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
# "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
# LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
# A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
# HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
# SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
# DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
# THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
# (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
# OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

"""Summarise bench/run's raw data (bench/out/raw/).

    summarize.py RAWDIR [--write BENCHDIR]

Always prints the ratio table.  With --write it (re)writes
BENCHDIR/RESULTS.md, BENCHDIR/summary.csv and BENCHDIR/ratios.png
(gnuplot), and appends BENCHDIR/notes.md (the hand-written analysis)
to RESULTS.md.
"""

import csv
import math
import os
import shutil
import statistics
import subprocess
import sys

OTHER_WORKLOADS = {
    "sr64k": "64k sequential read, QD32",
    "sr1m": "1M sequential read, QD8",
    "copy": "nbdcopy 1 GiB to null: (256k requests, 4 connections)",
}
SWEEP_KINDS = {"rr4k": "4k random read", "rw4k": "4k random write"}


def parse_sweep(w):
    """(kind, qd, jobs) of a sweep workload such as rr4k-q8-j4, or None."""
    parts = w.split("-")
    if (len(parts) == 3 and parts[0] in SWEEP_KINDS
            and parts[1][:1] == "q" and parts[2][:1] == "j"):
        return parts[0], int(parts[1][1:]), int(parts[2][1:])
    return None


def describe(w):
    sw = parse_sweep(w)
    if sw:
        kind, qd, jobs = sw
        conns = "connection" if jobs == 1 else "connections"
        return f"{SWEEP_KINDS[kind]}, QD{qd}, {jobs} {conns}"
    return OTHER_WORKLOADS.get(w, w)


def workload_key(w):
    sw = parse_sweep(w)
    if sw:
        return (0, list(SWEEP_KINDS).index(sw[0]), sw[1], sw[2])
    return (1, list(OTHER_WORKLOADS).index(w) if w in OTHER_WORKLOADS else 99,
            0, 0)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    rawdir = sys.argv[1]
    write = None
    if len(sys.argv) > 3 and sys.argv[2] == "--write":
        write = sys.argv[3]

    meta = {}
    gos = []
    with open(os.path.join(rawdir, "meta.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            if k == "go":
                gos.append(v)
            else:
                meta[k] = v
    variants = meta.get("variants", "").split()
    rows = read_csv(os.path.join(rawdir, "raw.csv"))
    multiconn = {}
    mc_path = os.path.join(rawdir, "multi-conn.csv")
    if os.path.exists(mc_path):
        with open(mc_path) as f:
            for line in f:
                v, _, m = line.strip().partition(",")
                multiconn[v] = m

    # (workload, variant) -> list of rows
    data = {}
    for r in rows:
        data.setdefault((r["workload"], r["variant"]), []).append(r)
    workloads = sorted({k[0] for k in data}, key=workload_key)

    summary = []
    ratio = {}
    cpu_ratio = {}
    for w in workloads:
        c_rows = data.get((w, "c"), [])
        c_med = median([float(r["iops"]) for r in c_rows])
        c_cpu = median([float(r["cpu_us_per_req"]) for r in c_rows])
        c_by_round = {r["round"]: float(r["iops"]) for r in c_rows}
        for v in variants:
            rs = data.get((w, v), [])
            if not rs:
                continue
            iops = [float(r["iops"]) for r in rs]
            mbps = [float(r["mbps"]) for r in rs]
            lat = [float(r["lat_us"]) for r in rs if r["lat_us"]]
            cpu = [float(r["cpu_us_per_req"]) for r in rs]
            paired = [float(r["iops"]) / c_by_round[r["round"]]
                      for r in rs if c_by_round.get(r["round"])]
            rt = median(iops) / c_med if c_med else float("nan")
            ratio[(w, v)] = rt
            # CPU per request relative to C: 1.05x = 5% more than C.
            crt = median(cpu) / c_cpu if c_cpu else float("nan")
            cpu_ratio[(w, v)] = crt
            sw = [float(r["switches_per_req"]) for r in rs
                  if r.get("switches_per_req")]
            summary.append({
                "workload": w, "variant": v, "samples": len(rs),
                "iops_median": f"{median(iops):.0f}",
                "iops_min": f"{min(iops):.0f}",
                "iops_max": f"{max(iops):.0f}",
                "mbps_median": f"{median(mbps):.1f}",
                "mbps_min": f"{min(mbps):.1f}",
                "mbps_max": f"{max(mbps):.1f}",
                "lat_us_median": f"{median(lat):.1f}" if lat else "",
                "cpu_us_per_req_median": f"{median(cpu):.2f}",
                "ratio_to_c": f"{rt:.3f}",
                "paired_ratio_median": f"{median(paired):.3f}",
                "cpu_ratio_to_c": f"{crt:.3f}",
                "switches_per_req_median": f"{median(sw):.2f}" if sw else "",
            })

    others = [v for v in variants if v != "c"]

    def ratio_md(r):
        """Markdown table of the ratios R[(workload, variant)]."""
        lines = ["| workload | " + " | ".join(others) + " |",
                 "|---|" + "---:|" * len(others)]
        for w in workloads:
            cells = ["" if r.get((w, v)) is None else f"{r[(w, v)]:.2f}x"
                     for v in others]
            lines.append(f"| {describe(w)} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    # The sweep: per variant, rows kind x QD, columns connections.
    sweep = sorted({parse_sweep(w) for w in workloads if parse_sweep(w)},
                   key=lambda t: (list(SWEEP_KINDS).index(t[0]), t[1], t[2]))
    rows_kq = sorted({(k, q) for k, q, _ in sweep},
                     key=lambda t: (list(SWEEP_KINDS).index(t[0]), t[1]))
    jobs_all = sorted({j for _, _, j in sweep})

    def sweep_md(v, ref="c"):
        """The sweep table of V, relative to the variant REF."""
        def rel(d, w):
            x = d.get((w, v))
            if ref == "c" or x is None:
                return x
            y = d.get((w, ref))
            return x / y if y else None
        title = v if ref == "c" else f"{v} / {ref}"
        lines = ["| " + title + " | " + " | ".join(
            f"{j} conn." for j in jobs_all) + " |",
                 "|---|" + "---:|" * len(jobs_all)]
        for k, q in rows_kq:
            cells = []
            for j in jobs_all:
                w = f"{k}-q{q}-j{j}"
                r, c = rel(ratio, w), rel(cpu_ratio, w)
                if r is not None and c is not None:
                    mark = "**" if r < 0.95 or c > 1.05 else ""
                    cells.append(f"{mark}{r:.2f} / {c:.2f}{mark}")
                else:
                    cells.append("")
            lines.append(f"| {SWEEP_KINDS[k]} QD{q} | " + " | ".join(cells) + " |")
        rs = [r for r in (rel(ratio, w) for w in workloads if parse_sweep(w))
              if r]
        cs = [c for c in (rel(cpu_ratio, w) for w in workloads
                          if parse_sweep(w)) if c]
        if rs and cs:
            lines.append("")
            lines.append(f"Geometric mean over the {len(rs)} cells: throughput"
                         f" {geomean(rs):.2f}x, CPU per request {geomean(cs):.2f}x;"
                         f" cells at 0.95x or better: {sum(r >= 0.95 for r in rs)}"
                         f" of {len(rs)}.")
        return "\n".join(lines)

    ratio_table = ratio_md(ratio)
    print(ratio_table)
    cpu_table = ratio_md(cpu_ratio)
    print("CPU time per request relative to C (variant / C):")
    print(cpu_table)
    for v in others:
        if sweep:
            print()
            print(sweep_md(v))

    micro = read_csv(os.path.join(rawdir, "micro.csv"))
    startup = read_csv(os.path.join(rawdir, "startup.csv"))
    if not write:
        for m in micro:
            print(f"{m['library']:24} {m['path']:7} threads={m['threads']:>2}"
                  f" {m['ns_per_call']:>8} ns/call"
                  f" {m.get('cpu_ns_per_call', ''):>8} CPU ns/call")
        for r in read_csv(os.path.join(rawdir, "sched.csv")):
            print("sched: " + ", ".join(f"{k}={x}" for k, x in r.items()))
        for v in variants:
            s = [r for r in startup if r["variant"] == v]
            if s:
                print(f"start-up {v}: "
                      f"{median([float(r['startup_ms']) for r in s]):.1f} ms,"
                      f" RSS {median([float(r['rss_kib']) for r in s]) / 1024:.1f} MiB")
        return

    # summary.csv, next to RESULTS.md and in the raw directory.
    fields = list(summary[0].keys()) if summary else []
    for path in (os.path.join(write, "summary.csv"),
                 os.path.join(rawdir, "summary.csv")):
        with open(path, "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            wr.writeheader()
            wr.writerows(summary)

    # The plot: throughput ratio against connections, one panel per
    # sweep row (kind x queue depth), one line per variant.
    png = os.path.join(write, "ratios.png")
    if shutil.which("gnuplot") and others and sweep:
        panels = []
        for k, q in rows_kq:
            dat = os.path.join(rawdir, f"sweep-{k}-q{q}.dat")
            with open(dat, "w") as f:
                f.write("conns " + " ".join(others) + "\n")
                for j in jobs_all:
                    f.write(f"{j} " + " ".join(
                        f"{ratio.get((f'{k}-q{q}-j{j}', v), float('nan')):.4f}"
                        for v in others) + "\n")
            panels.append((f"{SWEEP_KINDS[k]}, QD{q}", dat))
        cols = 3 if len(panels) > 2 else len(panels)
        nrows = (len(panels) + cols - 1) // cols
        gp = [f"set terminal pngcairo size {420 * cols},{330 * nrows + 60} font ',9'",
              f"set output '{png}'",
              "set datafile missing 'nan'",
              "set logscale x 2",
              "set xlabel 'connections (fio jobs)'",
              "set ylabel 'ratio to C memory plugin'",
              "set yrange [0:*]",
              "set grid",
              "set key bottom left",
              f"set multiplot layout {nrows},{cols} title "
              "\"Throughput relative to nbdkit's C memory plugin "
              "(medians, same run; dashed: 0.95x)\""]
        for title, dat in panels:
            gp.append(f"set title '{title}'")
            gp.append(f"plot for [i=2:{len(others) + 1}] '{dat}' using 1:i "
                      "with linespoints lw 2 title columnheader, "
                      "0.95 with lines dt 2 lc rgb 'red' notitle")
        gp.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True,
                       check=True)

    md = []
    p = md.append
    p("# nbdkit-golang benchmark results")
    p("")
    p("Generated by `bench/run` (see `bench/run --help`); the raw data are")
    p("in `bench/out/` (not committed), the medians in")
    p("[summary.csv](summary.csv).  The analysis is at the end.")
    p("")
    p("Exact command (from the top of the source tree, after `make`):")
    p("")
    p("    " + meta.get("command", "bench/run"))
    p("")
    p("## Machine")
    p("")
    p(f"- {meta.get('date')}")
    p(f"- CPU: {meta.get('cpu')}, {meta.get('cpus')} CPUs"
      f" ({meta.get('virt') or 'bare metal'} guest), {meta.get('memory')} RAM")
    p(f"- {meta.get('os')}, kernel {meta.get('kernel')}")
    p(f"- {meta.get('nbdkit')}; {meta.get('fio')}; {meta.get('libnbd')}")
    p(f"- {meta.get('cc')}; python plugin: Python {meta.get('python')}")
    for g in gos:
        p(f"- Go: {g}")
    p(f"- nbdkit threads: {meta.get('threads')}; extra Go environment:"
      f" {meta.get('go_env') or 'none'}")
    p(f"- rounds: {meta.get('rounds')}, fio runtime {meta.get('runtime')} s"
      f"{' (--short)' if meta.get('short') == 'yes' else ''}")
    p(f"- load average before: `{meta.get('load_before', '').strip()}`")
    p(f"- load average after: `{meta.get('load_after', '').strip()}`")
    loads = {}
    for r in rows:
        if r.get("load1"):
            loads.setdefault(r["round"], []).append(float(r["load1"]))
    if loads:
        p("- 1-minute load average during each round (min-median-max over"
          " its runs): " + "; ".join(
              f"round {k}: {min(x):.1f}-{median(x):.1f}-{max(x):.1f}"
              for k, x in sorted(loads.items(), key=lambda t: int(t[0]))))
    if meta.get("gonbd"):
        p(f"- {meta['gonbd']}")
    p("")
    p("## Variants")
    p("")
    desc = {
        "c": "nbdkit's C memory plugin (`nbdkit memory size=1G`): the reference",
        "c-malloc": "the same plugin with `allocator=malloc`: one flat buffer"
                    " that requests copy in parallel, as the Go ramdisk and"
                    " `cabi` do (the default sparse allocator copies every"
                    " request under one global mutex)",
        "c-serial": "the same plugin under nbdkit's noparallel filter"
                    " (`serialize=requests`): the thread model the Go ramdisk"
                    " chooses, nbdkit serving each connection from one thread",
        "go-nbd": "github.com/pojntfx/go-nbd's memory backend served by"
                  " `bench/gonbd` (a pure-Go NBD server, no nbdkit): what a Go"
                  " developer might pick instead",
        "cabi": "the loader with `bench/cramdisk.c`, a RAM disk written in C"
                " against the ABI: the loader's cost without Go",
        "python": "nbdkit's python plugin with `bench/ramdisk.py`",
    }
    for v in variants:
        if "+" in v:
            base, _, env = v.partition("+")
            d = f"as `{base}`, with `{env}` in the server's environment"
        elif v.endswith("-gc"):
            d = (f"the loader with `bench/gcdisk` built by {v[:-3]}: a RAM"
                 " disk that allocates on every request and keeps 64 MiB of"
                 " live objects (what GOMAXPROCS costs the garbage collector)")
        elif v.endswith("-parallel"):
            d = (f"the loader with examples/ramdisk built by {v[:-9]} in"
                 " nbdkit's parallel thread model (the example's model before"
                 " issue 14: 16 worker threads per connection)")
        elif v.endswith("-cgo"):
            d = (f"the loader with `bench/gocall` built by {v[:-4]}: bare cgo"
                 " exports, no golib (the cost of the Go transition alone)")
        else:
            d = desc.get(v, f"the loader with examples/ramdisk built by {v}"
                         " (golib; thread model serialize_requests)")
        p(f"- `{v}`: {d} (multi-conn: {multiconn.get(v, '?')})")
    p("")
    p("All servers run at once, each `nbdkit -f -U SOCKET`, 1 GiB, prefilled")
    p("by a sequential 1M fio write.  Each round runs every workload on every")
    p("variant, the order of the variants rotating from round to round.")
    p("")
    if sweep:
        p("## The sweep: throughput and CPU per request relative to C")
        p("")
        p("Each cell: median IOPS of the variant / median IOPS of the C memory")
        p("plugin, then the variant's median server CPU time per request / C's")
        p("(same run).  Target: throughput 0.95x or more at 1.05x the CPU or")
        p("less; cells that miss either are in bold.")
        p("")
        for v in others:
            p(sweep_md(v))
            p("")
        if "c-malloc" in variants:
            p("### The same, relative to `c-malloc`")
            p("")
            p("nbdkit's memory plugin copies every request under one global")
            p("mutex (its default allocator); with `allocator=malloc` requests")
            p("copy in parallel, as in the Go and C RAM disks measured here.")
            p("Each cell: the variant's median IOPS / `c-malloc`'s, then its")
            p("CPU per request / `c-malloc`'s.")
            p("")
            for v in others:
                if v != "c-malloc" and v.startswith(("go", "cabi")):
                    p(sweep_md(v, "c-malloc"))
                    p("")
        p("![ratios](ratios.png)")
        p("")
    p("## Throughput relative to the C memory plugin, every workload")
    p("")
    p("Median IOPS of the variant divided by the median IOPS of the C memory")
    p("plugin, same run (target: 0.95x or better).")
    p("")
    p(ratio_table)
    p("")
    p("### Server CPU per request relative to the C memory plugin")
    p("")
    p("The variant's median server CPU time per request divided by C's")
    p("(1.00x = as cheap as C; 2.00x = twice the CPU; target 1.05x or")
    p("less).  Throughput on a loaded 2-CPU machine swings with the")
    p("background load; CPU time per request much less, so this is the")
    p("steadier of the two tables.")
    p("")
    p(cpu_table)
    p("")
    p("## Details")
    p("")
    p("Medians over the rounds, (min-max); latency is fio's mean total")
    p("latency; CPU is the server's utime+stime (all threads, from")
    p("/proc/PID/stat, 10 ms ticks) divided by the requests served;")
    p("switches are the server threads' context switches (perf, tracepoint")
    p("`sched:sched_switch` filtered on the thread name) per request.")
    p("")
    p("| workload | variant | IOPS | MB/s (min-max) | ratio | paired ratio | lat us | CPU us/req | CPU ratio | switches/req |")
    p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in summary:
        p(f"| {s['workload']} | {s['variant']} | {s['iops_median']} |"
          f" {s['mbps_median']} ({s['mbps_min']}-{s['mbps_max']}) |"
          f" {float(s['ratio_to_c']):.2f} | {float(s['paired_ratio_median']):.2f} |"
          f" {s['lat_us_median']} | {s['cpu_us_per_req_median']} |"
          f" {float(s['cpu_ratio_to_c']):.2f} | {s['switches_per_req_median']} |")
    p("")
    p("\"paired ratio\" is the median over rounds of (variant / C in the same")
    p("round), less sensitive to drifting background load.")
    p("")
    p("Workloads (fio's nbd engine, `--time_based --norandommap`):")
    p("")
    for w in workloads:
        p(f"- `{w}`: {describe(w)}")
    p("")

    if micro:
        p("## Cost per call (callbench)")
        p("")
        p("`bench/callbench.c` calls `pread` of 1 byte in a loop, with no server")
        p("or network in the way: `direct` dlopens the library and calls")
        p("`nbdkitgo_pread`; `loader` plays nbdkit (defines the `nbdkit_*`")
        p("functions, dlopens `nbdkit-golang-plugin.so`, calls its")
        p("`.pread`).  `plain cgo` is `bench/gocall` (bare cgo exports, no")
        p("golib); `golib` is examples/ramdisk.  Wall time / total calls of all")
        p("threads (2 CPUs: several threads can at best halve it), and the")
        p("CPU time of the whole process (all threads, the Go runtime's")
        p("included) per call, which background load disturbs much less.")
        p("")
        threads = sorted({int(m["threads"]) for m in micro})
        p("| library | path | " + " | ".join(
            f"{t} thr wall ns/call | {t} thr CPU ns/call" for t in threads) + " |")
        p("|---|---|" + "---:|---:|" * len(threads))
        keyed = {}
        for m in micro:
            keyed.setdefault((m["library"], m["path"]), {})[int(m["threads"])] = \
                (float(m["ns_per_call"]), float(m.get("cpu_ns_per_call") or "nan"))
        for (lib, path), d in keyed.items():
            p(f"| {lib} | {path} | " + " | ".join(
                f"{d[t][0]:.1f} | {d[t][1]:.1f}" if t in d else " | "
                for t in threads) + " |")
        p("")
        p("Loader overhead per call (loader minus direct, same library, CPU ns):")
        p("")
        for (lib, path), d in keyed.items():
            if path != "loader" or (lib, "direct") not in keyed:
                continue
            dd = keyed[(lib, "direct")]
            p(f"- {lib}: " + ", ".join(
                f"{t} thr {d[t][1] - dd[t][1]:+.1f} ns" for t in threads
                if t in d and t in dd))
        p("")

    sched = read_csv(os.path.join(rawdir, "sched.csv"))
    if sched:
        p("## Where the CPU goes: system calls and context switches")
        p("")
        p("4k random reads, QD8 on 4 connections, one 3 s sample (1 s with --short)")
        p("after the rounds")
        p("(after a 1 s ramp): `perf stat --per-thread` on the server")
        p("(tracepoints")
        p("`raw_syscalls:sys_enter`, `sched:sched_switch`,")
        p("`syscalls:sys_enter_futex`, and `task-clock`), divided by the")
        p("requests fio completed in that time.  \"sysmon\" is the thread")
        p("with the most nanosleep calls, i.e. the Go runtime's monitor")
        p("thread, which polls every 20 us while Ps sit in syscall state.")
        p("")
        p("| variant | IOPS | syscalls/req | switches/req | futex/req | CPU us/req | sysmon CPU us/req | sysmon wakeups/s |")
        p("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in sched:
            p(f"| {r['variant']} | {r['iops']} | {r['syscalls_per_req']} |"
              f" {r['switches_per_req']} | {r['futex_per_req']} |"
              f" {r['cpu_us_per_req']} | {r['sysmon_cpu_us_per_req']} |"
              f" {r['sysmon_wakeups_per_s']} |")
        p("")

    if startup:
        p("## Start-up and idle footprint")
        p("")
        p("`bench/startup.c`: time from exec of `nbdkit -f -U SOCK ...` until")
        p("a connection receives the NBD greeting (configuration check")
        p("included), then one `nbdinfo --size` connection, then VmRSS.")
        p("")
        p("| variant | start-up ms median (min-max) | vs C | idle RSS MiB | vs C |")
        p("|---|---:|---:|---:|---:|")
        by = {}
        for r in startup:
            by.setdefault(r["variant"], []).append(r)
        c_ms = c_rss = None
        if "c" in by:
            c_ms = median([float(r["startup_ms"]) for r in by["c"]])
            c_rss = median([float(r["rss_kib"]) for r in by["c"]]) / 1024
        for v, rs in by.items():
            ms = [float(r["startup_ms"]) for r in rs]
            rss = median([float(r["rss_kib"]) for r in rs]) / 1024
            dms = f"{median(ms) - c_ms:+.1f} ms" if c_ms is not None else ""
            drss = f"{rss - c_rss:+.1f} MiB" if c_rss is not None else ""
            p(f"| {v} | {median(ms):.1f} ({min(ms):.1f}-{max(ms):.1f}) | {dms} |"
              f" {rss:.1f} | {drss} |")
        p("")

    notes = os.path.join(write, "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            p(f.read().rstrip("\n"))
        p("")
    with open(os.path.join(write, "RESULTS.md"), "w") as f:
        f.write("\n".join(md))
    print(f"wrote {write}/RESULTS.md, summary.csv, ratios.png")


if __name__ == "__main__":
    main()
