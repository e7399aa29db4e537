//! The host tunnel: the card's host interface (register reads and writes, DMA reads and
//! writes, interrupts) carried in Ethernet frames over a second GMII port, for a board without
//! PCIe. The frame protocol is `arsenic_interface::tunnel`.
//!
//! **Host to card.** The port's receive MAC (`MacRx::gmii_only`) checks every frame, a
//! store-and-forward buffer keeps the good ones, and the command reader walks a frame's
//! 8-octet words (four cycles a word: the buffer's read address, its data out of block RAM,
//! the data registered, its checks registered): a frame to another address or of another
//! EtherType is skipped and counted; WRITE and READ wait for the card's `mmio_ready` (one
//! READ outstanding at a time); COMPLETION beats go to the card's completion port, one each
//! word. An unknown op ends the frame and is counted.
//!
//! **Card to host.** One message a frame through the port's transmit MAC (`GmiiTx`):
//! - DMA writes are taken into a one-beat holding register, then gathered into a burst of up
//!   to [`MAX_BEATS`] consecutive beats (block RAM). A burst is sent when it is full, when
//!   the next beat does not continue it, after 16 quiet cycles, or before any other message;
//! - a register read's answer, the card's DMA read requests (one waiting at a time, in a
//!   register of its own) and its interrupts (a pending mask of vectors 0..63, sent whole)
//!   wait until no DMA write is held or gathered, so no message overtakes a DMA write the
//!   card issued before it; while one waits, the card's new DMA writes wait behind it, so a
//!   stream of writes cannot starve it. Both of the card's DMA ready signals are registers
//!   (a DMA write is taken every other cycle at most);
//! - nothing is sent before a host has sent a command frame (its address is learned from it).
//!
//! Counters: command frames carried out, frames skipped (not for the tunnel), malformed
//! commands, messages sent, and the receive buffer's overflows.

use crate::gmii_tx::GmiiTx;
use crate::mac_rx::MacRx;
use crate::rx_buffer::{RxBuffer, A, P};
use arsenic_interface::params::{DMA_TAG_BITS, MMIO_ADDR_BITS};
use arsenic_interface::tunnel::{self, op};
use rust_hdl::prelude::*;

/// Most beats in one burst or completion.
pub const MAX_BEATS: usize = tunnel::MAX_BEATS;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum ReadState {
    Idle,
    Head0,
    Head1,
    Command,
    Completion,
    Done,
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum SendState {
    Idle,
    Head0,
    Head1,
    Command,
    Address,
    Data,
    Mask,
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum SendKind {
    ReadData,
    DmaWrite,
    DmaRead,
    Interrupt,
}

#[derive(LogicBlock)]
pub struct Tunnel {
    pub clock: Signal<In, Clock>,
    // The tunnel port's GMII.
    pub gmii_rxd: Signal<In, Bits<8>>,
    pub gmii_rx_dv: Signal<In, Bit>,
    pub gmii_rx_er: Signal<In, Bit>,
    pub gmii_txd: Signal<Out, Bits<8>>,
    pub gmii_tx_en: Signal<Out, Bit>,
    pub gmii_tx_er: Signal<Out, Bit>,
    // To the card's MMIO slave.
    pub mmio_addr: Signal<Out, Bits<MMIO_ADDR_BITS>>,
    pub mmio_wdata: Signal<Out, Bits<32>>,
    pub mmio_write: Signal<Out, Bit>,
    pub mmio_read: Signal<Out, Bit>,
    pub mmio_rdata: Signal<In, Bits<32>>,
    pub mmio_rvalid: Signal<In, Bit>,
    pub mmio_ready: Signal<In, Bit>,
    // From the card's interrupts.
    pub irq_valid: Signal<In, Bit>,
    pub irq_vector: Signal<In, Bits<16>>,
    // The card's DMA write channel.
    pub dma_wr_valid: Signal<In, Bit>,
    pub dma_wr_addr: Signal<In, Bits<64>>,
    pub dma_wr_data: Signal<In, Bits<64>>,
    pub dma_wr_strb: Signal<In, Bits<8>>,
    pub dma_wr_ready: Signal<Out, Bit>,
    // The card's DMA read channel and its completions.
    pub dma_rd_valid: Signal<In, Bit>,
    pub dma_rd_addr: Signal<In, Bits<64>>,
    pub dma_rd_beats: Signal<In, Bits<8>>,
    pub dma_rd_tag: Signal<In, Bits<DMA_TAG_BITS>>,
    pub dma_rd_ready: Signal<Out, Bit>,
    pub dma_cpl_valid: Signal<Out, Bit>,
    pub dma_cpl_tag: Signal<Out, Bits<DMA_TAG_BITS>>,
    pub dma_cpl_data: Signal<Out, Bits<64>>,
    pub dma_cpl_last: Signal<Out, Bit>,
    // Counters (wrapping).
    pub cnt_commands: Signal<Out, Bits<32>>,
    pub cnt_skipped: Signal<Out, Bits<32>>,
    pub cnt_malformed: Signal<Out, Bits<32>>,
    pub cnt_sent: Signal<Out, Bits<32>>,
    pub cnt_overflow: Signal<Out, Bits<32>>,
    pub cnt_bad_frames: Signal<Out, Bits<32>>,
    mac_rx: MacRx,
    rxbuf: RxBuffer,
    mac_tx: GmiiTx,
    burst: RAM<Bits<64>, 5>,
    // Command reader.
    r_state: DFF<ReadState>,
    r_base: DFF<Bits<P>>,
    r_free: DFF<Bits<P>>,
    r_bi: DFF<Bits<8>>,
    r_full: DFF<Bits<8>>,
    r_stored: DFF<Bits<8>>,
    r_phase: DFF<Bit>,
    // The word registered out of the buffer's block RAM, and the cycle that takes.
    word_r: DFF<Bits<64>>,
    // What the reader asks of that word, decoded from that register a cycle later.
    w_mac_ok: DFF<Bit>,
    w_type_ok: DFF<Bit>,
    w_op_end: DFF<Bit>,
    w_op_write: DFF<Bit>,
    w_op_read: DFF<Bit>,
    w_op_cpl: DFF<Bit>,
    // The word's step, decided a cycle ahead from the word and the (then steady) state: it
    // advances on its own (`a_go`), or with the card's MMIO ready (a write, a read).
    a_go: DFF<Bit>,
    a_wr: DFF<Bit>,
    a_rd: DFF<Bit>,
    r_wait: DFF<Bit>,
    r_wait2: DFF<Bit>,
    r_src_lo: DFF<Bits<16>>,
    r_cpl_left: DFF<Bits<8>>,
    r_cpl_tag: DFF<Bits<DMA_TAG_BITS>>,
    r_cpl_last: DFF<Bit>,
    host_mac: DFF<Bits<48>>,
    host_known: DFF<Bit>,
    rd_out: DFF<Bit>,
    rd_seq: DFF<Bits<8>>,
    rd_pending: DFF<Bit>,
    // A DMA read request, taken whenever this register is empty and sent from it.
    rq_v: DFF<Bit>,
    rq_tag: DFF<Bits<DMA_TAG_BITS>>,
    rq_addr: DFF<Bits<64>>,
    rq_beats: DFF<Bits<8>>,
    // An interrupt is pending (the mask is not zero), kept beside the mask.
    irq_any: DFF<Bit>,
    rd_value: DFF<Bits<32>>,
    // DMA writes: the holding register and the burst.
    h_valid: DFF<Bit>,
    // `dma_wr_ready`, registered: the held beat is free and no other message waits, as of the
    // next cycle (a beat is then taken every other cycle at most; the link sends one in
    // eight).
    wr_ready_r: DFF<Bit>,
    h_addr: DFF<Bits<64>>,
    h_data: DFF<Bits<64>>,
    h_strb: DFF<Bits<8>>,
    b_n: DFF<Bits<6>>,
    // `b_n` is not 0, is 1, is `MAX_BEATS`: kept beside it, so that no decision waits for a
    // compare of the count.
    b_nz: DFF<Bit>,
    b_one: DFF<Bit>,
    b_max: DFF<Bit>,
    // The address that continues the burst, and whether the held beat has it: compared when
    // the beat is taken, against each address the burst can continue at after that cycle
    // (`hc_*`), the one that applies chosen a cycle later (`h_cont`).
    b_next: DFF<Bits<64>>,
    hc_next: DFF<Bit>,
    hc_next8: DFF<Bit>,
    hc_h8: DFF<Bit>,
    hc_moved: DFF<Bit>,
    hc_first: DFF<Bit>,
    h_cont: Signal<Local, Bit>,
    b_next_n: Signal<Local, Bits<64>>,
    // (Those addresses plus 8, kept so that no sum waits for the decision to move a beat.)
    b_next8: DFF<Bits<64>>,
    h_addr8: DFF<Bits<64>>,
    b_next8_n: Signal<Local, Bits<64>>,
    b_addr: DFF<Bits<64>>,
    b_first: DFF<Bits<8>>,
    b_last: DFF<Bits<8>>,
    // `b_last` is all ones: the burst's last beat is whole.
    b_full: DFF<Bit>,
    b_quiet: DFF<Bits<4>>,
    irq_mask: DFF<Bits<64>>,
    // Sender.
    t_state: DFF<SendState>,
    t_kind: DFF<SendKind>,
    t_word: DFF<Bits<64>>,
    t_addr: DFF<Bits<64>>,
    t_n: DFF<Bits<6>>,
    // `t_n - 1`, set with it: the last beat is an equality of registers.
    t_n1: DFF<Bits<6>>,
    t_i: DFF<Bits<6>>,
    c_commands: DFF<Bits<32>>,
    c_skipped: DFF<Bits<32>>,
    c_malformed: DFF<Bits<32>>,
    c_sent: DFF<Bits<32>>,
    // Combinational.
    word: Signal<Local, Bits<64>>,
    advance: Signal<Local, Bit>,
    joins: Signal<Local, Bit>,
    moving: Signal<Local, Bit>,
    taking: Signal<Local, Bit>,
    rd_ptr: Signal<Local, Bits<P>>,
    info_words: Signal<Local, Bits<16>>,
    info_beats: Signal<Local, Bits<16>>,
    t_next: Signal<Local, Bits<6>>,
    sending: Signal<Local, Bit>,
    flush: Signal<Local, Bit>,
    irq_set: Signal<Local, Bits<64>>,
    others: Signal<Local, Bit>,
    k_card_mac: Constant<Bits<48>>,
    k_ethertype: Constant<Bits<16>>,
    k_max_frame: Constant<Bits<16>>,
    k_one: Constant<Bits<64>>,
    k_max_beats1: Constant<Bits<6>>,
    k_op_write: Constant<Bits<8>>,
    k_op_read: Constant<Bits<8>>,
    k_op_cpl: Constant<Bits<8>>,
    k_op_end: Constant<Bits<8>>,
    k_op_rdata: Constant<Bits<64>>,
    k_op_dmaw: Constant<Bits<64>>,
    k_op_dmar: Constant<Bits<64>>,
    k_op_irq: Constant<Bits<64>>,
}

/// `mac` as a 48-bit value with octet 0 in the low bits (the order of a beat's lanes).
fn mac_bits(mac: [u8; 6]) -> u64 {
    mac.iter()
        .enumerate()
        .fold(0u64, |w, (i, b)| w | (*b as u64) << (8 * i))
}

impl Default for Tunnel {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            gmii_rxd: Default::default(),
            gmii_rx_dv: Default::default(),
            gmii_rx_er: Default::default(),
            gmii_txd: Default::default(),
            gmii_tx_en: Default::default(),
            gmii_tx_er: Default::default(),
            mmio_addr: Default::default(),
            mmio_wdata: Default::default(),
            mmio_write: Default::default(),
            mmio_read: Default::default(),
            mmio_rdata: Default::default(),
            mmio_rvalid: Default::default(),
            mmio_ready: Default::default(),
            irq_valid: Default::default(),
            irq_vector: Default::default(),
            dma_wr_valid: Default::default(),
            dma_wr_addr: Default::default(),
            dma_wr_data: Default::default(),
            dma_wr_strb: Default::default(),
            dma_wr_ready: Default::default(),
            dma_rd_valid: Default::default(),
            dma_rd_addr: Default::default(),
            dma_rd_beats: Default::default(),
            dma_rd_tag: Default::default(),
            dma_rd_ready: Default::default(),
            dma_cpl_valid: Default::default(),
            dma_cpl_tag: Default::default(),
            dma_cpl_data: Default::default(),
            dma_cpl_last: Default::default(),
            cnt_commands: Default::default(),
            cnt_skipped: Default::default(),
            cnt_malformed: Default::default(),
            cnt_sent: Default::default(),
            cnt_overflow: Default::default(),
            cnt_bad_frames: Default::default(),
            mac_rx: MacRx::gmii_only(),
            rxbuf: {
                // (Commands are read from its length queue's head in registers.)
                let mut b = RxBuffer::default();
                b.set_head_register(true);
                b
            },
            mac_tx: Default::default(),
            burst: Default::default(),
            r_state: Default::default(),
            r_base: Default::default(),
            r_free: Default::default(),
            r_bi: Default::default(),
            r_full: Default::default(),
            r_stored: Default::default(),
            r_phase: Default::default(),
            word_r: Default::default(),
            w_mac_ok: Default::default(),
            w_type_ok: Default::default(),
            w_op_end: Default::default(),
            w_op_write: Default::default(),
            w_op_read: Default::default(),
            w_op_cpl: Default::default(),
            a_go: Default::default(),
            a_wr: Default::default(),
            a_rd: Default::default(),
            r_wait: Default::default(),
            r_wait2: Default::default(),
            r_src_lo: Default::default(),
            r_cpl_left: Default::default(),
            r_cpl_tag: Default::default(),
            r_cpl_last: Default::default(),
            host_mac: Default::default(),
            host_known: Default::default(),
            rd_out: Default::default(),
            rd_seq: Default::default(),
            rd_pending: Default::default(),
            rq_v: Default::default(),
            irq_any: Default::default(),
            rq_tag: Default::default(),
            rq_addr: Default::default(),
            rq_beats: Default::default(),
            rd_value: Default::default(),
            h_valid: Default::default(),
            wr_ready_r: Default::default(),
            h_addr: Default::default(),
            h_data: Default::default(),
            h_strb: Default::default(),
            b_n: Default::default(),
            b_nz: Default::default(),
            b_one: Default::default(),
            b_max: Default::default(),
            b_next: Default::default(),
            hc_next: Default::default(),
            hc_next8: Default::default(),
            hc_h8: Default::default(),
            hc_moved: Default::default(),
            hc_first: Default::default(),
            h_cont: Default::default(),
            b_next_n: Default::default(),
            b_next8: Default::default(),
            h_addr8: Default::default(),
            b_next8_n: Default::default(),
            b_addr: Default::default(),
            b_first: Default::default(),
            b_last: Default::default(),
            b_full: Default::default(),
            b_quiet: Default::default(),
            irq_mask: Default::default(),
            t_state: Default::default(),
            t_kind: Default::default(),
            t_word: Default::default(),
            t_addr: Default::default(),
            t_n: Default::default(),
            t_n1: Default::default(),
            t_i: Default::default(),
            c_commands: Default::default(),
            c_skipped: Default::default(),
            c_malformed: Default::default(),
            c_sent: Default::default(),
            word: Default::default(),
            advance: Default::default(),
            joins: Default::default(),
            moving: Default::default(),
            taking: Default::default(),
            rd_ptr: Default::default(),
            info_words: Default::default(),
            info_beats: Default::default(),
            t_next: Default::default(),
            sending: Default::default(),
            flush: Default::default(),
            irq_set: Default::default(),
            others: Default::default(),
            k_card_mac: Constant::new(mac_bits(tunnel::CARD_MAC).into()),
            k_ethertype: Constant::new((tunnel::ETHERTYPE.swap_bytes() as u64).into()),
            k_max_frame: Constant::new((arsenic_interface::eth::MAX_UNTAGGED_FRAME as u64).into()),
            k_one: Constant::new(1u64.into()),
            k_max_beats1: Constant::new((MAX_BEATS as u64 - 1).into()),
            k_op_write: Constant::new((op::WRITE as u64).into()),
            k_op_read: Constant::new((op::READ as u64).into()),
            k_op_cpl: Constant::new((op::COMPLETION as u64).into()),
            k_op_end: Constant::new((op::END as u64).into()),
            k_op_rdata: Constant::new((op::READ_DATA as u64).into()),
            k_op_dmaw: Constant::new((op::DMA_WRITE as u64).into()),
            k_op_dmar: Constant::new((op::DMA_READ as u64).into()),
            k_op_irq: Constant::new((op::INTERRUPT as u64).into()),
        }
    }
}

impl Logic for Tunnel {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            r_state,
            r_base,
            r_free,
            r_bi,
            r_full,
            r_stored,
            r_phase,
            word_r,
            w_mac_ok,
            w_type_ok,
            w_op_end,
            w_op_write,
            w_op_read,
            w_op_cpl,
            a_go,
            a_wr,
            a_rd,
            r_wait,
            r_wait2,
            r_src_lo,
            r_cpl_left,
            r_cpl_tag,
            r_cpl_last,
            host_mac,
            host_known,
            rd_out,
            rd_seq,
            rd_pending,
            rq_v,
            irq_any,
            rq_tag,
            rq_addr,
            rq_beats,
            rd_value,
            h_valid,
            wr_ready_r,
            h_addr,
            h_data,
            h_strb,
            b_n,
            b_nz,
            b_one,
            b_max,
            b_next,
            hc_next,
            hc_next8,
            hc_h8,
            hc_moved,
            hc_first,
            b_next8,
            h_addr8,
            b_addr,
            b_first,
            b_last,
            b_full,
            b_quiet,
            irq_mask,
            t_state,
            t_kind,
            t_word,
            t_addr,
            t_n,
            t_n1,
            t_i,
            c_commands,
            c_skipped,
            c_malformed,
            c_sent
        );
        clock!(self, clock, mac_rx, rxbuf, mac_tx);
        self.burst.read_clock.next = self.clock.val();
        self.burst.write_clock.next = self.clock.val();

        // ---- Receive: MAC, store and forward.
        self.mac_rx.gmii_rxd.next = self.gmii_rxd.val();
        self.mac_rx.gmii_rx_dv.next = self.gmii_rx_dv.val();
        self.mac_rx.gmii_rx_er.next = self.gmii_rx_er.val();
        self.mac_rx.xgmii_rxd.next = 0.into();
        self.mac_rx.xgmii_rxc.next = 0.into();
        self.mac_rx.speed_10g.next = false;
        self.mac_rx.rx_enable.next = true;
        self.mac_rx.max_frame.next = self.k_max_frame.val();
        self.mac_rx.reset.next = false;
        self.rxbuf.reset.next = false;
        self.rxbuf.in_valid.next = self.mac_rx.valid.val();
        self.rxbuf.in_data.next = self.mac_rx.data.val();
        self.rxbuf.in_nbytes.next = self.mac_rx.nbytes.val();
        self.rxbuf.in_last.next = self.mac_rx.last.val();
        self.rxbuf.in_ok.next = self.mac_rx.ok.val();
        self.rxbuf.in_len.next = self.mac_rx.len.val();
        self.rd_ptr.next = self.r_base.q.val() + bit_cast::<P, 8>(self.r_bi.q.val());
        self.rxbuf.rd_addr.next = self.rd_ptr.val().get_bits::<A>(0);
        self.info_words.next = self.rxbuf.info_len.val() >> 3;
        self.info_beats.next = (self.rxbuf.info_len.val() + 11) >> 3;
        self.t_next.next = self.t_i.q.val() + 1;
        self.rxbuf.free_ptr.next = self.r_free.q.val();
        self.rxbuf.info_pop.next = false;
        self.word_r.d.next = self.rxbuf.rd_data.val();
        self.w_mac_ok.d.next = self.word_r.q.val().get_bits::<48>(0) == self.k_card_mac.val();
        self.w_type_ok.d.next = self.word_r.q.val().get_bits::<16>(32) == self.k_ethertype.val();
        self.w_op_end.d.next = self.word_r.q.val().get_bits::<8>(0) == self.k_op_end.val();
        self.w_op_write.d.next = self.word_r.q.val().get_bits::<8>(0) == self.k_op_write.val();
        self.w_op_read.d.next = self.word_r.q.val().get_bits::<8>(0) == self.k_op_read.val();
        self.w_op_cpl.d.next = (self.word_r.q.val().get_bits::<8>(0) == self.k_op_cpl.val())
            & (self.word_r.q.val().get_bits::<8>(16) != 0);
        self.word.next = self.word_r.q.val();
        // The state does not change while `r_phase` is down, and `r_phase` rises only with
        // the word's checks in place: so these flags, from the state and the word the cycle
        // before, hold for every cycle of `r_phase`. Idle and Done never advance.
        self.a_go.d.next = ((self.r_state.q.val() == ReadState::Head0) & self.w_mac_ok.d.val())
            | ((self.r_state.q.val() == ReadState::Head1) & self.w_type_ok.d.val())
            | ((self.r_state.q.val() == ReadState::Command) & self.w_op_cpl.d.val())
            | (self.r_state.q.val() == ReadState::Completion);
        self.a_wr.d.next = (self.r_state.q.val() == ReadState::Command) & self.w_op_write.d.val();
        self.a_rd.d.next = (self.r_state.q.val() == ReadState::Command) & self.w_op_read.d.val();

        // ---- The card's MMIO answers.
        self.mmio_addr.next = self.word.val().get_bits::<MMIO_ADDR_BITS>(8);
        self.mmio_wdata.next = self.word.val().get_bits::<32>(32);
        self.mmio_write.next = self.r_phase.q.val() & self.a_wr.q.val() & self.mmio_ready.val();
        self.mmio_read.next = self.r_phase.q.val()
            & self.a_rd.q.val()
            & self.mmio_ready.val()
            & !self.rd_out.q.val()
            & !self.rd_pending.q.val();
        if self.mmio_rvalid.val() & self.rd_out.q.val() {
            self.rd_out.d.next = false;
            self.rd_pending.d.next = true;
            self.rd_value.d.next = self.mmio_rdata.val();
        }
        if self.mmio_read.val() {
            self.rd_out.d.next = true;
            self.rd_seq.d.next = self.word.val().get_bits::<8>(32);
        }

        // ---- Command reader: four cycles a word (address, data out of block RAM, data
        // registered in `word`, its checks registered).
        self.dma_cpl_valid.next = false;
        self.dma_cpl_tag.next = self.r_cpl_tag.q.val();
        self.dma_cpl_data.next = self.word.val();
        self.dma_cpl_last.next = false;
        self.advance.next = (self.r_phase.q.val() & self.a_go.q.val())
            | self.mmio_write.val()
            | self.mmio_read.val();
        match self.r_state.q.val() {
            ReadState::Idle => {
                if !self.rxbuf.info_empty.val() {
                    self.rxbuf.info_pop.next = true;
                    self.r_base.d.next = self.r_free.q.val();
                    self.r_bi.d.next = 0.into();
                    self.r_phase.d.next = false;
                    self.r_wait.d.next = false;
                    self.r_wait2.d.next = false;
                    // Words wholly inside the frame, and the beats it takes with its FCS.
                    self.r_full.d.next = self.info_words.val().get_bits::<8>(0);
                    self.r_stored.d.next = self.info_beats.val().get_bits::<8>(0);
                    self.r_state.d.next = ReadState::Head0;
                }
            }
            ReadState::Head0 => {
                if self.r_phase.q.val() {
                    if self.w_mac_ok.q.val() {
                        self.r_src_lo.d.next = self.word.val().get_bits::<16>(48);
                        self.r_state.d.next = ReadState::Head1;
                    } else {
                        self.c_skipped.d.next = self.c_skipped.q.val() + 1;
                        self.r_state.d.next = ReadState::Done;
                    }
                }
            }
            ReadState::Head1 => {
                if self.r_phase.q.val() {
                    if self.w_type_ok.q.val() {
                        self.host_known.d.next = true;
                        self.host_mac.d.next = bit_cast::<48, 16>(self.r_src_lo.q.val())
                            | (bit_cast::<48, 32>(self.word.val().get_bits::<32>(0)) << 16);
                        self.c_commands.d.next = self.c_commands.q.val() + 1;
                        self.r_state.d.next = ReadState::Command;
                    } else {
                        self.c_skipped.d.next = self.c_skipped.q.val() + 1;
                        self.r_state.d.next = ReadState::Done;
                    }
                }
            }
            ReadState::Command => {
                if self.r_phase.q.val() {
                    if self.w_op_end.q.val() {
                        self.r_state.d.next = ReadState::Done;
                    } else if self.w_op_write.q.val() | self.w_op_read.q.val() {
                        // Issued below, with the step.
                    } else if self.w_op_cpl.q.val() {
                        self.r_cpl_tag.d.next = self.word.val().get_bits::<DMA_TAG_BITS>(8);
                        self.r_cpl_left.d.next = self.word.val().get_bits::<8>(16);
                        self.r_cpl_last.d.next = self.word.val().get_bit(24);
                        self.r_state.d.next = ReadState::Completion;
                    } else {
                        self.c_malformed.d.next = self.c_malformed.q.val() + 1;
                        self.r_state.d.next = ReadState::Done;
                    }
                }
            }
            ReadState::Completion => {
                if self.r_phase.q.val() {
                    self.dma_cpl_valid.next = true;
                    self.dma_cpl_last.next =
                        self.r_cpl_last.q.val() & (self.r_cpl_left.q.val() == 1);
                    self.r_cpl_left.d.next = self.r_cpl_left.q.val() - 1;
                    if self.r_cpl_left.q.val() == 1 {
                        self.r_state.d.next = ReadState::Command;
                    }
                }
            }
            ReadState::Done => {
                self.r_free.d.next = self.r_base.q.val() + bit_cast::<P, 8>(self.r_stored.q.val());
                self.r_state.d.next = ReadState::Idle;
            }
        }
        if (self.r_state.q.val() != ReadState::Idle)
            & (self.r_state.q.val() != ReadState::Done)
            & !self.r_phase.q.val()
        {
            if self.r_wait2.q.val() {
                self.r_wait2.d.next = false;
                self.r_phase.d.next = true;
            } else if self.r_wait.q.val() {
                self.r_wait.d.next = false;
                self.r_wait2.d.next = true;
            } else if self.r_bi.q.val() >= self.r_full.q.val() {
                // The frame's words are used up; a completion cut short is malformed.
                if self.r_state.q.val() == ReadState::Completion {
                    self.c_malformed.d.next = self.c_malformed.q.val() + 1;
                }
                self.r_state.d.next = ReadState::Done;
            } else {
                self.r_wait.d.next = true;
            }
        }
        if self.advance.val() {
            self.r_bi.d.next = self.r_bi.q.val() + 1;
            self.r_phase.d.next = false;
        }

        // ---- Interrupts: a pending mask.
        self.irq_set.next = 0.into();
        self.irq_any.d.next = self.irq_any.q.val();
        if self.irq_valid.val() & (self.irq_vector.val().get_bits::<10>(6) == 0) {
            self.irq_set.next =
                self.k_one.val() << bit_cast::<64, 6>(self.irq_vector.val().get_bits::<6>(0));
            self.irq_any.d.next = true;
        }
        self.irq_mask.d.next = self.irq_mask.q.val() | self.irq_set.val();

        // ---- DMA writes: hold one beat, gather bursts.
        self.sending.next =
            (self.t_state.q.val() != SendState::Idle) & (self.t_kind.q.val() == SendKind::DmaWrite);
        // The held beat continues the burst: the next address, room left, and the burst's
        // last beat whole unless it is also its first.
        self.h_cont.next = self.hc_next.q.val();
        if self.hc_moved.q.val() {
            self.h_cont.next = self.hc_next8.q.val();
            if self.hc_first.q.val() {
                self.h_cont.next = self.hc_h8.q.val();
            }
        }
        self.joins.next = !self.b_nz.q.val()
            | (self.h_cont.val()
                & !self.b_max.q.val()
                & (self.b_one.q.val() | self.b_full.q.val()));
        // Another message waits: new writes wait behind it, while the held beat and the
        // burst drain ahead of it (so it neither starves nor overtakes a write).
        self.others.next = self.rd_pending.q.val() | self.rq_v.q.val() | self.irq_any.q.val();
        self.flush.next = self.b_nz.q.val()
            & (self.b_max.q.val()
                | (self.h_valid.q.val() & !self.joins.val())
                | (self.b_quiet.q.val() == 15)
                | (!self.h_valid.q.val() & self.others.val()));
        // The sender takes the burst this cycle: the held beat joins the next one.
        self.taking.next =
            (self.t_state.q.val() == SendState::Idle) & self.flush.val() & self.host_known.q.val();
        // The held beat moves into the burst when it joins it, unless the sender is busy with
        // the burst or takes it now. (`taking` written out for a beat that joins: such a beat
        // leaves room in the burst, so only the quiet count flushes it.)
        self.moving.next = self.h_valid.q.val()
            & self.joins.val()
            & !self.sending.val()
            & !((self.t_state.q.val() == SendState::Idle)
                & self.host_known.q.val()
                & self.b_nz.q.val()
                & (self.b_quiet.q.val() == 15));
        // The held beat is written at the burst's next slot whenever the sender is not
        // reading the burst and it has room, whether or not the beat joins it: a slot past the
        // burst's beats holds nothing, and a beat that moves in is written as it moves. So
        // the RAM's write enables come from registers, not from the joining decision.
        self.burst.write_address.next = self.b_n.q.val().get_bits::<5>(0);
        self.burst.write_data.next = self.h_data.q.val();
        self.burst.write_enable.next =
            self.h_valid.q.val() & !self.sending.val() & !self.b_max.q.val();
        if self.b_nz.q.val() & (self.b_quiet.q.val() != 15) {
            self.b_quiet.d.next = self.b_quiet.q.val() + 1;
        }
        self.b_next_n.next = self.b_next.q.val();
        self.b_next8_n.next = self.b_next8.q.val();
        if self.moving.val() {
            self.b_next_n.next = self.b_next8.q.val();
            self.b_next8_n.next = self.b_next8.q.val() + 8;
            if !self.b_nz.q.val() {
                self.b_next_n.next = self.h_addr8.q.val();
                self.b_next8_n.next = self.h_addr8.q.val() + 8;
            }
        }
        self.b_next.d.next = self.b_next_n.val();
        self.b_next8.d.next = self.b_next8_n.val();
        if self.moving.val() {
            self.b_n.d.next = self.b_n.q.val() + 1;
            self.b_nz.d.next = true;
            self.b_one.d.next = !self.b_nz.q.val();
            self.b_max.d.next = self.b_n.q.val() == self.k_max_beats1.val();
            self.b_quiet.d.next = 0.into();
            self.b_last.d.next = self.h_strb.q.val();
            self.b_full.d.next = self.h_strb.q.val() == 0xFF;
            if !self.b_nz.q.val() {
                self.b_addr.d.next = self.h_addr.q.val();
                self.b_first.d.next = self.h_strb.q.val();
            }
            self.h_valid.d.next = false;
        }
        self.dma_wr_ready.next = self.wr_ready_r.q.val();
        if self.dma_wr_valid.val() & self.dma_wr_ready.val() {
            self.h_valid.d.next = true;
            self.h_addr.d.next = self.dma_wr_addr.val();
            self.h_addr8.d.next = self.dma_wr_addr.val() + 8;
            self.hc_next.d.next = self.dma_wr_addr.val() == self.b_next.q.val();
            self.hc_next8.d.next = self.dma_wr_addr.val() == self.b_next8.q.val();
            self.hc_h8.d.next = self.dma_wr_addr.val() == self.h_addr8.q.val();
            self.hc_moved.d.next = self.moving.val();
            self.hc_first.d.next = !self.b_nz.q.val();
            self.h_data.d.next = self.dma_wr_data.val();
            self.h_strb.d.next = self.dma_wr_strb.val();
        }

        // ---- Sender: one message a frame.
        // Read requests wait in a register of their own, so that the card's DMA sees a
        // register for its ready.
        self.dma_rd_ready.next = !self.rq_v.q.val();
        if self.dma_rd_valid.val() & !self.rq_v.q.val() {
            self.rq_v.d.next = true;
            self.rq_tag.d.next = self.dma_rd_tag.val();
            self.rq_addr.d.next = self.dma_rd_addr.val();
            self.rq_beats.d.next = self.dma_rd_beats.val();
        }
        self.mac_tx.reset.next = false;
        self.mac_tx.s_valid.next = self.t_state.q.val() != SendState::Idle;
        self.mac_tx.s_nbytes.next = 8.into();
        self.mac_tx.s_last.next = false;
        self.mac_tx.s_data.next = 0.into();
        // The burst is read at the registered index: a beat taken moves the index, and its
        // successor is out of the RAM two cycles later. The MAC takes a beat every eight
        // cycles (an octet a cycle), so the read never has to follow its ready.
        self.burst.read_address.next = self.t_i.q.val().get_bits::<5>(0);
        match self.t_state.q.val() {
            SendState::Idle => {
                // The message's words are loaded every idle cycle, chosen by registers alone:
                // a burst waiting can only leave as a DMA write, otherwise the read answer,
                // the read request and the interrupts in that order. Which message leaves,
                // if any, is decided below; its words are the ones loaded in that cycle.
                if self.b_nz.q.val() {
                    self.t_word.d.next = self.k_op_dmaw.val()
                        | (bit_cast::<64, 8>(self.b_first.q.val()) << 8)
                        | (bit_cast::<64, 6>(self.b_n.q.val()) << 16)
                        | (bit_cast::<64, 8>(self.b_last.q.val()) << 24);
                    self.t_addr.d.next = self.b_addr.q.val();
                    self.t_n.d.next = self.b_n.q.val();
                    self.t_n1.d.next = self.b_n.q.val() - 1;
                } else if self.rd_pending.q.val() {
                    self.t_word.d.next = self.k_op_rdata.val()
                        | (bit_cast::<64, 8>(self.rd_seq.q.val()) << 8)
                        | (bit_cast::<64, 32>(self.rd_value.q.val()) << 32);
                } else if self.rq_v.q.val() {
                    self.t_word.d.next = self.k_op_dmar.val()
                        | (bit_cast::<64, DMA_TAG_BITS>(self.rq_tag.q.val()) << 8)
                        | (bit_cast::<64, 8>(self.rq_beats.q.val()) << 16);
                    self.t_addr.d.next = self.rq_addr.q.val();
                } else {
                    self.t_word.d.next = self.k_op_irq.val();
                    self.t_addr.d.next = self.irq_mask.q.val();
                }
                // Nothing goes out before the host's address is known.
                if self.taking.val() {
                    self.t_kind.d.next = SendKind::DmaWrite;
                    self.t_state.d.next = SendState::Head0;
                } else if !self.b_nz.q.val() & !self.h_valid.q.val() & self.host_known.q.val() {
                    if self.rd_pending.q.val() {
                        self.t_kind.d.next = SendKind::ReadData;
                        self.rd_pending.d.next = false;
                        self.t_state.d.next = SendState::Head0;
                    } else if self.rq_v.q.val() {
                        self.rq_v.d.next = false;
                        self.t_kind.d.next = SendKind::DmaRead;
                        self.t_state.d.next = SendState::Head0;
                    } else if self.irq_any.q.val() {
                        self.t_kind.d.next = SendKind::Interrupt;
                        self.irq_mask.d.next = self.irq_set.val();
                        self.irq_any.d.next =
                            self.irq_valid.val() & (self.irq_vector.val().get_bits::<10>(6) == 0);
                        self.t_state.d.next = SendState::Head0;
                    }
                }
            }
            SendState::Head0 => {
                self.mac_tx.s_data.next = bit_cast::<64, 48>(self.host_mac.q.val())
                    | (bit_cast::<64, 48>(self.k_card_mac.val()) << 48);
                if self.mac_tx.s_ready.val() {
                    self.t_state.d.next = SendState::Head1;
                }
            }
            SendState::Head1 => {
                self.mac_tx.s_data.next = bit_cast::<64, 48>(self.k_card_mac.val() >> 16)
                    | (bit_cast::<64, 16>(self.k_ethertype.val()) << 32);
                if self.mac_tx.s_ready.val() {
                    self.t_state.d.next = SendState::Command;
                }
            }
            SendState::Command => {
                self.mac_tx.s_data.next = self.t_word.q.val();
                self.mac_tx.s_last.next = self.t_kind.q.val() == SendKind::ReadData;
                if self.mac_tx.s_ready.val() {
                    if self.t_kind.q.val() == SendKind::ReadData {
                        self.t_state.d.next = SendState::Idle;
                        self.c_sent.d.next = self.c_sent.q.val() + 1;
                    } else if self.t_kind.q.val() == SendKind::Interrupt {
                        self.t_state.d.next = SendState::Mask;
                    } else {
                        self.t_state.d.next = SendState::Address;
                    }
                }
            }
            SendState::Address => {
                self.mac_tx.s_data.next = self.t_addr.q.val();
                self.mac_tx.s_last.next = self.t_kind.q.val() == SendKind::DmaRead;
                self.t_i.d.next = 0.into();
                if self.mac_tx.s_ready.val() {
                    if self.t_kind.q.val() == SendKind::DmaRead {
                        self.t_state.d.next = SendState::Idle;
                        self.c_sent.d.next = self.c_sent.q.val() + 1;
                    } else {
                        self.t_state.d.next = SendState::Data;
                    }
                }
            }
            SendState::Data => {
                self.mac_tx.s_data.next = self.burst.read_data.val();
                self.mac_tx.s_last.next = self.t_i.q.val() == self.t_n1.q.val();
                if self.mac_tx.s_ready.val() {
                    self.t_i.d.next = self.t_next.val();
                    if self.t_i.q.val() == self.t_n1.q.val() {
                        self.t_state.d.next = SendState::Idle;
                        self.b_n.d.next = 0.into();
                        self.b_nz.d.next = false;
                        self.b_one.d.next = false;
                        self.b_max.d.next = false;
                        self.b_quiet.d.next = 0.into();
                        self.c_sent.d.next = self.c_sent.q.val() + 1;
                    }
                }
            }
            SendState::Mask => {
                self.mac_tx.s_data.next = self.t_addr.q.val();
                self.mac_tx.s_last.next = true;
                if self.mac_tx.s_ready.val() {
                    self.t_state.d.next = SendState::Idle;
                    self.c_sent.d.next = self.c_sent.q.val() + 1;
                }
            }
        }
        // (After every write of the held beat's, the read answer's and the interrupts' next
        // state.)
        // A read request waiting in its register stops new writes, so writes cannot starve
        // it.
        self.wr_ready_r.d.next = !self.h_valid.d.val()
            & !self.rd_pending.d.val()
            & !self.rq_v.d.val()
            & !self.irq_any.d.val();
        self.gmii_txd.next = self.mac_tx.gmii_txd.val();
        self.gmii_tx_en.next = self.mac_tx.gmii_tx_en.val();
        self.gmii_tx_er.next = self.mac_tx.gmii_tx_er.val();
        self.cnt_commands.next = self.c_commands.q.val();
        self.cnt_skipped.next = self.c_skipped.q.val();
        self.cnt_malformed.next = self.c_malformed.q.val();
        self.cnt_sent.next = self.c_sent.q.val();
        self.cnt_overflow.next = self.rxbuf.cnt_overflow.val();
        self.cnt_bad_frames.next = self.mac_rx.cnt_fcs.val()
            + self.mac_rx.cnt_runt.val()
            + self.mac_rx.cnt_giant.val()
            + self.mac_rx.cnt_phy.val();
    }
}

/// The board's card in one clock domain: the small card (gigabit only) on port 0, its host
/// interface tunnelled over port 1. The board top puts the RGMII front ends, the PLL and the
/// clock-domain crossings around it; the test benches simulate it as it is.
#[derive(LogicBlock)]
pub struct TunnelNic {
    pub clock: Signal<In, Clock>,
    // Port 0: the network.
    pub gmii0_rxd: Signal<In, Bits<8>>,
    pub gmii0_rx_dv: Signal<In, Bit>,
    pub gmii0_rx_er: Signal<In, Bit>,
    pub gmii0_txd: Signal<Out, Bits<8>>,
    pub gmii0_tx_en: Signal<Out, Bit>,
    pub gmii0_tx_er: Signal<Out, Bit>,
    // Port 1: the host.
    pub gmii1_rxd: Signal<In, Bits<8>>,
    pub gmii1_rx_dv: Signal<In, Bit>,
    pub gmii1_rx_er: Signal<In, Bit>,
    pub gmii1_txd: Signal<Out, Bits<8>>,
    pub gmii1_tx_en: Signal<Out, Bit>,
    pub gmii1_tx_er: Signal<Out, Bit>,
    // The tunnel's counters.
    pub cnt_commands: Signal<Out, Bits<32>>,
    pub cnt_skipped: Signal<Out, Bits<32>>,
    pub cnt_malformed: Signal<Out, Bits<32>>,
    pub cnt_sent: Signal<Out, Bits<32>>,
    pub cnt_overflow: Signal<Out, Bits<32>>,
    pub cnt_bad_frames: Signal<Out, Bits<32>>,
    nic: crate::nic::SmallNic,
    tun: Tunnel,
}

impl Default for TunnelNic {
    fn default() -> Self {
        use arsenic_interface::classifier::ClassifierParams;
        Self {
            clock: Default::default(),
            gmii0_rxd: Default::default(),
            gmii0_rx_dv: Default::default(),
            gmii0_rx_er: Default::default(),
            gmii0_txd: Default::default(),
            gmii0_tx_en: Default::default(),
            gmii0_tx_er: Default::default(),
            gmii1_rxd: Default::default(),
            gmii1_rx_dv: Default::default(),
            gmii1_rx_er: Default::default(),
            gmii1_txd: Default::default(),
            gmii1_tx_en: Default::default(),
            gmii1_tx_er: Default::default(),
            cnt_commands: Default::default(),
            cnt_skipped: Default::default(),
            cnt_malformed: Default::default(),
            cnt_sent: Default::default(),
            cnt_overflow: Default::default(),
            cnt_bad_frames: Default::default(),
            nic: crate::nic::SmallNic::new(ClassifierParams::BOARD, ClassifierParams::TX_BOARD)
                .gmii_only(),
            tun: Default::default(),
        }
    }
}

impl Logic for TunnelNic {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, nic, tun);
        self.nic.gmii_rxd.next = self.gmii0_rxd.val();
        self.nic.gmii_rx_dv.next = self.gmii0_rx_dv.val();
        self.nic.gmii_rx_er.next = self.gmii0_rx_er.val();
        self.nic.xgmii_rxd.next = 0.into();
        self.nic.xgmii_rxc.next = 0.into();
        self.gmii0_txd.next = self.nic.gmii_txd.val();
        self.gmii0_tx_en.next = self.nic.gmii_tx_en.val();
        self.gmii0_tx_er.next = self.nic.gmii_tx_er.val();
        self.tun.gmii_rxd.next = self.gmii1_rxd.val();
        self.tun.gmii_rx_dv.next = self.gmii1_rx_dv.val();
        self.tun.gmii_rx_er.next = self.gmii1_rx_er.val();
        self.gmii1_txd.next = self.tun.gmii_txd.val();
        self.gmii1_tx_en.next = self.tun.gmii_tx_en.val();
        self.gmii1_tx_er.next = self.tun.gmii_tx_er.val();
        // Host interface through the tunnel.
        self.nic.mmio_addr.next = self.tun.mmio_addr.val();
        self.nic.mmio_wdata.next = self.tun.mmio_wdata.val();
        self.nic.mmio_write.next = self.tun.mmio_write.val();
        self.nic.mmio_read.next = self.tun.mmio_read.val();
        self.tun.mmio_rdata.next = self.nic.mmio_rdata.val();
        self.tun.mmio_rvalid.next = self.nic.mmio_rvalid.val();
        self.tun.mmio_ready.next = self.nic.mmio_ready.val();
        self.tun.irq_valid.next = self.nic.irq_valid.val();
        self.tun.irq_vector.next = self.nic.irq_vector.val();
        self.tun.dma_wr_valid.next = self.nic.dma_wr_valid.val();
        self.tun.dma_wr_addr.next = self.nic.dma_wr_addr.val();
        self.tun.dma_wr_data.next = self.nic.dma_wr_data.val();
        self.tun.dma_wr_strb.next = self.nic.dma_wr_strb.val();
        self.nic.dma_wr_ready.next = self.tun.dma_wr_ready.val();
        self.tun.dma_rd_valid.next = self.nic.dma_rd_valid.val();
        self.tun.dma_rd_addr.next = self.nic.dma_rd_addr.val();
        self.tun.dma_rd_beats.next = self.nic.dma_rd_beats.val();
        self.tun.dma_rd_tag.next = self.nic.dma_rd_tag.val();
        self.nic.dma_rd_ready.next = self.tun.dma_rd_ready.val();
        self.nic.dma_cpl_valid.next = self.tun.dma_cpl_valid.val();
        self.nic.dma_cpl_tag.next = self.tun.dma_cpl_tag.val();
        self.nic.dma_cpl_data.next = self.tun.dma_cpl_data.val();
        self.nic.dma_cpl_last.next = self.tun.dma_cpl_last.val();
        self.cnt_commands.next = self.tun.cnt_commands.val();
        self.cnt_skipped.next = self.tun.cnt_skipped.val();
        self.cnt_malformed.next = self.tun.cnt_malformed.val();
        self.cnt_sent.next = self.tun.cnt_sent.val();
        self.cnt_overflow.next = self.tun.cnt_overflow.val();
        self.cnt_bad_frames.next = self.tun.cnt_bad_frames.val();
    }
}
