//! A 16 x 16 unsigned multiply with two cycles of latency, in the ECP5's DSP block.
//!
//! `p` is `a * b` two clock edges after `a` and `b`: the operands are registered as they
//! enter, the product as it leaves. On the ECP5 both registers are the `MULT18X18D`'s own
//! (its input and output registers), so the multiply's 4 ns stay inside the DSP block and
//! the card's paths reach only its registers, wherever the placer puts it. Synthesis (Yosys
//! defines `SYNTHESIS`) gets the DSP block; Verilator, Icarus Verilog and rust-hdl's
//! simulator run the same function in plain registers.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct PipeMul16 {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<16>>,
    pub b: Signal<In, Bits<16>>,
    pub p: Signal<Out, Bits<32>>,
    ra: Signal<Local, Bits<16>>,
    rb: Signal<Local, Bits<16>>,
}

impl Logic for PipeMul16 {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.p.next = (self.ra.val().to_u64() * self.rb.val().to_u64()).into();
            self.ra.next = self.a.val();
            self.rb.next = self.b.val();
        }
    }
    fn connect(&mut self) {
        self.p.connect();
        self.ra.connect();
        self.rb.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(dsp_verilog())
    }
}

/// The block's Verilog body: for synthesis the DSP block (inputs and output registered on
/// `CLK0`, unsigned, no pipeline register), for simulators the same in plain registers.
fn dsp_verilog() -> String {
    let mut s = String::new();
    s.push_str("`ifdef SYNTHESIS\n");
    s.push_str("    wire [35:0] w;\n");
    s.push_str("    MULT18X18D #(\n");
    for (reg, on) in [
        ("REG_INPUTA", true),
        ("REG_INPUTB", true),
        ("REG_INPUTC", false),
        ("REG_PIPELINE", false),
        ("REG_OUTPUT", true),
    ] {
        let clk = if on { "CLK0" } else { "NONE" };
        s.push_str(&format!(
            "        .{reg}_CLK(\"{clk}\"), .{reg}_CE(\"CE0\"), .{reg}_RST(\"RST0\"),\n"
        ));
    }
    s.push_str("        .CLK0_DIV(\"ENABLED\"), .CLK1_DIV(\"ENABLED\"), .CLK2_DIV(\"ENABLED\"),\n");
    s.push_str("        .CLK3_DIV(\"ENABLED\"), .GSR(\"DISABLED\"), .SOURCEB_MODE(\"B_SHIFT\"),\n");
    s.push_str("        .RESETMODE(\"SYNC\")\n    ) dsp (\n");
    for i in 0..18 {
        let a = if i < 16 {
            format!("a[{i}]")
        } else {
            "1'b0".into()
        };
        let b = if i < 16 {
            format!("b[{i}]")
        } else {
            "1'b0".into()
        };
        s.push_str(&format!("        .A{i}({a}), .B{i}({b}), .C{i}(1'b0),\n"));
    }
    for i in 0..36 {
        s.push_str(&format!("        .P{i}(w[{i}]),\n"));
    }
    s.push_str("        .SIGNEDA(1'b0), .SIGNEDB(1'b0), .SOURCEA(1'b0), .SOURCEB(1'b0),\n");
    s.push_str("        .CLK0(clock), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0),\n");
    s.push_str("        .CE0(1'b1), .CE1(1'b0), .CE2(1'b0), .CE3(1'b0),\n");
    s.push_str("        .RST0(1'b0), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0)\n    );\n");
    s.push_str("    always @(*) p = w[31:0];\n");
    s.push_str("`else\n");
    s.push_str("    reg [15:0] ra_v, rb_v;\n    reg [31:0] p_v;\n");
    s.push_str("    always @(posedge clock) begin ra_v <= a; rb_v <= b; p_v <= ra_v * rb_v; end\n");
    s.push_str("    always @(*) p = p_v;\n");
    s.push_str("`endif\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operands on every cycle: each product comes out two edges later.
    #[test]
    fn the_product_of_each_pair_two_cycles_later() {
        let mut uut = PipeMul16::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<PipeMul16>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<PipeMul16>| {
            let mut x = sim.init()?;
            let pairs: Vec<(u64, u64)> = (0..40u64)
                .map(|i| ((i * 40_503 + 7) & 0xFFFF, (i * 9_973 + 65_535) & 0xFFFF))
                .collect();
            let mut got = Vec::new();
            for i in 0..pairs.len() + 2 {
                let (a, b) = pairs.get(i).copied().unwrap_or((0, 0));
                x.a.next = a.into();
                x.b.next = b.into();
                wait_clock_cycle!(sim, clock, x);
                x = sim.wait(1, x)?;
                got.push(x.p.val().to_u64());
            }
            tx.send((pairs, got)).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
        let (pairs, got) = rx.recv().unwrap();
        for (i, (a, b)) in pairs.iter().enumerate() {
            assert_eq!(got[i + 1], a * b, "pair {i}: {a} x {b}");
        }
    }

    /// The Verilog instantiates the DSP block for synthesis and keeps a model for simulators.
    #[test]
    fn the_verilog_has_the_dsp_block_and_the_verilator_model() {
        let v = dsp_verilog();
        assert!(v.contains("`ifdef SYNTHESIS") && v.contains("MULT18X18D #("));
        assert!(v.contains(".REG_OUTPUT_CLK(\"CLK0\")") && v.contains(".P35(w[35])"));
    }
}
