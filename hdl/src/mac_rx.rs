//! MAC receive: both front ends, then the checks every frame passes whatever its speed.
//!
//! The selected front end's stream goes through the frame checker: CRC-32 over every octet
//! (FCS included) compared with the magic residue, length against the 64-byte minimum and the
//! `max_frame` register, PHY and preamble errors, and receive enable (sampled when the frame
//! starts). The checker forwards the frame's beats (no more than `max_frame` octets; a giant's
//! tail is discarded here) and marks the last one `ok` with the frame's length (FCS excluded)
//! or not ok; the receive buffer keeps or discards the frame on that mark. One counter per
//! reason, counting a frame the cycle after its last beat; `reset` clears them.
//!
//! The FCS of a 1 GbE frame is checked by the GMII front end an octet a cycle (`fcs_ok` on
//! its last beat); the eight-octet CRC step here serves 10 GbE. A card built without 10 GbE
//! (`MacRx::gmii_only`) has the XGMII path and that CRC step removed by synthesis.

use crate::crc::Crc32Step;
use crate::gmii_rx::GmiiRx;
use crate::xgmii_rx::XgmiiRx;
use arsenic_interface::{eth, fcs};
use rust_hdl::prelude::*;

/// How a frame's last beat ended it: one counter each (`NoFrame` when none ended).
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum FrameEnd {
    NoFrame,
    Preamble,
    Disabled,
    Phy,
    Runt,
    Giant,
    Fcs,
    Ok,
}

#[derive(LogicBlock)]
pub struct MacRx {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    // PHY pins.
    pub gmii_rxd: Signal<In, Bits<8>>,
    pub gmii_rx_dv: Signal<In, Bit>,
    pub gmii_rx_er: Signal<In, Bit>,
    pub xgmii_rxd: Signal<In, Bits<64>>,
    pub xgmii_rxc: Signal<In, Bits<8>>,
    // Configuration.
    pub speed_10g: Signal<In, Bit>,
    pub rx_enable: Signal<In, Bit>,
    pub max_frame: Signal<In, Bits<16>>,
    pub reset: Signal<In, Bit>,
    // Checked stream out; `ok` and `len` are meaningful with `last`.
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<64>>,
    pub nbytes: Signal<Out, Bits<4>>,
    pub last: Signal<Out, Bit>,
    pub ok: Signal<Out, Bit>,
    pub len: Signal<Out, Bits<16>>,
    // Counters (wrapping).
    pub cnt_frames: Signal<Out, Bits<32>>,
    pub cnt_ok: Signal<Out, Bits<32>>,
    pub cnt_fcs: Signal<Out, Bits<32>>,
    pub cnt_runt: Signal<Out, Bits<32>>,
    pub cnt_giant: Signal<Out, Bits<32>>,
    pub cnt_phy: Signal<Out, Bits<32>>,
    pub cnt_pre: Signal<Out, Bits<32>>,
    pub cnt_disabled: Signal<Out, Bits<32>>,
    gmii: GmiiRx,
    xgmii: XgmiiRx,
    crc: Crc32Step,
    // The CRC register, stored complemented so that its reset value (zero) is the CRC's
    // initial value (all ones).
    crc_n: DFF<Bits<32>>,
    flen: DFF<Bits<16>>,
    enabled: DFF<Bit>,
    o_valid: DFF<Bit>,
    o_data: DFF<Bits<64>>,
    o_nbytes: DFF<Bits<4>>,
    o_last: DFF<Bit>,
    o_ok: DFF<Bit>,
    o_len: DFF<Bits<16>>,
    // The reason a frame ended as it did (`FrameEnd`), counted the cycle after its last beat,
    // so that the length and FCS checks drive three flip-flops, not the counters' enables.
    why: DFF<FrameEnd>,
    c_frames: DFF<Bits<32>>,
    c_ok: DFF<Bits<32>>,
    c_fcs: DFF<Bits<32>>,
    c_runt: DFF<Bits<32>>,
    c_giant: DFF<Bits<32>>,
    c_phy: DFF<Bits<32>>,
    c_pre: DFF<Bits<32>>,
    c_disabled: DFF<Bits<32>>,
    s_valid: Signal<Local, Bit>,
    s_data: Signal<Local, Bits<64>>,
    s_nbytes: Signal<Local, Bits<4>>,
    s_last: Signal<Local, Bit>,
    s_phy: Signal<Local, Bit>,
    s_pre: Signal<Local, Bit>,
    s_start: Signal<Local, Bit>,
    s_fcs_ok: Signal<Local, Bit>,
    // 1 when the card has the 10 GbE path.
    k_has_10g: Constant<Bit>,
    len_next: Signal<Local, Bits<16>>,
    k_residue: Constant<Bits<32>>,
    k_min_frame: Constant<Bits<16>>,
    k_fcs_len: Constant<Bits<16>>,
    k_len_cap: Constant<Bits<16>>,
}

impl Default for MacRx {
    fn default() -> Self {
        Self::new(true)
    }
}

impl MacRx {
    /// A receive MAC for 1 GbE only: `speed_10g` is ignored and synthesis drops the XGMII
    /// front end and the eight-octet CRC.
    pub fn gmii_only() -> Self {
        Self::new(false)
    }

    fn new(has_10g: bool) -> Self {
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            gmii_rxd: Default::default(),
            gmii_rx_dv: Default::default(),
            gmii_rx_er: Default::default(),
            xgmii_rxd: Default::default(),
            xgmii_rxc: Default::default(),
            speed_10g: Default::default(),
            rx_enable: Default::default(),
            max_frame: Default::default(),
            reset: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            nbytes: Default::default(),
            last: Default::default(),
            ok: Default::default(),
            len: Default::default(),
            cnt_frames: Default::default(),
            cnt_ok: Default::default(),
            cnt_fcs: Default::default(),
            cnt_runt: Default::default(),
            cnt_giant: Default::default(),
            cnt_phy: Default::default(),
            cnt_pre: Default::default(),
            cnt_disabled: Default::default(),
            gmii: Default::default(),
            xgmii: Default::default(),
            crc: Default::default(),
            crc_n: Default::default(),
            flen: Default::default(),
            enabled: Default::default(),
            o_valid: Default::default(),
            o_data: Default::default(),
            o_nbytes: Default::default(),
            o_last: Default::default(),
            o_ok: Default::default(),
            o_len: Default::default(),
            why: Default::default(),
            c_frames: Default::default(),
            c_ok: Default::default(),
            c_fcs: Default::default(),
            c_runt: Default::default(),
            c_giant: Default::default(),
            c_phy: Default::default(),
            c_pre: Default::default(),
            c_disabled: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            s_nbytes: Default::default(),
            s_last: Default::default(),
            s_phy: Default::default(),
            s_pre: Default::default(),
            s_start: Default::default(),
            s_fcs_ok: Default::default(),
            k_has_10g: Constant::new(has_10g),
            len_next: Default::default(),
            k_residue: Constant::new((fcs::RESIDUE as u64).into()),
            k_min_frame: Constant::new((eth::MIN_FRAME as u64).into()),
            k_fcs_len: Constant::new((eth::FCS_LEN as u64).into()),
            // Lengths stop counting here; anything this long is a giant already.
            k_len_cap: Constant::new(0x8000u64.into()),
        }
    }
}

impl Logic for MacRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, crc_n, flen, enabled, o_valid, o_data, o_nbytes, o_last, o_ok, o_len, why,
            c_frames, c_ok, c_fcs, c_runt, c_giant, c_phy, c_pre, c_disabled
        );
        clock!(self, clock, gmii, xgmii);
        self.gmii.rxd.next = self.gmii_rxd.val();
        self.gmii.rx_dv.next = self.gmii_rx_dv.val();
        self.gmii.rx_er.next = self.gmii_rx_er.val();
        self.xgmii.rxd.next = self.xgmii_rxd.val();
        self.xgmii.rxc.next = self.xgmii_rxc.val();
        // Select the front end.
        if self.speed_10g.val() & self.k_has_10g.val() {
            self.s_valid.next = self.xgmii.valid.val();
            self.s_data.next = self.xgmii.data.val();
            self.s_nbytes.next = self.xgmii.nbytes.val();
            self.s_last.next = self.xgmii.last.val();
            self.s_phy.next = self.xgmii.phy_err.val();
            self.s_pre.next = self.xgmii.pre_err.val();
            self.s_start.next = self.xgmii.start.val();
            self.s_fcs_ok.next = self.crc.crc_out.val() == self.k_residue.val();
        } else {
            self.s_valid.next = self.gmii.valid.val();
            self.s_data.next = self.gmii.data.val();
            self.s_nbytes.next = self.gmii.nbytes.val();
            self.s_last.next = self.gmii.last.val();
            self.s_phy.next = self.gmii.phy_err.val();
            self.s_pre.next = self.gmii.pre_err.val();
            self.s_start.next = self.gmii.start.val();
            self.s_fcs_ok.next = self.gmii.fcs_ok.val();
        }
        // CRC and length of the frame so far, this beat included.
        self.crc.crc_in.next = !self.crc_n.q.val();
        self.crc.data.next = self.s_data.val();
        self.crc.nbytes.next = self.s_nbytes.val();
        if self.speed_10g.val() & self.k_has_10g.val() {
            self.len_next.next = self.flen.q.val();
            if self.flen.q.val() < self.k_len_cap.val() {
                self.len_next.next = self.flen.q.val() + bit_cast::<16, 4>(self.s_nbytes.val());
            }
        } else {
            // The GMII front end counts octets as they arrive.
            self.len_next.next = self.gmii.len.val();
        }
        self.o_valid.d.next = false;
        self.o_last.d.next = false;
        self.o_ok.d.next = false;
        self.why.d.next = FrameEnd::NoFrame;
        if self.s_start.val() {
            self.c_frames.d.next = (self.c_frames.q.val() + 1) & self.k_cmask.val();
            self.enabled.d.next = self.rx_enable.val();
        }
        if self.s_valid.val() {
            self.crc_n.d.next = !self.crc.crc_out.val();
            self.flen.d.next = self.len_next.val();
            self.o_data.d.next = self.s_data.val();
            self.o_nbytes.d.next = self.s_nbytes.val();
            self.o_valid.d.next = self.s_last.val() | (self.len_next.val() <= self.max_frame.val());
            if self.s_last.val() {
                self.o_last.d.next = true;
                self.o_len.d.next = self.len_next.val() - self.k_fcs_len.val();
                self.crc_n.d.next = 0.into();
                self.flen.d.next = 0.into();
                if self.s_pre.val() {
                    self.why.d.next = FrameEnd::Preamble;
                } else if !self.enabled.q.val() {
                    self.why.d.next = FrameEnd::Disabled;
                } else if self.s_phy.val() {
                    self.why.d.next = FrameEnd::Phy;
                } else if self.len_next.val() < self.k_min_frame.val() {
                    self.why.d.next = FrameEnd::Runt;
                } else if self.len_next.val() > self.max_frame.val() {
                    self.why.d.next = FrameEnd::Giant;
                } else if !self.s_fcs_ok.val() {
                    self.why.d.next = FrameEnd::Fcs;
                } else {
                    self.o_ok.d.next = true;
                    self.why.d.next = FrameEnd::Ok;
                }
            }
        }
        // The last beat's reason, counted.
        match self.why.q.val() {
            FrameEnd::Preamble => {
                self.c_pre.d.next = (self.c_pre.q.val() + 1) & self.k_cmask.val();
            }
            FrameEnd::Disabled => {
                self.c_disabled.d.next = (self.c_disabled.q.val() + 1) & self.k_cmask.val();
            }
            FrameEnd::Phy => {
                self.c_phy.d.next = (self.c_phy.q.val() + 1) & self.k_cmask.val();
            }
            FrameEnd::Runt => {
                self.c_runt.d.next = (self.c_runt.q.val() + 1) & self.k_cmask.val();
            }
            FrameEnd::Giant => {
                self.c_giant.d.next = (self.c_giant.q.val() + 1) & self.k_cmask.val();
            }
            FrameEnd::Fcs => {
                self.c_fcs.d.next = (self.c_fcs.q.val() + 1) & self.k_cmask.val();
            }
            FrameEnd::Ok => {
                self.c_ok.d.next = (self.c_ok.q.val() + 1) & self.k_cmask.val();
            }
            _ => {}
        }
        if self.reset.val() {
            self.why.d.next = FrameEnd::NoFrame;
            self.crc_n.d.next = 0.into();
            self.flen.d.next = 0.into();
            self.enabled.d.next = false;
            self.c_frames.d.next = 0.into();
            self.c_ok.d.next = 0.into();
            self.c_fcs.d.next = 0.into();
            self.c_runt.d.next = 0.into();
            self.c_giant.d.next = 0.into();
            self.c_phy.d.next = 0.into();
            self.c_pre.d.next = 0.into();
            self.c_disabled.d.next = 0.into();
        }
        self.valid.next = self.o_valid.q.val();
        self.data.next = self.o_data.q.val();
        self.nbytes.next = self.o_nbytes.q.val();
        self.last.next = self.o_last.q.val();
        self.ok.next = self.o_ok.q.val();
        self.len.next = self.o_len.q.val();
        self.cnt_frames.next = self.c_frames.q.val();
        self.cnt_ok.next = self.c_ok.q.val();
        self.cnt_fcs.next = self.c_fcs.q.val();
        self.cnt_runt.next = self.c_runt.q.val();
        self.cnt_giant.next = self.c_giant.q.val();
        self.cnt_phy.next = self.c_phy.q.val();
        self.cnt_pre.next = self.c_pre.q.val();
        self.cnt_disabled.next = self.c_disabled.q.val();
    }
}
