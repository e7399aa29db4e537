//! Board support: the boards the card is built for, their pins and constraints, the ECP5
//! primitives a board design needs (DDR I/O registers, the PLL), the RGMII front ends, and the
//! board images.
//!
//! The ECP5 primitives are written as Verilog instances of Lattice's cells (`IDDRX1F`,
//! `ODDRX1F`, `EHXPLLL`), which Yosys' `synth_ecp5` maps directly; their `update` is a model
//! of the cell for rust-hdl's simulator (the PLL's model passes its input clock through).

use crate::cdc_fifo::CdcFifo;
use crate::mac_rx::MacRx;
use rust_hdl::prelude::*;

/// One RGMII PHY's pins (FPGA ball names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RgmiiPins {
    pub rxc: &'static str,
    pub rx_ctl: &'static str,
    pub rxd: [&'static str; 4],
    pub txc: &'static str,
    pub tx_ctl: &'static str,
    pub txd: [&'static str; 4],
}

/// A board the card can be built for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Board {
    /// The name `arsenic synth --board` takes.
    pub name: &'static str,
    pub description: &'static str,
    /// nextpnr-ecp5's device option (`--25k`) and package.
    pub device: &'static str,
    pub package: &'static str,
    pub speed_grade: u8,
    /// The oscillator's pin and frequency.
    pub clk_pin: &'static str,
    pub clk_mhz: f64,
    /// The user LED (active low).
    pub led_pin: &'static str,
    /// The PHYs' shared reset (active low), MDC and MDIO.
    pub phy_rst_pin: &'static str,
    pub mdc_pin: &'static str,
    pub mdio_pin: &'static str,
    pub phys: [RgmiiPins; 2],
    /// The I/O standard of every pin.
    pub io_type: &'static str,
}

/// Every board the flow knows.
pub const BOARDS: &[Board] = &[
    Board {
        name: "colorlight-5a-75b",
        description: "Colorlight 5A-75B v8.0 (LFE5U-25F-6BG256C, two RTL8211FD RGMII PHYs)",
        device: "25k",
        package: "CABGA256",
        speed_grade: 6,
        clk_pin: "P6",
        clk_mhz: 25.0,
        led_pin: "T6",
        phy_rst_pin: "R6",
        mdc_pin: "R5",
        mdio_pin: "T4",
        phys: [
            RgmiiPins {
                rxc: "J1",
                rx_ctl: "J2",
                rxd: ["K2", "J3", "K1", "K3"],
                txc: "L1",
                tx_ctl: "L2",
                txd: ["M2", "M1", "P1", "R1"],
            },
            RgmiiPins {
                rxc: "M16",
                rx_ctl: "P16",
                rxd: ["M15", "R16", "L15", "L16"],
                txc: "J16",
                tx_ctl: "K14",
                txd: ["K16", "J15", "J14", "K15"],
            },
        ],
        io_type: "LVCMOS33",
    },
    Board {
        name: "colorlight-5a-75b-v7",
        description: "Colorlight 5A-75B v7.0 (LFE5U-25F-6BG256C, two B50612D RGMII PHYs)",
        device: "25k",
        package: "CABGA256",
        speed_grade: 6,
        clk_pin: "P6",
        clk_mhz: 25.0,
        led_pin: "P11",
        phy_rst_pin: "P5",
        mdc_pin: "P3",
        mdio_pin: "T2",
        phys: [
            RgmiiPins {
                rxc: "M1",
                rx_ctl: "N6",
                rxd: ["N1", "M5", "N5", "M6"],
                txc: "M2",
                tx_ctl: "M3",
                txd: ["L1", "L3", "P2", "L4"],
            },
            RgmiiPins {
                rxc: "M16",
                rx_ctl: "L15",
                rxd: ["P13", "N13", "P14", "M15"],
                txc: "M12",
                tx_ctl: "R15",
                txd: ["T14", "R12", "R13", "R14"],
            },
        ],
        io_type: "LVCMOS33",
    },
];

/// The board called `name`.
pub fn board(name: &str) -> Option<&'static Board> {
    BOARDS.iter().find(|b| b.name == name)
}

/// The constraints (LPF) of a board image's top-level ports: pin, I/O standard, and the
/// frequency of every clock (125 MHz for the RGMII receive clocks).
pub fn lpf(b: &Board) -> String {
    use std::fmt::Write as _;
    let mut s = format!("# {} — written by arsenic synth\n", b.description);
    let mut pin = |port: &str, ball: &str| {
        let _ = writeln!(s, "LOCATE COMP \"{port}\" SITE \"{ball}\";");
        let _ = writeln!(s, "IOBUF PORT \"{port}\" IO_TYPE={};", b.io_type);
    };
    pin("clk25", b.clk_pin);
    pin("led_n", b.led_pin);
    pin("phy_rst_n", b.phy_rst_pin);
    pin("mdc", b.mdc_pin);
    for (k, p) in b.phys.iter().enumerate() {
        pin(&format!("rgmii{k}_rxc"), p.rxc);
        pin(&format!("rgmii{k}_rx_ctl"), p.rx_ctl);
        for (i, ball) in p.rxd.iter().enumerate() {
            pin(&format!("rgmii{k}_rxd[{i}]"), ball);
        }
        pin(&format!("rgmii{k}_txc"), p.txc);
        pin(&format!("rgmii{k}_tx_ctl"), p.tx_ctl);
        for (i, ball) in p.txd.iter().enumerate() {
            pin(&format!("rgmii{k}_txd[{i}]"), ball);
        }
    }
    let _ = writeln!(s, "FREQUENCY PORT \"clk25\" {} MHZ;", b.clk_mhz);
    for k in 0..b.phys.len() {
        let _ = writeln!(s, "FREQUENCY PORT \"rgmii{k}_rxc\" 125 MHZ;");
    }
    s
}

/// ECP5 input DDR register: `q0` is `d` at the previous rising edge of `sclk`, `q1` at the
/// falling edge after it, both presented at the rising edge.
#[derive(LogicBlock, Default)]
pub struct Iddr {
    pub d: Signal<In, Bit>,
    pub sclk: Signal<In, Clock>,
    pub q0: Signal<Out, Bit>,
    pub q1: Signal<Out, Bit>,
    rise: Signal<Local, Bit>,
    fall: Signal<Local, Bit>,
}

impl Logic for Iddr {
    fn update(&mut self) {
        if self.sclk.pos_edge() {
            self.q0.next = self.rise.val();
            self.q1.next = self.fall.val();
            self.rise.next = self.d.val();
        }
        if self.sclk.neg_edge() {
            self.fall.next = self.d.val();
        }
    }
    fn connect(&mut self) {
        self.q0.connect();
        self.q1.connect();
        self.rise.connect();
        self.fall.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "    wire w0, w1;\n    IDDRX1F cell(.D(d), .SCLK(sclk), .RST(1'b0), .Q0(w0), .Q1(w1));\n    \
             always @(*) begin q0 = w0; q1 = w1; end\n"
                .into(),
        )
    }
}

/// ECP5 output DDR register: `q` is `d0` (taken at the rising edge) while `sclk` is high and
/// `d1` while it is low.
#[derive(LogicBlock, Default)]
pub struct Oddr {
    pub d0: Signal<In, Bit>,
    pub d1: Signal<In, Bit>,
    pub sclk: Signal<In, Clock>,
    pub q: Signal<Out, Bit>,
    l0: Signal<Local, Bit>,
    l1: Signal<Local, Bit>,
}

impl Logic for Oddr {
    fn update(&mut self) {
        if self.sclk.pos_edge() {
            self.l0.next = self.d0.val();
            self.l1.next = self.d1.val();
        }
        self.q.next = if self.sclk.val().clk {
            self.l0.val()
        } else {
            self.l1.val()
        };
    }
    fn connect(&mut self) {
        self.q.connect();
        self.l0.connect();
        self.l1.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "    wire w;\n    ODDRX1F cell(.D0(d0), .D1(d1), .SCLK(sclk), .RST(1'b0), .Q(w));\n    \
             always @(*) q = w;\n"
                .into(),
        )
    }
}

/// The ECP5 PLL set for 25 MHz in: `clk125` at 125 MHz and `clk125_90` the same clock a
/// quarter period later (VCO 625 MHz, feedback from CLKOP). In rust-hdl's simulator both
/// outputs follow the input clock.
#[derive(LogicBlock, Default)]
pub struct Pll {
    pub clkin: Signal<In, Clock>,
    pub clk125: Signal<Out, Clock>,
    pub clk125_90: Signal<Out, Clock>,
    pub locked: Signal<Out, Bit>,
}

impl Logic for Pll {
    fn update(&mut self) {
        self.clk125.next = self.clkin.val();
        self.clk125_90.next = self.clkin.val();
        self.locked.next = true;
    }
    fn connect(&mut self) {
        self.clk125.connect();
        self.clk125_90.connect();
        self.locked.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            r#"    wire op, os, lk;
    (* FREQUENCY_PIN_CLKI="25", FREQUENCY_PIN_CLKOP="125", FREQUENCY_PIN_CLKOS="125", ICP_CURRENT="12", LPF_RESISTOR="8", MFG_ENABLE_FILTEROPAMP="1", MFG_GMCREF_SEL="2" *)
    EHXPLLL #(
        .PLLRST_ENA("DISABLED"), .INTFB_WAKE("DISABLED"), .STDBY_ENABLE("DISABLED"),
        .DPHASE_SOURCE("DISABLED"), .OUTDIVIDER_MUXA("DIVA"), .OUTDIVIDER_MUXB("DIVB"),
        .OUTDIVIDER_MUXC("DIVC"), .OUTDIVIDER_MUXD("DIVD"),
        .CLKI_DIV(1), .CLKFB_DIV(5), .FEEDBK_PATH("CLKOP"),
        .CLKOP_ENABLE("ENABLED"), .CLKOP_DIV(5), .CLKOP_CPHASE(2), .CLKOP_FPHASE(0),
        .CLKOS_ENABLE("ENABLED"), .CLKOS_DIV(5), .CLKOS_CPHASE(3), .CLKOS_FPHASE(2)
    ) cell (
        .RST(1'b0), .STDBY(1'b0), .CLKI(clkin), .CLKFB(op), .CLKINTFB(),
        .PHASESEL0(1'b0), .PHASESEL1(1'b0), .PHASEDIR(1'b1), .PHASESTEP(1'b1),
        .PHASELOADREG(1'b1), .PLLWAKESYNC(1'b0), .ENCLKOP(1'b0),
        .CLKOP(op), .CLKOS(os), .LOCK(lk)
    );
    always @(*) begin clk125 = op; clk125_90 = os; locked = lk; end
"#
            .into(),
        )
    }
}

/// RGMII receive: the PHY's DDR nibbles to GMII octets in the receive clock's domain (low
/// nibble and RX_DV on the rising edge, high nibble and RX_DV xor RX_ER on the falling edge).
/// The outputs are registered.
#[derive(LogicBlock, Default)]
pub struct RgmiiRx {
    pub rxc: Signal<In, Clock>,
    pub rx_ctl: Signal<In, Bit>,
    pub rxd: Signal<In, Bits<4>>,
    pub gmii_rxd: Signal<Out, Bits<8>>,
    pub gmii_rx_dv: Signal<Out, Bit>,
    pub gmii_rx_er: Signal<Out, Bit>,
    ctl: Iddr,
    d0: Iddr,
    d1: Iddr,
    d2: Iddr,
    d3: Iddr,
    rxd_r: DFF<Bits<8>>,
    dv_r: DFF<Bit>,
    er_r: DFF<Bit>,
}

impl Logic for RgmiiRx {
    #[hdl_gen]
    fn update(&mut self) {
        self.rxd_r.clock.next = self.rxc.val();
        self.dv_r.clock.next = self.rxc.val();
        self.er_r.clock.next = self.rxc.val();
        self.ctl.sclk.next = self.rxc.val();
        self.d0.sclk.next = self.rxc.val();
        self.d1.sclk.next = self.rxc.val();
        self.d2.sclk.next = self.rxc.val();
        self.d3.sclk.next = self.rxc.val();
        self.ctl.d.next = self.rx_ctl.val();
        self.d0.d.next = self.rxd.val().get_bit(0);
        self.d1.d.next = self.rxd.val().get_bit(1);
        self.d2.d.next = self.rxd.val().get_bit(2);
        self.d3.d.next = self.rxd.val().get_bit(3);
        self.rxd_r.d.next = (bit_cast::<8, 1>(self.d0.q0.val().into()))
            | (bit_cast::<8, 1>(self.d1.q0.val().into()) << 1)
            | (bit_cast::<8, 1>(self.d2.q0.val().into()) << 2)
            | (bit_cast::<8, 1>(self.d3.q0.val().into()) << 3)
            | (bit_cast::<8, 1>(self.d0.q1.val().into()) << 4)
            | (bit_cast::<8, 1>(self.d1.q1.val().into()) << 5)
            | (bit_cast::<8, 1>(self.d2.q1.val().into()) << 6)
            | (bit_cast::<8, 1>(self.d3.q1.val().into()) << 7);
        self.dv_r.d.next = self.ctl.q0.val();
        self.er_r.d.next = self.ctl.q0.val() ^ self.ctl.q1.val();
        self.gmii_rxd.next = self.rxd_r.q.val();
        self.gmii_rx_dv.next = self.dv_r.q.val();
        self.gmii_rx_er.next = self.er_r.q.val();
    }
}

/// RGMII transmit: GMII octets in the 125 MHz domain to the PHY's DDR nibbles, and the
/// transmit clock from `clk90` (a quarter period later, so the PHY samples mid-bit).
#[derive(LogicBlock, Default)]
pub struct RgmiiTx {
    pub clk: Signal<In, Clock>,
    pub clk90: Signal<In, Clock>,
    pub gmii_txd: Signal<In, Bits<8>>,
    pub gmii_tx_en: Signal<In, Bit>,
    pub gmii_tx_er: Signal<In, Bit>,
    pub txc: Signal<Out, Bit>,
    pub tx_ctl: Signal<Out, Bit>,
    pub txd: Signal<Out, Bits<4>>,
    c: Oddr,
    ctl: Oddr,
    d0: Oddr,
    d1: Oddr,
    d2: Oddr,
    d3: Oddr,
}

impl Logic for RgmiiTx {
    #[hdl_gen]
    fn update(&mut self) {
        self.c.sclk.next = self.clk90.val();
        self.c.d0.next = true;
        self.c.d1.next = false;
        self.ctl.sclk.next = self.clk.val();
        self.d0.sclk.next = self.clk.val();
        self.d1.sclk.next = self.clk.val();
        self.d2.sclk.next = self.clk.val();
        self.d3.sclk.next = self.clk.val();
        self.ctl.d0.next = self.gmii_tx_en.val();
        self.ctl.d1.next = self.gmii_tx_en.val() ^ self.gmii_tx_er.val();
        self.d0.d0.next = self.gmii_txd.val().get_bit(0);
        self.d1.d0.next = self.gmii_txd.val().get_bit(1);
        self.d2.d0.next = self.gmii_txd.val().get_bit(2);
        self.d3.d0.next = self.gmii_txd.val().get_bit(3);
        self.d0.d1.next = self.gmii_txd.val().get_bit(4);
        self.d1.d1.next = self.gmii_txd.val().get_bit(5);
        self.d2.d1.next = self.gmii_txd.val().get_bit(6);
        self.d3.d1.next = self.gmii_txd.val().get_bit(7);
        self.txc.next = self.c.q.val();
        self.tx_ctl.next = self.ctl.q.val();
        self.txd.next = bit_cast::<4, 1>(self.d0.q.val().into())
            | (bit_cast::<4, 1>(self.d1.q.val().into()) << 1)
            | (bit_cast::<4, 1>(self.d2.q.val().into()) << 2)
            | (bit_cast::<4, 1>(self.d3.q.val().into()) << 3);
    }
}

/// The PHY bring-up image: both RGMII receivers through the card's receive MAC (FCS, runt and
/// giant checks) in their PHY's clock domain; the LED blinks once a second from the PLL's
/// 125 MHz clock and is held inverted for about 130 ms after every good frame on either port;
/// both transmitters send idle with their clock running. It checks a board's clocks, PLL,
/// RGMII timing and PHYs before the NIC image is loaded.
#[derive(LogicBlock)]
pub struct PhyBringUp {
    pub clk25: Signal<In, Clock>,
    pub led_n: Signal<Out, Bit>,
    pub phy_rst_n: Signal<Out, Bit>,
    pub mdc: Signal<Out, Bit>,
    pub rgmii0_rxc: Signal<In, Clock>,
    pub rgmii0_rx_ctl: Signal<In, Bit>,
    pub rgmii0_rxd: Signal<In, Bits<4>>,
    pub rgmii0_txc: Signal<Out, Bit>,
    pub rgmii0_tx_ctl: Signal<Out, Bit>,
    pub rgmii0_txd: Signal<Out, Bits<4>>,
    pub rgmii1_rxc: Signal<In, Clock>,
    pub rgmii1_rx_ctl: Signal<In, Bit>,
    pub rgmii1_rxd: Signal<In, Bits<4>>,
    pub rgmii1_txc: Signal<Out, Bit>,
    pub rgmii1_tx_ctl: Signal<Out, Bit>,
    pub rgmii1_txd: Signal<Out, Bits<4>>,
    pll: Pll,
    rx0: RgmiiRx,
    rx1: RgmiiRx,
    mac0: MacRx,
    mac1: MacRx,
    tx0: RgmiiTx,
    tx1: RgmiiTx,
    act0: DFF<Bits<24>>,
    act1: DFF<Bits<24>>,
    beat: DFF<Bits<27>>,
    k_max_frame: Constant<Bits<16>>,
}

impl Default for PhyBringUp {
    fn default() -> Self {
        PhyBringUp {
            clk25: Default::default(),
            led_n: Default::default(),
            phy_rst_n: Default::default(),
            mdc: Default::default(),
            rgmii0_rxc: Default::default(),
            rgmii0_rx_ctl: Default::default(),
            rgmii0_rxd: Default::default(),
            rgmii0_txc: Default::default(),
            rgmii0_tx_ctl: Default::default(),
            rgmii0_txd: Default::default(),
            rgmii1_rxc: Default::default(),
            rgmii1_rx_ctl: Default::default(),
            rgmii1_rxd: Default::default(),
            rgmii1_txc: Default::default(),
            rgmii1_tx_ctl: Default::default(),
            rgmii1_txd: Default::default(),
            pll: Default::default(),
            rx0: Default::default(),
            rx1: Default::default(),
            mac0: MacRx::gmii_only(),
            mac1: MacRx::gmii_only(),
            tx0: Default::default(),
            tx1: Default::default(),
            act0: Default::default(),
            act1: Default::default(),
            beat: Default::default(),
            k_max_frame: Constant::new((arsenic_interface::eth::MAX_FRAME_DEFAULT as u64).into()),
        }
    }
}

impl Logic for PhyBringUp {
    #[hdl_gen]
    fn update(&mut self) {
        self.pll.clkin.next = self.clk25.val();
        // Port 0 in its PHY's receive clock.
        self.rx0.rxc.next = self.rgmii0_rxc.val();
        self.rx0.rx_ctl.next = self.rgmii0_rx_ctl.val();
        self.rx0.rxd.next = self.rgmii0_rxd.val();
        self.mac0.clock.next = self.rgmii0_rxc.val();
        self.mac0.gmii_rxd.next = self.rx0.gmii_rxd.val();
        self.mac0.gmii_rx_dv.next = self.rx0.gmii_rx_dv.val();
        self.mac0.gmii_rx_er.next = self.rx0.gmii_rx_er.val();
        self.mac0.xgmii_rxd.next = 0x0707070707070707_u64.into();
        self.mac0.xgmii_rxc.next = 0xFF.into();
        self.mac0.speed_10g.next = false;
        self.mac0.rx_enable.next = true;
        self.mac0.max_frame.next = self.k_max_frame.val();
        self.mac0.reset.next = false;
        self.act0.clock.next = self.rgmii0_rxc.val();
        self.act0.d.next = self.act0.q.val();
        if self.act0.q.val() != 0 {
            self.act0.d.next = self.act0.q.val() - 1;
        }
        if self.mac0.valid.val() & self.mac0.last.val() & self.mac0.ok.val() {
            self.act0.d.next = 0xFF_FFFF.into();
        }
        // Port 1 in its own.
        self.rx1.rxc.next = self.rgmii1_rxc.val();
        self.rx1.rx_ctl.next = self.rgmii1_rx_ctl.val();
        self.rx1.rxd.next = self.rgmii1_rxd.val();
        self.mac1.clock.next = self.rgmii1_rxc.val();
        self.mac1.gmii_rxd.next = self.rx1.gmii_rxd.val();
        self.mac1.gmii_rx_dv.next = self.rx1.gmii_rx_dv.val();
        self.mac1.gmii_rx_er.next = self.rx1.gmii_rx_er.val();
        self.mac1.xgmii_rxd.next = 0x0707070707070707_u64.into();
        self.mac1.xgmii_rxc.next = 0xFF.into();
        self.mac1.speed_10g.next = false;
        self.mac1.rx_enable.next = true;
        self.mac1.max_frame.next = self.k_max_frame.val();
        self.mac1.reset.next = false;
        self.act1.clock.next = self.rgmii1_rxc.val();
        self.act1.d.next = self.act1.q.val();
        if self.act1.q.val() != 0 {
            self.act1.d.next = self.act1.q.val() - 1;
        }
        if self.mac1.valid.val() & self.mac1.last.val() & self.mac1.ok.val() {
            self.act1.d.next = 0xFF_FFFF.into();
        }
        // Transmitters idle, clocks running.
        self.tx0.clk.next = self.pll.clk125.val();
        self.tx0.clk90.next = self.pll.clk125_90.val();
        self.tx0.gmii_txd.next = 0.into();
        self.tx0.gmii_tx_en.next = false;
        self.tx0.gmii_tx_er.next = false;
        self.tx1.clk.next = self.pll.clk125.val();
        self.tx1.clk90.next = self.pll.clk125_90.val();
        self.tx1.gmii_txd.next = 0.into();
        self.tx1.gmii_tx_en.next = false;
        self.tx1.gmii_tx_er.next = false;
        self.rgmii0_txc.next = self.tx0.txc.val();
        self.rgmii0_tx_ctl.next = self.tx0.tx_ctl.val();
        self.rgmii0_txd.next = self.tx0.txd.val();
        self.rgmii1_txc.next = self.tx1.txc.val();
        self.rgmii1_tx_ctl.next = self.tx1.tx_ctl.val();
        self.rgmii1_txd.next = self.tx1.txd.val();
        // The heartbeat, inverted while either port has seen a good frame lately.
        self.beat.clock.next = self.pll.clk125.val();
        self.beat.d.next = self.beat.q.val() + 1;
        self.led_n.next = !(self.beat.q.val().get_bit(26)
            ^ ((self.act0.q.val() != 0) | (self.act1.q.val() != 0)));
        // The PHYs stay out of reset (on the v8.0 board one of them clocks the FPGA).
        self.phy_rst_n.next = true;
        self.mdc.next = false;
    }
}

/// The Verilog of a board image (top module `top`).
pub fn bringup_verilog() -> String {
    let mut uut = PhyBringUp::default();
    uut.connect_all();
    generate_verilog(&uut)
}

/// Entries of a receive crossing's FIFO: octet (7..0), RX_ER (8), end of frame (9).
type RxEntry = crate::cdc_fifo::Entry;

/// A PHY's GMII receive stream from its receive clock into the card's clock (the PLL's
/// 125 MHz; the two differ by up to ±100 ppm). The write side puts each octet of a frame, and
/// an end marker after it, into a 64-entry asynchronous FIFO ([`CdcFifo`]: each side's pointer
/// reaches the other in Gray code through two flip-flops, some cycles late, so each side sees
/// the fill with a lag). The read side starts a frame once 16 entries wait (or entries have
/// waited 16 cycles, for a fragment shorter than that), then reads one entry a cycle until the
/// end marker, so the card sees the frame's octets on consecutive cycles; 16 covers the
/// pointers' lag, and the ends of a 1522-octet frame drift apart by less than one octet at
/// ±100 ppm. Should the FIFO run dry in a frame anyway, the octet goes out with RX_ER (the MAC
/// counts the frame as a PHY error). Two entries are kept for end markers: an octet that finds
/// fewer free is lost (the frame then fails its FCS), and its frame's end still arrives.
/// Outputs are registered twice: the FIFO's read side sits by its block RAM, and the second
/// stage lets the placer put the octets beside the MAC, which decides on `rx_dv` at once.
#[derive(LogicBlock)]
pub struct RxCrossing {
    pub rx_clock: Signal<In, Clock>,
    pub rxd: Signal<In, Bits<8>>,
    pub rx_dv: Signal<In, Bit>,
    pub rx_er: Signal<In, Bit>,
    pub clock: Signal<In, Clock>,
    pub gmii_rxd: Signal<Out, Bits<8>>,
    pub gmii_rx_dv: Signal<Out, Bit>,
    pub gmii_rx_er: Signal<Out, Bit>,
    fifo: CdcFifo,
    was_dv: DFF<Bit>,
    // The write, registered in the PHY's clock with room checked ahead (against a fill
    // that may be two writes behind).
    w_v: DFF<Bit>,
    w_end: DFF<Bit>,
    w_data: DFF<RxEntry>,
    w_room: DFF<Bit>,
    w_not_full: DFF<Bit>,
    running: DFF<Bit>,
    wait: DFF<Bits<5>>,
    o_rxd: DFF<Bits<8>>,
    o_dv: DFF<Bit>,
    o_er: DFF<Bit>,
    p_rxd: DFF<Bits<8>>,
    p_dv: DFF<Bit>,
    p_er: DFF<Bit>,
    k_end: Constant<RxEntry>,
    k_er: Constant<RxEntry>,
    k_start_fill: Constant<Bits<7>>,
    k_room: Constant<Bits<7>>,
    k_not_full: Constant<Bits<7>>,
}

impl Default for RxCrossing {
    fn default() -> Self {
        Self {
            rx_clock: Default::default(),
            rxd: Default::default(),
            rx_dv: Default::default(),
            rx_er: Default::default(),
            clock: Default::default(),
            gmii_rxd: Default::default(),
            gmii_rx_dv: Default::default(),
            gmii_rx_er: Default::default(),
            fifo: Default::default(),
            was_dv: Default::default(),
            w_v: Default::default(),
            w_end: Default::default(),
            w_data: Default::default(),
            w_room: Default::default(),
            w_not_full: Default::default(),
            running: Default::default(),
            wait: Default::default(),
            o_rxd: Default::default(),
            o_dv: Default::default(),
            o_er: Default::default(),
            p_rxd: Default::default(),
            p_dv: Default::default(),
            p_er: Default::default(),
            k_end: Constant::new((1u64 << 9).into()),
            k_er: Constant::new((1u64 << 8).into()),
            k_start_fill: Constant::new(16u64.into()),
            k_room: Constant::new(60u64.into()),
            k_not_full: Constant::new(62u64.into()),
        }
    }
}

impl Logic for RxCrossing {
    #[hdl_gen]
    fn update(&mut self) {
        // Write side, in the PHY's receive clock.
        self.fifo.write_clock.next = self.rx_clock.val();
        self.was_dv.clock.next = self.rx_clock.val();
        self.was_dv.d.next = self.rx_dv.val();
        self.w_v.clock.next = self.rx_clock.val();
        self.w_end.clock.next = self.rx_clock.val();
        self.w_data.clock.next = self.rx_clock.val();
        self.w_room.clock.next = self.rx_clock.val();
        self.w_not_full.clock.next = self.rx_clock.val();
        self.w_v.d.next = false;
        self.w_end.d.next = false;
        self.w_data.d.next = bit_cast::<10, 8>(self.rxd.val());
        if self.rx_dv.val() {
            self.w_v.d.next = true;
            if self.rx_er.val() {
                self.w_data.d.next = bit_cast::<10, 8>(self.rxd.val()) | self.k_er.val();
            }
        } else if self.was_dv.q.val() {
            self.w_v.d.next = true;
            self.w_end.d.next = true;
            self.w_data.d.next = self.k_end.val();
        }
        // An octet needs room for itself and the frame's end; the end only a free entry. The
        // FIFO's fill is registered, and compared into a register here: it may miss the last
        // two writes, hence two entries less each.
        self.w_room.d.next = self.fifo.write_fill.val() < self.k_room.val();
        self.w_not_full.d.next = self.fifo.write_fill.val() < self.k_not_full.val();
        self.fifo.write.next = self.w_v.q.val()
            & ((self.w_end.q.val() & self.w_not_full.q.val())
                | (!self.w_end.q.val() & self.w_room.q.val()));
        self.fifo.data_in.next = self.w_data.q.val();
        // Read side, in the card's clock.
        self.fifo.read_clock.next = self.clock.val();
        dff_setup!(self, clock, running, wait, o_rxd, o_dv, o_er, p_rxd, p_dv, p_er);
        self.fifo.read.next = false;
        self.o_dv.d.next = false;
        self.o_er.d.next = false;
        self.o_rxd.d.next = 0.into();
        if !self.running.q.val() {
            if self.fifo.empty.val() {
                self.wait.d.next = 0.into();
            } else if self.wait.q.val() != 16 {
                self.wait.d.next = self.wait.q.val() + 1;
            }
            if (self.fifo.read_fill.val() >= self.k_start_fill.val())
                | (!self.fifo.empty.val() & (self.wait.q.val() == 16))
            {
                self.running.d.next = true;
                self.wait.d.next = 0.into();
            }
        } else if self.fifo.empty.val() {
            // Dry in the middle of a frame: the octet is an error.
            self.o_dv.d.next = true;
            self.o_er.d.next = true;
        } else {
            self.fifo.read.next = true;
            if self.fifo.data_out.val().get_bit(9) {
                self.running.d.next = false;
            } else {
                self.o_dv.d.next = true;
                self.o_er.d.next = self.fifo.data_out.val().get_bit(8);
                self.o_rxd.d.next = self.fifo.data_out.val().get_bits::<8>(0);
            }
        }
        self.p_rxd.d.next = self.o_rxd.q.val();
        self.p_dv.d.next = self.o_dv.q.val();
        self.p_er.d.next = self.o_er.q.val();
        self.gmii_rxd.next = self.p_rxd.q.val();
        self.gmii_rx_dv.next = self.p_dv.q.val();
        self.gmii_rx_er.next = self.p_er.q.val();
    }
}

/// The NIC image: the board's card (`tunnel::TunnelNic`: the small gigabit card on PHY 0,
/// its host interface tunnelled over PHY 1) in the PLL's 125 MHz clock; both RGMII receivers
/// cross into it through [`RxCrossing`]; both transmitters send from it, their clocks a
/// quarter period later. The LED blinks once a second, inverted while either port receives.
#[derive(LogicBlock, Default)]
pub struct NicImage {
    pub clk25: Signal<In, Clock>,
    pub led_n: Signal<Out, Bit>,
    pub phy_rst_n: Signal<Out, Bit>,
    pub mdc: Signal<Out, Bit>,
    pub rgmii0_rxc: Signal<In, Clock>,
    pub rgmii0_rx_ctl: Signal<In, Bit>,
    pub rgmii0_rxd: Signal<In, Bits<4>>,
    pub rgmii0_txc: Signal<Out, Bit>,
    pub rgmii0_tx_ctl: Signal<Out, Bit>,
    pub rgmii0_txd: Signal<Out, Bits<4>>,
    pub rgmii1_rxc: Signal<In, Clock>,
    pub rgmii1_rx_ctl: Signal<In, Bit>,
    pub rgmii1_rxd: Signal<In, Bits<4>>,
    pub rgmii1_txc: Signal<Out, Bit>,
    pub rgmii1_tx_ctl: Signal<Out, Bit>,
    pub rgmii1_txd: Signal<Out, Bits<4>>,
    pll: Pll,
    rx0: RgmiiRx,
    rx1: RgmiiRx,
    x0: RxCrossing,
    x1: RxCrossing,
    card: crate::tunnel::TunnelNic,
    tx0: RgmiiTx,
    tx1: RgmiiTx,
    act: DFF<Bits<24>>,
    beat: DFF<Bits<27>>,
}

impl Logic for NicImage {
    #[hdl_gen]
    fn update(&mut self) {
        self.pll.clkin.next = self.clk25.val();
        self.rx0.rxc.next = self.rgmii0_rxc.val();
        self.rx0.rx_ctl.next = self.rgmii0_rx_ctl.val();
        self.rx0.rxd.next = self.rgmii0_rxd.val();
        self.x0.rx_clock.next = self.rgmii0_rxc.val();
        self.x0.rxd.next = self.rx0.gmii_rxd.val();
        self.x0.rx_dv.next = self.rx0.gmii_rx_dv.val();
        self.x0.rx_er.next = self.rx0.gmii_rx_er.val();
        self.x0.clock.next = self.pll.clk125.val();
        self.rx1.rxc.next = self.rgmii1_rxc.val();
        self.rx1.rx_ctl.next = self.rgmii1_rx_ctl.val();
        self.rx1.rxd.next = self.rgmii1_rxd.val();
        self.x1.rx_clock.next = self.rgmii1_rxc.val();
        self.x1.rxd.next = self.rx1.gmii_rxd.val();
        self.x1.rx_dv.next = self.rx1.gmii_rx_dv.val();
        self.x1.rx_er.next = self.rx1.gmii_rx_er.val();
        self.x1.clock.next = self.pll.clk125.val();
        self.card.clock.next = self.pll.clk125.val();
        self.card.gmii0_rxd.next = self.x0.gmii_rxd.val();
        self.card.gmii0_rx_dv.next = self.x0.gmii_rx_dv.val();
        self.card.gmii0_rx_er.next = self.x0.gmii_rx_er.val();
        self.card.gmii1_rxd.next = self.x1.gmii_rxd.val();
        self.card.gmii1_rx_dv.next = self.x1.gmii_rx_dv.val();
        self.card.gmii1_rx_er.next = self.x1.gmii_rx_er.val();
        self.tx0.clk.next = self.pll.clk125.val();
        self.tx0.clk90.next = self.pll.clk125_90.val();
        self.tx0.gmii_txd.next = self.card.gmii0_txd.val();
        self.tx0.gmii_tx_en.next = self.card.gmii0_tx_en.val();
        self.tx0.gmii_tx_er.next = self.card.gmii0_tx_er.val();
        self.tx1.clk.next = self.pll.clk125.val();
        self.tx1.clk90.next = self.pll.clk125_90.val();
        self.tx1.gmii_txd.next = self.card.gmii1_txd.val();
        self.tx1.gmii_tx_en.next = self.card.gmii1_tx_en.val();
        self.tx1.gmii_tx_er.next = self.card.gmii1_tx_er.val();
        self.rgmii0_txc.next = self.tx0.txc.val();
        self.rgmii0_tx_ctl.next = self.tx0.tx_ctl.val();
        self.rgmii0_txd.next = self.tx0.txd.val();
        self.rgmii1_txc.next = self.tx1.txc.val();
        self.rgmii1_tx_ctl.next = self.tx1.tx_ctl.val();
        self.rgmii1_txd.next = self.tx1.txd.val();
        // Activity: any octet received on either port.
        self.act.clock.next = self.pll.clk125.val();
        self.beat.clock.next = self.pll.clk125.val();
        self.act.d.next = self.act.q.val();
        self.beat.d.next = self.beat.q.val() + 1;
        if self.act.q.val() != 0 {
            self.act.d.next = self.act.q.val() - 1;
        }
        if self.x0.gmii_rx_dv.val() | self.x1.gmii_rx_dv.val() {
            self.act.d.next = 0xFF_FFFF.into();
        }
        self.led_n.next = !(self.beat.q.val().get_bit(26) ^ (self.act.q.val() != 0));
        self.phy_rst_n.next = true;
        self.mdc.next = false;
    }
}

/// The Verilog of the NIC image (top module `top`).
pub fn nic_image_verilog() -> String {
    crate::verilog::on_big_stack(|| {
        let mut uut = NicImage::default();
        uut.connect_all();
        crate::verilog::unchecked_rams(&generate_verilog(&uut))
    })
}
