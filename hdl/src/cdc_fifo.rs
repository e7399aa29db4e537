//! The receive crossings' asynchronous FIFO: 64 entries of 10 bits between two clocks.
//!
//! Each side counts its pointer in binary and keeps its Gray code in a register of its own
//! (one bit changes per step), which the other side samples through two flip-flops; the
//! sampled Gray code is turned back into binary and registered. Every flag a side acts on is
//! therefore a compare of registers in its own clock:
//!
//! - the reader is empty while its pointer equals the writer's pointer as synchronized (which
//!   lags the writer by two to four read cycles, so an entry is read only after it was
//!   written);
//! - the writer's fill is the difference of its pointer and the reader's as synchronized,
//!   registered: it lags by a write (and the reader's pointer by a few cycles, which only
//!   overstates the fill). A writer checks room against it with the margin it needs.
//!
//! Reads show the entry ahead (`data_out` is the oldest entry while not `empty`; `read` takes
//! it). The entries live in a RAM read every cycle at the pointer the reader will have next.
//! The reader keeps its pointer plus one and its empty flag in registers, both computed a
//! cycle ahead, so that a read decides the next pointer with a choice of two registers.

use rust_hdl::prelude::*;

/// Entries of the FIFO.
pub type Entry = Bits<10>;
/// Pointer width: 64 entries and one bit more to tell full from empty.
const P: usize = 7;

#[derive(LogicBlock)]
pub struct CdcFifo {
    // Write side.
    pub write_clock: Signal<In, Clock>,
    pub write: Signal<In, Bit>,
    pub data_in: Signal<In, Entry>,
    /// Entries in the FIFO as the writer sees them: at most one write late, and never fewer
    /// than there are.
    pub write_fill: Signal<Out, Bits<P>>,
    // Read side.
    pub read_clock: Signal<In, Clock>,
    pub read: Signal<In, Bit>,
    pub data_out: Signal<Out, Entry>,
    pub empty: Signal<Out, Bit>,
    /// Entries the reader sees (registered: a cycle late).
    pub read_fill: Signal<Out, Bits<P>>,
    ram: RAM<Entry, 6>,
    w_bin: DFF<Bits<P>>,
    w_gray: DFF<Bits<P>>,
    w_next: Signal<Local, Bits<P>>,
    // The reader's Gray pointer in the write clock: two synchronizing stages, then binary.
    rg_s1: DFF<Bits<P>>,
    rg_s2: DFF<Bits<P>>,
    r_in_w: DFF<Bits<P>>,
    w_fill: DFF<Bits<P>>,
    r_bin: DFF<Bits<P>>,
    r_gray: DFF<Bits<P>>,
    r_next: Signal<Local, Bits<P>>,
    // `r_bin + 1`, and `r_bin` not equal to the writer's pointer as synchronized: registers.
    r_bin1: DFFWithInit<Bits<P>>,
    r_nempty: DFF<Bit>,
    r_take: Signal<Local, Bit>,
    // The writer's Gray pointer in the read clock.
    wg_s1: DFF<Bits<P>>,
    wg_s2: DFF<Bits<P>>,
    w_in_r: DFF<Bits<P>>,
    r_fill: DFF<Bits<P>>,
    r_empty: Signal<Local, Bit>,
}

impl Default for CdcFifo {
    fn default() -> Self {
        Self {
            write_clock: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            write_fill: Default::default(),
            read_clock: Default::default(),
            read: Default::default(),
            data_out: Default::default(),
            empty: Default::default(),
            read_fill: Default::default(),
            ram: Default::default(),
            w_bin: Default::default(),
            w_gray: Default::default(),
            w_next: Default::default(),
            rg_s1: Default::default(),
            rg_s2: Default::default(),
            r_in_w: Default::default(),
            w_fill: Default::default(),
            r_bin: Default::default(),
            r_gray: Default::default(),
            r_next: Default::default(),
            r_bin1: DFFWithInit::new(1u64.into()),
            r_nempty: Default::default(),
            r_take: Default::default(),
            wg_s1: Default::default(),
            wg_s2: Default::default(),
            w_in_r: Default::default(),
            r_fill: Default::default(),
            r_empty: Default::default(),
        }
    }
}

impl Logic for CdcFifo {
    #[hdl_gen]
    fn update(&mut self) {
        // Write side.
        dff_setup!(
            self,
            write_clock,
            w_bin,
            w_gray,
            rg_s1,
            rg_s2,
            r_in_w,
            w_fill
        );
        self.ram.write_clock.next = self.write_clock.val();
        self.ram.write_address.next = self.w_bin.q.val().get_bits::<6>(0);
        self.ram.write_data.next = self.data_in.val();
        self.ram.write_enable.next = self.write.val();
        self.w_next.next = self.w_bin.q.val();
        if self.write.val() {
            self.w_next.next = self.w_bin.q.val() + 1;
        }
        self.w_bin.d.next = self.w_next.val();
        self.w_gray.d.next = self.w_next.val() ^ (self.w_next.val() >> 1);
        self.rg_s1.d.next = self.r_gray.q.val();
        self.rg_s2.d.next = self.rg_s1.q.val();
        self.r_in_w.d.next = self.rg_s2.q.val()
            ^ (self.rg_s2.q.val() >> 1)
            ^ (self.rg_s2.q.val() >> 2)
            ^ (self.rg_s2.q.val() >> 3)
            ^ (self.rg_s2.q.val() >> 4)
            ^ (self.rg_s2.q.val() >> 5)
            ^ (self.rg_s2.q.val() >> 6);
        self.w_fill.d.next = self.w_bin.q.val() - self.r_in_w.q.val();
        self.write_fill.next = self.w_fill.q.val();
        // Read side.
        dff_setup!(self, read_clock, r_bin, r_gray, wg_s1, wg_s2, w_in_r, r_fill, r_bin1, r_nempty);
        self.ram.read_clock.next = self.read_clock.val();
        self.r_empty.next = !self.r_nempty.q.val();
        self.r_take.next = self.read.val() & !self.r_empty.val();
        self.r_next.next = self.r_bin.q.val();
        if self.r_take.val() {
            self.r_next.next = self.r_bin1.q.val();
            self.r_bin1.d.next = self.r_bin1.q.val() + 1;
        }
        self.r_bin.d.next = self.r_next.val();
        self.r_gray.d.next = self.r_next.val() ^ (self.r_next.val() >> 1);
        self.ram.read_address.next = self.r_next.val().get_bits::<6>(0);
        self.data_out.next = self.ram.read_data.val();
        self.empty.next = self.r_empty.val();
        self.wg_s1.d.next = self.w_gray.q.val();
        self.wg_s2.d.next = self.wg_s1.q.val();
        self.w_in_r.d.next = self.wg_s2.q.val()
            ^ (self.wg_s2.q.val() >> 1)
            ^ (self.wg_s2.q.val() >> 2)
            ^ (self.wg_s2.q.val() >> 3)
            ^ (self.wg_s2.q.val() >> 4)
            ^ (self.wg_s2.q.val() >> 5)
            ^ (self.wg_s2.q.val() >> 6);
        // Empty next cycle: the next pointer against the writer's as it will be registered.
        self.r_nempty.d.next = self.r_bin.q.val() != self.w_in_r.d.val();
        if self.r_take.val() {
            self.r_nempty.d.next = self.r_bin1.q.val() != self.w_in_r.d.val();
        }
        self.r_fill.d.next = self.w_in_r.q.val() - self.r_bin.q.val();
        self.read_fill.next = self.r_fill.q.val();
    }
}
