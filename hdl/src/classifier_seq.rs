//! The sequential build of the classifier, for small FPGAs ([`ClassifierParams::sequential`]).
//!
//! The same tables behind the same MMIO window, the same results in the same order; what
//! changes is how the work is spread over the cycles a frame at 1 GbE leaves (84 for a
//! minimum frame):
//!
//! - **Header**: eight octet lanes of distributed RAM (lane j holds octet j of every beat, two
//!   banks of 16 beats), and lanes 0 to 6 again, each beat's octets kept at the beat before.
//!   A window unit reads one 4-octet window at any offset a cycle: each lane reads the
//!   window's beat (a lane below the window's first octet takes its copy, the next beat's),
//!   the outputs are registered, then rotated. No sum lies before the lanes' read address.
//! - **Parser and keys** (steps 0..=15): fourteen windows at fixed offsets (and three at
//!   offsets found by the first ones: the transport ports and the VLAN-depth IP header) fill
//!   the 5-tuple and 3-tuple word by word; the parser's flags come from the same windows.
//! - **Literals** (one a cycle, read at step 14 + n, decided at 18 + n): a five-stage pipeline
//!   of table read, address, window and compare, into a shift register.
//! - **Terms** (one a cycle, matched at 18 + literals + t): read from RAM, ranked a step later.
//! - **Flows**: two hash units (one per bank's seed) run the one-at-a-time hash, two cycles a
//!   word, over the 5-tuple (steps 13..=34) then the 3-tuple (37..=58); the four slots of each
//!   key are read a 64-bit word a cycle from block RAM (one per bank and way; steps 36..=41
//!   and 59..=64), registered twice and compared as they come (38..=42, 61..=65), then
//!   ranked one a cycle (44..=47, 67..=70).
//!   A flow insert (`FLOW_CMD`) copies the staged entry into its slot in six cycles, word 5
//!   (valid bit, VI, filter) last; a lookup that overlapped the copy of its slot misses, one
//!   before it sees the slot's old content, one after it the new entry. A delete clears word
//!   5 at once; a copy writing the same RAM waits that cycle. An insert written while
//!   another is copied waits and copies the stage as it is when it starts, so the stage must
//!   keep its entry until then; a third insert written meanwhile takes the waiting one's
//!   place (that slot keeps what it held). The device manager writes twelve staging words
//!   between inserts, so neither ever happens to it.
//! - **Decision** at [`ClassifierParams::latency`] - 1: the best term against the best flow
//!   (a flow wins only when strictly better, which is the order the parallel build ranks in).
//!
//! Table writes made while a frame is classified may or may not be seen by it, as in the
//! parallel build; term valid bits are sampled at the commit in both. Literal and term writes
//! are decoded and registered first, so they land a cycle after their MMIO write (the flow
//! staging words and commands do not wait).

use arsenic_interface::classifier::{self as cls, ClassifierParams, HEADER_BYTES};
use arsenic_interface::event::FILTER_NONE;

/// The Verilog body of a sequential classifier of `p` (a transmit checker when `tx`), with
/// `rd` result slots.
pub(crate) fn verilog(p: ClassifierParams, tx: bool, rd: usize) -> String {
    assert!(p.sequential && p.literals_per_cycle == 1);
    assert!(p.literals <= 128 && p.terms <= 64);
    assert!(
        p.literals >= 2 && p.terms >= 2,
        "one-entry tables are not decoded"
    );
    assert!(
        p.literals.is_power_of_two() && p.terms.is_power_of_two(),
        "the sequential build decodes its tables by their aligned windows"
    );
    assert_eq!(cls::FLOW_STAGE % 64, 0);
    assert_eq!(cls::flow::WORDS, 12);
    assert_eq!(arsenic_interface::params::MMIO_ADDR_BITS, 24);
    assert!((1..=12).contains(&p.flow_bank_bits));
    let nl = p.literals;
    let nt = p.terms;
    let decide = p.latency() - 1;
    assert!(decide < 250, "the step counter is 8 bits");
    let clog2 = |n: usize| (n.next_power_of_two().trailing_zeros() as usize).max(1);
    let lb = clog2(nl);
    let tb = clog2(nt);
    let fbits = p.flow_bank_bits;
    let fb = 1usize << p.flow_bank_bits;
    let rb = rd.trailing_zeros() as usize;
    let chunks = nl.div_ceil(32);
    let [seed0, seed1] = cls::FLOW_HASH_SEED;
    assert_eq!(HEADER_BYTES, 128, "two banks of 16 beats in the lanes");

    let mut v = String::new();
    // Header lanes.
    v.push_str(
        "// Header lanes: lane j holds octet j of every 8-octet beat, by {bank, beat}; lanes\n",
    );
    v.push_str("// 0 to 6 again at the beat before (a window reads them from the next beat).\n");
    for j in 0..8 {
        v.push_str(&format!(
            "(* ram_style = \"distributed\" *) reg [7:0] hl{j} [0:31];\nreg [7:0] lq{j};\n"
        ));
    }
    for j in 0..7 {
        v.push_str(&format!(
            "(* ram_style = \"distributed\" *) reg [7:0] hn{j} [0:31];\n"
        ));
    }
    // Term tables, a RAM per 32-bit chunk; and for each positive-mask word, whether it names
    // a literal past the table (such a term never matches, as in the parallel build).
    for c in 0..chunks {
        v.push_str(&format!(
            "reg [31:0] tpos{c} [0:$NT1];\nreg [31:0] tneg{c} [0:$NT1];\nreg [31:0] tp{c}_q, tn{c}_q;\n"
        ));
    }
    let beyond: Vec<(usize, u32)> = (0..4)
        .map(|w| {
            let first = nl.saturating_sub(32 * w).min(32);
            (w, if first >= 32 { 0 } else { u32::MAX << first })
        })
        .filter(|&(_, m)| m != 0)
        .collect();
    for &(w, _) in &beyond {
        v.push_str(&format!("reg tbad{w} [0:$NT1];\nreg tb{w}_q;\n"));
    }
    v.push_str("reg [2:0] ls_e, vs0, vs1, vs2, vs3;\nreg [3:0] vz;\n");
    v.push_str(BODY_DECLS);
    // Capture into the lanes.
    // (Each lane's write enable: its own bit of `s_lanes`, a register beside the input.)
    v.push_str("always @(posedge clock) begin\n    if (!cap_beat[4]) begin\n");
    for j in 0..8 {
        v.push_str(&format!(
            "        if (s_lanes[{j}]) hl{j}[{{cap_bank, cap_beat[3:0]}}] <= s_data[{hi}:{lo}];\n",
            hi = 8 * j + 7,
            lo = 8 * j
        ));
    }
    for j in 0..7 {
        v.push_str(&format!(
            "        if (s_lanes[{j}] && cap_nz) hn{j}[{{cap_bank, cap_prev}}] <= s_data[{hi}:{lo}];\n",
            hi = 8 * j + 7,
            lo = 8 * j
        ));
    }
    v.push_str("    end\nend\n");
    // Window unit: lane j reads the window's beat, or the next one (its copy at the window's
    // beat) when j is below the window's first lane. No sum before the RAMs' addresses. Past
    // the last beat the copy holds nothing, where the original wrapped to the first: either
    // way those octets are past the header, and read as zeros (`wz`, `vz`).
    v.push_str("always @(*) begin\n");
    v.push_str("    ls_e = (lsz_q == 3'd1) ? 3'd1 : (lsz_q == 3'd2) ? 3'd2 : 3'd4;\n");
    v.push_str(concat!(
        "end\nalways @(posedge clock) begin\n    pa <= pa_c;\n    pa_q <= pa;\n",
        "    // A literal's value, octet k from the window's octet size - 1 - k, its lanes and\n",
        "    // the octets past the value or the header also decided with the address.\n",
        "    // The window's rotation and its octets past the header, decided with the address.\n",
        "    ws0 <= pa[2:0];\n    ws1 <= pa[2:0] + 3'd1;\n    ws2 <= pa[2:0] + 3'd2;\n    ws3 <= pa[2:0] + 3'd3;\n",
        "    wz <= {(|pa[15:7]) || (pa[6:2] == 5'h1f && (pa[1] || pa[0])), (|pa[15:7]) || pa[6:1] == 6'h3f,\n",
        "           (|pa[15:7]) || pa[6:0] == 7'h7f, |pa[15:7]};\n"
    ));
    for k in 0..4 {
        v.push_str(&format!(
            "    vs{k} <= pa[2:0] + ls_e - 3'd{k1};\n    vz[{k}] <= (3'd{k} >= ls_e) || (|pa[15:7]) || ({{1'b0, pa[6:0]}} + {{5'd0, ls_e}} - 8'd{k1} >= 8'd128);\n",
            k1 = k + 1
        ));
    }
    for j in 0..7 {
        v.push_str(&format!(
            "    lq{j} <= (3'd{j} < pa[2:0]) ? hn{j}[{{ev_bank, pa[6:3]}}] : hl{j}[{{ev_bank, pa[6:3]}}];\n"
        ));
    }
    v.push_str("    lq7 <= hl7[{ev_bank, pa[6:3]}];\n");
    v.push_str("end\n");
    // Lane select for the window's rotation.
    v.push_str("function [7:0] lane;\n    input [2:0] s;\n    begin\n        case (s)\n");
    for j in 0..8 {
        v.push_str(&format!("            3'd{j}: lane = lq{j};\n"));
    }
    v.push_str("            default: lane = 8'd0;\n        endcase\n    end\nendfunction\n");
    // Term table reads and writes.
    v.push_str("always @(posedge clock) begin\n");
    for c in 0..chunks {
        v.push_str(&format!(
            "    tp{c}_q <= tpos{c}[ti_a];\n    tn{c}_q <= tneg{c}[ti_a];\n"
        ));
    }
    for &(w, m) in &beyond {
        v.push_str(&format!(
            "    tb{w}_q <= tbad{w}[ti_a];\n    if (tw_sel[{w}]) tbad{w}[tw_term] <= |(tw_d & 32'h{m:08x});\n"
        ));
    }
    for c in 0..chunks {
        v.push_str(&format!(
            "    if (tw_sel[{c}]) tpos{c}[tw_term] <= tw_d;\n    if (tw_sel[{n}]) tneg{c}[tw_term] <= tw_d;\n",
            n = 4 + c
        ));
    }
    v.push_str("end\n");
    let tpos_cat: Vec<String> = (0..chunks).rev().map(|c| format!("tp{c}_q")).collect();
    let tneg_cat: Vec<String> = (0..chunks).rev().map(|c| format!("tn{c}_q")).collect();
    let bad: Vec<String> = beyond.iter().map(|(w, _)| format!("tb{w}_q")).collect();
    v.push_str(&format!(
        "always @(*) begin\n    tpos_all = {{{}}};\n    tneg_all = {{{}}};\n    tbad_any = {};\nend\n",
        tpos_cat.join(", "),
        tneg_cat.join(", "),
        if bad.is_empty() { "1'b0".to_string() } else { bad.join(" | ") }
    ));
    // Every RAM starts empty, as the model's tables and header banks do.
    v.push_str("integer z;\ninitial begin\n    for (z = 0; z < 32; z = z + 1) begin\n");
    for j in 0..8 {
        v.push_str(&format!("        hl{j}[z] = 0;\n"));
    }
    for j in 0..7 {
        v.push_str(&format!("        hn{j}[z] = 0;\n"));
    }
    v.push_str("    end\n    for (z = 0; z <= $NT1; z = z + 1) begin\n");
    for c in 0..chunks {
        v.push_str(&format!(
            "        tpos{c}[z] = 0;\n        tneg{c}[z] = 0;\n"
        ));
    }
    for &(w, _) in &beyond {
        v.push_str(&format!("        tbad{w}[z] = 0;\n"));
    }
    v.push_str("    end\nend\n");
    v.push_str(BODY);

    let t_own = if tx { " && (tvi_q == ev_vi)" } else { "" };
    let f_own = |slot: &str| {
        if tx {
            format!(" && (fr{slot}[47:32] == ev_vi)")
        } else {
            String::new()
        }
    };
    let subs: Vec<(&str, String)> = vec![
        ("$NL1", (nl - 1).to_string()),
        ("$NT1", (nt - 1).to_string()),
        ("$NL", nl.to_string()),
        ("$NT", nt.to_string()),
        ("$LB1", (lb - 1).to_string()),
        ("$TB1", (tb - 1).to_string()),
        ("$FB1", (fbits - 1).to_string()),
        // Without the exact-flow table no slot is ever a candidate, and synthesis removes the
        // hash units, the slot RAMs and the copy unit.
        (
            "$CAND_HIT",
            if p.exact_flows { "c_hit" } else { "4'd0" }.to_string(),
        ),
        ("$FBM", (fb - 1).to_string()),
        ("$FD1", (8 * fb - 1).to_string()),
        ("$RD1", (rd - 1).to_string()),
        ("$RB1", (rb - 1).to_string()),
        ("$RB", rb.to_string()),
        ("$RD", rd.to_string()),
        ("$CW1", (32 * chunks - 1).to_string()),
        ("$DECIDE", decide.to_string()),
        ("$DECM1", (decide - 1).to_string()),
        ("$LIT_END1", (17 + nl).to_string()),
        ("$TERM_B1", (17 + nl).to_string()),
        ("$TERM_END1", (17 + nl + nt).to_string()),
        ("$TERM_A", (17 + nl).to_string()),
        ("$SEED0", format!("32'h{seed0:08x}")),
        ("$SEED1", format!("32'h{seed1:08x}")),
        ("$LSH", (4 + lb).to_string()),
        ("$TSH", (6 + tb).to_string()),
        ("$LIT_HI", (cls::LIT_BASE >> (4 + lb)).to_string()),
        ("$TERM_HI", (cls::TERM_BASE >> (6 + tb)).to_string()),
        ("$STAGE_HI", (cls::FLOW_STAGE >> 6).to_string()),
        ("$CMD", cls::FLOW_CMD.to_string()),
        ("$VIW", (32 * cls::flow::VI).to_string()),
        ("$FPW", (32 * cls::flow::FILTER).to_string()),
        ("$FNONE", FILTER_NONE.to_string()),
        ("$OSH", cls::lit::OFFSET_SHIFT.to_string()),
        ("$SSH", cls::lit::SIZE_SHIFT.to_string()),
        ("$BSH", cls::lit::BASE_SHIFT.to_string()),
        ("$DSH", cls::lit::DEPTH_SHIFT.to_string()),
        ("$KSH", cls::lit::KIND_SHIFT.to_string()),
        ("$B_PAY", cls::lit::BASE_IPV4_PAYLOAD.to_string()),
        ("$K_OOB", cls::lit::KIND_OOB.to_string()),
        ("$K_LEN", cls::lit::KIND_LEN.to_string()),
        ("$T_OWN", t_own.to_string()),
        ("$F_OWN0", f_own("00")),
        ("$F_OWN1", f_own("01")),
        ("$F_OWN2", f_own("10")),
        ("$F_OWN3", f_own("11")),
    ];
    for (k, val) in subs {
        v = v.replace(k, &val);
    }
    assert!(
        !v.contains('$'),
        "an unsubstituted name in the sequential classifier"
    );
    v
}

const BODY_DECLS: &str = r#"
reg cap_bank;
reg [4:0] cap_beat;
// The beat before `cap_beat`, and whether there is one, kept beside it.
reg [3:0] cap_prev;
reg cap_nz;
reg busy_r;
// The decision step (busy_r && step == $DECIDE), registered.
reg at_dec;
// Whether this step decides a literal, ranks a term (registered a step ahead).
reg lit_on, term_on;
reg [7:0] step;
reg ev_bank;
reg [15:0] ev_len;
reg [15:0] ev_vi;
// Tables.
reg [31:0] lit_field [0:$NL1];
reg [31:0] lit_value [0:$NL1];
reg [31:0] lit_mask [0:$NL1];
reg [31:0] term_fp [0:$NT1];
reg [15:0] term_vi [0:$NT1];
reg [63:0] term_valid;
reg [63:0] tvalid_snap;
reg [31:0] stage [0:11];
reg [63:0] fm00 [0:$FD1];
reg [63:0] fm01 [0:$FD1];
reg [63:0] fm10 [0:$FD1];
reg [63:0] fm11 [0:$FD1];
// Window unit.
reg [15:0] pa_c, pa, pa_q;
reg pa_start;
reg [7:0] o0, o1, o2, o3;
reg [2:0] ws0, ws1, ws2, ws3;
reg [3:0] wz;
reg [31:0] win;
// Parser and keys.
reg [31:0] w12, w16, w20, wp, wq;
reg [3:0] ihl3;
reg [31:0] kw1, kw2, kw3, kw4, kw5, kw6, kw7, kw8, kw9;
reg keys_ok;
reg [3:0] flags_r;
reg v4;
reg [7:0] proto;
reg [15:0] l4raw, l4, pl3;
// Registered a step or more after the words they come from (the window address and the
// parser's length check start from registers), and the parser's flags in two steps.
reg [15:0] l4_r, pl3_r, pneed_r;
reg [3:0] pflags_a, pk_r, pihl_r;
reg pports;
reg k_ok;
reg [3:0] pflags;
reg [15:0] pneed, pet, pfrag;
reg [7:0] pv, pnh;
// Literals.
reg [$LB1:0] li_a, li_c;
reg [31:0] lf_q, lv_q, lm_q;
reg [15:0] la, la_q;
reg [2:0] lsz_q, lsz2;
reg [1:0] lkd_q, lkd2, lkd3;
reg [31:0] lval_r, lv_q2, lm_q2;
reg loob_r, lenhit_r;
reg [3:0] ihl;
reg [15:0] l3;
reg [31:0] lval;
reg loob, lhit;
reg [$NL1:0] litvec;
// Terms.
reg [$TB1:0] ti_a, ti_q;
reg [$CW1:0] tpos_all, tneg_all;
reg tbad_any;
reg [31:0] tfp_q;
reg [15:0] tvi_q;
reg thit, thit_r;
reg [31:0] tfp_q2;
reg [15:0] tvi_q2;
reg t_have, f_have, rule_r, flow_r;
reg [15:0] t_p, f_p, t_vi, f_vi;
reg [14:0] t_f, f_f;
// Flows.
reg [31:0] hA, hB;
reg [$FB1:0] i5_0, i5_1;
reg [3:0] hj;
reg [31:0] hk5, hk3, hk, hk_r, kw0_5, kw0_3;
reg [7:0] stp1;
reg [2:0] fr_word;
reg [$FB1:0] fr_i0, fr_i1;
reg [63:0] fd00, fd01, fd10, fd11;
reg [63:0] fr00, fr01, fr10, fr11;
reg [63:0] kp, kp_q, kp_r;
reg [3:0] eq, dirty, c_hit;
reg [31:0] c_fp [0:3];
reg [15:0] c_vi [0:3];
reg [3:0] cand_hit;
reg copy_busy, copy_live, copy_bank, copy_way;
reg [2:0] copy_c;
reg [$FB1:0] copy_idx;
reg ins_pend, ins_bank, ins_way;
reg [$FB1:0] ins_idx;
reg del_now, ins_now, copy_go, finishing, free, pend_live;
reg [1:0] del_sel, copy_sel;
reg [3:0] we;
reg [$FB1+3:0] wa0, wa1, wa2, wa3;
reg [63:0] wd0, wd1, wd2, wd3;
reg [383:0] snap;
reg [63:0] cword;
reg [$FB1:0] cmd_idx;
// Results.
// (Distributed: the output register takes the head, and a block RAM would put its 5.8 ns
// clock-to-output in front of the card's DMA.)
(* ram_style = "distributed" *) reg [35:0] fifo [0:$RD1];
reg [$RD1:0] ready;
reg [$RB:0] ev_slot;
reg ev_has_slot;
reg [$RB:0] f_head, f_tail, fcount;
reg [$RB:0] fc_same, fc_less;
// The head's result, moved to an output register (the card's DMA sees registers only).
reg o_v, q_take, push_r, q_full;
// The head is in and ready (as of the last cycle: a take is never followed by another in the
// next cycle, so the head it tested is still the head).
reg h_rdy;
reg [35:0] o_d;
// A frame's result is written into the queue (and its slot marked ready) the cycle after the
// decision, from registers: the queue's write enables wait for no decision. So is the FNONE
// result of a frame that overran the classifier, the cycle after its last beat (`ov_r`).
reg rw_v, ov_w, ov_r;
reg [$RB1:0] rw_slot, ov_slot;
reg [35:0] rw_d;
reg [31:0] c_rule, c_flow, c_over;
reg use_flow, have;
reg [15:0] best_vi;
reg [14:0] best_f;
reg [$LB1:0] cfg_lit;
reg lit_sel, term_sel, stage_sel;
reg [$TB1:0] cfg_term;
// Writes into the literal and term tables, decoded and registered: each lands a cycle after
// its MMIO write, the tables' write enables straight from flip-flops (`lw_sel[k]`: literal
// word k; `tw_sel[k]`: term word k; `tv_hot[t]`: term t's valid bit).
reg [31:0] tw_d;
reg [$LB1:0] tw_lit;
reg [$TB1:0] tw_term;
reg [3:0] lw_sel;
reg [15:0] tw_sel;
reg [$NT1:0] tv_hot;
"#;

const BODY: &str = r#"
function [31:0] mixb;
    input [31:0] x;
    reg [31:0] t;
    begin
        t = x + (x << 10);
        mixb = t ^ (t >> 6);
    end
endfunction

function [31:0] fin;
    input [31:0] x;
    reg [31:0] t;
    begin
        t = x ^ (x >> 11);
        fin = t + (t << 15);
    end
endfunction

function tpid;
    input [15:0] e;
    begin
        tpid = (e == 16'h8100) || (e == 16'h88a8) || (e == 16'h9100);
    end
endfunction

function better;
    input [15:0] p, bp;
    input [14:0] f, bf;
    begin
        better = (p > bp) || (p == bp && f < bf);
    end
endfunction

always @(*) begin
    // The window read this cycle (presented last cycle): octets beyond the header read 0.
    o0 = wz[0] ? 8'd0 : lane(ws0);
    o1 = wz[1] ? 8'd0 : lane(ws1);
    o2 = wz[2] ? 8'd0 : lane(ws2);
    o3 = wz[3] ? 8'd0 : lane(ws3);
    win = {o0, o1, o2, o3};
    // Keys: IPv4 (untagged) or else IPv6 offsets.
    v4 = (w12[31:16] == 16'h0800);
    proto = v4 ? w20[7:0] : w20[31:24];
    l4raw = v4 ? (16'd14 + {10'd0, w12[11:8], 2'b00}) : 16'd54;
    k_ok = (v4 ? ((w20[31:16] & 16'h1fff) == 16'd0) : (w12[31:16] == 16'h86dd))
        && (l4raw + 16'd4 <= ev_len) && (l4raw + 16'd4 <= 16'd128);
    l4 = (l4raw + 16'd4 > 16'd128) ? 16'd124 : l4raw;
    kw0_5 = {22'd0, !v4, 1'b1, proto};
    kw0_3 = {22'd0, !v4, 1'b0, proto};
    // The parser: IP header after zero, one or two VLAN tags.
    pl3 = tpid(w12[31:16]) ? (tpid(w16[31:16]) ? 16'd22 : 16'd18) : 16'd14;
    pet = wp[31:16];
    pv = wp[15:8];
    pflags = 4'd0;
    pfrag = 16'd0;
    pnh = 8'd0;
    pports = 1'b0;
    if (pet == 16'h0800) begin
        if (pv[7:4] != 4'd4 || pv[3:0] < 4'd5) pflags = pflags | 4'd2;
        pfrag = wq[31:16] & 16'h1fff;
        if (pfrag != 16'd0) pflags = pflags | 4'd8;
        pnh = wq[7:0];
        pports = pfrag == 16'd0 && (pnh == 8'd6 || pnh == 8'd17 || pnh == 8'd132);
    end else if (pet == 16'h86dd) begin
        if (pv[7:4] != 4'd6) pflags = pflags | 4'd2;
        pnh = wq[31:24];
        if (pnh == 8'd0 || pnh == 8'd43 || pnh == 8'd44 || pnh == 8'd50 || pnh == 8'd51 || pnh == 8'd60 || pnh == 8'd135) pflags = pflags | 4'd4;
        pports = (pnh == 8'd6 || pnh == 8'd17 || pnh == 8'd132);
    end
    // The octets the headers need, from what step 15 registered (`pk_r`: IPv4, IPv6, ARP,
    // ports), compared with the frame's length a step later.
    if (pk_r[3]) pneed = pl3_r + {10'd0, pihl_r, 2'b00} + (pk_r[0] ? 16'd4 : 16'd0);
    else if (pk_r[2]) pneed = pl3_r + 16'd40 + (pk_r[0] ? 16'd4 : 16'd0);
    else if (pk_r[1]) pneed = pl3_r + 16'd28;
    else pneed = 16'd0;
    // Literal pipeline: table read (A), address (B), window and value read (C), value
    // registered (D), compare (E).
    li_a = step - 8'd14;
    li_c = step - 8'd16;
    case (lf_q[$DSH+1:$DSH])
        2'd0: ihl = w12[11:8];
        2'd1: ihl = w16[11:8];
        2'd2: ihl = w20[11:8];
        default: ihl = ihl3;
    endcase
    l3 = 16'd14 + {12'd0, lf_q[$DSH+1:$DSH], 2'b00};
    if (lf_q[$BSH+1:$BSH] == $B_PAY) la = l3 + {10'd0, ihl, 2'b00} + {8'd0, lf_q[$OSH+7:$OSH]};
    else la = {8'd0, lf_q[$OSH+7:$OSH]};
    // The address the next step presents to the window unit (step 0 presents 12), registered
    // in `pa`.
    case (step)
        8'd0: pa_c = 16'd16;
        8'd1: pa_c = 16'd20;
        8'd2: pa_c = 16'd22;
        8'd3: pa_c = 16'd26;
        8'd4: pa_c = 16'd30;
        8'd5: pa_c = 16'd34;
        8'd6: pa_c = 16'd38;
        8'd7: pa_c = 16'd42;
        8'd8: pa_c = 16'd46;
        8'd9: pa_c = 16'd50;
        8'd10: pa_c = l4_r;
        8'd11: pa_c = pl3_r - 16'd2;
        8'd12: pa_c = pl3_r + 16'd6;
        default: pa_c = la;
    endcase
    // A frame taken now starts at step 0.
    pa_start = s_valid && s_last && s_commit && !(busy_r && !at_dec);
    if (pa_start) pa_c = 16'd12;
    lval = {vz[3] ? 8'd0 : lane(vs3), vz[2] ? 8'd0 : lane(vs2), vz[1] ? 8'd0 : lane(vs1), vz[0] ? 8'd0 : lane(vs0)};
    loob = ({1'b0, pa_q} + {14'd0, lsz2} > {1'b0, ev_len}) || ({1'b0, pa_q} + {14'd0, lsz2} > 17'd128);
    if (lkd3 == $K_OOB) lhit = loob_r;
    else if (lkd3 == $K_LEN) lhit = lenhit_r;
    else lhit = !loob_r && ((lval_r & lm_q2) == lv_q2);
    // Terms.
    ti_a = step - $TERM_A;
    thit = tvalid_snap[ti_q] && !tbad_any && ((litvec & tpos_all[$NL1:0]) == tpos_all[$NL1:0])
        && ((litvec & tneg_all[$NL1:0]) == 0)$T_OWN;
    // Flow hashes: word hj of the 5-tuple (steps 13..32), then of the 3-tuple (37..56),
    // chosen a step ahead and registered in `hk_r`.
    stp1 = step + 8'd1;
    hj = (stp1 < 8'd36) ? ((stp1 - 8'd13) >> 1) : ((stp1 - 8'd37) >> 1);
    case (hj)
        4'd0: begin hk5 = kw0_5; hk3 = kw0_3; end
        4'd1: begin hk5 = kw1; hk3 = 32'd0; end
        4'd2: begin hk5 = kw2; hk3 = 32'd0; end
        4'd3: begin hk5 = kw3; hk3 = 32'd0; end
        4'd4: begin hk5 = kw4; hk3 = 32'd0; end
        4'd5: begin hk5 = kw5; hk3 = kw5; end
        4'd6: begin hk5 = kw6; hk3 = kw6; end
        4'd7: begin hk5 = kw7; hk3 = kw7; end
        4'd8: begin hk5 = kw8; hk3 = kw8; end
        default: begin hk5 = kw9; hk3 = {16'd0, kw9[15:0]}; end
    endcase
    hk = (stp1 < 8'd36) ? hk5 : hk3;
    // Flow reads: the 5-tuple's slots at steps 36..41, the 3-tuple's at 59..64.
    if (step < 8'd59) begin
        fr_word = step[2:0] - 3'd4;
        fr_i0 = i5_0;
        fr_i1 = i5_1;
    end else begin
        fr_word = step[2:0] - 3'd3;
        fr_i0 = hA[$FB1:0];
        fr_i1 = hB[$FB1:0];
    end
    // The key words the slots' words are compared with (registered beside the read).
    case (fr_word)
        3'd0: kp = (step < 8'd59) ? {kw1, kw0_5} : {32'd0, kw0_3};
        3'd1: kp = (step < 8'd59) ? {kw3, kw2} : 64'd0;
        3'd2: kp = (step < 8'd59) ? {kw5, kw4} : {kw5, 32'd0};
        3'd3: kp = {kw7, kw6};
        default: kp = (step < 8'd59) ? {kw9, kw8} : {16'd0, kw9[15:0], kw8};
    endcase
    // A slot's word 5 holds its valid bit (63), VI (47..32) and filter (31..0).
    c_hit[0] = keys_ok && eq[0] && !dirty[0] && fr00[63]$F_OWN0;
    c_hit[1] = keys_ok && eq[1] && !dirty[1] && fr01[63]$F_OWN1;
    c_hit[2] = keys_ok && eq[2] && !dirty[2] && fr10[63]$F_OWN2;
    c_hit[3] = keys_ok && eq[3] && !dirty[3] && fr11[63]$F_OWN3;
    // Flow inserts: the staged words, 64 bits a cycle.
    case (copy_c)
        3'd0: cword = snap[63:0];
        3'd1: cword = snap[127:64];
        3'd2: cword = snap[191:128];
        3'd3: cword = snap[255:192];
        3'd4: cword = snap[319:256];
        default: cword = {copy_live, 15'd0, snap[$VIW+15:$VIW], snap[$FPW+31:$FPW]};
    endcase
    cmd_idx = cfg_wdata[$FB1:0] & $FBM;
    // Flow commands. A delete clears the slot's word 5 at once (the copy under way waits that
    // cycle if it writes the same RAM); an insert starts its copy when the copy unit is free.
    del_now = cfg_write && cfg_addr == $CMD && !cfg_wdata[31];
    ins_now = cfg_write && cfg_addr == $CMD && cfg_wdata[31];
    del_sel = {cfg_wdata[17], cfg_wdata[16]};
    copy_sel = {copy_way, copy_bank};
    copy_go = copy_busy && !(del_now && del_sel == copy_sel);
    finishing = copy_go && copy_c == 3'd5;
    free = !copy_busy || finishing;
    pend_live = ins_pend && !(del_now && del_sel == {ins_way, ins_bank} && cmd_idx == ins_idx);
    we[0] = (del_now && del_sel == 2'd0) || (copy_go && copy_sel == 2'd0);
    we[1] = (del_now && del_sel == 2'd1) || (copy_go && copy_sel == 2'd1);
    we[2] = (del_now && del_sel == 2'd2) || (copy_go && copy_sel == 2'd2);
    we[3] = (del_now && del_sel == 2'd3) || (copy_go && copy_sel == 2'd3);
    wa0 = (del_now && del_sel == 2'd0) ? {cmd_idx, 3'd5} : {copy_idx, copy_c};
    wa1 = (del_now && del_sel == 2'd1) ? {cmd_idx, 3'd5} : {copy_idx, copy_c};
    wa2 = (del_now && del_sel == 2'd2) ? {cmd_idx, 3'd5} : {copy_idx, copy_c};
    wa3 = (del_now && del_sel == 2'd3) ? {cmd_idx, 3'd5} : {copy_idx, copy_c};
    wd0 = (del_now && del_sel == 2'd0) ? 64'd0 : cword;
    wd1 = (del_now && del_sel == 2'd1) ? 64'd0 : cword;
    wd2 = (del_now && del_sel == 2'd2) ? 64'd0 : cword;
    wd3 = (del_now && del_sel == 2'd3) ? 64'd0 : cword;
    // The decision.
    use_flow = f_have && (!t_have || better(f_p, t_p, f_f, t_f));
    have = t_have || f_have;
    best_f = use_flow ? f_f : t_f;
    best_vi = use_flow ? f_vi : t_vi;
    // Table decode: each table's window is aligned to its size.
    lit_sel = cfg_write && cfg_addr[23:$LSH] == $LIT_HI;
    term_sel = cfg_write && cfg_addr[23:$TSH] == $TERM_HI;
    stage_sel = cfg_write && cfg_addr[23:6] == $STAGE_HI && !(cfg_addr[5] && cfg_addr[4]);
    cfg_lit = cfg_addr[$LB1+4:4];
    cfg_term = cfg_addr[$TB1+6:6];
    // Outputs.
    // The head's result moves to the output register when that is free. Not when it is
    // being popped: the consumer's pop stays out of the queue's logic (a result leaves at
    // most every other cycle, and a frame takes eight at least).
    q_take = h_rdy && !o_v;
    // A frame's push is counted the cycle after it (`push_r`), so the count's sums start
    // from registers alone; meanwhile 'full' counts it too.
    q_full = fcount[$RB] || (push_r && fcount[$RB1:0] == {$RB{1'b1}});
    fc_same = fcount + (push_r ? 1 : 0);
    // A frame that ends while the classifier is busy gets a FNONE result, written the next
    // cycle (`ov_r`).
    ov_w = s_valid && s_last && s_commit && busy_r && !at_dec && !q_full;
    fc_less = fc_same - 1;
    res_empty = !o_v;
    res_vi = o_v ? o_d[15:0] : 16'd0;
    res_filter = o_v ? o_d[31:16] : 16'd0;
    res_flags = o_v ? o_d[35:32] : 4'd0;
    busy = busy_r;
    cnt_rule_hits = c_rule;
    cnt_flow_hits = c_flow;
    cnt_overrun = c_over;
end

// One loop index for each process that loops (a variable shared by two clocked processes
// has two drivers to a synthesis tool).
integer i, it, ir, iw;
initial begin
    cap_bank = 0; cap_beat = 0; cap_prev = 0; cap_nz = 0; busy_r = 0; at_dec = 0; lit_on = 0; term_on = 0; step = 0; ev_bank = 0; ev_len = 0; ev_vi = 0;
    term_valid = 0; tvalid_snap = 0; f_head = 0; f_tail = 0; fcount = 0; o_v = 0; o_d = 0; ready = 0; ev_slot = 0;
    h_rdy = 0; ov_r = 0; ov_slot = 0;
    ev_has_slot = 0; c_rule = 0; c_flow = 0; c_over = 0; keys_ok = 0; flags_r = 0;
    l4_r = 0; pl3_r = 0; pneed_r = 0; pflags_a = 0; pk_r = 0; pihl_r = 0;
    w12 = 0; w16 = 0; w20 = 0; wp = 0; wq = 0; ihl3 = 0; pa = 0; pa_q = 0;
    ws0 = 0; ws1 = 0; ws2 = 0; ws3 = 0; wz = 0; kp_q = 0; kp_r = 0; hk_r = 0;
    kw1 = 0; kw2 = 0; kw3 = 0; kw4 = 0; kw5 = 0; kw6 = 0; kw7 = 0; kw8 = 0; kw9 = 0;
    lf_q = 0; lv_q = 0; lm_q = 0; la_q = 0; lsz_q = 0; lsz2 = 0; lkd_q = 0; lkd2 = 0; lkd3 = 0; lval_r = 0; loob_r = 0; lenhit_r = 0; lv_q2 = 0; lm_q2 = 0; litvec = 0;
    ti_q = 0; tfp_q = 0; tvi_q = 0; thit_r = 0; tfp_q2 = 0; tvi_q2 = 0; t_have = 0; f_have = 0; rule_r = 0; flow_r = 0;
    t_p = 0; f_p = 0; t_vi = 0; f_vi = 0; t_f = 0; f_f = 0;
    hA = 0; hB = 0; i5_0 = 0; i5_1 = 0; fd00 = 0; fd01 = 0; fd10 = 0; fd11 = 0;
    fr00 = 0; fr01 = 0; fr10 = 0; fr11 = 0;
    eq = 0; dirty = 0; cand_hit = 0;
    tw_d = 0; tw_lit = 0; tw_term = 0; lw_sel = 0; tw_sel = 0; tv_hot = 0;
    copy_busy = 0; copy_live = 0; copy_bank = 0; copy_way = 0; copy_c = 0; copy_idx = 0; snap = 0;
    ins_pend = 0; ins_bank = 0; ins_way = 0; ins_idx = 0;
    for (i = 0; i <= $FD1; i = i + 1) begin fm00[i] = 0; fm01[i] = 0; fm10[i] = 0; fm11[i] = 0; end
    for (i = 0; i < 4; i = i + 1) begin c_fp[i] = 0; c_vi[i] = 0; end
    for (i = 0; i < $NL; i = i + 1) begin lit_field[i] = 0; lit_value[i] = 0; lit_mask[i] = 0; end
    for (i = 0; i < $NT; i = i + 1) begin term_fp[i] = 0; term_vi[i] = 0; end
    for (i = 0; i < 12; i = i + 1) stage[i] = 0;
    for (i = 0; i < $RD; i = i + 1) fifo[i] = 0;
end

// Literal tables: written by the device manager, read by the pipeline.
always @(posedge clock) begin
    lf_q <= lit_field[li_a];
    lv_q <= lit_value[li_c];
    lm_q <= lit_mask[li_c];
    if (lw_sel[0]) lit_field[tw_lit] <= tw_d;
    if (lw_sel[1]) lit_value[tw_lit] <= tw_d;
    if (lw_sel[2]) lit_mask[tw_lit] <= tw_d;
end

// The table writes' decode, registered.
always @(posedge clock) begin
    tw_d <= cfg_wdata;
    tw_lit <= cfg_lit;
    tw_term <= cfg_term;
    for (iw = 0; iw < 4; iw = iw + 1)
        lw_sel[iw] <= lit_sel && cfg_addr[3:2] == iw;
    for (iw = 0; iw < 16; iw = iw + 1)
        tw_sel[iw] <= term_sel && cfg_addr[5:2] == iw;
    for (iw = 0; iw < $NT; iw = iw + 1)
        tv_hot[iw] <= term_sel && cfg_addr[5:2] == 4'd10 && cfg_term == iw && !reset;
end

// The rest of each term.
always @(posedge clock) begin
    tfp_q <= term_fp[ti_a];
    tvi_q <= term_vi[ti_a];
    ti_q <= ti_a;
    if (tw_sel[8]) term_fp[tw_term] <= tw_d;
    if (tw_sel[9]) term_vi[tw_term] <= tw_d[15:0];
end

// Term valid bits: written by the device manager, cleared by reset.
always @(posedge clock) begin
    for (it = 0; it < $NT; it = it + 1)
        if (tv_hot[it])
            term_valid[it] <= tw_d[0];
    if (reset) term_valid <= 0;
end

// Flow staging, and the copy of a staged entry into its slot.
always @(posedge clock) begin
    if (stage_sel) stage[cfg_addr[5:2]] <= cfg_wdata;
    // One write port per slot RAM (code {way, bank}).
    if (we[0]) fm00[wa0] <= wd0;
    if (we[1]) fm10[wa1] <= wd1;
    if (we[2]) fm01[wa2] <= wd2;
    if (we[3]) fm11[wa3] <= wd3;
end

// Flow slot reads (block RAM, and its output registered again before any logic: a block
// RAM's output is slow on the ECP5).
always @(posedge clock) begin
    fd00 <= fm00[{fr_i0, fr_word}];
    fd01 <= fm01[{fr_i0, fr_word}];
    fd10 <= fm10[{fr_i1, fr_word}];
    fd11 <= fm11[{fr_i1, fr_word}];
    fr00 <= fd00; fr01 <= fd01; fr10 <= fd10; fr11 <= fd11;
    kp_q <= kp;
    kp_r <= kp_q;
    hk_r <= hk;
end

// The copy unit: six words from the staged entry, word 5 (with the valid bit) last.
always @(posedge clock) begin
    if (copy_go) copy_c <= copy_c + 3'd1;
    if (free && pend_live) begin
        snap <= {stage[11], stage[10], stage[9], stage[8], stage[7], stage[6], stage[5], stage[4], stage[3], stage[2], stage[1], stage[0]};
        copy_busy <= 1; copy_live <= 1; copy_c <= 0;
        copy_bank <= ins_bank; copy_way <= ins_way; copy_idx <= ins_idx;
        ins_pend <= ins_now;
        if (ins_now) begin ins_bank <= cfg_wdata[16]; ins_way <= cfg_wdata[17]; ins_idx <= cmd_idx; end
    end else if (free && ins_now) begin
        snap <= {stage[11], stage[10], stage[9], stage[8], stage[7], stage[6], stage[5], stage[4], stage[3], stage[2], stage[1], stage[0]};
        copy_busy <= 1; copy_live <= 1; copy_c <= 0;
        copy_bank <= cfg_wdata[16]; copy_way <= cfg_wdata[17]; copy_idx <= cmd_idx;
        ins_pend <= 0;
    end else begin
        if (finishing) copy_busy <= 0;
        if (ins_now) begin
            // One insert waits while another is copied (a later one takes its place).
            ins_pend <= 1; ins_bank <= cfg_wdata[16]; ins_way <= cfg_wdata[17]; ins_idx <= cmd_idx;
        end else ins_pend <= pend_live;
        // A delete of the slot being copied: the copy ends with the slot invalid.
        if (del_now && copy_busy && del_sel == copy_sel && cmd_idx == copy_idx) copy_live <= 0;
    end
end

// Header capture bookkeeping, evaluation and results.
always @(posedge clock) begin
    l4_r <= l4;
    pl3_r <= pl3;
    if (busy_r) begin
        // Parser and key windows.
        case (step)
            8'd0: begin kw1 <= 0; kw2 <= 0; kw3 <= 0; kw4 <= 0; kw5 <= 0; kw6 <= 0; kw7 <= 0; kw8 <= 0; kw9 <= 0; end
            8'd1: w12 <= win;
            8'd2: w16 <= win;
            8'd3: w20 <= win;
            8'd4: if (!v4) kw1 <= win;
            8'd5: begin ihl3 <= win[27:24]; if (v4) kw1 <= win; else kw2 <= win; end
            8'd6: if (v4) kw5 <= win; else kw3 <= win;
            8'd7: if (!v4) kw4 <= win;
            8'd8: if (!v4) kw5 <= win;
            8'd9: if (!v4) kw6 <= win;
            8'd10: if (!v4) kw7 <= win;
            8'd11: if (!v4) kw8 <= win;
            8'd12: begin kw9 <= win; keys_ok <= k_ok; end
            8'd13: wp <= win;
            8'd14: wq <= win;
            8'd15: begin
                pflags_a <= pflags;
                pk_r <= {pet == 16'h0800, pet == 16'h86dd, pet == 16'h0806, pports};
                pihl_r <= pv[3:0];
            end
            8'd16: pneed_r <= pneed;
            8'd17: flags_r <= pflags_a | ((pneed_r > ev_len) ? 4'd1 : 4'd0);
            default: ;
        endcase
        // Literals.
        la_q <= la;
        lsz_q <= lf_q[$SSH+2:$SSH];
        lkd_q <= lf_q[$KSH+1:$KSH];
        lsz2 <= lsz_q;
        lkd2 <= lkd_q;
        lkd3 <= lkd2;
        lval_r <= lval;
        loob_r <= loob;
        lenhit_r <= (({16'd0, ev_len} & lm_q) == lv_q);
        lv_q2 <= lv_q;
        lm_q2 <= lm_q;
        if (lit_on) litvec <= {lhit, litvec[$NL1:1]};
        // Terms, ranked as they come (the lower index first on a tie).
        // A term's match registered, then ranked a step later.
        thit_r <= term_on && thit;
        tfp_q2 <= tfp_q;
        tvi_q2 <= tvi_q;
        if (thit_r) begin
            rule_r <= 1;
            if (!t_have || better(tfp_q2[31:16], t_p, tfp_q2[14:0], t_f)) begin
                t_have <= 1; t_p <= tfp_q2[31:16]; t_f <= tfp_q2[14:0]; t_vi <= tvi_q2;
            end
        end
        // Flow hashes.
        // (Two units, one per bank's seed: the 5-tuple, its indices kept at step 35, then
        // the 3-tuple.)
        if (step == 8'd12 || step == 8'd36) begin
            hA <= $SEED0; hB <= $SEED1;
        end else if ((step >= 8'd13 && step < 8'd33) || (step >= 8'd37 && step < 8'd57)) begin
            if (!step[0]) begin
                hA <= mixb(hA); hB <= mixb(hB);
            end else begin
                hA <= hA + hk_r; hB <= hB + hk_r;
            end
        end else if (step == 8'd33 || step == 8'd57) begin
            hA <= hA + (hA << 3); hB <= hB + (hB << 3);
        end else if (step == 8'd34 || step == 8'd58) begin
            hA <= fin(hA); hB <= fin(hB);
        end
        if (step == 8'd35) begin
            i5_0 <= hA[$FB1:0]; i5_1 <= hB[$FB1:0];
        end
        // Flow compares: words 0..4 of each slot against the key, word 5 its VI and filter.
        if (step == 8'd36 || step == 8'd59) eq <= 4'b1111;
        else if ((step >= 8'd38 && step < 8'd43) || (step >= 8'd61 && step < 8'd66)) begin
            eq <= eq & {fr11 == kp_r, fr10 == kp_r, fr01 == kp_r, fr00 == kp_r};
        end
        if ((step >= 8'd36 && step < 8'd42) || (step >= 8'd59 && step < 8'd65)) begin
            dirty <= ((step == 8'd36 || step == 8'd59) ? 4'd0 : dirty) | {
                (we[3] && wa3[$FB1+3:3] == fr_i1) || (copy_busy && copy_sel == 2'd3 && copy_idx == fr_i1),
                (we[1] && wa1[$FB1+3:3] == fr_i1) || (copy_busy && copy_sel == 2'd1 && copy_idx == fr_i1),
                (we[2] && wa2[$FB1+3:3] == fr_i0) || (copy_busy && copy_sel == 2'd2 && copy_idx == fr_i0),
                (we[0] && wa0[$FB1+3:3] == fr_i0) || (copy_busy && copy_sel == 2'd0 && copy_idx == fr_i0)};
            // (bank 1 way 1, bank 1 way 0, bank 0 way 1, bank 0 way 0: a write to the slot, or a
            // copy into it under way, even one held back by deletes.)
        end
        if (step == 8'd43 || step == 8'd66) begin
            cand_hit <= $CAND_HIT;
            c_fp[0] <= fr00[31:0]; c_vi[0] <= fr00[47:32];
            c_fp[1] <= fr01[31:0]; c_vi[1] <= fr01[47:32];
            c_fp[2] <= fr10[31:0]; c_vi[2] <= fr10[47:32];
            c_fp[3] <= fr11[31:0]; c_vi[3] <= fr11[47:32];
        end
        // Flow candidates ranked one a cycle: the 5-tuple's at 44..47, the 3-tuple's at 67..70,
        // each taken from the head of the candidates as they shift down.
        if ((step >= 8'd44 && step < 8'd48) || (step >= 8'd67 && step < 8'd71)) begin
            if (cand_hit[0]) begin
                flow_r <= 1;
                if (!f_have || better(c_fp[0][31:16], f_p, c_fp[0][14:0], f_f)) begin
                    f_have <= 1; f_p <= c_fp[0][31:16]; f_f <= c_fp[0][14:0]; f_vi <= c_vi[0];
                end
            end
            cand_hit <= cand_hit >> 1;
            c_fp[0] <= c_fp[1]; c_fp[1] <= c_fp[2]; c_fp[2] <= c_fp[3];
            c_vi[0] <= c_vi[1]; c_vi[1] <= c_vi[2]; c_vi[2] <= c_vi[3];
        end
        if (at_dec) begin
            if (rule_r) c_rule <= c_rule + 1;
            if (flow_r) c_flow <= c_flow + 1;
            busy_r <= 0;
        end
        step <= step + 1;
        at_dec <= (step == 8'd$DECM1);
        lit_on <= (step >= 8'd17 && step < $LIT_END1);
        term_on <= (step >= $TERM_B1 && step < $TERM_END1);
    end
    if (s_valid) begin
        if (!cap_beat[4]) begin
            cap_beat <= cap_beat + 1;
            cap_prev <= cap_beat[3:0];
            cap_nz <= 1;
        end
        if (s_last) begin
            cap_beat <= 0;
            cap_nz <= 0;
            if (s_commit) begin
                if (busy_r && !at_dec) begin
                    c_over <= c_over + 1;
                    // (Its FNONE result is written by the queue's one write port below.)
                    if (!q_full) f_tail <= f_tail + 1;
                end else begin
                    busy_r <= 1;
                    step <= 0;
                    at_dec <= 0;
                    lit_on <= 0;
                    term_on <= 0;
                    ev_bank <= cap_bank;
                    cap_bank <= ~cap_bank;
                    ev_len <= s_len;
                    ev_vi <= s_vi;
                    tvalid_snap <= term_valid;
                    t_have <= 0; f_have <= 0; rule_r <= 0; flow_r <= 0;
                    // The frame's place in the queue, kept while it is classified.
                    ev_has_slot <= !q_full;
                    ev_slot <= f_tail;
                    if (!q_full) f_tail <= f_tail + 1;
                end
            end
        end
    end
    // (A decision comes only while busy; `at_dec` is cleared with it.)
    rw_v <= busy_r && at_dec && ev_has_slot;
    rw_slot <= ev_slot[$RB1:0];
    rw_d <= have ? {flags_r, 1'b0, best_f, best_vi} : {flags_r, 16'd$FNONE, 16'd0};
    ov_r <= ov_w;
    ov_slot <= f_tail[$RB1:0];
    // The queue's one write port (a distributed RAM has one): a decided result, or the
    // FNONE result of a frame that overran the classifier, which never come in the same
    // cycle (each is written the cycle after its cause: a decision (`at_dec`), or an
    // overrun, which needs `at_dec` low).
    if (rw_v || ov_r)
        fifo[rw_v ? rw_slot : ov_slot] <= rw_v ? rw_d : {4'd0, 16'd$FNONE, 16'd0};
    if (res_pop && o_v) o_v <= 0;
    // (The output word follows the head while the output register is empty: only the valid
    // flag waits for the take.)
    if (!o_v) o_d <= fifo[f_head[$RB1:0]];
    if (q_take) begin
        o_v <= 1;
        f_head <= f_head + 1;
    end
    // The queue's occupancy (f_tail - f_head), kept in a register of its own: both sums
    // from registers, the take only choosing between them.
    fcount <= q_take ? fc_less : fc_same;
    h_rdy <= (fcount != 0) && ready[f_head[$RB1:0]];
    push_r <= s_valid && s_last && s_commit && !q_full;
    // Ready bits, each with its own decode: cleared when a frame takes its slot, set when
    // its result is written.
    for (ir = 0; ir < $RD; ir = ir + 1) begin
        if (s_valid && s_last && s_commit && !q_full && f_tail[$RB1:0] == ir)
            ready[ir] <= 1'b0;
        if ((rw_v && rw_slot == ir) || (ov_r && ov_slot == ir)) ready[ir] <= 1'b1;
    end
    if (reset) begin
        f_head <= 0; f_tail <= 0; fcount <= 0; push_r <= 0; rw_v <= 0; ov_r <= 0; h_rdy <= 0; o_v <= 0; busy_r <= 0; at_dec <= 0; lit_on <= 0; term_on <= 0; cap_beat <= 0; cap_nz <= 0; ev_has_slot <= 0; ready <= 0;
        c_rule <= 0; c_flow <= 0; c_over <= 0;
    end
end
"#;
