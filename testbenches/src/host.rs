//! The simulated host: the device manager with the OS path (VI 0) and one user process per
//! other VI, each using only the user-level library, run deterministically in one process.

use arsenic_host::{
    Counters, Device, DeviceManager, DriverError, QueueConfig, RxFrame, UserVi, ViConfig, ViEvent,
    ViStats,
};
use std::collections::BTreeMap;

/// A refused descriptor or doorbell, as a VI's event queue reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorEvent {
    pub vi: u16,
    pub code: u8,
    pub index: u16,
}

/// The device manager and the user processes.
#[derive(Debug)]
pub struct Host {
    pub dm: DeviceManager,
    /// The user processes' VIs, by number.
    pub vis: BTreeMap<u16, UserVi>,
    /// Error events the user processes have read.
    pub errors: Vec<ErrorEvent>,
    scratch: Vec<ViEvent>,
}

impl Host {
    /// Opens the OS path with `queue`, creates each VI of `vis` (0 excluded) with `vi_cfg` and
    /// posts its buffers.
    pub fn open<D: Device>(
        dev: &mut D,
        queue: QueueConfig,
        vi_cfg: &ViConfig,
        vis: impl IntoIterator<Item = u16>,
    ) -> Result<Host, DriverError> {
        Self::open_each(dev, queue, &|_| vi_cfg.clone(), vis)
    }

    /// [`open`](Self::open) with a configuration per VI.
    pub fn open_each<D: Device>(
        dev: &mut D,
        queue: QueueConfig,
        vi_cfg: &dyn Fn(u16) -> ViConfig,
        vis: impl IntoIterator<Item = u16>,
    ) -> Result<Host, DriverError> {
        let mut dm = DeviceManager::open_default_queue(dev, queue)?;
        let mut map = BTreeMap::new();
        for v in vis {
            if v == 0 || map.contains_key(&v) {
                continue;
            }
            let mut u = dm.create_vi_at(dev, v, vi_cfg(v))?;
            u.refill(dev, true)?;
            map.insert(v, u);
        }
        for u in map.values() {
            u.wait_prefetched(dev, 100_000);
        }
        Ok(Host {
            dm,
            vis: map,
            errors: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Polls the OS path and every user VI; frames go to `out` (OS first, then by VI).
    pub fn poll<D: Device>(
        &mut self,
        dev: &mut D,
        out: &mut Vec<RxFrame>,
    ) -> Result<usize, DriverError> {
        let mut n = self.dm.poll(dev, out)?;
        for (&vi, u) in self.vis.iter_mut() {
            self.scratch.clear();
            n += u.poll(dev, &mut self.scratch)?;
            for e in self.scratch.drain(..) {
                match e {
                    ViEvent::Rx(f) => out.push(f),
                    ViEvent::Error { code, index } => {
                        self.errors.push(ErrorEvent { vi, code, index })
                    }
                }
            }
        }
        Ok(n)
    }

    /// Every VI's counters, the OS path's included.
    pub fn vi_stats<D: Device>(&mut self, dev: &mut D) -> BTreeMap<u16, ViStats> {
        let mut m = BTreeMap::new();
        m.insert(0, self.dm.os_vi().stats(dev));
        for (&v, u) in &self.vis {
            m.insert(v, u.stats(dev));
        }
        m
    }

    /// The card-wide counters.
    pub fn counters<D: Device>(dev: &mut D) -> Counters {
        DeviceManager::counters(dev)
    }
}
