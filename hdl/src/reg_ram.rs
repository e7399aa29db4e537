//! A block RAM followed by a register: a read is answered two cycles after its address.
//!
//! The buffer tables and, on the board's card, the two descriptor caches are these: block
//! RAMs whose output goes straight into a register and nowhere else. On the ECP5 the block
//! RAM has that register inside it (the DP16KD's output register, `REGMODE "OUTREG"`):
//! its output then leaves the RAM 0.9 ns after the clock, instead of
//! the 5.8 ns of the RAM's own read, and the register needs no place in the fabric beside
//! the RAM. Yosys does not use the output register when it maps a memory, so the board's
//! build reads the card's Verilog with `ARSENIC_ECP5_BRAM` defined, and each of these
//! blocks is then written as DP16KD primitives of 1024 words by 18 bits, side by side. Any
//! other tool (the simulator, the iCE40 smoke test) sees a memory and two registers: the
//! same behaviour, cycle for cycle.
//!
//! A read of the word being written in the same cycle is never used by the card's blocks
//! (`verilog::UNCHECKED_RAMS` lists the plain RAMs of which that holds too): on the board it
//! returns what the RAM gives, and in simulation the old word inverted, so that a read the
//! card did use would break the benches.
//!
//! [`RegRam::set_registered`]`(false)` leaves the register out (a read answers the next
//! cycle, from the RAM), for a card whose blocks cannot spend the cycle.

use rust_hdl::prelude::*;

/// The most address bits a RAM may have for the DP16KD form (1024 words of 18 bits each);
/// a deeper one is left to Yosys.
const DP16KD_ADDR_BITS: usize = 10;
const DP16KD_WIDTH: usize = 18;

#[derive(LogicBlock)]
pub struct RegRam<const W: usize, const A: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address: Signal<In, Bits<A>>,
    /// The word at `read_address` two cycles before (one, when not registered).
    pub read_data: Signal<Out, Bits<W>>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<A>>,
    pub write_data: Signal<In, Bits<W>>,
    k_registered: Constant<Bit>,
    // The behaviour, for rust-hdl's own simulator; the Verilog is written by `hdl`.
    ram: RAM<Bits<W>, A>,
    out_r: DFF<Bits<W>>,
}

impl<const W: usize, const A: usize> Default for RegRam<W, A> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            k_registered: Constant::new(true),
            ram: Default::default(),
            out_r: Default::default(),
        }
    }
}

impl<const W: usize, const A: usize> RegRam<W, A> {
    /// With the register (the default) or without it.
    pub fn set_registered(&mut self, registered: bool) {
        self.k_registered = Constant::new(registered);
    }
}

impl<const W: usize, const A: usize> Logic for RegRam<W, A> {
    fn update(&mut self) {
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_address.next = self.read_address.val();
        self.ram.write_enable.next = self.write_enable.val();
        self.ram.write_address.next = self.write_address.val();
        self.ram.write_data.next = self.write_data.val();
        self.out_r.clock.next = self.clock.val();
        self.out_r.d.next = self.ram.read_data.val();
        self.read_data.next = if self.k_registered.val() {
            self.out_r.q.val()
        } else {
            self.ram.read_data.val()
        };
    }

    fn connect(&mut self) {
        self.ram.read_clock.connect();
        self.ram.write_clock.connect();
        self.ram.read_address.connect();
        self.ram.write_enable.connect();
        self.ram.write_address.connect();
        self.ram.write_data.connect();
        self.out_r.clock.connect();
        self.out_r.d.connect();
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Wrapper(Wrapper {
            code: verilog_body(W, A, self.k_registered.val()),
            cores: String::new(),
        })
    }
}

/// The module's body: DP16KD primitives under `ARSENIC_ECP5_BRAM` (when the RAM fits their
/// depth and is registered), otherwise a memory and its registers.
fn verilog_body(w: usize, a: usize, registered: bool) -> String {
    let words = 1usize << a;
    let stage = if registered {
        "    reg [W:0] rr_q2 = 0;\n    always @(posedge clock) rr_q2 <= rr_q1;\n    assign read_data = rr_q2;\n"
    } else {
        "    assign read_data = rr_q1;\n"
    };
    let behaviour = format!(
        "\
`ifdef SYNTHESIS
    (* no_rw_check *) reg [W:0] rr_mem [0:{last}];
`else
    reg [W:0] rr_mem [0:{last}];
`endif
    reg [W:0] rr_q1 = 0;
    always @(posedge clock) begin
`ifdef SYNTHESIS
        rr_q1 <= rr_mem[read_address];
`else
        rr_q1 <= (write_enable && write_address == read_address)
            ? ~rr_mem[read_address] : rr_mem[read_address];
`endif
        if (write_enable)
            rr_mem[write_address] <= write_data;
    end
{stage}",
        last = words - 1,
    )
    .replace("[W:0]", &format!("[{}:0]", w - 1));
    if !registered || a > DP16KD_ADDR_BITS {
        return behaviour;
    }
    let tiles = w.div_ceil(DP16KD_WIDTH);
    let padded = tiles * DP16KD_WIDTH;
    let mut prims = String::new();
    // The 14 address pins of port `port`, 18 bits wide: the word's address in pins 4 to 13
    // (zeros above a shallower RAM's), and in pins 0 and 1 the write's byte enables.
    let pins = |port: char, addr: &str, low: &str| -> String {
        let mut s = String::new();
        for p in 0..14 {
            let v = match p {
                0 | 1 => low.to_string(),
                2 | 3 => "1'b0".to_string(),
                _ if p - 4 < a => format!("{addr}[{}]", p - 4),
                _ => "1'b0".to_string(),
            };
            s.push_str(&format!(".AD{port}{p}({v}), "));
        }
        s
    };
    for t in 0..tiles {
        let mut dia = String::new();
        let mut dob = String::new();
        for b in 0..DP16KD_WIDTH {
            let bit = t * DP16KD_WIDTH + b;
            dia.push_str(&format!(".DIA{b}(rr_dia[{bit}]), "));
            dob.push_str(&format!(".DOB{b}(rr_dob[{bit}]), "));
        }
        let ada = pins('A', "write_address", "1'b1");
        let adb = pins('B', "read_address", "1'b0");
        prims.push_str(&format!(
            "    DP16KD #(.DATA_WIDTH_A(18), .DATA_WIDTH_B(18), .REGMODE_A(\"NOREG\"), \
             .REGMODE_B(\"OUTREG\"), .RESETMODE(\"SYNC\"), .WRITEMODE_A(\"NORMAL\"), \
             .WRITEMODE_B(\"NORMAL\"), .CSDECODE_A(\"0b000\"), .CSDECODE_B(\"0b000\"), \
             .GSR(\"AUTO\")) rr_t{t} (\n        .CLKA(clock), .CEA(1'b1), .OCEA(1'b1), \
             .WEA(write_enable), .RSTA(1'b0), .CSA0(1'b0), .CSA1(1'b0), .CSA2(1'b0),\n        \
             {ada}\n        {dia}\n        .CLKB(clock), .CEB(1'b1), .OCEB(1'b1), .WEB(1'b0), \
             .RSTB(1'b0), .CSB0(1'b0), .CSB1(1'b0), .CSB2(1'b0),\n        {adb}\n        \
             {dob_trimmed});\n",
            dob_trimmed = dob.trim_end().trim_end_matches(','),
        ));
        // (`dia` and `ada` end with a comma: more pins follow them.)
    }
    let pad = if padded > w {
        format!("{}'b0, ", padded - w)
    } else {
        String::new()
    };
    format!(
        "\
`ifdef ARSENIC_ECP5_BRAM
    wire [{top}:0] rr_dia = {{{pad}write_data}};
    wire [{top}:0] rr_dob;
{prims}    assign read_data = rr_dob[{wt}:0];
`else
{behaviour}`endif
",
        top = padded - 1,
        wt = w - 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(LogicBlock, Default)]
    struct Pair {
        clock: Signal<In, Clock>,
        we: Signal<In, Bit>,
        wa: Signal<In, Bits<4>>,
        wd: Signal<In, Bits<20>>,
        ra: Signal<In, Bits<4>>,
        two: Signal<Out, Bits<20>>,
        one: Signal<Out, Bits<20>>,
        two_r: RegRam<20, 4>,
        one_r: RegRam<20, 4>,
    }

    impl Logic for Pair {
        #[hdl_gen]
        fn update(&mut self) {
            self.two_r.clock.next = self.clock.val();
            self.one_r.clock.next = self.clock.val();
            self.two_r.write_enable.next = self.we.val();
            self.one_r.write_enable.next = self.we.val();
            self.two_r.write_address.next = self.wa.val();
            self.one_r.write_address.next = self.wa.val();
            self.two_r.write_data.next = self.wd.val();
            self.one_r.write_data.next = self.wd.val();
            self.two_r.read_address.next = self.ra.val();
            self.one_r.read_address.next = self.ra.val();
            self.two.next = self.two_r.read_data.val();
            self.one.next = self.one_r.read_data.val();
        }
    }

    fn pair() -> Pair {
        let mut p = Pair::default();
        p.one_r.set_registered(false);
        p.connect_all();
        p
    }

    /// Writes every word, then reads them back: the registered RAM answers two cycles after
    /// the address, the other one cycle after.
    #[test]
    fn reads_answer_after_one_or_two_cycles() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Pair>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Pair>| {
            let mut x = sim.init()?;
            for i in 0..16u64 {
                x.we.next = true;
                x.wa.next = i.into();
                x.wd.next = (0x5_0000 + i * 0x111).into();
                wait_clock_cycle!(sim, clock, x);
            }
            x.we.next = false;
            let mut seen = Vec::new();
            for i in 0..18u64 {
                x.ra.next = (i % 16).into();
                wait_clock_cycle!(sim, clock, x);
                seen.push((x.one.val().index() as u64, x.two.val().index() as u64));
            }
            // `seen[i]` is sampled a cycle after address `i`: the wire RAM's answer to it,
            // and the registered RAM's answer to address `i - 1`.
            for i in 1..16u64 {
                sim_assert_eq!(sim, seen[i as usize].0, 0x5_0000 + i * 0x111, x);
                sim_assert_eq!(sim, seen[i as usize].1, 0x5_0000 + (i - 1) * 0x111, x);
            }
            sim.done(x)
        });
        sim.run(Box::new(pair()), 2_000).unwrap();
    }

    /// The board's form: as many 18-bit DP16KD primitives as the word needs, each with its
    /// output register, the write's byte enables on, and the address in pins 4 and up.
    #[test]
    fn the_board_form_uses_the_block_rams_output_register() {
        let v = verilog_body(66, 10, true);
        let ecp5 = v
            .split("`else")
            .next()
            .expect("the board's form comes first");
        assert_eq!(
            ecp5.matches("DP16KD #(").count(),
            4,
            "66 bits in 18-bit tiles"
        );
        assert_eq!(ecp5.matches(".REGMODE_B(\"OUTREG\")").count(), 4);
        assert!(ecp5.contains("wire [71:0] rr_dia = {6'b0, write_data};"));
        assert!(ecp5.contains(
            ".ADA0(1'b1), .ADA1(1'b1), .ADA2(1'b0), .ADA3(1'b0), .ADA4(write_address[0])"
        ));
        assert!(ecp5.contains(".ADB13(read_address[9])"));
        assert!(ecp5.contains(".DOB17(rr_dob[71])"));
        assert!(ecp5.contains("assign read_data = rr_dob[65:0];"));
        // A shallower RAM leaves the top address pins at zero.
        let v9 = verilog_body(64, 9, true);
        assert!(v9.contains(".ADB12(read_address[8]), .ADB13(1'b0)"));
        // Unregistered, or deeper than the primitive: no primitive at all.
        assert!(!verilog_body(64, 10, false).contains("DP16KD"));
        assert!(!verilog_body(64, 11, true).contains("DP16KD"));
    }

    #[test]
    fn the_verilog_is_accepted() {
        let v = generate_verilog(&pair());
        assert!(v.contains("rr_q2 <= rr_q1"));
        assert!(v.contains("assign read_data = rr_q1;"));
    }
}
