//! Receive-descriptor fetch and translation: reads the descriptors a VI posted from its ring
//! in host memory and translates each through the buffer table before it goes on card.
//!
//! The VI engine hands over one read at a time (`fi_*`: the VI, where in its ring, how many,
//! which cache slot the first lands in, the VI's buffer-table range and buffer size). This
//! block gives it a DMA tag and issues it; completions may come back in any order between
//! tags (in order within one). Each completion beat is one descriptor: the buffer table (block
//! RAM, written only from the control page) is read at the descriptor's buffer id, its entry
//! registered while the id's range and the offset are checked, and two cycles after the beat
//! the translated bus address, or an error code, is written into the VI's slot of the
//! engine's descriptor cache:
//!
//! - `BAD_BUFFER`: the id is outside the VI's range, or the entry maps nothing, or another
//!   VI owns it;
//! - `BAD_OFFSET`: the offset is not a multiple of 8, or the VI's buffer size does not fit in
//!   the page from there.
//!
//! When a read's last descriptor is written, the engine is told (`fd_*`); the tag is free
//! again when the engine has taken that. A soft reset forgets reads in flight: their
//! completions are dropped.

use crate::table_ram::TableRam;
use crate::vi_engine::CACHE_W;
use arsenic_interface::event::error;
use arsenic_interface::params::{DESC_PER_VI_BITS, PAGE_SIZE, RX_TAG_BITS};
use arsenic_interface::regs::buftbl;
use arsenic_interface::rxdesc::OFFSET_SHIFT;
use rust_hdl::prelude::*;

const T: usize = RX_TAG_BITS;
const NT: usize = 1 << RX_TAG_BITS;
// A completion's tag chooses its read's VI and slot through a tree of 2:1 multiplexers
// written out for eight tags.
const _: () = assert!(RX_TAG_BITS == 3);

/// `VB`: log2 of the VIs; `CB`: the descriptor cache's address bits; `BB`: log2 of the
/// buffer table's entries.
#[derive(LogicBlock)]
pub struct DescFetch<const VB: usize, const CB: usize, const BB: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Reads to issue, from the VI engine.
    pub fi_valid: Signal<In, Bit>,
    pub fi_vi: Signal<In, Bits<16>>,
    pub fi_addr: Signal<In, Bits<64>>,
    pub fi_n: Signal<In, Bits<5>>,
    pub fi_slot: Signal<In, Bits<CB>>,
    pub fi_first: Signal<In, Bits<32>>,
    pub fi_count: Signal<In, Bits<32>>,
    pub fi_buf_size: Signal<In, Bits<16>>,
    pub fi_take: Signal<Out, Bit>,
    // DMA read requests.
    pub rd_valid: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<64>>,
    pub rd_beats: Signal<Out, Bits<5>>,
    pub rd_tag: Signal<Out, Bits<T>>,
    pub rd_ready: Signal<In, Bit>,
    // DMA read completions.
    pub cpl_valid: Signal<In, Bit>,
    pub cpl_tag: Signal<In, Bits<T>>,
    pub cpl_data: Signal<In, Bits<64>>,
    pub cpl_last: Signal<In, Bit>,
    // Buffer-table writes from the control page.
    pub bt_we: Signal<In, Bit>,
    pub bt_addr: Signal<In, Bits<BB>>,
    pub bt_data: Signal<In, Bits<64>>,
    // Translated descriptors into the engine's cache.
    pub cw_en: Signal<Out, Bit>,
    pub cw_addr: Signal<Out, Bits<CB>>,
    pub cw_data: Signal<Out, Bits<CACHE_W>>,
    // Reads that landed.
    pub fd_valid: Signal<Out, Bit>,
    pub fd_vi: Signal<Out, Bits<16>>,
    pub fd_take: Signal<In, Bit>,
    /// No read is in flight or waiting.
    pub idle: Signal<Out, Bit>,
    /// The buffer table: a beat's entry reaches the `q` stage through its register.
    bt: TableRam<BB>,
    rq_v: DFF<Bit>,
    rq_addr: DFF<Bits<64>>,
    rq_beats: DFF<Bits<5>>,
    rq_tag: DFF<Bits<T>>,
    busy: DFF<Bits<NT>>,
    // The free tag, chosen a cycle ahead from the tags that will be busy without this
    // cycle's take (a take blocks the next cycle's take: the request register is full).
    // `ft_none`: no tag is free (0 at power-up, when every tag is).
    ft_none: DFF<Bit>,
    ft_tag: DFF<Bits<T>>,
    inflight: DFF<Bits<NT>>,
    stale: DFF<Bits<NT>>,
    done: DFF<Bits<NT>>,
    t_vi: [DFF<Bits<16>>; NT],
    t_slot: [DFF<Bits<CB>>; NT],
    // Each tag's buffer-table range and buffer size, {size, count, first}: written when the
    // tag is given out, read at the tag's completion beats (the RAM's output register is
    // the translation stage's).
    t_info: RAM<Bits<80>, T>,
    p_v: DFF<Bit>,
    p_stale: DFF<Bit>,
    p_last: DFF<Bit>,
    p_tag: DFF<Bits<T>>,
    p_slot: DFF<Bits<CB>>,
    p_vi: DFF<Bits<16>>,
    // The tag's VI and slot: the tree's first level (by tag bit 0) and second (bit 1).
    vi_m: [Signal<Local, Bits<16>>; 4],
    vi_n: [Signal<Local, Bits<16>>; 2],
    sl_m: [Signal<Local, Bits<CB>>; 4],
    sl_n: [Signal<Local, Bits<CB>>; 2],
    p_id: DFF<Bits<32>>,
    p_off: DFF<Bits<16>>,
    // Check stage: the buffer-table entry registered out of block RAM, the range and
    // offset checks done a cycle ahead.
    q_v: DFF<Bit>,
    q_stale: DFF<Bit>,
    q_last: DFF<Bit>,
    q_tag: DFF<Bits<T>>,
    q_slot: DFF<Bits<CB>>,
    q_vi: DFF<Bits<16>>,
    q_off: DFF<Bits<16>>,
    q_range_bad: DFF<Bit>,
    q_off_bad: DFF<Bit>,
    // Write stage: the translated descriptor registered before it leaves for the VI
    // engine's cache (a 64-bit sum and the checks stay inside the block), with the beat's
    // flags; a landed read is told from here, once its last descriptor is written.
    r_v: DFF<Bit>,
    r_stale: DFF<Bit>,
    r_last: DFF<Bit>,
    r_tag: DFF<Bits<T>>,
    r_en: DFF<Bit>,
    r_addr: DFF<Bits<CB>>,
    r_data: DFF<Bits<CACHE_W>>,
    p_first: Signal<Local, Bits<32>>,
    p_count: Signal<Local, Bits<32>>,
    p_bsize: Signal<Local, Bits<16>>,
    free_tag: Signal<Local, Bits<T>>,
    have_tag: Signal<Local, Bit>,
    done_tag: Signal<Local, Bits<T>>,
    have_done: Signal<Local, Bit>,
    // The landed read told: one flag per tag (the first tag done), so that its VI is an OR of
    // the one chosen rather than a multiplexer on the encoded tag.
    done_first: [Signal<Local, Bit>; NT],
    done_vi: Signal<Local, Bits<16>>,
    // The landed read offered to the engine, registered: after a take the engine spends at
    // least a cycle outside its idle phase, so the offer may lag the take by that cycle.
    fd_v_r: DFF<Bit>,
    fd_tag_r: DFF<Bits<T>>,
    fd_vi_r: DFF<Bits<16>>,
    busy_next: Signal<Local, Bits<NT>>,
    // `busy_next` without this cycle's take: what the next free tag is chosen from.
    kept_next: Signal<Local, Bits<NT>>,
    next_have: Signal<Local, Bit>,
    // The reads in flight after this cycle's last beat, before its take.
    infl_kept: Signal<Local, Bits<NT>>,
    next_tag: Signal<Local, Bits<T>>,
    inflight_next: Signal<Local, Bits<NT>>,
    done_next: Signal<Local, Bits<NT>>,
    err: Signal<Local, Bits<2>>,
    owned: Signal<Local, Bit>,
    k_low: Constant<Bits<CB>>,
    k_bt_n: Constant<Bits<32>>,
    k_page: Constant<Bits<32>>,
    k_page_mask: Constant<Bits<64>>,
    k_owner_mask: Constant<Bits<16>>,
    k_bad_buffer: Constant<Bits<2>>,
    k_bad_offset: Constant<Bits<2>>,
}

impl<const VB: usize, const CB: usize, const BB: usize> Default for DescFetch<VB, CB, BB> {
    fn default() -> Self {
        assert_eq!(CB, VB + DESC_PER_VI_BITS);
        assert_eq!(OFFSET_SHIFT, 32);
        assert_eq!((buftbl::OWNER_SHIFT, buftbl::VALID), (1, 1));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            fi_valid: Default::default(),
            fi_vi: Default::default(),
            fi_addr: Default::default(),
            fi_n: Default::default(),
            fi_slot: Default::default(),
            fi_first: Default::default(),
            fi_count: Default::default(),
            fi_buf_size: Default::default(),
            fi_take: Default::default(),
            rd_valid: Default::default(),
            rd_addr: Default::default(),
            rd_beats: Default::default(),
            rd_tag: Default::default(),
            rd_ready: Default::default(),
            cpl_valid: Default::default(),
            cpl_tag: Default::default(),
            cpl_data: Default::default(),
            cpl_last: Default::default(),
            bt_we: Default::default(),
            bt_addr: Default::default(),
            bt_data: Default::default(),
            cw_en: Default::default(),
            cw_addr: Default::default(),
            cw_data: Default::default(),
            fd_valid: Default::default(),
            fd_vi: Default::default(),
            fd_take: Default::default(),
            idle: Default::default(),
            bt: Default::default(),
            rq_v: Default::default(),
            rq_addr: Default::default(),
            rq_beats: Default::default(),
            rq_tag: Default::default(),
            busy: Default::default(),
            ft_none: Default::default(),
            ft_tag: Default::default(),
            inflight: Default::default(),
            stale: Default::default(),
            done: Default::default(),
            t_vi: Default::default(),
            t_slot: Default::default(),
            t_info: Default::default(),
            p_v: Default::default(),
            p_stale: Default::default(),
            p_last: Default::default(),
            p_tag: Default::default(),
            p_slot: Default::default(),
            p_vi: Default::default(),
            vi_m: Default::default(),
            vi_n: Default::default(),
            sl_m: Default::default(),
            sl_n: Default::default(),
            p_id: Default::default(),
            p_off: Default::default(),
            q_v: Default::default(),
            q_stale: Default::default(),
            q_last: Default::default(),
            q_tag: Default::default(),
            q_slot: Default::default(),
            q_vi: Default::default(),
            q_off: Default::default(),
            q_range_bad: Default::default(),
            q_off_bad: Default::default(),
            r_v: Default::default(),
            r_stale: Default::default(),
            r_last: Default::default(),
            r_tag: Default::default(),
            r_en: Default::default(),
            r_addr: Default::default(),
            r_data: Default::default(),
            p_first: Default::default(),
            p_count: Default::default(),
            p_bsize: Default::default(),
            free_tag: Default::default(),
            have_tag: Default::default(),
            done_tag: Default::default(),
            have_done: Default::default(),
            done_first: Default::default(),
            done_vi: Default::default(),
            fd_v_r: Default::default(),
            fd_tag_r: Default::default(),
            fd_vi_r: Default::default(),
            busy_next: Default::default(),
            kept_next: Default::default(),
            next_have: Default::default(),
            infl_kept: Default::default(),
            next_tag: Default::default(),
            inflight_next: Default::default(),
            done_next: Default::default(),
            err: Default::default(),
            owned: Default::default(),
            k_low: Constant::new(((1u64 << DESC_PER_VI_BITS) - 1).into()),
            k_bt_n: Constant::new((1u64 << BB).into()),
            k_page: Constant::new(PAGE_SIZE.into()),
            k_page_mask: Constant::new((!(PAGE_SIZE - 1)).into()),
            k_owner_mask: Constant::new(((1u64 << buftbl::OWNER_BITS) - 1).into()),
            k_bad_buffer: Constant::new((error::BAD_BUFFER as u64).into()),
            k_bad_offset: Constant::new((error::BAD_OFFSET as u64).into()),
        }
    }
}

impl<const VB: usize, const CB: usize, const BB: usize> Logic for DescFetch<VB, CB, BB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rq_v, rq_addr, rq_beats, rq_tag, busy, inflight, stale, done, p_v,
            p_stale, p_last, p_tag, p_slot, p_vi, p_id, p_off
        );
        dff_setup!(self, clock, q_v, q_stale, q_last, q_tag, q_slot, q_vi, q_off);
        dff_setup!(self, clock, r_v, r_stale, r_last, r_tag, r_en, r_addr, r_data);
        dff_setup!(self, clock, fd_v_r, fd_tag_r, fd_vi_r);
        dff_setup!(self, clock, q_range_bad, q_off_bad, ft_none, ft_tag);
        for i in 0..NT {
            self.t_vi[i].clock.next = self.clock.val();
            self.t_vi[i].d.next = self.t_vi[i].q.val();
            self.t_slot[i].clock.next = self.clock.val();
            self.t_slot[i].d.next = self.t_slot[i].q.val();
        }
        self.t_info.read_clock.next = self.clock.val();
        self.t_info.write_clock.next = self.clock.val();
        self.t_info.write_enable.next = false;
        self.t_info.read_address.next = self.cpl_tag.val();
        self.bt.clock.next = self.clock.val();
        self.bt.write_enable.next = self.bt_we.val();
        self.bt.write_address.next = self.bt_addr.val();
        self.bt.write_data.next = self.bt_data.val();
        self.busy_next.next = self.busy.q.val();
        self.kept_next.next = self.busy.q.val();
        // A read's last beat ends it (its tag was taken earlier, never in this cycle's take).
        self.infl_kept.next = self.inflight.q.val();
        if self.cpl_valid.val() & self.cpl_last.val() {
            self.infl_kept.next = self
                .inflight
                .q
                .val()
                .replace_bit(self.cpl_tag.val().index(), false);
        }
        self.inflight_next.next = self.infl_kept.val();
        self.done_next.next = self.done.q.val();
        // Take a read from the engine when a tag is free and the request register is empty.
        self.have_tag.next = !self.ft_none.q.val();
        self.free_tag.next = self.ft_tag.q.val();
        self.fi_take.next = false;
        self.t_info.write_address.next = self.free_tag.val();
        self.t_info.write_data.next = bit_cast::<80, 32>(self.fi_first.val())
            | (bit_cast::<80, 32>(self.fi_count.val()) << 32)
            | (bit_cast::<80, 16>(self.fi_buf_size.val()) << 64);
        if self.rq_v.q.val() & self.rd_ready.val() {
            self.rq_v.d.next = false;
        }
        if self.fi_valid.val() & self.have_tag.val() & !self.rq_v.q.val() & !self.reset.val() {
            self.fi_take.next = true;
            self.t_info.write_enable.next = true;
            self.rq_v.d.next = true;
            self.rq_addr.d.next = self.fi_addr.val();
            self.rq_beats.d.next = self.fi_n.val();
            self.rq_tag.d.next = self.free_tag.val();
            self.busy_next.next = self
                .busy_next
                .val()
                .replace_bit(self.free_tag.val().index(), true);
            self.inflight_next.next = self
                .inflight_next
                .val()
                .replace_bit(self.free_tag.val().index(), true);
            for i in 0..NT {
                if self.free_tag.val().index() == i {
                    self.t_vi[i].d.next = self.fi_vi.val();
                    self.t_slot[i].d.next = self.fi_slot.val();
                }
            }
        }
        self.rd_valid.next = self.rq_v.q.val();
        self.rd_addr.next = self.rq_addr.q.val();
        self.rd_beats.next = self.rq_beats.q.val();
        self.rd_tag.next = self.rq_tag.q.val();
        // Completion beat: look the buffer id up; each tag's beats fill consecutive slots of
        // its VI.
        self.bt.read_address.next = self.cpl_data.val().get_bits::<BB>(0);
        self.p_v.d.next = self.cpl_valid.val();
        self.p_stale.d.next = self.stale.q.val().get_bit(self.cpl_tag.val().index());
        self.p_last.d.next = self.cpl_last.val();
        self.p_tag.d.next = self.cpl_tag.val();
        self.p_id.d.next = self.cpl_data.val().get_bits::<32>(0);
        self.p_off.d.next = self.cpl_data.val().get_bits::<16>(32);
        // (The tag's slot and VI are loaded every cycle, read only with `p_v`: the beat's
        // valid reaches the tag's next slot alone, not the choice among the tags.)
        for i in 0..4 {
            self.vi_m[i].next = self.t_vi[2 * i].q.val();
            self.sl_m[i].next = self.t_slot[2 * i].q.val();
            if self.cpl_tag.val().get_bit(0) {
                self.vi_m[i].next = self.t_vi[2 * i + 1].q.val();
                self.sl_m[i].next = self.t_slot[2 * i + 1].q.val();
            }
        }
        for i in 0..2 {
            self.vi_n[i].next = self.vi_m[2 * i].val();
            self.sl_n[i].next = self.sl_m[2 * i].val();
            if self.cpl_tag.val().get_bit(1) {
                self.vi_n[i].next = self.vi_m[2 * i + 1].val();
                self.sl_n[i].next = self.sl_m[2 * i + 1].val();
            }
        }
        self.p_vi.d.next = self.vi_n[0].val();
        self.p_slot.d.next = self.sl_n[0].val();
        if self.cpl_tag.val().get_bit(2) {
            self.p_vi.d.next = self.vi_n[1].val();
            self.p_slot.d.next = self.sl_n[1].val();
        }
        for i in 0..NT {
            if self.cpl_valid.val() & (self.cpl_tag.val().index() == i) {
                self.t_slot[i].d.next = (self.t_slot[i].q.val() & !self.k_low.val())
                    | ((self.t_slot[i].q.val() + 1) & self.k_low.val());
            }
        }
        // Check a beat: its range and offset (from the read's information), while the
        // buffer table is read.
        self.p_first.next = self.t_info.read_data.val().get_bits::<32>(0);
        self.p_count.next = self.t_info.read_data.val().get_bits::<32>(32);
        self.p_bsize.next = self.t_info.read_data.val().get_bits::<16>(64);
        self.q_v.d.next = self.p_v.q.val();
        self.q_stale.d.next = self.p_stale.q.val();
        self.q_last.d.next = self.p_last.q.val();
        self.q_tag.d.next = self.p_tag.q.val();
        self.q_slot.d.next = self.p_slot.q.val();
        self.q_vi.d.next = self.p_vi.q.val();
        self.q_off.d.next = self.p_off.q.val();
        self.q_range_bad.d.next = ((self.p_id.q.val() - self.p_first.val()) >= self.p_count.val())
            | (self.p_id.q.val() >= self.k_bt_n.val());
        self.q_off_bad.d.next = (self.p_off.q.val().get_bits::<3>(0) != 0)
            | ((bit_cast::<32, 16>(self.p_off.q.val()) + bit_cast::<32, 16>(self.p_bsize.val()))
                > self.k_page.val());
        // Translate it into the VI's slot (only for a beat: the simulation skips the work
        // otherwise).
        self.owned.next = false;
        self.err.next = 0.into();
        self.r_v.d.next = self.q_v.q.val();
        self.r_stale.d.next = self.q_stale.q.val();
        self.r_last.d.next = self.q_last.q.val();
        self.r_tag.d.next = self.q_tag.q.val();
        self.r_en.d.next = false;
        self.r_addr.d.next = self.q_slot.q.val();
        self.r_data.d.next = 0.into();
        if self.q_v.q.val() {
            self.owned.next = self.bt.entry.val().get_bit(0)
                & ((self.bt.entry.val().get_bits::<16>(1) & self.k_owner_mask.val())
                    == self.q_vi.q.val());
            self.err.next = 0.into();
            if self.q_range_bad.q.val() | !self.owned.val() {
                self.err.next = self.k_bad_buffer.val();
            } else if self.q_off_bad.q.val() {
                self.err.next = self.k_bad_offset.val();
            }
            self.r_en.d.next = !self.q_stale.q.val();
            self.r_data.d.next = bit_cast::<CACHE_W, 64>(
                (self.bt.entry.val() & self.k_page_mask.val())
                    + bit_cast::<64, 16>(self.q_off.q.val()),
            ) | (bit_cast::<CACHE_W, 2>(self.err.val()) << 64);
        }
        self.cw_en.next = self.r_en.q.val();
        self.cw_addr.next = self.r_addr.q.val();
        self.cw_data.next = self.r_data.q.val();
        if self.r_v.q.val() & self.r_last.q.val() {
            if self.r_stale.q.val() {
                self.busy_next.next = self
                    .busy_next
                    .val()
                    .replace_bit(self.r_tag.q.val().index(), false);
                self.kept_next.next = self
                    .kept_next
                    .val()
                    .replace_bit(self.r_tag.q.val().index(), false);
                self.stale.d.next = self
                    .stale
                    .q
                    .val()
                    .replace_bit(self.r_tag.q.val().index(), false);
            } else {
                self.done_next.next = self
                    .done_next
                    .val()
                    .replace_bit(self.r_tag.q.val().index(), true);
            }
        }
        // Tell the engine, one landed read at a time; the tag is free once it has taken it.
        self.have_done.next = false;
        self.done_tag.next = 0.into();
        self.done_vi.next = 0.into();
        for i in 0..NT {
            self.done_first[i].next = self.done.q.val().get_bit(i) & !self.have_done.val();
            if self.done_first[i].val() {
                self.have_done.next = true;
                self.done_tag.next = i.to_bits();
                self.done_vi.next = self.done_vi.val() | self.t_vi[i].q.val();
            }
        }
        self.fd_vi_r.d.next = self.done_vi.val();
        self.fd_v_r.d.next = self.have_done.val() & !self.reset.val();
        self.fd_tag_r.d.next = self.done_tag.val();
        self.fd_valid.next = self.fd_v_r.q.val();
        self.fd_vi.next = self.fd_vi_r.q.val();
        if self.fd_take.val() & self.fd_v_r.q.val() {
            self.done_next.next = self
                .done_next
                .val()
                .replace_bit(self.fd_tag_r.q.val().index(), false);
            self.busy_next.next = self
                .busy_next
                .val()
                .replace_bit(self.fd_tag_r.q.val().index(), false);
            self.kept_next.next = self
                .kept_next
                .val()
                .replace_bit(self.fd_tag_r.q.val().index(), false);
        }
        self.busy.d.next = self.busy_next.val();
        self.inflight.d.next = self.inflight_next.val();
        self.done.d.next = self.done_next.val();
        self.idle.next = (self.busy.q.val() == 0) & !self.rq_v.q.val();
        if self.reset.val() {
            // Reads in flight (or still to be issued) finish unseen; reads landed but not yet
            // told are forgotten.
            // (A read whose last beat arrives in this very cycle is over: its tag is free.)
            self.busy.d.next = self.inflight_next.val();
            // (No take in reset: the reads in flight. A read whose last beat arrives in this
            // cycle still counts for the next free tag, which it frees a cycle later: a
            // completion's last beat reaches the busy set, not the choice of tag.)
            self.kept_next.next = self.inflight.q.val();
            self.stale.d.next = self.inflight_next.val();
            self.done.d.next = 0.into();
            self.p_v.d.next = false;
            self.q_v.d.next = false;
            self.r_v.d.next = false;
            self.r_en.d.next = false;
        }
        self.next_have.next = false;
        self.next_tag.next = 0.into();
        for i in 0..NT {
            if !self.kept_next.val().get_bit(i) & !self.next_have.val() {
                self.next_have.next = true;
                self.next_tag.next = i.to_bits();
            }
        }
        self.ft_none.d.next = !self.next_have.val();
        self.ft_tag.d.next = self.next_tag.val();
    }
}
