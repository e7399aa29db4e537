//! Transmit DMA: from the scheduler's started descriptors to the transmit MAC, through
//! buffer-table checks, host reads, the transmit filters, and a store-and-forward slot per
//! frame.
//!
//! Four stages, each in frame order, so frames leave in the order the scheduler started them
//! and complete in ring order per VI:
//!
//! - **issue**: translates the descriptor's buffer id through the card's copy of the buffer
//!   table (the entry must be valid and owned by the sending VI), checks offset and length
//!   (`TX_BAD_BUFFER`, `TX_BAD_DESC`), takes the next of its `NS` slots of 2 KiB and asks
//!   the host for the frame (one read, the slot is the tag). A refused descriptor takes a
//!   slot too, with no data, so its error keeps its place in the order;
//! - **check**: once a slot's data has arrived, streams its first 128 octets (the header
//!   copy) into the transmit filters (a classifier in transmit mode: only the sending VI's
//!   own terms and flows count);
//! - **verdict**: takes the filters' result in order: an unrestricted VI always passes; a
//!   frame that matched none of its VI's filters is `TX_SPOOFED`;
//! - **send**: streams a passing frame from its slot to the MAC through a four-beat queue,
//!   back to back with the next, and reports every slot's outcome to the transmit engine
//!   (`DONE`: sent, or the error code), then frees the slot.

use crate::table_ram::TableRam;
use crate::tx_engine::TX_DESC_BITS;
use arsenic_interface::event::{error, FILTER_NONE};
use arsenic_interface::params::PAGE_SIZE;
use rust_hdl::prelude::*;

/// log2 of the frame slots (and of the data reads in flight) of the simulation card: 32
/// slots, enough reads in flight for 10 GbE.
pub const SIM_SLOT_BITS: usize = 5;
/// log2 of a slot's beats (2 KiB).
pub const SLOT_BEAT_BITS: usize = 8;
/// Largest frame a slot holds (one beat short of the slot: a read's beat count is 8 bits).
pub const SLOT_BYTES: usize = (8 << SLOT_BEAT_BITS) - 8;
const _: () = assert!(SLOT_BYTES == arsenic_interface::txdesc::MAX_LEN as usize);
const _: () = assert!(TX_DESC_BITS > 0);

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum CheckState {
    Wait,
    Look,
    Stream,
}

/// `VB`: log2 of the VIs; `BB`: log2 of the buffer table's entries; `SB`: log2 of the frame
/// slots, `NS` = 2^`SB` the slots, `PB` = `SB` + 1 the width of the slot pointers (full and
/// empty differ), `DA` = `SB` + [`SLOT_BEAT_BITS`] and `HA` = `SB` + 4 the data and header
/// RAMs' address widths (checked when the block is made).
#[derive(LogicBlock)]
pub struct TxDma<
    const VB: usize,
    const BB: usize,
    const SB: usize,
    const PB: usize,
    const DA: usize,
    const HA: usize,
    const NS: usize,
> {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    /// The board's card: the issue's checks and the outcome queue's push a cycle later
    /// (`set_deep`).
    k_deep: Constant<Bit>,
    pub reset: Signal<In, Bit>,
    /// Largest frame, FCS included (`MAX_FRAME`).
    pub max_frame: Signal<In, Bits<16>>,
    // Started descriptors from the scheduler.
    pub job_valid: Signal<In, Bit>,
    pub job_vi: Signal<In, Bits<16>>,
    pub job_idx: Signal<In, Bits<16>>,
    pub job_desc: Signal<In, Bits<64>>,
    pub job_unres: Signal<In, Bit>,
    pub job_take: Signal<Out, Bit>,
    // Buffer-table writes (the same as the receive side's).
    pub bt_we: Signal<In, Bit>,
    pub bt_addr: Signal<In, Bits<BB>>,
    pub bt_data: Signal<In, Bits<64>>,
    // Host reads of frame data: the tag is the slot.
    pub rd_valid: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<64>>,
    pub rd_beats: Signal<Out, Bits<8>>,
    pub rd_tag: Signal<Out, Bits<SB>>,
    pub rd_ready: Signal<In, Bit>,
    pub cpl_valid: Signal<In, Bit>,
    pub cpl_tag: Signal<In, Bits<SB>>,
    pub cpl_data: Signal<In, Bits<64>>,
    pub cpl_last: Signal<In, Bit>,
    // To the transmit filters, and their results.
    pub v_valid: Signal<Out, Bit>,
    pub v_data: Signal<Out, Bits<64>>,
    pub v_nbytes: Signal<Out, Bits<4>>,
    pub v_last: Signal<Out, Bit>,
    pub v_len: Signal<Out, Bits<16>>,
    pub v_vi: Signal<Out, Bits<16>>,
    pub cls_busy: Signal<In, Bit>,
    pub res_empty: Signal<In, Bit>,
    pub res_filter: Signal<In, Bits<16>>,
    pub res_pop: Signal<Out, Bit>,
    // To the MAC.
    pub m_valid: Signal<Out, Bit>,
    pub m_data: Signal<Out, Bits<64>>,
    pub m_nbytes: Signal<Out, Bits<4>>,
    pub m_last: Signal<Out, Bit>,
    pub m_ready: Signal<In, Bit>,
    // Outcomes, to the transmit engine, held until taken.
    pub dn_valid: Signal<Out, Bit>,
    pub dn_vi: Signal<Out, Bits<16>>,
    pub dn_idx: Signal<Out, Bits<16>>,
    pub dn_len: Signal<Out, Bits<16>>,
    pub dn_code: Signal<Out, Bits<4>>,
    pub dn_event: Signal<Out, Bit>,
    pub dn_take: Signal<In, Bit>,
    // Counters and status.
    pub cnt_spoofed: Signal<Out, Bits<32>>,
    pub cnt_bad_buffer: Signal<Out, Bits<32>>,
    pub cnt_bad_desc: Signal<Out, Bits<32>>,
    pub idle: Signal<Out, Bit>,
    /// The buffer table: an entry is answered in `entry` two cycles after its read.
    bt: TableRam<BB>,
    data: RAM<Bits<64>, DA>,
    hdr: RAM<Bits<64>, HA>,
    info_v: RAM<Bits<64>, SB>,
    info_d: RAM<Bits<64>, SB>,
    // Issue.
    alloc: DFF<Bits<PB>>,
    i_busy: DFF<Bit>,
    // The issue's second cycle: the buffer-table entry registered out of block RAM, and the
    // descriptor's own checks.
    i_ready: DFF<Bit>,
    // `i_busy | i_wait | i_ready`, a register of its own (from their next values), so that the
    // buffer table's read address is chosen by one flip-flop.
    i_active: DFF<Bit>,
    // On the board's card a cycle between the two: the checks' outcome (`code`) registered
    // in `code_r`, which the issue decides on.
    i_wait: DFF<Bit>,
    code_r: DFF<Bits<4>>,
    code_use: Signal<Local, Bits<4>>,
    i_bad_desc: DFF<Bit>,
    i_bt_over: DFF<Bit>,
    // The loaded descriptor's end (offset + length) and length + FCS, summed as it is
    // loaded, so that its checks are compares of registers.
    i_end: DFF<Bits<32>>,
    i_len4: DFF<Bits<32>>,
    i_vi: DFF<Bits<16>>,
    i_idx: DFF<Bits<16>>,
    i_desc: DFF<Bits<64>>,
    i_unres: DFF<Bit>,
    rq_v: DFF<Bit>,
    rq_addr_r: DFF<Bits<64>>,
    rq_beats_r: DFF<Bits<8>>,
    rq_tag_r: DFF<Bits<SB>>,
    cb: DFF<Bits<8>>,
    filled: DFF<Bits<NS>>,
    // Check.
    vp: DFF<Bits<PB>>,
    vstate: DFF<CheckState>,
    va: DFF<Bits<4>>,
    // Verdict.
    dp: DFF<Bits<PB>>,
    // The send queue: two entries (slot, info word with the verdict's code).
    q0_v: DFF<Bit>,
    q0_slot: DFF<Bits<SB>>,
    q0_info: DFF<Bits<64>>,
    q1_v: DFF<Bit>,
    q1_slot: DFF<Bits<SB>>,
    q1_info: DFF<Bits<64>>,
    // Send.
    fp: DFF<Bits<PB>>,
    sb: DFF<Bits<8>>,
    rd_pend: DFF<Bit>,
    rp_n: DFF<Bits<4>>,
    rp_last: DFF<Bit>,
    // On the board (`k_deep`) a beat read from the frame buffer is registered once more
    // before the beat queue takes it: the block RAM's output (5.8 ns after the clock on the
    // ECP5) drives only these flip-flops. The queue's room counts both reads in flight.
    rs_v: DFF<Bit>,
    rs_data: DFF<Bits<69>>,
    fw_v: Signal<Local, Bit>,
    fw_new: Signal<Local, Bits<69>>,
    f_room: Signal<Local, Bit>,
    f0: DFF<Bits<69>>,
    f1: DFF<Bits<69>>,
    f2: DFF<Bits<69>>,
    f3: DFF<Bits<69>>,
    fcount: DFF<Bits<3>>,
    // The beat queue is a ring: a beat read out of block RAM goes straight into the entry
    // at `f_wp` (no choice in front of the register), the MAC takes the one at `f_rp`.
    f_wp: DFF<Bits<2>>,
    f_rp: DFF<Bits<2>>,
    // Outcomes waiting for the engine, four at most: VI [15:0], ring index [31:16], length
    // [47:32], code [51:48], event wanted [52].
    o0: DFF<Bits<53>>,
    o1: DFF<Bits<53>>,
    o2: DFF<Bits<53>>,
    o3: DFF<Bits<53>>,
    ocount: DFF<Bits<3>>,
    // On the board's card an outcome enters the queue a cycle after the send stage decides
    // (`po_v`, `po_new`), so that decision drives two registers instead of the queue's four
    // entries; the room check counts it meanwhile. (`pw_*`: what the queue takes.)
    po_v: DFF<Bit>,
    po_new: DFF<Bits<53>>,
    pw_v: Signal<Local, Bit>,
    pw_new: Signal<Local, Bits<53>>,
    c_spoofed: DFF<Bits<32>>,
    c_bad_buffer: DFF<Bits<32>>,
    c_bad_desc: DFF<Bits<32>>,
    err_v: DFF<Bit>,
    err_slot: DFF<Bits<SB>>,
    // Frame reads issued and not yet complete; after a soft reset the card takes no new
    // frame until those have drained (their data is dropped).
    rd_out: DFF<Bits<8>>,
    draining: DFF<Bit>,
    // Locals.
    onew: Signal<Local, Bits<53>>,
    oidx: Signal<Local, Bits<3>>,
    oroom: Signal<Local, Bit>,
    entry: Signal<Local, Bits<64>>,
    d_off: Signal<Local, Bits<32>>,
    d_len: Signal<Local, Bits<32>>,
    code: Signal<Local, Bits<4>>,
    set_i: Signal<Local, Bits<NS>>,
    set_c: Signal<Local, Bits<NS>>,
    clr: Signal<Local, Bits<NS>>,
    vinfo: Signal<Local, Bits<64>>,
    vlen: Signal<Local, Bits<16>>,
    vnb: Signal<Local, Bits<16>>,
    vlast: Signal<Local, Bit>,
    // The checked frame's last header beat and that beat's octets, registered in `Look`.
    v_lastbeat: DFF<Bits<4>>,
    vnb_m1: Signal<Local, Bits<16>>,
    p_len: Signal<Local, Bits<16>>,
    p_lastb: Signal<Local, Bits<16>>,
    push_qinfo: Signal<Local, Bits<64>>,
    k_info_mask: Constant<Bits<64>>,
    v_lastn: DFF<Bits<4>>,
    dinfo: Signal<Local, Bits<64>>,
    push_q: Signal<Local, Bit>,
    push_info: Signal<Local, Bits<64>>,
    pop_q: Signal<Local, Bit>,
    h_len: Signal<Local, Bits<16>>,
    h_n: Signal<Local, Bits<4>>,
    issue: Signal<Local, Bit>,
    fpop: Signal<Local, Bit>,
    fidx: Signal<Local, Bits<3>>,
    fnew: Signal<Local, Bits<69>>,
    fhead: Signal<Local, Bits<69>>,
    d_beats: Signal<Local, Bits<32>>,
    h_m1: Signal<Local, Bits<16>>,
    v_m1: Signal<Local, Bits<16>>,
    k_page_mask: Constant<Bits<64>>,
    k_code_mask: Constant<Bits<64>>,
    k_one16: Constant<Bits<NS>>,
    k_page: Constant<Bits<32>>,
    k_slot_bytes: Constant<Bits<32>>,
    k_min_len: Constant<Bits<32>>,
    k_bt_limit: Constant<Bits<32>>,
    k_fnone: Constant<Bits<16>>,
    k_slots: Constant<Bits<PB>>,
    k_err_bad_buffer: Constant<Bits<4>>,
    k_err_bad_desc: Constant<Bits<4>>,
    k_err_spoofed: Constant<Bits<4>>,
}

impl<
        const VB: usize,
        const BB: usize,
        const SB: usize,
        const PB: usize,
        const DA: usize,
        const HA: usize,
        const NS: usize,
    > Default for TxDma<VB, BB, SB, PB, DA, HA, NS>
{
    fn default() -> Self {
        assert!(
            NS == 1 << SB && PB == SB + 1 && DA == SB + SLOT_BEAT_BITS && HA == SB + 4,
            "TxDma's slot widths: NS = 2^SB, PB = SB + 1, DA = SB + {SLOT_BEAT_BITS}, HA = SB + 4"
        );
        TxDma {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            k_deep: Constant::new(false),
            reset: Default::default(),
            max_frame: Default::default(),
            job_valid: Default::default(),
            job_vi: Default::default(),
            job_idx: Default::default(),
            job_desc: Default::default(),
            job_unres: Default::default(),
            job_take: Default::default(),
            bt_we: Default::default(),
            bt_addr: Default::default(),
            bt_data: Default::default(),
            rd_valid: Default::default(),
            rd_addr: Default::default(),
            rd_beats: Default::default(),
            rd_tag: Default::default(),
            rd_ready: Default::default(),
            cpl_valid: Default::default(),
            cpl_tag: Default::default(),
            cpl_data: Default::default(),
            cpl_last: Default::default(),
            v_valid: Default::default(),
            v_data: Default::default(),
            v_nbytes: Default::default(),
            v_last: Default::default(),
            v_len: Default::default(),
            v_vi: Default::default(),
            cls_busy: Default::default(),
            res_empty: Default::default(),
            res_filter: Default::default(),
            res_pop: Default::default(),
            m_valid: Default::default(),
            m_data: Default::default(),
            m_nbytes: Default::default(),
            m_last: Default::default(),
            m_ready: Default::default(),
            dn_valid: Default::default(),
            dn_vi: Default::default(),
            dn_idx: Default::default(),
            dn_len: Default::default(),
            dn_code: Default::default(),
            dn_event: Default::default(),
            dn_take: Default::default(),
            cnt_spoofed: Default::default(),
            cnt_bad_buffer: Default::default(),
            cnt_bad_desc: Default::default(),
            idle: Default::default(),
            bt: Default::default(),
            data: Default::default(),
            hdr: Default::default(),
            info_v: Default::default(),
            info_d: Default::default(),
            alloc: Default::default(),
            i_busy: Default::default(),
            i_ready: Default::default(),
            i_active: Default::default(),
            i_wait: Default::default(),
            code_r: Default::default(),
            code_use: Default::default(),
            i_bad_desc: Default::default(),
            i_bt_over: Default::default(),
            i_end: Default::default(),
            i_len4: Default::default(),
            i_vi: Default::default(),
            i_idx: Default::default(),
            i_desc: Default::default(),
            i_unres: Default::default(),
            rq_v: Default::default(),
            rq_addr_r: Default::default(),
            rq_beats_r: Default::default(),
            rq_tag_r: Default::default(),
            cb: Default::default(),
            filled: Default::default(),
            vp: Default::default(),
            vstate: Default::default(),
            va: Default::default(),
            dp: Default::default(),
            q0_v: Default::default(),
            q0_slot: Default::default(),
            q0_info: Default::default(),
            q1_v: Default::default(),
            q1_slot: Default::default(),
            q1_info: Default::default(),
            fp: Default::default(),
            sb: Default::default(),
            rd_pend: Default::default(),
            rp_n: Default::default(),
            rp_last: Default::default(),
            rs_v: Default::default(),
            rs_data: Default::default(),
            fw_v: Default::default(),
            fw_new: Default::default(),
            f_room: Default::default(),
            f0: Default::default(),
            f1: Default::default(),
            f2: Default::default(),
            f3: Default::default(),
            fcount: Default::default(),
            f_wp: Default::default(),
            f_rp: Default::default(),
            o0: Default::default(),
            o1: Default::default(),
            o2: Default::default(),
            o3: Default::default(),
            ocount: Default::default(),
            po_v: Default::default(),
            po_new: Default::default(),
            pw_v: Default::default(),
            pw_new: Default::default(),
            onew: Default::default(),
            oidx: Default::default(),
            oroom: Default::default(),
            c_spoofed: Default::default(),
            c_bad_buffer: Default::default(),
            c_bad_desc: Default::default(),
            err_v: Default::default(),
            err_slot: Default::default(),
            rd_out: Default::default(),
            draining: Default::default(),
            entry: Default::default(),
            d_off: Default::default(),
            d_len: Default::default(),
            code: Default::default(),
            set_i: Default::default(),
            set_c: Default::default(),
            clr: Default::default(),
            vinfo: Default::default(),
            vlen: Default::default(),
            vnb: Default::default(),
            vlast: Default::default(),
            v_lastbeat: Default::default(),
            vnb_m1: Default::default(),
            p_len: Default::default(),
            p_lastb: Default::default(),
            push_qinfo: Default::default(),
            k_info_mask: Constant::new(((1u64 << 53) - 1).into()),
            v_lastn: Default::default(),
            dinfo: Default::default(),
            push_q: Default::default(),
            push_info: Default::default(),
            pop_q: Default::default(),
            h_len: Default::default(),
            h_n: Default::default(),
            issue: Default::default(),
            fpop: Default::default(),
            fidx: Default::default(),
            fnew: Default::default(),
            fhead: Default::default(),
            d_beats: Default::default(),
            h_m1: Default::default(),
            v_m1: Default::default(),
            k_page_mask: Constant::new((!(PAGE_SIZE - 1)).into()),
            k_code_mask: Constant::new((!(0xFu64 << 48)).into()),
            k_one16: Constant::new(1u64.into()),
            k_page: Constant::new(PAGE_SIZE.into()),
            k_slot_bytes: Constant::new((SLOT_BYTES as u64).into()),
            k_min_len: Constant::new((arsenic_interface::txdesc::MIN_LEN as u64).into()),
            k_bt_limit: Constant::new((1u64 << BB).into()),
            k_fnone: Constant::new((FILTER_NONE as u64).into()),
            k_slots: Constant::new((NS as u64).into()),
            k_err_bad_buffer: Constant::new((error::TX_BAD_BUFFER as u64).into()),
            k_err_bad_desc: Constant::new((error::TX_BAD_DESC as u64).into()),
            k_err_spoofed: Constant::new((error::TX_SPOOFED as u64).into()),
        }
    }
}

impl<
        const VB: usize,
        const BB: usize,
        const SB: usize,
        const PB: usize,
        const DA: usize,
        const HA: usize,
        const NS: usize,
    > TxDma<VB, BB, SB, PB, DA, HA, NS>
{
    /// The board's card: a descriptor's checks (its buffer-table entry's owner, its offset
    /// and length) are registered before the issue decides on them, so a descriptor takes
    /// four cycles to issue instead of three; a frame's outcome reaches the engine a cycle
    /// after its last beat is read.
    pub fn set_deep(&mut self, deep: bool) {
        self.k_deep = Constant::new(deep);
    }
}

impl<
        const VB: usize,
        const BB: usize,
        const SB: usize,
        const PB: usize,
        const DA: usize,
        const HA: usize,
        const NS: usize,
    > Logic for TxDma<VB, BB, SB, PB, DA, HA, NS>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            alloc,
            i_busy,
            i_ready,
            i_active,
            i_wait,
            code_r,
            i_bad_desc,
            i_bt_over,
            i_end,
            i_len4,
            i_vi,
            i_idx,
            i_desc,
            i_unres,
            rq_v,
            rq_addr_r,
            rq_beats_r,
            rq_tag_r,
            cb,
            filled,
            vp,
            vstate,
            va,
            v_lastbeat,
            v_lastn,
            dp,
            q0_v,
            q0_slot,
            q0_info,
            q1_v,
            q1_slot,
            q1_info,
            fp,
            sb,
            rd_pend,
            rp_n,
            rp_last,
            rs_v,
            rs_data,
            f0,
            f1,
            f2,
            f3,
            fcount,
            f_wp,
            f_rp,
            o0,
            o1,
            o2,
            o3,
            ocount,
            po_v,
            po_new,
            c_spoofed,
            c_bad_buffer,
            c_bad_desc,
            err_v,
            err_slot,
            rd_out,
            draining
        );
        self.bt.clock.next = self.clock.val();
        self.data.read_clock.next = self.clock.val();
        self.data.write_clock.next = self.clock.val();
        self.hdr.read_clock.next = self.clock.val();
        self.hdr.write_clock.next = self.clock.val();
        self.info_v.read_clock.next = self.clock.val();
        self.info_v.write_clock.next = self.clock.val();
        self.info_d.read_clock.next = self.clock.val();
        self.info_d.write_clock.next = self.clock.val();
        self.bt.write_enable.next = self.bt_we.val();
        self.bt.write_address.next = self.bt_addr.val();
        self.bt.write_data.next = self.bt_data.val();
        self.set_i.next = 0.into();
        self.err_v.d.next = false;
        if self.err_v.q.val() {
            self.set_i.next = self.k_one16.val() << bit_cast::<NS, SB>(self.err_slot.q.val());
        }
        self.set_c.next = 0.into();
        self.clr.next = 0.into();
        // Reads outstanding: one more on a request taken, one fewer on a last completion.
        if self.rd_ready.val() & self.rq_v.q.val() {
            self.rq_v.d.next = false;
            if !(self.cpl_valid.val() & self.cpl_last.val()) {
                self.rd_out.d.next = self.rd_out.q.val() + 1;
            }
        } else if self.cpl_valid.val() & self.cpl_last.val() {
            self.rd_out.d.next = self.rd_out.q.val() - 1;
        }
        if self.draining.q.val() & (self.rd_out.q.val() == 0) {
            self.draining.d.next = false;
        }
        self.oroom.next = (self.ocount.q.val() < 4)
            & !(self.k_deep.val() & self.po_v.q.val() & (self.ocount.q.val() == 3));
        // Issue, three cycles a descriptor: it is taken when a slot is free and the previous
        // read has gone; the buffer table answers in the next cycle, into a register; the
        // cycle after, the slot's info word and the read.
        self.job_take.next = false;
        self.bt.read_address.next = self.i_desc.q.val().get_bits::<BB>(0);
        // Between descriptors the engine's offered one is loaded and its buffer-table entry
        // read whether or not it is taken (nothing uses them until one is), so that the take
        // decision drives only the take itself.
        if !self.i_active.q.val() {
            self.i_vi.d.next = self.job_vi.val();
            self.i_idx.d.next = self.job_idx.val();
            self.i_desc.d.next = self.job_desc.val();
            self.i_end.d.next = bit_cast::<32, 16>(self.job_desc.val().get_bits::<16>(32))
                + bit_cast::<32, 15>(self.job_desc.val().get_bits::<15>(48));
            self.i_len4.d.next = bit_cast::<32, 15>(self.job_desc.val().get_bits::<15>(48)) + 4;
            self.i_unres.d.next = self.job_unres.val();
            self.bt.read_address.next = self.job_desc.val().get_bits::<BB>(0);
        }
        if !self.i_active.q.val()
            & self.job_valid.val()
            & !self.rq_v.q.val()
            & ((self.alloc.q.val() - self.fp.q.val()) < self.k_slots.val())
            & !self.reset.val()
            & !self.draining.q.val()
        {
            self.job_take.next = true;
            self.i_busy.d.next = true;
        }
        self.entry.next = self.bt.entry.val();
        self.d_off.next = bit_cast::<32, 16>(self.i_desc.q.val().get_bits::<16>(32));
        self.d_len.next = bit_cast::<32, 15>(self.i_desc.q.val().get_bits::<15>(48));
        self.d_beats.next = (self.d_len.val() + 7) >> 3;
        self.i_bad_desc.d.next = (self.d_off.val().get_bits::<3>(0) != 0)
            | (self.i_end.q.val() > self.k_page.val())
            | (self.d_len.val() < self.k_min_len.val())
            | (self.d_len.val() > self.k_slot_bytes.val())
            | (self.i_len4.q.val() > bit_cast::<32, 16>(self.max_frame.val()));
        self.i_bt_over.d.next = self.i_desc.q.val().get_bits::<32>(0) >= self.k_bt_limit.val();
        self.code.next = 0.into();
        if self.i_bad_desc.q.val() {
            self.code.next = self.k_err_bad_desc.val();
        }
        if self.i_bt_over.q.val()
            | !self.entry.val().get_bit(0)
            | (self.entry.val().get_bits::<11>(1) != self.i_vi.q.val().get_bits::<11>(0))
        {
            self.code.next = self.k_err_bad_buffer.val();
        }
        self.code_r.d.next = self.code.val();
        self.code_use.next = self.code.val();
        if self.k_deep.val() {
            self.code_use.next = self.code_r.q.val();
        }
        // The slot's info word: VI [15:0], ring index [31:16], length [46:32], event wanted
        // [47], code [51:48], unrestricted [52].
        self.info_v.write_enable.next = false;
        self.info_d.write_enable.next = false;
        self.info_v.write_address.next = self.alloc.q.val().get_bits::<SB>(0);
        self.info_d.write_address.next = self.alloc.q.val().get_bits::<SB>(0);
        self.info_v.write_data.next = bit_cast::<64, 16>(self.i_vi.q.val())
            | (bit_cast::<64, 16>(self.i_idx.q.val()) << 16)
            | (bit_cast::<64, 15>(self.d_len.val().get_bits::<15>(0)) << 32)
            | (bit_cast::<64, 1>(self.i_desc.q.val().get_bit(63).into()) << 47)
            | (bit_cast::<64, 4>(self.code_use.val()) << 48)
            | (bit_cast::<64, 1>(self.i_unres.q.val().into()) << 52);
        self.info_d.write_data.next = self.info_v.write_data.val();
        if self.i_busy.q.val() {
            self.i_busy.d.next = false;
            if self.k_deep.val() {
                self.i_wait.d.next = true;
            } else {
                self.i_ready.d.next = true;
            }
        }
        if self.i_wait.q.val() {
            self.i_wait.d.next = false;
            self.i_ready.d.next = true;
        }
        if self.i_ready.q.val() {
            self.i_ready.d.next = false;
            self.info_v.write_enable.next = true;
            self.info_d.write_enable.next = true;
            self.alloc.d.next = self.alloc.q.val() + 1;
            if self.code_use.val() == 0 {
                self.rq_v.d.next = true;
                self.rq_addr_r.d.next = (self.entry.val() & self.k_page_mask.val())
                    + bit_cast::<64, 32>(self.d_off.val());
                self.rq_beats_r.d.next = self.d_beats.val().get_bits::<8>(0);
                self.rq_tag_r.d.next = self.alloc.q.val().get_bits::<SB>(0);
            } else {
                // Marked filled a cycle after its info word is written.
                self.err_v.d.next = true;
                self.err_slot.d.next = self.alloc.q.val().get_bits::<SB>(0);
                if self.code_use.val() == self.k_err_bad_buffer.val() {
                    self.c_bad_buffer.d.next = (self.c_bad_buffer.q.val() + 1) & self.k_cmask.val();
                } else {
                    self.c_bad_desc.d.next = (self.c_bad_desc.q.val() + 1) & self.k_cmask.val();
                }
            }
        }
        // Completions: the beats of one read arrive together and in order.
        self.data.write_enable.next = false;
        self.hdr.write_enable.next = false;
        self.data.write_address.next =
            (bit_cast::<DA, SB>(self.cpl_tag.val()) << 8) | bit_cast::<DA, 8>(self.cb.q.val());
        self.hdr.write_address.next = (bit_cast::<HA, SB>(self.cpl_tag.val()) << 4)
            | bit_cast::<HA, 4>(self.cb.q.val().get_bits::<4>(0));
        self.data.write_data.next = self.cpl_data.val();
        self.hdr.write_data.next = self.cpl_data.val();
        if self.cpl_valid.val() & !self.reset.val() & !self.draining.q.val() {
            self.data.write_enable.next = true;
            self.hdr.write_enable.next = self.cb.q.val() < 16;
            self.cb.d.next = self.cb.q.val() + 1;
            if self.cpl_last.val() {
                self.cb.d.next = 0.into();
                self.set_c.next = self.k_one16.val() << bit_cast::<NS, SB>(self.cpl_tag.val());
            }
        }
        // Check: feed each slot's header to the transmit filters, in order.
        self.v_valid.next = false;
        self.v_last.next = false;
        self.v_data.next = self.hdr.read_data.val();
        self.v_nbytes.next = 8.into();
        self.vinfo.next = self.info_v.read_data.val();
        self.vlen.next = bit_cast::<16, 15>(self.vinfo.val().get_bits::<15>(32));
        self.vnb.next = (self.vlen.val() + 7) >> 3;
        self.v_m1.next = self.vlen.val() - 1;
        if self.vnb.val() > 16 {
            self.vnb.next = 16.into();
        }
        self.vnb_m1.next = self.vnb.val() - 1;
        self.v_lastbeat.d.next = self.vnb_m1.val().get_bits::<4>(0);
        self.v_lastn.d.next = 8.into();
        if self.vlen.val() <= 128 {
            self.v_lastn.d.next = bit_cast::<4, 3>(self.v_m1.val().get_bits::<3>(0)) + 1;
        }
        self.vlast.next = self.va.q.val() == self.v_lastbeat.q.val();
        self.v_len.next = self.vlen.val();
        self.v_vi.next = self.vinfo.val().get_bits::<16>(0);
        // (A slot's info word was written at least two cycles before its filled bit is seen,
        // and the info RAM is addressed by the next `vp` (on the board by `vp`, with a cycle
        // in `Wait` after each move), so the word is there in `Look`;
        // the header's first beat is addressed in `Look` too.)
        match self.vstate.q.val() {
            CheckState::Wait => {
                self.vstate.d.next = CheckState::Look;
            }
            CheckState::Look => {
                self.va.d.next = 0.into();
                if (self.vp.q.val() != self.alloc.q.val())
                    & ((self.filled.q.val()
                        & (self.k_one16.val()
                            << bit_cast::<NS, SB>(self.vp.q.val().get_bits::<SB>(0))))
                        != 0)
                {
                    if self.vinfo.val().get_bits::<4>(48) != 0 {
                        // Refused at issue: nothing to check.
                        self.vp.d.next = self.vp.q.val() + 1;
                        if self.k_deep.val() {
                            self.vstate.d.next = CheckState::Wait;
                        }
                    } else {
                        self.vstate.d.next = CheckState::Stream;
                    }
                }
            }
            CheckState::Stream => {
                if !self.vlast.val() | !self.cls_busy.val() {
                    self.v_valid.next = true;
                    self.v_last.next = self.vlast.val();
                    if self.vlast.val() {
                        self.v_nbytes.next = self.v_lastn.q.val();
                        self.vp.d.next = self.vp.q.val() + 1;
                        self.vstate.d.next = CheckState::Look;
                        if self.k_deep.val() {
                            self.vstate.d.next = CheckState::Wait;
                        }
                    } else {
                        self.va.d.next = self.va.q.val() + 1;
                    }
                }
            }
        }
        // On the board the info RAM is read at the registered `vp`, so no decision reaches
        // its address: a slot's word is out a cycle after `vp` moves, and the check waits
        // that cycle in `Wait` (a frame's check takes one cycle more).
        self.info_v.read_address.next = self.vp.d.val().get_bits::<SB>(0);
        if self.k_deep.val() {
            self.info_v.read_address.next = self.vp.q.val().get_bits::<SB>(0);
        }
        self.hdr.read_address.next = (bit_cast::<HA, SB>(self.vp.q.val().get_bits::<SB>(0)) << 4)
            | bit_cast::<HA, 4>(self.va.d.val());
        // Verdict: each checked slot in order, with the filters' result for passing frames.
        self.res_pop.next = false;
        self.push_q.next = false;
        self.dinfo.next = self.info_d.read_data.val();
        self.push_info.next = self.dinfo.val();
        if (self.dp.q.val() != self.vp.q.val()) & !(self.q0_v.q.val() & self.q1_v.q.val()) {
            if self.dinfo.val().get_bits::<4>(48) != 0 {
                self.push_q.next = true;
            } else if !self.res_empty.val() {
                self.res_pop.next = true;
                self.push_q.next = true;
                if !self.dinfo.val().get_bit(52)
                    & (self.res_filter.val().get_bits::<15>(0)
                        == self.k_fnone.val().get_bits::<15>(0))
                {
                    self.push_info.next = (self.dinfo.val() & self.k_code_mask.val())
                        | (bit_cast::<64, 4>(self.k_err_spoofed.val()) << 48);
                    self.c_spoofed.d.next = (self.c_spoofed.q.val() + 1) & self.k_cmask.val();
                }
            }
        }
        if self.push_q.val() {
            self.dp.d.next = self.dp.q.val() + 1;
        }
        self.info_d.read_address.next = self.dp.d.val().get_bits::<SB>(0);
        // Send: the head of the send queue.
        self.pop_q.next = false;
        self.issue.next = false;
        self.onew.next = 0.into();
        self.h_len.next = bit_cast::<16, 15>(self.q0_info.q.val().get_bits::<15>(32));
        self.h_m1.next = self.h_len.val() - 1;
        self.h_n.next = bit_cast::<4, 3>(self.h_m1.val().get_bits::<3>(0)) + 1;
        self.data.read_address.next =
            (bit_cast::<DA, SB>(self.q0_slot.q.val()) << 8) | bit_cast::<DA, 8>(self.sb.q.val());
        self.rd_pend.d.next = false;
        // The beat queue's room for a read: `fcount + rd_pend < 3`.
        self.f_room.next =
            (self.fcount.q.val() < 2) | (!self.rd_pend.q.val() & (self.fcount.q.val() < 3));
        if self.k_deep.val() {
            // (`fcount + rd_pend + rs_v < 3`.)
            self.f_room.next = (self.fcount.q.val() < 1)
                | ((self.fcount.q.val() < 2) & !(self.rd_pend.q.val() & self.rs_v.q.val()))
                | ((self.fcount.q.val() < 3) & !self.rd_pend.q.val() & !self.rs_v.q.val());
        }
        if self.q0_v.q.val() {
            if self.q0_info.q.val().get_bits::<4>(48) != 0 {
                // Not sent: report the code.
                if self.oroom.val() {
                    self.pop_q.next = true;
                }
            } else if self.f_room.val()
                // Room in the beat queue for this read and those pending (`f_room`:
                // `fcount + rd_pend < 3`, written without the sum). A frame starts only when its
                // outcome can be reported at its last beat: the beats of a frame, once
                // begun, never wait (a gap would cut it on the wire).
                & (self.oroom.val() | (self.sb.q.val() != 0))
            {
                self.issue.next = true;
                self.rd_pend.d.next = true;
                self.rp_n.d.next = 8.into();
                self.rp_last.d.next = false;
                self.sb.d.next = self.sb.q.val() + 1;
                if self.sb.q.val() == self.q0_info.q.val().get_bits::<8>(56) {
                    self.rp_n.d.next = self.h_n.val();
                    self.rp_last.d.next = true;
                    self.sb.d.next = 0.into();
                    self.pop_q.next = true;
                }
            }
        }
        if self.pop_q.val() {
            self.onew.next = bit_cast::<53, 32>(self.q0_info.q.val().get_bits::<32>(0))
                | (bit_cast::<53, 16>(self.h_len.val()) << 32)
                | (bit_cast::<53, 4>(self.q0_info.q.val().get_bits::<4>(48)) << 48)
                | (bit_cast::<53, 1>(self.q0_info.q.val().get_bit(47).into()) << 52);
            self.fp.d.next = self.fp.q.val() + 1;
            self.clr.next = self.k_one16.val() << bit_cast::<NS, SB>(self.q0_slot.q.val());
        }
        // The send queue moves: pop the head, push behind the last. (An entry carries its
        // frame's last beat in bits 63..56, computed as it is pushed.)
        self.p_len.next = bit_cast::<16, 15>(self.push_info.val().get_bits::<15>(32));
        self.p_lastb.next = ((self.p_len.val() + 7) >> 3) - 1;
        self.push_qinfo.next = (self.push_info.val() & self.k_info_mask.val())
            | (bit_cast::<64, 8>(self.p_lastb.val().get_bits::<8>(0)) << 56);
        if self.pop_q.val() {
            self.q0_v.d.next = self.q1_v.q.val();
            self.q0_slot.d.next = self.q1_slot.q.val();
            self.q0_info.d.next = self.q1_info.q.val();
            self.q1_v.d.next = false;
            if self.push_q.val() {
                if self.q1_v.q.val() {
                    self.q1_v.d.next = true;
                    self.q1_slot.d.next = self.dp.q.val().get_bits::<SB>(0);
                    self.q1_info.d.next = self.push_qinfo.val();
                } else {
                    self.q0_v.d.next = true;
                    self.q0_slot.d.next = self.dp.q.val().get_bits::<SB>(0);
                    self.q0_info.d.next = self.push_qinfo.val();
                }
            }
        } else if self.push_q.val() {
            if self.q0_v.q.val() {
                self.q1_v.d.next = true;
                self.q1_slot.d.next = self.dp.q.val().get_bits::<SB>(0);
                self.q1_info.d.next = self.push_qinfo.val();
            } else {
                self.q0_v.d.next = true;
                self.q0_slot.d.next = self.dp.q.val().get_bits::<SB>(0);
                self.q0_info.d.next = self.push_qinfo.val();
            }
        }
        // The outcome queue: the engine takes the head, the send stage pushes behind.
        self.oidx.next = self.ocount.q.val();
        if self.dn_take.val() & (self.ocount.q.val() != 0) {
            self.oidx.next = self.ocount.q.val() - 1;
            self.o0.d.next = self.o1.q.val();
            self.o1.d.next = self.o2.q.val();
            self.o2.d.next = self.o3.q.val();
        }
        self.ocount.d.next = self.oidx.val();
        self.po_v.d.next = self.pop_q.val();
        self.po_new.d.next = self.onew.val();
        self.pw_v.next = self.pop_q.val();
        self.pw_new.next = self.onew.val();
        if self.k_deep.val() {
            self.pw_v.next = self.po_v.q.val();
            self.pw_new.next = self.po_new.q.val();
        }
        if self.pw_v.val() {
            self.ocount.d.next = self.oidx.val() + 1;
            if self.oidx.val() == 0 {
                self.o0.d.next = self.pw_new.val();
            }
            if self.oidx.val() == 1 {
                self.o1.d.next = self.pw_new.val();
            }
            if self.oidx.val() == 2 {
                self.o2.d.next = self.pw_new.val();
            }
            if self.oidx.val() == 3 {
                self.o3.d.next = self.pw_new.val();
            }
        }
        // The beat queue to the MAC.
        self.fpop.next = (self.fcount.q.val() != 0) & self.m_ready.val();
        self.fidx.next = self.fcount.q.val();
        if self.fpop.val() {
            self.fidx.next = self.fcount.q.val() - 1;
            self.f_rp.d.next = self.f_rp.q.val() + 1;
        }
        self.fnew.next = bit_cast::<69, 64>(self.data.read_data.val())
            | (bit_cast::<69, 4>(self.rp_n.q.val()) << 64)
            | (bit_cast::<69, 1>(self.rp_last.q.val().into()) << 68);
        self.rs_v.d.next = self.rd_pend.q.val();
        self.rs_data.d.next = self.fnew.val();
        self.fw_v.next = self.rd_pend.q.val();
        self.fw_new.next = self.fnew.val();
        if self.k_deep.val() {
            self.fw_v.next = self.rs_v.q.val();
            self.fw_new.next = self.rs_data.q.val();
        }
        self.fcount.d.next = self.fidx.val();
        if self.fw_v.val() {
            self.fcount.d.next = self.fidx.val() + 1;
            self.f_wp.d.next = self.f_wp.q.val() + 1;
            if self.f_wp.q.val() == 0 {
                self.f0.d.next = self.fw_new.val();
            }
            if self.f_wp.q.val() == 1 {
                self.f1.d.next = self.fw_new.val();
            }
            if self.f_wp.q.val() == 2 {
                self.f2.d.next = self.fw_new.val();
            }
            if self.f_wp.q.val() == 3 {
                self.f3.d.next = self.fw_new.val();
            }
        }
        self.m_valid.next = self.fcount.q.val() != 0;
        self.fhead.next = self.f0.q.val();
        if self.f_rp.q.val() == 1 {
            self.fhead.next = self.f1.q.val();
        }
        if self.f_rp.q.val() == 2 {
            self.fhead.next = self.f2.q.val();
        }
        if self.f_rp.q.val() == 3 {
            self.fhead.next = self.f3.q.val();
        }
        self.m_data.next = self.fhead.val().get_bits::<64>(0);
        self.m_nbytes.next = self.fhead.val().get_bits::<4>(64);
        self.m_last.next = self.fhead.val().get_bit(68);
        self.filled.d.next =
            (self.filled.q.val() | self.set_i.val() | self.set_c.val()) & !self.clr.val();
        if self.reset.val() {
            self.alloc.d.next = 0.into();
            self.i_busy.d.next = false;
            self.i_wait.d.next = false;
            self.i_ready.d.next = false;
            self.rq_v.d.next = false;
            self.cb.d.next = 0.into();
            self.filled.d.next = 0.into();
            self.vp.d.next = 0.into();
            self.vstate.d.next = CheckState::Wait;
            self.dp.d.next = 0.into();
            self.q0_v.d.next = false;
            self.q1_v.d.next = false;
            self.fp.d.next = 0.into();
            self.sb.d.next = 0.into();
            self.rd_pend.d.next = false;
            self.rs_v.d.next = false;
            self.fcount.d.next = 0.into();
            self.f_wp.d.next = 0.into();
            self.f_rp.d.next = 0.into();
            self.ocount.d.next = 0.into();
            self.c_spoofed.d.next = 0.into();
            self.c_bad_buffer.d.next = 0.into();
            self.c_bad_desc.d.next = 0.into();
            self.err_v.d.next = false;
            self.po_v.d.next = false;
            // Reads in flight drain before the next frame: those counted, and a held request
            // that the host may take in this very cycle (if it does not, the drain ends a
            // cycle later with nothing to wait for). The host's ready stays out of it.
            self.draining.d.next = (self.rd_out.q.val() != 0) | self.rq_v.q.val();
        }
        self.rd_valid.next = self.rq_v.q.val();
        self.rd_addr.next = self.rq_addr_r.q.val();
        self.rd_beats.next = self.rq_beats_r.q.val();
        self.rd_tag.next = self.rq_tag_r.q.val();
        self.dn_valid.next = self.ocount.q.val() != 0;
        self.dn_vi.next = self.o0.q.val().get_bits::<16>(0);
        self.dn_idx.next = self.o0.q.val().get_bits::<16>(16);
        self.dn_len.next = self.o0.q.val().get_bits::<16>(32);
        self.dn_code.next = self.o0.q.val().get_bits::<4>(48);
        self.dn_event.next = self.o0.q.val().get_bit(52);
        self.cnt_spoofed.next = self.c_spoofed.q.val();
        self.cnt_bad_buffer.next = self.c_bad_buffer.q.val();
        self.cnt_bad_desc.next = self.c_bad_desc.q.val();
        self.idle.next = (self.alloc.q.val() == self.fp.q.val())
            & !self.i_busy.q.val()
            & !self.i_wait.q.val()
            & !self.i_ready.q.val()
            & !self.rq_v.q.val()
            & (self.fcount.q.val() == 0)
            & !self.rd_pend.q.val()
            & !(self.k_deep.val() & self.rs_v.q.val())
            & !self.err_v.q.val()
            & !self.draining.q.val()
            & !(self.k_deep.val() & self.po_v.q.val())
            & (self.ocount.q.val() == 0);
        self.i_active.d.next = self.i_busy.d.val() | self.i_wait.d.val() | self.i_ready.d.val();
    }
}
