//! The device manager's part of the filters: compile, place and write them into the card's
//! classifier tables, and take them out again, while traffic runs.
//!
//! Order of writes, so that no frame is ever given to a filter that does not match it:
//! - a new masked-rule filter's literals are written into free slots first, then each term
//!   with its valid bit last (the card samples term valid bits when a frame's classification
//!   starts);
//! - a removed filter's terms are invalidated first; its literal slots are freed only after
//!   the writes have reached the card and two classification times have passed (the call
//!   waits that long);
//! - exact flows go into a two-bank cuckoo table; when a new flow has to move others, the
//!   moves run from the free end of the chain, each entry written to its new place before its
//!   old place is overwritten, so every flow is always findable.
//!
//! The same code keeps the transmit filters ([`FilterManager::new_tx`]): a second copy of
//! the tables at `regs::TX_FILTER_OFFSET` above the receive classifier's window, where an
//! entry lets out the frames of the VI it names that match it (priorities play no part).

use crate::device::Device;
use crate::manager::DriverError;
use arsenic_filters::dnf::LitKind;
use arsenic_filters::lower::{Base, Field};
use arsenic_filters::table::{Compiled, FlowKey};
use arsenic_filters::{FilterError, FilterSet, TableParams};
use arsenic_interface::classifier::{self as cls, flow_hash, ClassifierParams, FlowWords};
use arsenic_interface::regs;
use std::collections::{BTreeMap, VecDeque};

/// Moves a cuckoo insertion may make.
const MAX_MOVES: usize = 32;

/// Where an installed filter sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterInfo {
    pub id: u16,
    pub text: String,
    pub vi: u16,
    pub priority: u16,
    /// Literal slots, term slots.
    pub literals: Vec<usize>,
    pub terms: Vec<usize>,
    /// The exact flow and its slot.
    pub flow: Option<(FlowKey, Slot)>,
}

/// A slot of the flow table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub bank: usize,
    pub way: usize,
    pub index: usize,
}

impl Slot {
    fn cmd(&self) -> u32 {
        (self.way as u32) << 17 | (self.bank as u32) << 16 | self.index as u32
    }
}

#[derive(Debug, Clone, Copy)]
struct FlowSlot {
    key: FlowWords,
    vi: u16,
    fp: u32,
    id: u16,
}

/// The card's classifier tables as the device manager keeps them.
#[derive(Debug, Clone)]
pub struct FilterManager {
    params: ClassifierParams,
    /// Added to every table address: 0 for the receive classifier.
    window: u32,
    set: FilterSet,
    term_used: Vec<bool>,
    /// Flow slots by [bank][way][index].
    flows: [[Vec<Option<FlowSlot>>; 2]; 2],
    /// Literal slots: the test each holds and how many filters use it.
    lits: Vec<Option<((Field, LitKind), usize)>>,
    placed: BTreeMap<u16, FilterInfo>,
}

fn field_word(f: &Field, kind: LitKind) -> u32 {
    use cls::lit::*;
    let k = match (f, kind) {
        (Field::Len, _) => KIND_LEN,
        (_, LitKind::Oob) => KIND_OOB,
        _ => KIND_MATCH,
    };
    let w = match *f {
        Field::Window {
            base: Base::Frame,
            offset,
            size,
        } => {
            (offset as u32) << OFFSET_SHIFT | (size as u32) << SIZE_SHIFT | BASE_FRAME << BASE_SHIFT
        }
        Field::Window {
            base: Base::Ipv4Payload { depth },
            offset,
            size,
        } => {
            (offset as u32) << OFFSET_SHIFT
                | (size as u32) << SIZE_SHIFT
                | BASE_IPV4_PAYLOAD << BASE_SHIFT
                | (depth as u32) << DEPTH_SHIFT
        }
        Field::Len => 0,
    };
    w | k << KIND_SHIFT
}

impl FilterManager {
    /// Empty receive classifier tables of `params`; call [`clear`](Self::clear) once after
    /// the card's reset.
    pub fn new(params: ClassifierParams) -> Self {
        Self::in_window(params, 0)
    }

    /// Empty transmit filter tables of `params` (e.g. `ClassifierParams::TX_SIM`); call
    /// [`clear`](Self::clear) once after the card's reset.
    pub fn new_tx(params: ClassifierParams) -> Self {
        Self::in_window(params, regs::TX_FILTER_OFFSET)
    }

    fn in_window(params: ClassifierParams, window: u32) -> Self {
        // (No slots to keep, or to clear, without the exact-flow table.)
        let fb = if params.exact_flows {
            1usize << params.flow_bank_bits
        } else {
            0
        };
        FilterManager {
            params,
            window,
            set: FilterSet::new(TableParams {
                terms: params.terms,
                literals: usize::MAX / 2,
                flows: params.flows(),
            }),
            term_used: vec![false; params.terms],
            flows: std::array::from_fn(|_| std::array::from_fn(|_| vec![None; fb])),
            lits: vec![None; params.literals],
            placed: BTreeMap::new(),
        }
    }

    /// Writes every exact-flow slot empty (a reset clears the terms, not the flow table).
    pub fn clear<D: Device>(&mut self, dev: &mut D) {
        let fb = self.flows[0][0].len();
        for bank in 0..2 {
            for way in 0..2 {
                for index in 0..fb {
                    dev.write32(self.reg(cls::FLOW_CMD), Slot { bank, way, index }.cmd());
                    self.flows[bank][way][index] = None;
                }
            }
        }
        self.lits.fill(None);
        for t in 0..self.params.terms {
            dev.write32(self.reg(cls::TERM_BASE + 64 * t as u32 + 40), 0);
        }
        self.term_used.fill(false);
        self.placed.clear();
        self.set = FilterSet::new(TableParams {
            terms: self.params.terms,
            literals: usize::MAX / 2,
            flows: self.params.flows(),
        });
    }

    /// The table sizes.
    pub fn params(&self) -> ClassifierParams {
        self.params
    }

    /// The MMIO address, in this manager's window, of a table address of
    /// `arsenic_interface::classifier` (which gives the receive classifier's).
    fn reg(&self, offset: u32) -> u32 {
        self.window + offset
    }

    /// Compiles `text` and installs it for `vi` at `priority` (higher wins); returns the
    /// filter id the card's events will carry.
    pub fn install<D: Device>(
        &mut self,
        dev: &mut D,
        text: &str,
        vi: u16,
        priority: u16,
    ) -> Result<u16, DriverError> {
        let id = self.set.install(text, vi, priority)?;
        let compiled = self
            .set
            .list()
            .find(|(i, _)| *i == id)
            .map(|(_, f)| f.compiled.clone())
            .unwrap();
        let fp = (priority as u32) << 16 | id as u32;
        let mut info = FilterInfo {
            id,
            text: text.to_string(),
            vi,
            priority,
            literals: vec![],
            terms: vec![],
            flow: None,
        };
        match &compiled {
            Compiled::Flow(key) => match self.place_flow(
                dev,
                FlowSlot {
                    key: key.words(),
                    vi,
                    fp,
                    id,
                },
            ) {
                Some(slot) => info.flow = Some((*key, slot)),
                None => {
                    self.set.remove(id)?;
                    return Err(DriverError::Filter(FilterError::Full {
                        what: "exact-flow placements (cuckoo path too long)",
                        need: 1,
                        free: 0,
                    }));
                }
            },
            Compiled::Rules(terms) => {
                // Literals are shared between filters: only tests not yet in the table take
                // a slot.
                let atoms = compiled.atoms();
                let new: Vec<&(Field, LitKind)> = atoms
                    .iter()
                    .filter(|a| !self.lits.iter().flatten().any(|(t, _)| t == *a))
                    .collect();
                let free = self
                    .lits
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.is_none())
                    .count();
                if new.len() > free {
                    self.set.remove(id)?;
                    return Err(DriverError::Filter(FilterError::Full {
                        what: "literals",
                        need: new.len(),
                        free,
                    }));
                }
                let mut slot_of = BTreeMap::new();
                for atom @ (field, kind) in &atoms {
                    let s = match self
                        .lits
                        .iter()
                        .position(|l| l.as_ref().is_some_and(|(t, _)| t == atom))
                    {
                        Some(s) => s,
                        None => {
                            let s = (0..self.params.literals)
                                .find(|&i| self.lits[i].is_none())
                                .expect("counted above");
                            let (value, mask) = match kind {
                                LitKind::Match { value, mask } => (*value, *mask),
                                LitKind::Oob => (0, 0),
                            };
                            let base = self.reg(cls::LIT_BASE + 16 * s as u32);
                            dev.write32(base, field_word(field, *kind));
                            dev.write32(base + 4, value);
                            dev.write32(base + 8, mask);
                            self.lits[s] = Some((*atom, 0));
                            s
                        }
                    };
                    if let Some((_, users)) = self.lits[s].as_mut() {
                        *users += 1;
                    }
                    slot_of.insert(*atom, s);
                    info.literals.push(s);
                }
                for term in terms {
                    let t = self
                        .term_used
                        .iter()
                        .position(|u| !u)
                        .expect("counted by the filter set");
                    self.term_used[t] = true;
                    let (mut pos, mut neg) = (0u128, 0u128);
                    for l in term {
                        let bit = 1u128 << slot_of[&(l.field, l.kind)];
                        if l.positive {
                            pos |= bit
                        } else {
                            neg |= bit
                        }
                    }
                    let base = self.reg(cls::TERM_BASE + 64 * t as u32);
                    for w in 0..4 {
                        dev.write32(base + 4 * w, (pos >> (32 * w)) as u32);
                        dev.write32(base + 16 + 4 * w, (neg >> (32 * w)) as u32);
                    }
                    dev.write32(base + 32, fp);
                    dev.write32(base + 36, vi as u32);
                    dev.write32(base + 40, 1);
                    info.terms.push(t);
                }
            }
        }
        self.placed.insert(id, info);
        Ok(id)
    }

    /// Removes a filter; after it returns, the card classifies no more frames to it (frames
    /// it classified before, still in the receive buffer, arrive with its id).
    pub fn remove<D: Device>(&mut self, dev: &mut D, id: u16) -> Result<(), DriverError> {
        let info = self
            .placed
            .remove(&id)
            .ok_or(DriverError::Filter(FilterError::NoSuchFilter(id)))?;
        self.set.remove(id)?;
        for &t in &info.terms {
            dev.write32(self.reg(cls::TERM_BASE + 64 * t as u32 + 40), 0);
        }
        if let Some((_, slot)) = info.flow {
            dev.write32(self.reg(cls::FLOW_CMD), slot.cmd());
            self.flows[slot.bank][slot.way][slot.index] = None;
        }
        // Let the writes reach the card and classifications under way (which may still read
        // this filter's literals) finish before its slots can be reused.
        dev.read32(regs::ID);
        dev.wait(2 * self.params.latency() as u64);
        for &t in &info.terms {
            self.term_used[t] = false;
        }
        for &l in &info.literals {
            if let Some((_, users)) = self.lits[l].as_mut() {
                *users -= 1;
                if *users == 0 {
                    self.lits[l] = None;
                }
            }
        }
        Ok(())
    }

    /// The installed filters and the entries each uses.
    pub fn list(&self) -> impl Iterator<Item = &FilterInfo> {
        self.placed.values()
    }

    fn index(&self, key: &FlowWords, bank: usize) -> usize {
        flow_hash(key, bank) as usize & (self.flows[bank][0].len() - 1)
    }

    /// The four slots a key may sit in.
    fn candidates(&self, key: &FlowWords) -> [Slot; 4] {
        std::array::from_fn(|n| {
            let (bank, way) = (n / 2, n % 2);
            Slot {
                bank,
                way,
                index: self.index(key, bank),
            }
        })
    }

    fn at(&self, s: Slot) -> Option<FlowSlot> {
        self.flows[s.bank][s.way][s.index]
    }

    fn write_flow<D: Device>(&mut self, dev: &mut D, slot: Slot, e: FlowSlot) {
        for (w, v) in e.key.iter().enumerate() {
            dev.write32(self.reg(cls::FLOW_STAGE + 4 * w as u32), *v);
        }
        dev.write32(self.reg(cls::FLOW_STAGE + 4 * cls::flow::VI), e.vi as u32);
        dev.write32(self.reg(cls::FLOW_STAGE + 4 * cls::flow::FILTER), e.fp);
        dev.write32(self.reg(cls::FLOW_CMD), 1 << 31 | slot.cmd());
        self.flows[slot.bank][slot.way][slot.index] = Some(e);
        if let Some(info) = self.placed.get_mut(&e.id) {
            if let Some(f) = info.flow.as_mut() {
                f.1 = slot;
            }
        }
    }

    /// Places a flow, moving others along a shortest chain to a free slot if needed.
    fn place_flow<D: Device>(&mut self, dev: &mut D, new: FlowSlot) -> Option<Slot> {
        // Breadth-first over slots: from an occupied slot, the other slots of its entry.
        let mut prev: BTreeMap<Slot, Option<Slot>> = BTreeMap::new();
        let mut queue = VecDeque::new();
        for s in self.candidates(&new.key) {
            prev.entry(s).or_insert(None);
            queue.push_back((s, 0usize));
        }
        let mut free = None;
        while let Some((s, depth)) = queue.pop_front() {
            match self.at(s) {
                None => {
                    free = Some(s);
                    break;
                }
                Some(e) if depth < MAX_MOVES => {
                    for alt in self.candidates(&e.key) {
                        if let std::collections::btree_map::Entry::Vacant(v) = prev.entry(alt) {
                            v.insert(Some(s));
                            queue.push_back((alt, depth + 1));
                        }
                    }
                }
                _ => {}
            }
        }
        // Run the chain from its free end: each entry copied forward, then overwritten.
        let mut at = free?;
        while let Some(Some(from)) = prev.get(&at).copied() {
            let moving = self.at(from).expect("occupied on the chain");
            self.write_flow(dev, at, moving);
            at = from;
        }
        self.write_flow(dev, at, new);
        Some(at)
    }
}

impl From<FilterError> for DriverError {
    fn from(e: FilterError) -> Self {
        DriverError::Filter(e)
    }
}
