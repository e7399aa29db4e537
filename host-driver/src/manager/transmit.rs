//! The device manager's transmit controls: schedules, disabling, transmit filters and
//! transmit counters. Creating a VI sets its transmit up (in the parent module).

use super::{DeviceManager, DriverError, TxCounters};
use crate::device::Device;
use crate::filters::FilterInfo;
use crate::schedule::{TxRegs, TxSchedule};
use crate::vi::{DoorbellPage, TxViStats};
use arsenic_interface::eth;
use arsenic_interface::params;
use arsenic_interface::regs::{self, status, tx_cmd, vi_cmd, TxCounter};

impl DeviceManager {
    /// The card's largest frame (FCS included), as `probe` set it.
    pub(super) fn max_frame<D: Device>(dev: &mut D) -> Result<u32, DriverError> {
        let m = dev.read32(regs::MAX_FRAME);
        if m < eth::MIN_FRAME as u32 {
            return Err(DriverError::BadConfig(format!(
                "the card's MAX_FRAME reads {m}: probe the card first"
            )));
        }
        Ok(m)
    }

    /// Runs a transmit command on `vi`, staging the schedule's registers first if given.
    pub(super) fn tx_command<D: Device>(
        dev: &mut D,
        op: u32,
        vi: u16,
        sched: Option<TxRegs>,
    ) -> Result<(), DriverError> {
        if let Some(r) = sched {
            for (reg, v) in [
                (regs::TX_QUANTUM, r.quantum),
                (regs::TX_RATE, r.rate),
                (regs::TX_BURST, r.burst),
                (regs::TX_FLAGS, r.flags),
            ] {
                dev.write32(reg, v);
            }
        }
        // `SETUP` is refused as busy while a descriptor read or frames of the VI's last life
        // are still on their way: retry for a while.
        let mut tries = 0;
        loop {
            dev.write32(regs::TX_CMD, tx_cmd::word(op, vi));
            let status = dev.read32(regs::TX_CMD_STATUS);
            if status == vi_cmd::STATUS_OK {
                return Ok(());
            }
            if status != vi_cmd::STATUS_BUSY || tries >= 10_000 {
                return Err(DriverError::TxCommand { op, vi, status });
            }
            tries += 1;
            dev.wait(16);
        }
    }

    /// Waits until every transmit descriptor `vi` started is finished and no descriptor
    /// read of it is in flight (after `DISABLE`, nothing of it is then left to read).
    pub(super) fn wait_tx_quiet<D: Device>(dev: &mut D, vi: u16) -> Result<(), DriverError> {
        let page = DoorbellPage::new(vi);
        let start = dev.now();
        loop {
            let started = page.read(dev, crate::vi::DbReg::TxStarted) & 0xFFFF;
            let done = page.read(dev, crate::vi::DbReg::TxDone) & 0xFFFF;
            let status = page.read(dev, crate::vi::DbReg::TxStatus);
            if started == done && status & regs::db::TX_STATUS_FETCHING == 0 {
                return Ok(());
            }
            if dev.now() - start > 1_000_000 {
                return Err(DriverError::ResetTimeout(1_000_000));
            }
            dev.wait(64);
        }
    }

    /// Changes a VI's transmit schedule while it runs (quantum, shaping, and whether it is
    /// held to its transmit filters), from its next frame.
    pub fn set_tx_schedule<D: Device>(
        &mut self,
        dev: &mut D,
        vi: u16,
        sched: &TxSchedule,
    ) -> Result<(), DriverError> {
        if !self.vis.contains_key(&vi) {
            return Err(DriverError::NoSuchVi(vi));
        }
        let staged = sched.registers(Self::max_frame(dev)?)?;
        Self::tx_command(dev, tx_cmd::SCHEDULE, vi, Some(staged))?;
        if let Some(r) = self.vis.get_mut(&vi) {
            r.tx = *sched;
        }
        Ok(())
    }

    /// The transmit schedule in force for `vi`.
    pub fn tx_schedule(&self, vi: u16) -> Option<TxSchedule> {
        self.vis.get(&vi).map(|r| r.tx)
    }

    /// Stops a VI's transmit: the card takes no more of its transmit doorbells and drops
    /// (and counts) the descriptors it holds. Its receive goes on.
    pub fn disable_tx<D: Device>(&mut self, dev: &mut D, vi: u16) -> Result<(), DriverError> {
        if !self.vis.contains_key(&vi) {
            return Err(DriverError::NoSuchVi(vi));
        }
        Self::tx_command(dev, tx_cmd::DISABLE, vi, None)
    }

    /// Installs a transmit filter for `vi`: if `vi` is restricted, it may send the frames
    /// one of its transmit filters matches, and no others. Returns the filter's id (its own
    /// numbering, apart from the receive filters'). A filter the card cannot express, or
    /// that does not fit the tables, is refused with the filter compiler's reason.
    pub fn install_tx_filter<D: Device>(
        &mut self,
        dev: &mut D,
        vi: u16,
        expr: &str,
    ) -> Result<u16, DriverError> {
        if !self.vis.contains_key(&vi) {
            return Err(DriverError::NoSuchVi(vi));
        }
        self.tx_filters.install(dev, expr, vi, 0)
    }

    /// Removes a transmit filter; when this returns the card lets out no more frames by it.
    pub fn remove_tx_filter<D: Device>(&mut self, dev: &mut D, id: u16) -> Result<(), DriverError> {
        self.tx_filters.remove(dev, id)
    }

    /// The transmit filters installed, and the table entries each uses.
    pub fn tx_filters(&self) -> impl Iterator<Item = &FilterInfo> {
        self.tx_filters.list()
    }

    /// Queues frames on the OS path's transmit, as
    /// [`UserVi::transmit`](crate::UserVi::transmit) does; returns how many.
    pub fn transmit<D: Device, F: AsRef<[u8]>>(
        &mut self,
        dev: &mut D,
        frames: &[F],
    ) -> Result<usize, DriverError> {
        self.os.transmit(dev, frames)
    }

    /// True when nothing is queued, in flight or on the wire on the card's transmit path.
    pub fn tx_idle<D: Device>(dev: &mut D) -> bool {
        dev.read32(regs::STATUS) & status::TX_IDLE != 0
    }

    /// Reads every card-wide transmit counter.
    pub fn tx_counters<D: Device>(dev: &mut D) -> TxCounters {
        TxCounter::ALL
            .iter()
            .map(|&k| (k, dev.read32(k.offset()) as u64))
            .collect()
    }

    /// Reads VI `vi`'s transmit counters from its doorbell page.
    pub fn vi_tx_counters<D: Device>(dev: &mut D, vi: u16) -> Result<TxViStats, DriverError> {
        if vi as usize >= params::VI_COUNT {
            return Err(DriverError::NoSuchVi(vi));
        }
        Ok(DoorbellPage::new(vi).tx_stats(dev))
    }
}
