//! Gigabit transmit MAC, an octet a cycle: frames from the card's 64-bit stream onto GMII.
//!
//! The same stream and counters as [`crate::mac_tx::MacTx`] (a frame's octets without FCS, 8
//! a beat, `s_nbytes` on the last, no gaps once a frame has begun), for a card without
//! 10 GbE: seven preamble octets and the SFD, the frame, zeros up to 60 octets, the FCS
//! (CRC-32 an octet a cycle as the octets leave), then 12 idle cycles. The beat being sent
//! shifts right an octet a cycle, so there is no eight-way octet multiplexer and no
//! eight-octet CRC step: on a small FPGA this is a fraction of `MacTx`'s size and meets
//! 125 MHz. A beat missing in the middle of a frame is an underrun: counted, the frame cut
//! with TX_ER, the rest of its beats taken and dropped. Outputs are registered.

use crate::crc::Crc32Octet;
use arsenic_interface::eth;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum GmiiTxState {
    Idle,
    Preamble,
    Data,
    Pad,
    Fcs,
    Cut,
    Discard,
    Gap,
}

#[derive(LogicBlock)]
pub struct GmiiTx {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    // The frame stream.
    pub s_valid: Signal<In, Bit>,
    pub s_data: Signal<In, Bits<64>>,
    pub s_nbytes: Signal<In, Bits<4>>,
    pub s_last: Signal<In, Bit>,
    pub s_ready: Signal<Out, Bit>,
    // GMII transmit.
    pub gmii_txd: Signal<Out, Bits<8>>,
    pub gmii_tx_en: Signal<Out, Bit>,
    pub gmii_tx_er: Signal<Out, Bit>,
    // Counters (as `MacTx`'s).
    pub cnt_frames: Signal<Out, Bits<32>>,
    pub cnt_octets: Signal<Out, Bits<32>>,
    pub cnt_padded: Signal<Out, Bits<32>>,
    pub cnt_underrun: Signal<Out, Bits<32>>,
    /// Nothing on the wire and no frame begun.
    pub idle: Signal<Out, Bit>,
    crc: Crc32Octet,
    state: DFF<GmiiTxState>,
    cnt: DFF<Bits<4>>,
    sh: DFF<Bits<64>>,
    left: DFF<Bits<4>>,
    blast: DFF<Bit>,
    count: DFF<Bits<16>>,
    // `count` is below the last padded octet's (kept beside it, so the decision at the
    // frame's end reads a register).
    short: DFF<Bit>,
    // The CRC register, complemented (zero is the initial all-ones; the FCS is this value).
    crc_n: DFF<Bits<32>>,
    padded: DFF<Bit>,
    g_txd: DFF<Bits<8>>,
    g_en: DFF<Bit>,
    g_er: DFF<Bit>,
    c_frames: DFF<Bits<32>>,
    c_octets: DFF<Bits<32>>,
    c_padded: DFF<Bits<32>>,
    c_underrun: DFF<Bits<32>>,
    octet: Signal<Local, Bits<8>>,
    k_sfd: Constant<Bits<8>>,
    k_pre: Constant<Bits<8>>,
    k_last_pad: Constant<Bits<16>>,
    k_last_pad1: Constant<Bits<16>>,
}

impl Default for GmiiTx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            s_nbytes: Default::default(),
            s_last: Default::default(),
            s_ready: Default::default(),
            gmii_txd: Default::default(),
            gmii_tx_en: Default::default(),
            gmii_tx_er: Default::default(),
            cnt_frames: Default::default(),
            cnt_octets: Default::default(),
            cnt_padded: Default::default(),
            cnt_underrun: Default::default(),
            idle: Default::default(),
            crc: Default::default(),
            state: Default::default(),
            cnt: Default::default(),
            sh: Default::default(),
            left: Default::default(),
            blast: Default::default(),
            count: Default::default(),
            short: Default::default(),
            crc_n: Default::default(),
            padded: Default::default(),
            g_txd: Default::default(),
            g_en: Default::default(),
            g_er: Default::default(),
            c_frames: Default::default(),
            c_octets: Default::default(),
            c_padded: Default::default(),
            c_underrun: Default::default(),
            octet: Default::default(),
            k_sfd: Constant::new((eth::SFD as u64).into()),
            k_pre: Constant::new((eth::PREAMBLE as u64).into()),
            // The count of octets sent before the frame's 60th.
            k_last_pad: Constant::new(((eth::MIN_PAYLOAD_FRAME - 1) as u64).into()),
            k_last_pad1: Constant::new(((eth::MIN_PAYLOAD_FRAME - 2) as u64).into()),
        }
    }
}

impl Logic for GmiiTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, cnt, sh, left, blast, count, short, crc_n, padded, g_txd, g_en,
            g_er, c_frames, c_octets, c_padded, c_underrun
        );
        self.octet.next = self.sh.q.val().get_bits::<8>(0);
        self.crc.crc_in.next = !self.crc_n.q.val();
        self.crc.data.next = self.octet.val();
        self.s_ready.next = false;
        self.g_en.d.next = false;
        self.g_er.d.next = false;
        self.g_txd.d.next = 0.into();
        match self.state.q.val() {
            GmiiTxState::Idle => {
                self.s_ready.next = true;
                if self.s_valid.val() {
                    self.sh.d.next = self.s_data.val();
                    self.left.d.next = self.s_nbytes.val();
                    self.blast.d.next = self.s_last.val();
                    self.cnt.d.next = 0.into();
                    self.count.d.next = 0.into();
                    self.short.d.next = true;
                    self.crc_n.d.next = 0.into();
                    self.padded.d.next = false;
                    self.state.d.next = GmiiTxState::Preamble;
                }
            }
            GmiiTxState::Preamble => {
                self.g_en.d.next = true;
                self.g_txd.d.next = self.k_pre.val();
                self.cnt.d.next = self.cnt.q.val() + 1;
                if self.cnt.q.val() == 7 {
                    self.g_txd.d.next = self.k_sfd.val();
                    self.state.d.next = GmiiTxState::Data;
                }
            }
            GmiiTxState::Data => {
                self.g_en.d.next = true;
                self.g_txd.d.next = self.octet.val();
                self.crc_n.d.next = !self.crc.crc_out.val();
                self.count.d.next = self.count.q.val() + 1;
                self.short.d.next =
                    self.short.q.val() & (self.count.q.val() != self.k_last_pad1.val());
                self.sh.d.next = self.sh.q.val() >> 8;
                self.left.d.next = self.left.q.val() - 1;
                if self.left.q.val() <= 1 {
                    if self.blast.q.val() {
                        self.cnt.d.next = 0.into();
                        if self.short.q.val() {
                            self.sh.d.next = 0.into();
                            self.padded.d.next = true;
                            self.state.d.next = GmiiTxState::Pad;
                        } else {
                            self.state.d.next = GmiiTxState::Fcs;
                        }
                    } else {
                        self.s_ready.next = true;
                        if self.s_valid.val() {
                            self.sh.d.next = self.s_data.val();
                            self.left.d.next = self.s_nbytes.val();
                            self.blast.d.next = self.s_last.val();
                        } else {
                            self.c_underrun.d.next =
                                (self.c_underrun.q.val() + 1) & self.k_cmask.val();
                            self.state.d.next = GmiiTxState::Cut;
                        }
                    }
                }
            }
            GmiiTxState::Pad => {
                self.g_en.d.next = true;
                self.crc_n.d.next = !self.crc.crc_out.val();
                self.count.d.next = self.count.q.val() + 1;
                if self.count.q.val() == self.k_last_pad.val() {
                    self.state.d.next = GmiiTxState::Fcs;
                }
            }
            GmiiTxState::Fcs => {
                self.g_en.d.next = true;
                self.g_txd.d.next = self.crc_n.q.val().get_bits::<8>(0);
                self.crc_n.d.next = self.crc_n.q.val() >> 8;
                self.cnt.d.next = self.cnt.q.val() + 1;
                if self.cnt.q.val() == 3 {
                    self.cnt.d.next = 0.into();
                    self.c_frames.d.next = (self.c_frames.q.val() + 1) & self.k_cmask.val();
                    self.c_octets.d.next =
                        self.c_octets.q.val() + bit_cast::<32, 16>(self.count.q.val()) + 4;
                    if self.padded.q.val() {
                        self.c_padded.d.next = (self.c_padded.q.val() + 1) & self.k_cmask.val();
                    }
                    self.state.d.next = GmiiTxState::Gap;
                }
            }
            GmiiTxState::Cut => {
                // One octet with TX_ER ends the frame as an error on the wire.
                self.g_en.d.next = true;
                self.g_er.d.next = true;
                self.state.d.next = GmiiTxState::Discard;
            }
            GmiiTxState::Discard => {
                self.s_ready.next = true;
                if self.s_valid.val() & self.s_last.val() {
                    self.cnt.d.next = 0.into();
                    self.state.d.next = GmiiTxState::Gap;
                }
            }
            GmiiTxState::Gap => {
                // With the idle cycle that takes the next frame's first beat, 12 idle octets.
                self.cnt.d.next = self.cnt.q.val() + 1;
                if self.cnt.q.val() == 10 {
                    self.state.d.next = GmiiTxState::Idle;
                }
            }
        }
        if self.reset.val() {
            self.state.d.next = GmiiTxState::Idle;
            self.g_en.d.next = false;
            self.g_er.d.next = false;
            self.c_frames.d.next = 0.into();
            self.c_octets.d.next = 0.into();
            self.c_padded.d.next = 0.into();
            self.c_underrun.d.next = 0.into();
        }
        self.gmii_txd.next = self.g_txd.q.val();
        self.gmii_tx_en.next = self.g_en.q.val();
        self.gmii_tx_er.next = self.g_er.q.val();
        self.cnt_frames.next = self.c_frames.q.val();
        self.cnt_octets.next = self.c_octets.q.val();
        self.cnt_padded.next = self.c_padded.q.val();
        self.cnt_underrun.next = self.c_underrun.q.val();
        self.idle.next = (self.state.q.val() == GmiiTxState::Idle) & !self.g_en.q.val();
    }
}
