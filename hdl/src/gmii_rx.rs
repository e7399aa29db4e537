//! GMII receive front end (1 GbE, one octet per cycle at 125 MHz).
//!
//! Finds the preamble and start-frame delimiter, gathers the frame's octets (FCS included)
//! into beats of the card's 64-bit internal stream, and marks the frame's last beat. A frame
//! whose preamble holds anything but 0x55 before the SFD, or that ends before its SFD, ends
//! with an empty last beat flagged `pre_err`; RX_ER during a frame sets `phy_err` on its last
//! beat. Outputs are registered.
//!
//! The FCS is checked here, an octet a cycle as the octets arrive: `fcs_ok` on a frame's last
//! beat says the CRC-32 over all its octets (FCS included) left the magic residue. At 125 MHz
//! on a small FPGA this is the path that meets timing; an eight-octet CRC step over the
//! gathered beats does not.

use crate::crc::Crc32Octet;
use arsenic_interface::{eth, fcs};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum GmiiState {
    Idle,
    Preamble,
    Data,
    Discard,
}

#[derive(LogicBlock)]
pub struct GmiiRx {
    pub clock: Signal<In, Clock>,
    // GMII receive signals from the PHY.
    pub rxd: Signal<In, Bits<8>>,
    pub rx_dv: Signal<In, Bit>,
    pub rx_er: Signal<In, Bit>,
    // Internal stream out: `nbytes` octets of `data` from lane 0; `last` ends a frame.
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<64>>,
    pub nbytes: Signal<Out, Bits<4>>,
    pub last: Signal<Out, Bit>,
    pub phy_err: Signal<Out, Bit>,
    pub pre_err: Signal<Out, Bit>,
    /// The frame's octets so far, this beat's included (FCS too; stops counting at 32768).
    pub len: Signal<Out, Bits<16>>,
    /// With `last`: the frame's FCS is right.
    pub fcs_ok: Signal<Out, Bit>,
    /// One-cycle pulse when a frame begins on the wire.
    pub start: Signal<Out, Bit>,
    state: DFF<GmiiState>,
    acc: DFF<Bits<64>>,
    cnt: DFF<Bits<4>>,
    err: DFF<Bit>,
    o_valid: DFF<Bit>,
    o_data: DFF<Bits<64>>,
    o_nbytes: DFF<Bits<4>>,
    o_last: DFF<Bit>,
    o_phy: DFF<Bit>,
    o_pre: DFF<Bit>,
    o_start: DFF<Bit>,
    o_fcs_ok: DFF<Bit>,
    o_len: DFF<Bits<16>>,
    flen: DFF<Bits<16>>,
    k_len_cap: Constant<Bits<16>>,
    // The CRC register over the frame's octets so far, stored complemented (reset value zero
    // is the CRC's initial value, all ones).
    crc_n: DFF<Bits<32>>,
    crc: Crc32Octet,
    k_residue: Constant<Bits<32>>,
    k_sfd: Constant<Bits<8>>,
    k_pre: Constant<Bits<8>>,
    // The octet lanes below the count (`1 << cnt`, less one), as a mask of the word, and
    // the octet's place in the accumulator.
    lanes: Signal<Local, Bits<16>>,
    omask: Signal<Local, Bits<64>>,
    sh: Signal<Local, Bits<64>>,
    k_one16: Constant<Bits<16>>,
    k_ff: Constant<Bits<64>>,
}

impl Default for GmiiRx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rxd: Default::default(),
            rx_dv: Default::default(),
            rx_er: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            nbytes: Default::default(),
            last: Default::default(),
            phy_err: Default::default(),
            pre_err: Default::default(),
            fcs_ok: Default::default(),
            len: Default::default(),
            start: Default::default(),
            state: Default::default(),
            acc: Default::default(),
            cnt: Default::default(),
            err: Default::default(),
            o_valid: Default::default(),
            o_data: Default::default(),
            o_nbytes: Default::default(),
            o_last: Default::default(),
            o_phy: Default::default(),
            o_pre: Default::default(),
            o_start: Default::default(),
            o_fcs_ok: Default::default(),
            o_len: Default::default(),
            flen: Default::default(),
            k_len_cap: Constant::new(0x8000u64.into()),
            crc_n: Default::default(),
            crc: Default::default(),
            k_residue: Constant::new((fcs::RESIDUE as u64).into()),
            k_sfd: Constant::new((eth::SFD as u64).into()),
            k_pre: Constant::new((eth::PREAMBLE as u64).into()),
            lanes: Default::default(),
            omask: Default::default(),
            sh: Default::default(),
            k_one16: Constant::new(1u64.into()),
            k_ff: Constant::new(0xFFu64.into()),
        }
    }
}

impl Logic for GmiiRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, acc, cnt, err, o_valid, o_data, o_nbytes, o_last, o_phy, o_pre,
            o_start, o_fcs_ok, crc_n, o_len, flen
        );
        // One octet of CRC: the register after this cycle's octet.
        self.crc.crc_in.next = !self.crc_n.q.val();
        self.crc.data.next = self.rxd.val();
        // The accumulator takes each cycle's octet into lane `cnt` (lane 0 at a count of 8,
        // where the next beat starts), whatever the state: a lane is written before it is
        // sent, and lanes at or above the count are masked on the way out. So none of its 64
        // flip-flops takes a decision on the receive wire's `rx_dv`.
        self.sh.next = bit_cast::<64, 4>(self.cnt.q.val() & 7) << 3;
        self.acc.d.next = (self.acc.q.val() & !(self.k_ff.val() << self.sh.val()))
            | (bit_cast::<64, 8>(self.rxd.val()) << self.sh.val());
        // The word and the length out follow the accumulator (its lanes below the count)
        // and the count every cycle: they are read only with `valid`, which follows a
        // decision to send them. No enable on these 80 flip-flops either.
        self.lanes.next = (self.k_one16.val() << self.cnt.q.val()) - 1;
        self.omask.next = 0.into();
        // (Lane k's octet kept when the count is above k; written out, as hdl_gen shifts by
        // literals only.)
        if self.lanes.val().get_bit(0) {
            self.omask.next = self.omask.val() | self.k_ff.val();
        }
        if self.lanes.val().get_bit(1) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 8);
        }
        if self.lanes.val().get_bit(2) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 16);
        }
        if self.lanes.val().get_bit(3) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 24);
        }
        if self.lanes.val().get_bit(4) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 32);
        }
        if self.lanes.val().get_bit(5) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 40);
        }
        if self.lanes.val().get_bit(6) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 48);
        }
        if self.lanes.val().get_bit(7) {
            self.omask.next = self.omask.val() | (self.k_ff.val() << 56);
        }
        self.o_data.d.next = self.acc.q.val() & self.omask.val();
        self.o_len.d.next = self.flen.q.val();
        self.o_valid.d.next = false;
        self.o_last.d.next = false;
        self.o_start.d.next = false;
        self.o_phy.d.next = false;
        self.o_pre.d.next = false;
        self.o_fcs_ok.d.next = false;
        match self.state.q.val() {
            GmiiState::Idle => {
                if self.rx_dv.val() {
                    self.o_start.d.next = true;
                    self.err.d.next = self.rx_er.val();
                    self.cnt.d.next = 0.into();
                    self.crc_n.d.next = 0.into();
                    self.flen.d.next = 0.into();
                    if self.rxd.val() == self.k_sfd.val() {
                        self.state.d.next = GmiiState::Data;
                    } else if self.rxd.val() == self.k_pre.val() {
                        self.state.d.next = GmiiState::Preamble;
                    } else {
                        self.state.d.next = GmiiState::Discard;
                    }
                }
            }
            GmiiState::Preamble => {
                self.err.d.next = self.err.q.val() | self.rx_er.val();
                if !self.rx_dv.val() {
                    self.o_valid.d.next = true;
                    self.o_last.d.next = true;
                    self.o_nbytes.d.next = 0.into();
                    self.o_pre.d.next = true;
                    self.state.d.next = GmiiState::Idle;
                } else if self.rxd.val() == self.k_sfd.val() {
                    self.state.d.next = GmiiState::Data;
                } else if self.rxd.val() != self.k_pre.val() {
                    self.state.d.next = GmiiState::Discard;
                }
            }
            GmiiState::Data => {
                if self.rx_dv.val() {
                    self.err.d.next = self.err.q.val() | self.rx_er.val();
                    self.crc_n.d.next = !self.crc.crc_out.val();
                    if self.flen.q.val() < self.k_len_cap.val() {
                        self.flen.d.next = self.flen.q.val() + 1;
                    }
                    if self.cnt.q.val() == 8 {
                        self.o_valid.d.next = true;
                        self.o_nbytes.d.next = 8.into();
                        self.cnt.d.next = 1.into();
                    } else {
                        self.cnt.d.next = self.cnt.q.val() + 1;
                    }
                } else {
                    self.o_valid.d.next = true;
                    self.o_last.d.next = true;
                    self.o_nbytes.d.next = self.cnt.q.val();
                    self.o_phy.d.next = self.err.q.val();
                    self.o_fcs_ok.d.next = !self.crc_n.q.val() == self.k_residue.val();
                    self.state.d.next = GmiiState::Idle;
                }
            }
            GmiiState::Discard => {
                if !self.rx_dv.val() {
                    self.o_valid.d.next = true;
                    self.o_last.d.next = true;
                    self.o_nbytes.d.next = 0.into();
                    self.o_pre.d.next = true;
                    self.state.d.next = GmiiState::Idle;
                }
            }
        }
        self.valid.next = self.o_valid.q.val();
        self.data.next = self.o_data.q.val();
        self.nbytes.next = self.o_nbytes.q.val();
        self.last.next = self.o_last.q.val();
        self.phy_err.next = self.o_phy.q.val();
        self.pre_err.next = self.o_pre.q.val();
        self.start.next = self.o_start.q.val();
        self.fcs_ok.next = self.o_fcs_ok.q.val();
        self.len.next = self.o_len.q.val();
    }
}
