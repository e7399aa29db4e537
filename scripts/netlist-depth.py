#!/usr/bin/env python3
"""Estimates every path's delay in a synthesized ECP5 netlist (Yosys' JSON, before
place and route) and lists the deepest paths by block, in seconds instead of a full
place and route.

    scripts/netlist-depth.py target/nic/top.json              # blocks, deepest endpoints
    scripts/netlist-depth.py top.json --block card.nic.txd     # one block's endpoints
    scripts/netlist-depth.py top.json --path 0                 # the cells of one path

Each net costs a fixed routing estimate (ROUTE); each cell its logic delay (ECP5, speed 6,
as nextpnr reports them). Placement is not known, so a long route between blocks placed
far apart is not seen: the figure is about what nextpnr reports for a block placed alone,
and shows which paths are too deep whatever the placement. A path starts at a flip-flop,
a block RAM's output (5.8 ns: the board's block RAMs have no output register) or a
distributed RAM's contents, and ends at a flip-flop's or a RAM's inputs.
"""
import argparse
import json
import re
import signal
import sys
from collections import defaultdict

import os
ROUTE = float(os.environ.get("ROUTE", "0.9"))  # ns a net, placed near (nextpnr reports 0.4-1.0 inside a block)
CLK_TO_Q = {"TRELLIS_FF": 0.52, "DP16KD": 5.83, "TRELLIS_DPR16X4": 0.9, "EHXPLLL": 0.0, "IDDRX1F": 0.5}
SOURCES = ("TRELLIS_FF", "DP16KD", "EHXPLLL", "IDDRX1F")
LOGIC = {"LUT4": 0.24, "PFUMX": 0.17, "L6MUX21": 0.17, "MULT18X18D": 4.0, "TRELLIS_DPR16X4": 0.5}
# inputs fed inside a slice or by a dedicated wire: no routing
LOCAL = {"PFUMX": ("ALUT", "BLUT"), "L6MUX21": ("D0", "D1"), "CCU2C": ("CIN",)}
CLOCKS = ("CLK", "CLKA", "CLKB", "WCK", "SCLK")


def cell_delay(t, port_in, port_out):
    if t == "CCU2C":
        if port_in == "CIN":
            return 0.06 if port_out == "COUT" else 0.3
        return 0.45
    return LOGIC.get(t, 0.5)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into `head`
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--limit", type=float, default=8.0, help="clock period in ns (8.0)")
    ap.add_argument("--top", type=int, default=25, help="deepest endpoints to print")
    ap.add_argument("--block", default="", help="only endpoints whose name starts so")
    ap.add_argument("--depth", type=int, default=3, help="name components of a block (3)")
    ap.add_argument("--registers", action="store_true", help="list registers over the limit")
    ap.add_argument("--path", type=int, help="print the cells of the Nth deepest endpoint")
    a = ap.parse_args()
    try:
        with open(a.json) as f:
            mod = json.load(f)["modules"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"netlist-depth: cannot read a Yosys JSON netlist from {a.json}: {e}")
    top = next(m for m in mod.values() if m.get("attributes", {}).get("top"))
    cells = top["cells"]
    driver = {}
    for name, c in cells.items():
        for p, d in c.get("port_directions", {}).items():
            if d == "output":
                for bit in c["connections"][p]:
                    if isinstance(bit, int):
                        driver[bit] = (name, p)

    def inputs(c):
        t = c["type"]
        for p, d in c["port_directions"].items():
            if d == "input" and (t != "TRELLIS_DPR16X4" or p == "RAD"):
                for bit in c["connections"][p]:
                    if isinstance(bit, int) and bit in driver:
                        yield p, bit

    arrival = {}  # net -> ns
    pred = {}  # net -> the input net that sets its arrival (None at a source)
    def evaluate(b):
        name, port = driver[b]
        c = cells[name]
        t = c["type"]
        if t in SOURCES:
            arrival[b], pred[b] = CLK_TO_Q[t], None
            return
        best, via = CLK_TO_Q.get(t, 0.0), None
        for p, x in inputs(c):
            at = arrival[x] + (0.0 if p in LOCAL.get(t, ()) else ROUTE)
            at += cell_delay(t, p, port)
            if at > best:
                best, via = at, x
        arrival[b], pred[b] = best, via

    open_nets = set()
    for root in driver:
        if root in arrival:
            continue
        stack = [root]
        while stack:
            b = stack[-1]
            if b in arrival:
                stack.pop()
                continue
            c = cells[driver[b][0]]
            if c["type"] in SOURCES:
                evaluate(b)
                stack.pop()
                continue
            pending = [x for _, x in inputs(c) if x not in arrival]
            if pending and b not in open_nets:
                open_nets.add(b)
                for x in pending:
                    if x in open_nets:
                        sys.exit(f"netlist-depth: a combinational loop through {driver[x][0]}")
                stack.extend(pending)
                continue
            open_nets.discard(b)
            evaluate(b)
            stack.pop()

    ends = []
    for name, c in cells.items():
        t = c["type"]
        if t not in ("TRELLIS_FF", "DP16KD", "TRELLIS_DPR16X4"):
            continue
        worst, last = 0.0, None
        for p, d in c["port_directions"].items():
            if d != "input" or p in CLOCKS or (t == "TRELLIS_DPR16X4" and p == "RAD"):
                continue
            for bit in c["connections"][p]:
                if isinstance(bit, int) and bit in arrival and arrival[bit] + ROUTE > worst:
                    worst, last = arrival[bit] + ROUTE, bit
        if last is not None:
            ends.append((worst, name, last))
    ends.sort(key=lambda e: -e[0])

    def source(bit):
        while pred[bit] is not None:
            bit = pred[bit]
        return driver[bit][0]

    if a.path is not None:
        chosen = [e for e in ends if e[1].startswith(a.block)]
        if not 0 <= a.path < len(chosen):
            sys.exit(f"netlist-depth: {len(chosen)} endpoints start with {a.block!r}")
        worst, name, bit = chosen[a.path]
        chain = []
        while bit is not None:
            chain.append((arrival[bit], driver[bit]))
            bit = pred[bit]
        for at, (cell, port) in reversed(chain):
            print(f"{at:6.2f}  {cells[cell]['type']:16} {cell}.{port}")
        print(f"{worst:6.2f}  {cells[name]['type']:16} {name}")
        return

    if a.registers:
        regs = defaultdict(lambda: [0, 0.0, ""])
        for worst, name, bit in ends:
            if worst <= a.limit or not name.startswith(a.block):
                continue
            r = re.split(r"_TRELLIS_FF|\.q_TRELLIS|\$q_TRELLIS|_DO[AB]?\d*_TRELLIS", name)[0]
            e = regs[r]
            e[0] += 1
            if worst > e[1]:
                e[1], e[2] = worst, source(bit)
        for r, (n, worst, src) in sorted(regs.items(), key=lambda kv: -kv[1][0])[: a.top]:
            print(f"{n:5} {worst:6.2f}  {r[:60]:60} from {src[:60]}")
        return

    by_block = defaultdict(lambda: [0, 0, 0.0])
    for worst, name, _ in ends:
        e = by_block[".".join(name.split("$")[0].split(".")[: a.depth])]
        e[0] += 1
        e[1] += worst > a.limit
        e[2] = max(e[2], worst)
    over = sum(1 for e in ends if e[0] > a.limit)
    print(f"{len(ends)} endpoints, {over} estimated over {a.limit} ns (ROUTE {ROUTE} ns a net)")
    print(f"{'block':40} {'endpoints':>9} {'over':>6} {'worst ns':>8}")
    for k, e in sorted(by_block.items(), key=lambda kv: (-kv[1][1], -kv[1][2])):
        if e[1]:
            print(f"{k:40} {e[0]:9} {e[1]:6} {e[2]:8.2f}")
    print("deepest endpoints (one line per source and block of endpoints):")
    seen, n = set(), 0
    for worst, name, bit in ends:
        if not name.startswith(a.block):
            continue
        src = source(bit)
        key = (src, name.split("$")[0].rsplit(".", 1)[0])
        if key in seen:
            continue
        seen.add(key)
        print(f"{worst:6.2f}  {src[:64]:64} -> {name[:80]}")
        n += 1
        if n >= a.top:
            break


if __name__ == "__main__":
    main()
