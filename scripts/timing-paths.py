#!/usr/bin/env python3
"""Lists every path that fails the clock period in a routed ECP5 build, from the delays
nextpnr wrote after routing (`top.sdf`, which `arsenic synth` writes beside the bitstream).

    scripts/timing-paths.py target/nic/top.sdf                  # failing endpoints by block
    scripts/timing-paths.py target/nic/top.sdf --paths 20       # the 20 worst paths, cell by cell
    scripts/timing-paths.py target/nic/top.sdf --only card.     # endpoints whose name starts so

nextpnr's own log names one critical path per clock. This reads every cell's delay
(`IOPATH`), every route's delay (`INTERCONNECT`) and every setup check of the routed design
and finds each endpoint's latest arrival, so a build shows all it must fix at once: how
many endpoints fail, how they spread over the blocks, and the distinct paths (one per
source block and endpoint block) behind them. Delays are the SDF's maxima, as nextpnr's
own timing uses them. Every endpoint is checked against one period: paths between
unrelated clocks (the receive crossings' synchronizers) show up too, and nextpnr leaves
them out; they are named by their cells (`x0.`, `x1.`).
"""
import argparse
import re
import signal
import sys
from collections import defaultdict

TRIPLE = re.compile(r"\(([-0-9.]*):([-0-9.]*):([-0-9.]*)\)")


def worst(text):
    """The largest maximum among a statement's delay triples, in ns."""
    vals = [float(m.group(3)) for m in TRIPLE.finditer(text) if m.group(3)]
    return max(vals) / 1000.0 if vals else 0.0


def pin_name(s):
    s = s.strip()
    m = re.match(r"\((?:posedge|negedge)\s+(\S+)\)", s)
    return m.group(1) if m else s


def parse(path):
    inter = []  # (from "inst/pin", to "inst/pin", ns)
    iopath = defaultdict(list)  # inst -> [(in pin, out pin, ns)]
    setup = {}  # "inst/pin" -> ns
    clocks = defaultdict(set)  # inst -> clock pins (those setup checks refer to)
    inst = None
    with open(path) as f:
        for line in f:
            t = line.strip()
            if t.startswith("(INSTANCE"):
                inst = t[len("(INSTANCE") :].rstrip(")").strip()
            elif t.startswith("(INTERCONNECT"):
                parts = t.split()
                inter.append((parts[1], parts[2], worst(t)))
            elif t.startswith("(IOPATH"):
                m = re.match(r"\(IOPATH\s+(\((?:posedge|negedge)\s+\S+\)|\S+)\s+(\S+)", t)
                if m:
                    iopath[inst].append((pin_name(m.group(1)), m.group(2), worst(t)))
            elif t.startswith("(SETUPHOLD") or t.startswith("(SETUP "):
                m = re.match(
                    r"\((?:SETUPHOLD|SETUP)\s+(\((?:posedge|negedge)\s+\S+\)|\S+)\s+"
                    r"(\((?:posedge|negedge)\s+\S+\)|\S+)\s+\(([-0-9.]*):([-0-9.]*):([-0-9.]*)\)",
                    t,
                )
                if m:
                    d, c = pin_name(m.group(1)), pin_name(m.group(2))
                    key = f"{inst}/{d}"
                    su = float(m.group(5) or 0) / 1000.0
                    setup[key] = max(setup.get(key, 0.0), su)
                    clocks[inst].add(c)
    return inter, iopath, setup, clocks


def block(name, depth):
    inst = name.rsplit("/", 1)[0]
    return ".".join(inst.split(".")[:depth])


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into `head`
    ap = argparse.ArgumentParser()
    ap.add_argument("sdf")
    ap.add_argument("--period", type=float, default=8.0, help="clock period in ns (8.0)")
    ap.add_argument("--paths", type=int, default=0, help="print the N worst distinct paths")
    ap.add_argument("--groups", type=int, default=40, help="source/endpoint block pairs to list")
    ap.add_argument("--depth", type=int, default=3, help="name components of a block (3)")
    ap.add_argument("--only", default="", help="only endpoints whose name starts so")
    a = ap.parse_args()
    try:
        inter, iopath, setup, clocks = parse(a.sdf)
    except OSError as e:
        sys.exit(f"timing-paths: cannot read {a.sdf}: {e}")
    if not setup:
        sys.exit(f"timing-paths: {a.sdf} has no setup checks: not a routed design's SDF?")

    succ = defaultdict(list)  # pin -> [(pin, ns)]
    indeg = defaultdict(int)
    nodes = set()
    launch = {}  # pin -> clock-to-output ns
    for fr, to, d in inter:
        succ[fr].append((to, d))
        indeg[to] += 1
        nodes.update((fr, to))
    for inst, arcs in iopath.items():
        clk = clocks.get(inst, set()) | {"CLK", "WCK", "CLKA", "CLKB"}
        for i, o, d in arcs:
            out = f"{inst}/{o}"
            nodes.add(out)
            if i in clk:
                launch[out] = max(launch.get(out, 0.0), d)
            else:
                src = f"{inst}/{i}"
                nodes.add(src)
                succ[src].append((out, d))
                indeg[out] += 1

    arrival = {}
    pred = {}
    ready = [n for n in nodes if indeg[n] == 0]
    for n in ready:
        if n in launch:
            arrival[n] = launch[n]
            pred[n] = None
    left = dict(indeg)
    while ready:
        n = ready.pop()
        an = arrival.get(n)
        for m, d in succ.get(n, ()):
            if an is not None and (m not in arrival or an + d > arrival[m]):
                arrival[m], pred[m] = an + d, n
            left[m] -= 1
            if left[m] == 0:
                if m in launch and (m not in arrival or launch[m] > arrival[m]):
                    arrival[m], pred[m] = launch[m], None
                ready.append(m)

    ends = []
    for p, su in setup.items():
        if p in arrival and p.startswith(a.only):
            ends.append((arrival[p] + su - a.period, p))
    ends.sort(reverse=True)
    failing = [e for e in ends if e[0] > 0]
    print(f"{len(ends)} endpoints with a setup check, {len(failing)} fail {a.period} ns")
    if ends:
        w = ends[0][0] + a.period
        print(f"worst {w:.2f} ns ({1000.0 / w:.1f} MHz)")
    hist = defaultdict(int)
    for s, _ in failing:
        hist[min(int(s / 0.5), 8)] += 1
    for k in sorted(hist):
        hi = "+" if k == 8 else f"{0.5 * (k + 1):.1f}"
        print(f"  late by {0.5 * k:.1f}-{hi} ns: {hist[k]}")

    def source_of(p):
        while pred.get(p) is not None:
            p = pred[p]
        return p

    by_end = defaultdict(lambda: [0, -1e9])
    groups = {}
    for s, p in failing:
        src = source_of(p)
        g = (block(src, a.depth), block(p, a.depth))
        by_end[g[1]][0] += 1
        by_end[g[1]][1] = max(by_end[g[1]][1], s)
        if g not in groups:
            groups[g] = [s, 0, src, p]
        groups[g][1] += 1
    print("\nfailing endpoints by block:")
    for b, (n, s) in sorted(by_end.items(), key=lambda kv: -kv[1][0]):
        print(f"  {n:6} worst +{s:.2f} ns  {b}")
    print("\nworst path per source block -> endpoint block (late by, endpoints, path):")
    order = sorted(groups.items(), key=lambda kv: -kv[1][0])
    for (sb, eb), (s, n, src, p) in order[: a.groups]:
        print(f"  +{s:.2f} {n:5}  {src} -> {p}")
    for k, ((sb, eb), (s, n, src, p)) in enumerate(order[: a.paths]):
        print(f"\npath {k}: late by {s:.2f} ns, {sb} -> {eb}")
        chain = []
        q = p
        while q is not None:
            chain.append(q)
            q = pred.get(q)
        for q in reversed(chain):
            print(f"  {arrival[q]:6.2f}  {q}")


if __name__ == "__main__":
    main()
