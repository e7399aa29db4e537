//! The occupancy of a queue whose tail is written a cycle after the decision to push: a count
//! and a not-empty flag, both registers, so that a reader decides on a flag instead of a
//! compare of head and tail. The transmit and VI engines keep their fetch queues' occupancy
//! with it.

use rust_hdl::prelude::*;

/// Width of the count.
pub const COUNT_BITS: usize = 16;

#[derive(LogicBlock, Default)]
pub struct QueueOccupancy {
    pub clock: Signal<In, Clock>,
    /// An entry is written this cycle; it counts from the next cycle (when the tail it moved
    /// is registered).
    pub push: Signal<In, Bit>,
    /// The head entry is taken this cycle; it counts from the cycle after next, like a push,
    /// so that the reader's choice to take it does not reach the count. (Both engines spend
    /// at least a cycle outside their idle phase after a take, so the flag is right again
    /// when they next read it.)
    pub pop: Signal<In, Bit>,
    /// Empties the queue (with its pointers).
    pub clear: Signal<In, Bit>,
    /// The queue holds an entry.
    pub nonempty: Signal<Out, Bit>,
    tail_adv: DFF<Bit>,
    head_adv: DFF<Bit>,
    cnt: DFF<Bits<COUNT_BITS>>,
    ne: DFF<Bit>,
}

impl Logic for QueueOccupancy {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, tail_adv, head_adv, cnt, ne);
        self.tail_adv.d.next = self.push.val() & !self.clear.val();
        self.head_adv.d.next = self.pop.val() & !self.clear.val();
        if self.tail_adv.q.val() & !self.head_adv.q.val() {
            self.cnt.d.next = self.cnt.q.val() + 1;
            self.ne.d.next = true;
        }
        if self.head_adv.q.val() & !self.tail_adv.q.val() {
            self.cnt.d.next = self.cnt.q.val() - 1;
            self.ne.d.next = self.cnt.q.val() != 1;
        }
        if self.clear.val() {
            self.cnt.d.next = 0.into();
            self.ne.d.next = false;
        }
        self.nonempty.next = self.ne.q.val();
    }
}
