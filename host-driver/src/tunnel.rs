//! The driver's backend for a card reached through the host tunnel (a board without PCIe,
//! protocol in `arsenic_interface::tunnel`): a [`Device`] over any [`FrameLink`], so the
//! device manager and the user library run unchanged against a board.
//!
//! Register writes are posted and gathered into frames of up to [`tunnel::MAX_WORDS`]
//! commands; they leave before a read, before time passes and before interrupts are taken. A
//! register read waits for its READ_DATA, serving the card's DMA meanwhile. The card's DMA
//! writes land in [`HostMemory`]; its DMA reads are answered from it with COMPLETION commands
//! of up to [`tunnel::MAX_BEATS`] beats. A DMA outside host memory is counted: a read of it
//! is answered with zeros (the card needs its completion), a write of it is dropped.

use crate::device::Device;
use crate::memory::HostMemory;
use arsenic_interface::tunnel::{self, Command, Message, TunnelError};

/// An Ethernet link to the card's tunnel port.
pub trait FrameLink {
    /// Sends one frame (without FCS; the link pads it and appends the FCS).
    fn send(&mut self, frame: &[u8]);
    /// The next frame from the card, if one has arrived: with its FCS when
    /// [`fcs_included`](Self::fcs_included).
    fn recv(&mut self) -> Option<Vec<u8>>;
    /// Frames come with their FCS (a simulated wire); a PC's Ethernet port has checked and
    /// stripped it.
    fn fcs_included(&self) -> bool {
        true
    }
    /// Lets `cycles` of the card's clock pass.
    fn advance(&mut self, cycles: u64);
    /// The card's clock cycles so far.
    fn now(&self) -> u64;
}

/// What the backend counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TunnelStats {
    pub frames_sent: u64,
    pub frames_received: u64,
    /// Frames of other EtherTypes on the link, ignored.
    pub foreign: u64,
    /// Tunnel frames with a bad FCS or a malformed message, dropped.
    pub bad: u64,
    pub reads: u64,
    /// Register reads that got no answer within the timeout (read as all ones).
    pub read_timeouts: u64,
    pub dma_write_beats: u64,
    pub dma_read_beats: u64,
    /// DMA outside host memory.
    pub dma_faults: u64,
    pub interrupts: u64,
}

/// A card behind the tunnel.
pub struct TunnelDevice<L: FrameLink> {
    link: L,
    mem: HostMemory,
    host: [u8; 6],
    pending: Vec<Command>,
    irqs: Vec<u16>,
    seq: u8,
    answer: Option<(u8, u32)>,
    /// Cycles a register read may take before it counts as lost.
    pub read_timeout: u64,
    /// Cycles between looks at the link while waiting.
    pub poll_cycles: u64,
    pub stats: TunnelStats,
    /// The last bad frame's error, for diagnosis.
    pub last_error: Option<TunnelError>,
}

impl<L: FrameLink> TunnelDevice<L> {
    /// The card behind `link`, its DMA served from `mem`; `host` is this end's address.
    pub fn new(link: L, mem: HostMemory, host: [u8; 6]) -> Self {
        TunnelDevice {
            link,
            mem,
            host,
            pending: Vec::new(),
            irqs: Vec::new(),
            seq: 0,
            answer: None,
            read_timeout: 1_000_000,
            poll_cycles: 8,
            stats: TunnelStats::default(),
            last_error: None,
        }
    }

    /// The link, for what the backend does not carry (the network port of a simulation).
    pub fn link(&mut self) -> &mut L {
        &mut self.link
    }

    fn queue(&mut self, c: Command) {
        let used: usize = self.pending.iter().map(Command::words).sum();
        if used + c.words() > tunnel::MAX_WORDS {
            self.flush();
        }
        self.pending.push(c);
    }

    /// Sends the gathered commands.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let f = tunnel::host_frame(tunnel::CARD_MAC, self.host, &self.pending);
        self.pending.clear();
        self.link.send(&f);
        self.stats.frames_sent += 1;
    }

    /// Handles every frame that has arrived from the card.
    pub fn service(&mut self) {
        let mut answered = false;
        let with_fcs = self.link.fcs_included();
        while let Some(f) = self.link.recv() {
            self.stats.frames_received += 1;
            match tunnel::parse_card_frame_from(&f, with_fcs) {
                Err(TunnelError::NotTunnel) => self.stats.foreign += 1,
                Err(e) => {
                    self.stats.bad += 1;
                    self.last_error = Some(e);
                }
                Ok((_, m)) => answered |= self.handle(m),
            }
        }
        if answered {
            self.flush();
        }
    }

    /// Carries out one message; true when it queued completions.
    fn handle(&mut self, m: Message) -> bool {
        match m {
            Message::ReadData { seq, value } => self.answer = Some((seq, value)),
            Message::DmaWrite {
                addr,
                first_strobe,
                last_strobe,
                data,
            } => {
                let n = data.len();
                for (i, d) in data.into_iter().enumerate() {
                    let strobe = Message::strobe(first_strobe, last_strobe, i, n);
                    self.stats.dma_write_beats += 1;
                    if self.mem.write_beat(addr + 8 * i as u64, d, strobe).is_err() {
                        self.stats.dma_faults += 1;
                    }
                }
            }
            Message::DmaRead { tag, addr, beats } => {
                let beats = beats as usize;
                self.stats.dma_read_beats += beats as u64;
                let words: Vec<u64> = match self.mem.slice(addr, beats * 8) {
                    Ok(b) => b
                        .chunks_exact(8)
                        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                        .collect(),
                    Err(_) => {
                        self.stats.dma_faults += 1;
                        vec![0; beats]
                    }
                };
                let chunks: Vec<&[u64]> = words.chunks(tunnel::MAX_BEATS).collect();
                let last_i = chunks.len() - 1;
                for (i, c) in chunks.into_iter().enumerate() {
                    self.queue(Command::Completion {
                        tag,
                        last: i == last_i,
                        data: c.to_vec(),
                    });
                }
                return true;
            }
            Message::Interrupt { mask } => {
                for v in 0..64u16 {
                    if mask >> v & 1 == 1 {
                        self.irqs.push(v);
                        self.stats.interrupts += 1;
                    }
                }
            }
        }
        false
    }

    fn step(&mut self, cycles: u64) {
        self.link.advance(cycles);
        self.service();
    }
}

impl<L: FrameLink> Device for TunnelDevice<L> {
    fn write32(&mut self, offset: u32, value: u32) {
        self.queue(Command::Write { offset, value });
    }

    fn read32(&mut self, offset: u32) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        self.stats.reads += 1;
        self.answer = None;
        self.queue(Command::Read { offset, seq });
        self.flush();
        let start = self.link.now();
        loop {
            if let Some((s, v)) = self.answer.take() {
                if s == seq {
                    return v;
                }
            }
            if self.link.now() - start > self.read_timeout {
                self.stats.read_timeouts += 1;
                return u32::MAX;
            }
            self.step(self.poll_cycles);
        }
    }

    fn mem(&mut self) -> &mut HostMemory {
        &mut self.mem
    }

    fn now(&self) -> u64 {
        self.link.now()
    }

    fn wait(&mut self, cycles: u64) {
        self.flush();
        let end = self.link.now() + cycles;
        while self.link.now() < end {
            let n = (end - self.link.now()).min(self.poll_cycles);
            self.step(n);
        }
    }

    fn take_interrupts(&mut self) -> Vec<u16> {
        self.flush();
        self.service();
        std::mem::take(&mut self.irqs)
    }
}
