//! Receive-descriptor fetch: keeps the descriptors the host posted on card, ahead of need.
//!
//! The host's doorbell (`host_prod`, a free-running 16-bit producer index) says how many
//! descriptors it has posted. This block reads them from the ring in host memory with DMA
//! reads of up to `DESC_FETCH_MAX` descriptors, using up to four tags at once, never crossing
//! the ring's end and never fetching more than its cache (indexed by ring index) can hold.
//! Completions may come back in any order between tags (in order within one): each tag
//! remembers where its next descriptor goes. The consumer sees the descriptor at its consumer
//! index (`desc_valid`, `desc_addr`, `desc_index`) and takes it.

use arsenic_interface::params::{DESC_CACHE_BITS, DESC_FETCH_MAX, DMA_TAG_BITS};
use arsenic_interface::rxdesc;
use rust_hdl::prelude::*;

const C: usize = DESC_CACHE_BITS;
const T: usize = DMA_TAG_BITS;
const NT: usize = 1 << DMA_TAG_BITS;

#[derive(LogicBlock)]
pub struct DescFetch {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Ring configuration and the host's doorbell.
    pub ring_base: Signal<In, Bits<64>>,
    pub ring_size_log2: Signal<In, Bits<4>>,
    pub host_prod: Signal<In, Bits<16>>,
    // DMA read requests.
    pub rd_valid: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<64>>,
    pub rd_beats: Signal<Out, Bits<4>>,
    pub rd_tag: Signal<Out, Bits<T>>,
    pub rd_ready: Signal<In, Bit>,
    // DMA read completions.
    pub cpl_valid: Signal<In, Bit>,
    pub cpl_tag: Signal<In, Bits<T>>,
    pub cpl_data: Signal<In, Bits<64>>,
    pub cpl_last: Signal<In, Bit>,
    // The consumer.
    pub desc_valid: Signal<Out, Bit>,
    pub desc_addr: Signal<Out, Bits<64>>,
    pub desc_index: Signal<Out, Bits<16>>,
    pub take: Signal<In, Bit>,
    /// The host has posted nothing beyond what was consumed.
    pub posted_none: Signal<Out, Bit>,
    /// No read is outstanding.
    pub idle: Signal<Out, Bit>,
    cache: RAM<Bits<64>, C>,
    fetch_idx: DFF<Bits<16>>,
    cons: DFF<Bits<16>>,
    valid: DFF<Bits<{ 1 << C }>>,
    busy: DFF<Bits<NT>>,
    stale: DFF<Bits<NT>>,
    tag_slot: [DFF<Bits<C>>; NT],
    wv: DFF<Bit>,
    wslot: DFF<Bits<C>>,
    mask: Signal<Local, Bits<16>>,
    n: Signal<Local, Bits<16>>,
    room: Signal<Local, Bits<16>>,
    to_end: Signal<Local, Bits<16>>,
    avail: Signal<Local, Bits<16>>,
    free_tag: Signal<Local, Bits<T>>,
    have_tag: Signal<Local, Bit>,
    cpl_slot: Signal<Local, Bits<C>>,
    valid_next: Signal<Local, Bits<{ 1 << C }>>,
    busy_next: Signal<Local, Bits<NT>>,
    k_one: Constant<Bits<16>>,
    k_fetch_max: Constant<Bits<16>>,
    k_cache_size: Constant<Bits<16>>,
    k_desc_shift: Constant<Bits<64>>,
}

impl Default for DescFetch {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            ring_base: Default::default(),
            ring_size_log2: Default::default(),
            host_prod: Default::default(),
            rd_valid: Default::default(),
            rd_addr: Default::default(),
            rd_beats: Default::default(),
            rd_tag: Default::default(),
            rd_ready: Default::default(),
            cpl_valid: Default::default(),
            cpl_tag: Default::default(),
            cpl_data: Default::default(),
            cpl_last: Default::default(),
            desc_valid: Default::default(),
            desc_addr: Default::default(),
            desc_index: Default::default(),
            take: Default::default(),
            posted_none: Default::default(),
            idle: Default::default(),
            cache: Default::default(),
            fetch_idx: Default::default(),
            cons: Default::default(),
            valid: Default::default(),
            busy: Default::default(),
            stale: Default::default(),
            tag_slot: Default::default(),
            wv: Default::default(),
            wslot: Default::default(),
            mask: Default::default(),
            n: Default::default(),
            room: Default::default(),
            to_end: Default::default(),
            avail: Default::default(),
            free_tag: Default::default(),
            have_tag: Default::default(),
            cpl_slot: Default::default(),
            valid_next: Default::default(),
            busy_next: Default::default(),
            k_one: Constant::new(1u64.into()),
            k_fetch_max: Constant::new((DESC_FETCH_MAX as u64).into()),
            k_cache_size: Constant::new(((1u64) << C).into()),
            k_desc_shift: Constant::new((rxdesc::SIZE_LOG2 as u64).into()),
        }
    }
}

impl Logic for DescFetch {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, fetch_idx, cons, valid, busy, stale, wv, wslot);
        for i in 0..NT {
            self.tag_slot[i].clock.next = self.clock.val();
            self.tag_slot[i].d.next = self.tag_slot[i].q.val();
        }
        self.cache.read_clock.next = self.clock.val();
        self.cache.write_clock.next = self.clock.val();
        // How many descriptors the next read may fetch.
        self.mask.next = (self.k_one.val() << bit_cast::<16, 4>(self.ring_size_log2.val())) - 1;
        self.avail.next = self.host_prod.val() - self.fetch_idx.q.val();
        self.room.next = self.k_cache_size.val() - (self.fetch_idx.q.val() - self.cons.q.val());
        self.to_end.next = self.mask.val() + 1 - (self.fetch_idx.q.val() & self.mask.val());
        self.n.next = self.k_fetch_max.val();
        if self.avail.val() < self.n.val() {
            self.n.next = self.avail.val();
        }
        if self.room.val() < self.n.val() {
            self.n.next = self.room.val();
        }
        if self.to_end.val() < self.n.val() {
            self.n.next = self.to_end.val();
        }
        self.have_tag.next = false;
        self.free_tag.next = 0.into();
        for i in 0..NT {
            if !self.busy.q.val().get_bit(i) & !self.have_tag.val() {
                self.have_tag.next = true;
                self.free_tag.next = i.to_bits();
            }
        }
        self.rd_valid.next = (self.n.val() != 0)
            & self.have_tag.val()
            & (self.ring_size_log2.val() != 0)
            & !self.reset.val();
        self.rd_addr.next = self.ring_base.val()
            + (bit_cast::<64, 16>(self.fetch_idx.q.val() & self.mask.val())
                << self.k_desc_shift.val());
        self.rd_beats.next = self.n.val().get_bits::<4>(0);
        self.rd_tag.next = self.free_tag.val();
        self.busy_next.next = self.busy.q.val();
        if self.rd_valid.val() & self.rd_ready.val() {
            self.fetch_idx.d.next = self.fetch_idx.q.val() + self.n.val();
            self.busy_next.next = self
                .busy_next
                .val()
                .replace_bit(self.free_tag.val().index(), true);
            for i in 0..NT {
                if self.free_tag.val().index() == i {
                    self.tag_slot[i].d.next = self.fetch_idx.q.val().get_bits::<C>(0);
                }
            }
        }
        // Completions: each tag's beats fill consecutive slots.
        self.cpl_slot.next = 0.into();
        for i in 0..NT {
            if self.cpl_tag.val().index() == i {
                self.cpl_slot.next = self.tag_slot[i].q.val();
                if self.cpl_valid.val() {
                    self.tag_slot[i].d.next = self.tag_slot[i].q.val() + 1;
                }
            }
        }
        self.cache.write_address.next = self.cpl_slot.val();
        self.cache.write_data.next = self.cpl_data.val();
        self.cache.write_enable.next = false;
        self.wv.d.next = false;
        self.wslot.d.next = self.cpl_slot.val();
        if self.cpl_valid.val() {
            if !self.stale.q.val().get_bit(self.cpl_tag.val().index()) {
                self.cache.write_enable.next = true;
                self.wv.d.next = true;
            }
            if self.cpl_last.val() {
                self.busy_next.next = self
                    .busy_next
                    .val()
                    .replace_bit(self.cpl_tag.val().index(), false);
                self.stale.d.next = self
                    .stale
                    .q
                    .val()
                    .replace_bit(self.cpl_tag.val().index(), false);
            }
        }
        self.busy.d.next = self.busy_next.val();
        // A slot becomes valid the cycle after its write, when the RAM's read port shows it.
        self.valid_next.next = self.valid.q.val();
        if self.wv.q.val() {
            self.valid_next.next = self
                .valid_next
                .val()
                .replace_bit(self.wslot.q.val().index(), true);
        }
        // The consumer.
        self.desc_valid.next = self
            .valid
            .q
            .val()
            .get_bit(self.cons.q.val().get_bits::<C>(0).index());
        self.desc_addr.next = self.cache.read_data.val();
        self.desc_index.next = self.cons.q.val();
        self.cache.read_address.next = self.cons.q.val().get_bits::<C>(0);
        if self.take.val() & self.desc_valid.val() {
            self.valid_next.next = self
                .valid_next
                .val()
                .replace_bit(self.cons.q.val().get_bits::<C>(0).index(), false);
            self.cons.d.next = self.cons.q.val() + 1;
            self.cache.read_address.next = bit_cast::<C, 16>(self.cons.q.val() + 1);
        }
        self.valid.d.next = self.valid_next.val();
        self.posted_none.next = self.host_prod.val() == self.cons.q.val();
        self.idle.next = self.busy.q.val() == 0;
        if self.reset.val() {
            self.fetch_idx.d.next = 0.into();
            self.cons.d.next = 0.into();
            self.valid.d.next = 0.into();
            self.stale.d.next = self.busy.q.val();
        }
    }
}
