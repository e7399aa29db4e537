//! MAC transmit: frames from a 64-bit stream onto GMII (1 GbE) or XGMII (10 GbE).
//!
//! The input is a frame's octets without FCS (`s_*`, 8 a beat, `s_nbytes` on the last),
//! delivered without gaps once a frame has begun (the transmit path feeds the MAC from a
//! store-and-forward buffer; a gap is an underrun, counted, and the frame is cut with an
//! error). Two stages:
//!
//! - **framer**: preamble and SFD (one beat), the frame, zeros up to 60 octets, the FCS
//!   (CRC-32 over frame and padding, computed as the octets pass), packed into wire beats of 8
//!   octets by a small byte buffer; the FCS joins the frame's last beat in the same cycle, so
//!   a minimum frame takes 10 cycles, less than its 10.5 cycles on a 10 GbE wire;
//! - **encoders**: GMII sends a beat's octets one a cycle with `tx_en`, then 12 idle cycles;
//!   XGMII turns the preamble's first octet into /S/, puts /T/ after the FCS and 11 idles after
//!   it, then as many more (0 to 3) as make the next /S/ fall in lane 0 or lane 4, so the wire
//!   carries minimum frames back to back at exactly 84 octet times each.
//!
//! Counters: frames sent, octets sent (FCS included), frames padded, underruns.

use crate::crc::Crc32Step;
use arsenic_interface::eth::{self, xgmii};
use rust_hdl::prelude::*;

/// Depth of the beat queue between framer and encoders.
const QD: usize = 4;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum FramerState {
    Idle,
    Data,
    Pad,
    Flush,
}

#[derive(LogicBlock)]
pub struct MacTx {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    pub speed_10g: Signal<In, Bit>,
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
    // XGMII transmit.
    pub xgmii_txd: Signal<Out, Bits<64>>,
    pub xgmii_txc: Signal<Out, Bits<8>>,
    // Counters.
    pub cnt_frames: Signal<Out, Bits<32>>,
    pub cnt_octets: Signal<Out, Bits<32>>,
    pub cnt_padded: Signal<Out, Bits<32>>,
    pub cnt_underrun: Signal<Out, Bits<32>>,
    /// Nothing queued or on the wire.
    pub idle: Signal<Out, Bit>,
    crc: Crc32Step,
    // Framer.
    fstate: DFF<FramerState>,
    crc_n: DFF<Bits<32>>,
    count: DFF<Bits<16>>,
    padded: DFF<Bit>,
    sbuf: DFF<Bits<192>>,
    sfill: DFF<Bits<5>>,
    // The beat queue.
    q_data: [DFF<Bits<64>>; QD],
    q_n: [DFF<Bits<4>>; QD],
    q_first: [DFF<Bit>; QD],
    q_last: [DFF<Bit>; QD],
    wp: DFF<Bits<3>>,
    rp: DFF<Bits<3>>,
    // GMII encoder.
    g_in: DFF<Bit>,
    g_idx: DFF<Bits<4>>,
    g_ifg: DFF<Bits<4>>,
    g_txd: DFF<Bits<8>>,
    g_en: DFF<Bit>,
    g_er: DFF<Bit>,
    // XGMII encoder.
    x_in: DFF<Bit>,
    x_ifg: DFF<Bits<5>>,
    xbuf: DFF<Bits<192>>,
    xctl: DFF<Bits<24>>,
    xfill: DFF<Bits<5>>,
    x_txd: DFFWithInit<Bits<64>>,
    x_txc: DFFWithInit<Bits<8>>,
    // Counters.
    c_frames: DFF<Bits<32>>,
    c_octets: DFF<Bits<32>>,
    c_padded: DFF<Bits<32>>,
    c_underrun: DFF<Bits<32>>,
    // Locals.
    chunk: Signal<Local, Bits<96>>,
    cn: Signal<Local, Bits<5>>,
    nb: Signal<Local, Bits<192>>,
    nf: Signal<Local, Bits<5>>,
    emit: Signal<Local, Bit>,
    fin: Signal<Local, Bit>,
    e_data: Signal<Local, Bits<64>>,
    e_n: Signal<Local, Bits<4>>,
    e_first: Signal<Local, Bit>,
    e_last: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    h_data: Signal<Local, Bits<64>>,
    h_n: Signal<Local, Bits<4>>,
    h_first: Signal<Local, Bit>,
    h_last: Signal<Local, Bit>,
    nonempty: Signal<Local, Bit>,
    room: Signal<Local, Bit>,
    qcount: Signal<Local, Bits<3>>,
    fcs: Signal<Local, Bits<32>>,
    mask: Signal<Local, Bits<64>>,
    x_chunk: Signal<Local, Bits<128>>,
    x_cctl: Signal<Local, Bits<16>>,
    x_cn: Signal<Local, Bits<5>>,
    // Idle lanes still owed this cycle.
    x_gap: Signal<Local, Bits<5>>,
    // The next values of `x_in` and `x_ifg`.
    x_in_n: Signal<Local, Bit>,
    x_ifg_n: Signal<Local, Bits<5>>,
    // Octets of padding this cycle.
    pad_n: Signal<Local, Bits<5>>,
    x_nb: Signal<Local, Bits<192>>,
    x_nc: Signal<Local, Bits<24>>,
    x_nf: Signal<Local, Bits<5>>,
    x_pad: Signal<Local, Bits<5>>,
    x_sum: Signal<Local, Bits<5>>,
    x_pad2: Signal<Local, Bits<2>>,
    x_lanes: Signal<Local, Bits<128>>,
    x_lctl: Signal<Local, Bits<16>>,
    g_shift: Signal<Local, Bits<64>>,
    k_preamble: Constant<Bits<64>>,
    k_start_beat: Constant<Bits<64>>,
    k_ones: Constant<Bits<64>>,
    k_min_payload: Constant<Bits<16>>,
    k_idles: Constant<Bits<128>>,
    k_idle_word: Constant<Bits<64>>,
    k_error_word: Constant<Bits<64>>,
    k_term: Constant<Bits<128>>,
    k_ifg: Constant<Bits<5>>,
    k_gmii_ifg: Constant<Bits<4>>,
}

impl Default for MacTx {
    fn default() -> Self {
        let preamble = u64::from_le_bytes([
            eth::PREAMBLE,
            eth::PREAMBLE,
            eth::PREAMBLE,
            eth::PREAMBLE,
            eth::PREAMBLE,
            eth::PREAMBLE,
            eth::PREAMBLE,
            eth::SFD,
        ]);
        let start_beat = (preamble & !0xFF) | xgmii::START as u64;
        let idle_word = u64::from_le_bytes([xgmii::IDLE; 8]);
        let error_word = u64::from_le_bytes([xgmii::ERROR; 8]);
        let half: Bits<128> = idle_word.into();
        let idles: Bits<128> = (half << 64) | half;
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            speed_10g: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            s_nbytes: Default::default(),
            s_last: Default::default(),
            s_ready: Default::default(),
            gmii_txd: Default::default(),
            gmii_tx_en: Default::default(),
            gmii_tx_er: Default::default(),
            xgmii_txd: Default::default(),
            xgmii_txc: Default::default(),
            cnt_frames: Default::default(),
            cnt_octets: Default::default(),
            cnt_padded: Default::default(),
            cnt_underrun: Default::default(),
            idle: Default::default(),
            crc: Default::default(),
            fstate: Default::default(),
            crc_n: Default::default(),
            count: Default::default(),
            padded: Default::default(),
            sbuf: Default::default(),
            sfill: Default::default(),
            q_data: Default::default(),
            q_n: Default::default(),
            q_first: Default::default(),
            q_last: Default::default(),
            wp: Default::default(),
            rp: Default::default(),
            g_in: Default::default(),
            g_idx: Default::default(),
            g_ifg: Default::default(),
            g_txd: Default::default(),
            g_en: Default::default(),
            g_er: Default::default(),
            x_in: Default::default(),
            x_ifg: Default::default(),
            xbuf: Default::default(),
            xctl: Default::default(),
            xfill: Default::default(),
            // The wire is idle from power-up.
            x_txd: DFFWithInit::new(u64::from_le_bytes([xgmii::IDLE; 8]).into()),
            x_txc: DFFWithInit::new(0xFFu64.into()),
            c_frames: Default::default(),
            c_octets: Default::default(),
            c_padded: Default::default(),
            c_underrun: Default::default(),
            chunk: Default::default(),
            cn: Default::default(),
            nb: Default::default(),
            nf: Default::default(),
            emit: Default::default(),
            fin: Default::default(),
            e_data: Default::default(),
            e_n: Default::default(),
            e_first: Default::default(),
            e_last: Default::default(),
            pop: Default::default(),
            h_data: Default::default(),
            h_n: Default::default(),
            h_first: Default::default(),
            h_last: Default::default(),
            nonempty: Default::default(),
            room: Default::default(),
            qcount: Default::default(),
            fcs: Default::default(),
            mask: Default::default(),
            x_chunk: Default::default(),
            x_cctl: Default::default(),
            x_cn: Default::default(),
            x_gap: Default::default(),
            x_in_n: Default::default(),
            x_ifg_n: Default::default(),
            pad_n: Default::default(),
            x_nb: Default::default(),
            x_nc: Default::default(),
            x_nf: Default::default(),
            x_pad: Default::default(),
            x_sum: Default::default(),
            x_pad2: Default::default(),
            x_lanes: Default::default(),
            x_lctl: Default::default(),
            g_shift: Default::default(),
            k_preamble: Constant::new(preamble.into()),
            k_start_beat: Constant::new(start_beat.into()),
            k_ones: Constant::new(u64::MAX.into()),
            k_min_payload: Constant::new((eth::MIN_PAYLOAD_FRAME as u64).into()),
            k_idles: Constant::new(idles),
            k_idle_word: Constant::new(idle_word.into()),
            k_error_word: Constant::new(error_word.into()),
            k_term: Constant::new((xgmii::TERMINATE as u64).into()),
            k_ifg: Constant::new(((eth::IFG - 1) as u64).into()),
            k_gmii_ifg: Constant::new((eth::IFG as u64).into()),
        }
    }
}

impl Logic for MacTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, fstate, crc_n, count, padded, sbuf, sfill, wp, rp, g_in, g_idx, g_ifg,
            g_txd, g_en, g_er, x_in, x_ifg, xbuf, xctl, xfill, x_txd, x_txc, c_frames, c_octets,
            c_padded, c_underrun
        );
        for i in 0..QD {
            self.q_data[i].clock.next = self.clock.val();
            self.q_data[i].d.next = self.q_data[i].q.val();
            self.q_n[i].clock.next = self.clock.val();
            self.q_n[i].d.next = self.q_n[i].q.val();
            self.q_first[i].clock.next = self.clock.val();
            self.q_first[i].d.next = self.q_first[i].q.val();
            self.q_last[i].clock.next = self.clock.val();
            self.q_last[i].d.next = self.q_last[i].q.val();
        }
        // The queue's head.
        self.nonempty.next = self.wp.q.val() != self.rp.q.val();
        // (The difference in its own 3-bit signal: compared with a literal, Verilog would
        // widen the subtraction and lose the wrap-around.)
        self.qcount.next = self.wp.q.val() - self.rp.q.val();
        self.room.next = self.qcount.val() < 3;
        self.h_data.next = 0.into();
        self.h_n.next = 0.into();
        self.h_first.next = false;
        self.h_last.next = false;
        for i in 0..QD {
            if self.rp.q.val().get_bits::<2>(0).index() == i {
                self.h_data.next = self.q_data[i].q.val();
                self.h_n.next = self.q_n[i].q.val();
                self.h_first.next = self.q_first[i].q.val();
                self.h_last.next = self.q_last[i].q.val();
            }
        }
        // Framer: one chunk of up to 12 octets a cycle into the byte buffer, one beat out.
        // Ready depends on registers only: a beat offered while it is high is taken.
        self.s_ready.next =
            self.room.val() & (self.fstate.q.val() == FramerState::Data) & !self.reset.val();
        self.chunk.next = 0.into();
        self.cn.next = 0.into();
        self.pad_n.next = 0.into();
        self.crc.crc_in.next = !self.crc_n.q.val();
        // The FCS of everything so far and this cycle's octets (in a 32-bit signal of its own:
        // inverted inside a wider expression, Verilog would invert the widening zeros too).
        self.fcs.next = !self.crc.crc_out.val();
        self.crc.data.next = 0.into();
        self.crc.nbytes.next = 0.into();
        self.mask.next = self.k_ones.val();
        if self.s_nbytes.val() < 8 {
            self.mask.next = !(self.k_ones.val() << (bit_cast::<64, 4>(self.s_nbytes.val()) << 3));
        }
        self.emit.next = false;
        self.fin.next = false;
        self.nb.next = 0.into();
        self.nf.next = 0.into();
        self.e_data.next = 0.into();
        self.e_n.next = 0.into();
        self.e_first.next = false;
        self.e_last.next = false;
        if self.room.val() & !self.reset.val() {
            match self.fstate.q.val() {
                FramerState::Idle => {
                    if self.s_valid.val() {
                        self.chunk.next = bit_cast::<96, 64>(self.k_preamble.val());
                        self.cn.next = 8.into();
                        self.e_first.next = true;
                        self.crc_n.d.next = 0.into();
                        self.count.d.next = 0.into();
                        self.padded.d.next = false;
                        self.fstate.d.next = FramerState::Data;
                    }
                }
                FramerState::Data => {
                    if self.s_valid.val() {
                        self.crc.data.next = self.s_data.val() & self.mask.val();
                        self.crc.nbytes.next = self.s_nbytes.val();
                        self.crc_n.d.next = !self.crc.crc_out.val();
                        self.count.d.next =
                            self.count.q.val() + bit_cast::<16, 4>(self.s_nbytes.val());
                        self.chunk.next = bit_cast::<96, 64>(self.s_data.val() & self.mask.val());
                        self.cn.next = bit_cast::<5, 4>(self.s_nbytes.val());
                        if self.s_last.val() {
                            if (self.count.q.val() + bit_cast::<16, 4>(self.s_nbytes.val()))
                                < self.k_min_payload.val()
                            {
                                self.fstate.d.next = FramerState::Pad;
                                self.padded.d.next = true;
                            } else {
                                // The FCS joins the last beat.
                                self.chunk.next =
                                    bit_cast::<96, 64>(self.s_data.val() & self.mask.val())
                                        | (bit_cast::<96, 32>(self.fcs.val())
                                            << (bit_cast::<8, 4>(self.s_nbytes.val()) << 3));
                                self.cn.next = bit_cast::<5, 4>(self.s_nbytes.val()) + 4;
                                self.fin.next = true;
                            }
                        }
                    }
                }
                FramerState::Pad => {
                    // (Each value is computed from others, never from itself, so that rust-hdl's
                    // simulator means what the Verilog means.)
                    self.pad_n.next = 8.into();
                    if (self.k_min_payload.val() - self.count.q.val()) <= 8 {
                        self.pad_n.next =
                            bit_cast::<5, 16>(self.k_min_payload.val() - self.count.q.val());
                    }
                    self.cn.next = self.pad_n.val();
                    self.crc.nbytes.next = bit_cast::<4, 5>(self.pad_n.val());
                    self.crc_n.d.next = !self.crc.crc_out.val();
                    self.count.d.next = self.count.q.val() + bit_cast::<16, 5>(self.pad_n.val());
                    if (self.count.q.val() + bit_cast::<16, 5>(self.pad_n.val()))
                        >= self.k_min_payload.val()
                    {
                        self.chunk.next = bit_cast::<96, 32>(self.fcs.val())
                            << (bit_cast::<8, 5>(self.pad_n.val()) << 3);
                        self.cn.next = self.pad_n.val() + 4;
                        self.fin.next = true;
                    }
                }
                FramerState::Flush => {
                    self.fin.next = true;
                }
            }
            // Append, then send a full beat (or, flushing, what is left).
            self.nb.next = self.sbuf.q.val()
                | (bit_cast::<192, 96>(self.chunk.val())
                    << (bit_cast::<8, 5>(self.sfill.q.val()) << 3));
            self.nf.next = self.sfill.q.val() + self.cn.val();
            self.sbuf.d.next = self.nb.val();
            self.sfill.d.next = self.nf.val();
            self.e_data.next = self.nb.val().get_bits::<64>(0);
            self.e_n.next = 8.into();
            if self.fin.val() {
                // The FCS is in: the frame ends with the beat that takes the last octets.
                self.emit.next = (self.nf.val() != 0)
                    & ((self.nf.val() >= 8) | (self.fstate.q.val() == FramerState::Flush));
                self.e_last.next = self.nf.val() <= 8;
                self.fstate.d.next = FramerState::Flush;
                if self.emit.val() & (self.nf.val() <= 8) {
                    self.e_n.next = bit_cast::<4, 5>(self.nf.val());
                    self.fstate.d.next = FramerState::Idle;
                    self.c_frames.d.next = (self.c_frames.q.val() + 1) & self.k_cmask.val();
                    self.c_octets.d.next =
                        self.c_octets.q.val() + bit_cast::<32, 16>(self.count.d.val()) + 4;
                    if self.padded.q.val() {
                        self.c_padded.d.next = (self.c_padded.q.val() + 1) & self.k_cmask.val();
                    }
                }
            } else if self.nf.val() >= 8 {
                self.emit.next = true;
            }
            if self.emit.val() {
                self.sbuf.d.next = self.nb.val() >> 64;
                if self.nf.val() >= 8 {
                    self.sfill.d.next = self.nf.val() - 8;
                } else {
                    self.sfill.d.next = 0.into();
                }
            }
        }
        // Queue the beat.
        if self.emit.val() {
            for i in 0..QD {
                if self.wp.q.val().get_bits::<2>(0).index() == i {
                    self.q_data[i].d.next = self.e_data.val();
                    self.q_n[i].d.next = self.e_n.val();
                    self.q_first[i].d.next = self.e_first.val();
                    self.q_last[i].d.next = self.e_last.val();
                }
            }
            self.wp.d.next = self.wp.q.val() + 1;
        }
        // Encoders.
        self.pop.next = false;
        self.g_shift.next = 0.into();
        self.x_sum.next = 0.into();
        self.x_pad2.next = 0.into();
        self.x_lanes.next = 0.into();
        self.x_lctl.next = 0.into();
        self.x_pad.next = 0.into();
        self.x_nb.next = 0.into();
        self.x_nc.next = 0.into();
        self.x_nf.next = 0.into();
        self.g_en.d.next = false;
        self.g_er.d.next = false;
        self.x_chunk.next = 0.into();
        self.x_cctl.next = 0.into();
        self.x_cn.next = 0.into();
        self.x_gap.next = 0.into();
        self.x_in_n.next = self.x_in.q.val();
        self.x_ifg_n.next = self.x_ifg.q.val();
        if !self.speed_10g.val() {
            // GMII: the head beat's octets, one a cycle.
            if self.g_in.q.val() {
                if self.nonempty.val() {
                    self.g_shift.next =
                        self.h_data.val() >> (bit_cast::<64, 4>(self.g_idx.q.val()) << 3);
                    self.g_txd.d.next = self.g_shift.val().get_bits::<8>(0);
                    self.g_en.d.next = true;
                    self.g_idx.d.next = self.g_idx.q.val() + 1;
                    if (self.g_idx.q.val() + 1) == self.h_n.val() {
                        self.pop.next = true;
                        self.g_idx.d.next = 0.into();
                        if self.h_last.val() {
                            self.g_in.d.next = false;
                            self.g_ifg.d.next = self.k_gmii_ifg.val();
                        }
                    }
                } else {
                    // Underrun: end the frame with an error.
                    self.g_en.d.next = true;
                    self.g_er.d.next = true;
                    self.g_in.d.next = false;
                    self.c_underrun.d.next = (self.c_underrun.q.val() + 1) & self.k_cmask.val();
                    self.g_ifg.d.next = self.k_gmii_ifg.val();
                }
            } else if self.g_ifg.q.val() != 0 {
                self.g_ifg.d.next = self.g_ifg.q.val() - 1;
            } else if self.nonempty.val() {
                if self.h_first.val() {
                    self.g_in.d.next = true;
                    self.g_txd.d.next = self.h_data.val().get_bits::<8>(0);
                    self.g_en.d.next = true;
                    self.g_idx.d.next = 1.into();
                } else {
                    // The rest of a cut frame: dropped.
                    self.pop.next = true;
                }
            }
        } else {
            // XGMII: build this cycle's lanes in the lane buffer, then send eight.
            // (Lanes are appended only while the buffer holds at most one cycle's worth: the
            // wire takes eight a cycle, and the appends catch up without ever leaving it
            // short inside a frame.)
            if self.xfill.q.val() <= 8 {
                if self.x_in.q.val() {
                    if self.nonempty.val() {
                        self.pop.next = true;
                        self.x_chunk.next = bit_cast::<128, 64>(self.h_data.val());
                        self.x_cn.next = bit_cast::<5, 4>(self.h_n.val());
                        if self.h_last.val() {
                            self.x_chunk.next = bit_cast::<128, 64>(self.h_data.val())
                                | (self.k_term.val() << (bit_cast::<8, 4>(self.h_n.val()) << 3));
                            self.x_cctl.next = bits::<16>(1) << bit_cast::<16, 4>(self.h_n.val());
                            self.x_cn.next = bit_cast::<5, 4>(self.h_n.val()) + 1;
                            self.x_in_n.next = false;
                            // 11 idles after /T/, and up to 3 more so that the next /S/ falls in
                            // lane 0 or 4.
                            self.x_sum.next =
                                self.xfill.q.val() + self.x_cn.val() + self.k_ifg.val();
                            // (The 2-bit difference in a 2-bit signal, for the same reason as
                            // `qcount`.)
                            self.x_pad2.next = bits::<2>(0) - self.x_sum.val().get_bits::<2>(0);
                            self.x_pad.next = bit_cast::<5, 2>(self.x_pad2.val());
                            self.x_ifg_n.next = self.k_ifg.val() + self.x_pad.val();
                        }
                    } else {
                        self.c_underrun.d.next = (self.c_underrun.q.val() + 1) & self.k_cmask.val();
                        self.x_in_n.next = false;
                        self.x_ifg_n.next = self.k_ifg.val();
                        self.x_chunk.next = bit_cast::<128, 64>(self.k_error_word.val());
                        self.x_cctl.next = 0xFF.into();
                        self.x_cn.next = 8.into();
                    }
                } else {
                    // Idles still owed, then (in the same cycle) the next frame's start.
                    self.x_gap.next = 8.into();
                    if self.x_ifg.q.val() < 8 {
                        self.x_gap.next = self.x_ifg.q.val();
                    }
                    self.x_cn.next = self.x_gap.val();
                    self.x_chunk.next = self.k_idles.val();
                    self.x_cctl.next = 0xFFFF.into();
                    self.x_ifg_n.next = self.x_ifg.q.val() - self.x_gap.val();
                    // A frame starts once two of its beats wait: the framer leaves at most one
                    // cycle without a beat in a frame (a short last beat), and XGMII cannot pause.
                    if (self.x_ifg.q.val() <= 8) & (self.qcount.val() >= 2) {
                        if self.h_first.val() {
                            self.pop.next = true;
                            self.x_in_n.next = true;
                            self.x_chunk.next = (self.k_idles.val()
                                & ((bits::<128>(1) << (bit_cast::<8, 5>(self.x_gap.val()) << 3))
                                    - 1))
                                | (bit_cast::<128, 64>(self.k_start_beat.val())
                                    << (bit_cast::<8, 5>(self.x_gap.val()) << 3));
                            self.x_cctl.next =
                                ((bits::<16>(1) << bit_cast::<16, 5>(self.x_gap.val())) - 1)
                                    | (bits::<16>(1) << bit_cast::<16, 5>(self.x_gap.val()));
                            self.x_cn.next = self.x_gap.val() + 8;
                        } else {
                            self.pop.next = true;
                        }
                    }
                }
            }
            // Only the chunk's `x_cn` lanes count.
            self.x_lanes.next = (bits::<128>(1) << (bit_cast::<8, 5>(self.x_cn.val()) << 3)) - 1;
            self.x_lctl.next = (bits::<16>(1) << bit_cast::<16, 5>(self.x_cn.val())) - 1;
            self.x_nb.next = self.xbuf.q.val()
                | (bit_cast::<192, 128>(self.x_chunk.val() & self.x_lanes.val())
                    << (bit_cast::<8, 5>(self.xfill.q.val()) << 3));
            self.x_nc.next = self.xctl.q.val()
                | (bit_cast::<24, 16>(self.x_cctl.val() & self.x_lctl.val())
                    << bit_cast::<24, 5>(self.xfill.q.val()));
            self.x_nf.next = self.xfill.q.val() + self.x_cn.val();
            if self.x_nf.val() >= 8 {
                self.x_txd.d.next = self.x_nb.val().get_bits::<64>(0);
                self.x_txc.d.next = self.x_nc.val().get_bits::<8>(0);
                self.xbuf.d.next = self.x_nb.val() >> 64;
                self.xctl.d.next = self.x_nc.val() >> 8;
                self.xfill.d.next = self.x_nf.val() - 8;
            } else if !self.x_in_n.val() {
                // Between frames: what is there, idles for the rest.
                self.x_txd.d.next = (self.x_nb.val().get_bits::<64>(0)
                    & !(self.k_ones.val() << (bit_cast::<64, 5>(self.x_nf.val()) << 3)))
                    | (self.k_idle_word.val()
                        & (self.k_ones.val() << (bit_cast::<64, 5>(self.x_nf.val()) << 3)));
                self.x_txc.d.next = self.x_nc.val().get_bits::<8>(0)
                    | (bits::<8>(0xFF) << bit_cast::<8, 5>(self.x_nf.val()));
                self.xbuf.d.next = 0.into();
                self.xctl.d.next = 0.into();
                self.xfill.d.next = 0.into();
                // Those idle lanes count towards the gap; the next /S/ still falls in lane 0
                // or 4 (the stream resumes at lane 0, so what is owed rounds up to 4).
                self.x_pad.next = bits::<5>(8) - self.x_nf.val();
                self.x_sum.next = 0.into();
                if self.x_ifg_n.val() > self.x_pad.val() {
                    self.x_sum.next = self.x_ifg_n.val() - self.x_pad.val();
                }
                self.x_ifg_n.next = (self.x_sum.val() + 3) & 0x1C;
            } else {
                self.xbuf.d.next = self.x_nb.val();
                self.xctl.d.next = self.x_nc.val();
                self.xfill.d.next = self.x_nf.val();
            }
        }
        // The encoder's next state, worked out in Locals above (a DFF's input read back in
        // the same update would mean another thing in rust-hdl's simulator).
        self.x_in.d.next = self.x_in_n.val();
        self.x_ifg.d.next = self.x_ifg_n.val();
        if self.pop.val() {
            self.rp.d.next = self.rp.q.val() + 1;
        }
        self.gmii_txd.next = self.g_txd.q.val();
        self.gmii_tx_en.next = self.g_en.q.val();
        self.gmii_tx_er.next = self.g_er.q.val();
        self.xgmii_txd.next = self.x_txd.q.val();
        self.xgmii_txc.next = self.x_txc.q.val();
        self.cnt_frames.next = self.c_frames.q.val();
        self.cnt_octets.next = self.c_octets.q.val();
        self.cnt_padded.next = self.c_padded.q.val();
        self.cnt_underrun.next = self.c_underrun.q.val();
        self.idle.next = (self.fstate.q.val() == FramerState::Idle)
            & !self.nonempty.val()
            & !self.g_in.q.val()
            & !self.x_in.q.val()
            & (self.xfill.q.val() == 0);
        if self.reset.val() {
            self.fstate.d.next = FramerState::Idle;
            self.sfill.d.next = 0.into();
            self.sbuf.d.next = 0.into();
            self.wp.d.next = 0.into();
            self.rp.d.next = 0.into();
            self.g_in.d.next = false;
            self.g_ifg.d.next = 0.into();
            self.x_in.d.next = false;
            self.x_ifg.d.next = 0.into();
            self.xbuf.d.next = 0.into();
            self.xctl.d.next = 0.into();
            self.xfill.d.next = 0.into();
            self.x_txd.d.next = self.k_idle_word.val();
            self.x_txc.d.next = 0xFF.into();
            self.c_frames.d.next = 0.into();
            self.c_octets.d.next = 0.into();
            self.c_padded.d.next = 0.into();
            self.c_underrun.d.next = 0.into();
        }
    }
}
