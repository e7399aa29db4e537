//! A VI's transmit schedule as the device manager programs it (`TX_QUANTUM`, `TX_RATE`,
//! `TX_BURST`, `TX_FLAGS`; see `arsenic_interface::regs`).
//!
//! The card shares the wire between active VIs by deficit round robin: each round a VI may
//! send `quantum` bytes, so its share of the wire is its quantum's share of the active VIs'
//! quanta. A shaped VI is also held to a token bucket: over any window of `t` cycles it sends
//! at most `rate * t + burst` bytes (each frame counted padded, with its FCS).

use crate::manager::DriverError;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{tx_flags, tx_rate};

/// The quantum of weight 1: one largest standard frame and some, so that a VI of weight 1
/// sends at least one frame a round.
pub const QUANTUM_UNIT: u16 = 1536;

/// Largest relative error accepted between a shaping rate and the rate the card is given
/// (`TX_RATE` has a 16-bit mantissa: at most 2^-15 for rates up to 4 bytes a cycle, growing
/// for faster ones; 2^-10 holds up to 128 bytes a cycle, past any link).
pub const RATE_TOLERANCE: f64 = 1.0 / 1024.0;

/// The most the card's shaper charges for one descriptor: its length, at least 60 and at
/// most 2048, plus the FCS (`hdl/src/tx_engine.rs`).
pub const MAX_CHARGE: u32 = 2048 + 4;

/// A token bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shaping {
    /// Sustained rate in bytes per card clock cycle, a frame counting as on the wire: padded
    /// to 60 bytes, with its 4-byte FCS (preamble and gap not counted).
    pub bytes_per_cycle: f64,
    /// Bytes (counted the same way) the VI may send at once above the sustained rate: at
    /// least one largest frame (`MAX_FRAME`).
    pub burst_bytes: u32,
}

impl Shaping {
    /// A rate in bits per second at the card clock of `speed`.
    pub fn from_bits_per_second(bits_per_second: f64, speed: Speed, burst_bytes: u32) -> Self {
        Shaping {
            bytes_per_cycle: bits_per_second / 8.0 / speed.clock_hz() as f64,
            burst_bytes,
        }
    }
}

/// How the card schedules a VI's transmit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TxSchedule {
    /// Deficit-round-robin quantum in bytes (1..=65535).
    pub quantum: u16,
    /// A token bucket the VI is held to, if any.
    pub shaping: Option<Shaping>,
    /// Frames skip the transmit filters (the OS path's setting). A restricted VI sends only
    /// frames one of its own transmit filters matches.
    pub unrestricted: bool,
}

impl Default for TxSchedule {
    /// Weight 1, unshaped, restricted.
    fn default() -> Self {
        TxSchedule {
            quantum: QUANTUM_UNIT,
            shaping: None,
            unrestricted: false,
        }
    }
}

/// The registers a schedule is staged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxRegs {
    pub quantum: u32,
    pub rate: u32,
    pub burst: u32,
    pub flags: u32,
}

impl TxSchedule {
    /// Unshaped and restricted, with `weight` times [`QUANTUM_UNIT`] (1..=42) as quantum.
    pub fn weighted(weight: u16) -> Result<Self, DriverError> {
        let quantum = weight
            .checked_mul(QUANTUM_UNIT)
            .filter(|&q| q > 0)
            .ok_or_else(|| {
                DriverError::BadSchedule(format!(
                    "weight {weight}: the quantum ({QUANTUM_UNIT} bytes a weight) must be \
                     1..=65535 bytes, so the weight 1..={}",
                    u16::MAX / QUANTUM_UNIT
                ))
            })?;
        Ok(TxSchedule {
            quantum,
            ..TxSchedule::default()
        })
    }

    /// Checks what does not depend on the card: a quantum, an encodable rate.
    pub fn check(&self) -> Result<(), DriverError> {
        self.rate_reg().map(|_| ())
    }

    fn rate_reg(&self) -> Result<Option<u32>, DriverError> {
        if self.quantum == 0 {
            return Err(DriverError::BadSchedule(
                "quantum 0: a VI must be allowed some bytes a round".into(),
            ));
        }
        let Some(s) = self.shaping else {
            return Ok(None);
        };
        let bad = |why: &str| {
            DriverError::BadSchedule(format!(
                "shaping rate {} bytes a cycle: {why}",
                s.bytes_per_cycle
            ))
        };
        let reg = tx_rate::encode(s.bytes_per_cycle)
            .ok_or_else(|| bad("not encodable (it must be positive, finite, at least 2^-31)"))?;
        let cpb = tx_rate::cycles_per_byte(reg);
        if cpb == 0.0 || ((1.0 / cpb) / s.bytes_per_cycle - 1.0).abs() > RATE_TOLERANCE {
            return Err(bad("too fast to encode precisely (at most 128)"));
        }
        Ok(Some(reg))
    }

    /// The register values, for a card whose largest frame is `max_frame` bytes (FCS
    /// included): a shaped VI's burst must take one such frame, and at least the largest
    /// charge the card's shaper makes for any descriptor ([`MAX_CHARGE`]), so that no
    /// descriptor, even one the card will refuse, can hold the VI forever.
    pub fn registers(&self, max_frame: u32) -> Result<TxRegs, DriverError> {
        let max_frame = max_frame.max(MAX_CHARGE);
        let rate = self.rate_reg()?;
        let mut flags = if self.unrestricted {
            tx_flags::UNRESTRICTED
        } else {
            0
        };
        let (rate, burst) = match (rate, self.shaping) {
            (Some(rate), Some(s)) => {
                if s.burst_bytes < max_frame {
                    return Err(DriverError::BadSchedule(format!(
                        "burst of {} bytes is smaller than the most one frame is charged \
                         ({max_frame} bytes: the largest frame, at least {MAX_CHARGE}): such a \
                         frame could never be sent",
                        s.burst_bytes
                    )));
                }
                // The card's bucket holds cycles: the burst at the rate it is given.
                let cycles = (s.burst_bytes as f64 * tx_rate::cycles_per_byte(rate)).ceil();
                if cycles > u32::MAX as f64 {
                    return Err(DriverError::BadSchedule(format!(
                        "burst of {} bytes at this rate is {cycles} cycles, more than TX_BURST \
                         holds",
                        s.burst_bytes
                    )));
                }
                flags |= tx_flags::SHAPED;
                (rate, cycles as u32)
            }
            _ => (0, 0),
        };
        Ok(TxRegs {
            quantum: self.quantum as u32,
            rate,
            burst,
            flags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaped(bytes_per_cycle: f64, burst_bytes: u32) -> TxSchedule {
        TxSchedule {
            shaping: Some(Shaping {
                bytes_per_cycle,
                burst_bytes,
            }),
            ..TxSchedule::default()
        }
    }

    #[test]
    fn rate_encoding_round_trips_within_2_pow_minus_15() {
        let mut r = 1e-9;
        while r <= 2.0 {
            let reg = tx_rate::encode(r).unwrap();
            let back = 1.0 / tx_rate::cycles_per_byte(reg);
            assert!((back / r - 1.0).abs() < 2f64.powi(-15), "{r}: {back}");
            r *= 1.0137;
        }
        assert_eq!(tx_rate::encode(0.0), None);
        assert_eq!(tx_rate::encode(f64::NAN), None);
        assert_eq!(tx_rate::encode(1e-12), None);
    }

    #[test]
    fn default_and_weights() {
        let d = TxSchedule::default();
        assert_eq!((d.quantum, d.shaping, d.unrestricted), (1536, None, false));
        assert_eq!(TxSchedule::weighted(3).unwrap().quantum, 4608);
        assert_eq!(TxSchedule::weighted(42).unwrap().quantum, 64512);
        assert!(TxSchedule::weighted(0).is_err());
        assert!(TxSchedule::weighted(43).is_err());
        assert_eq!(
            d.registers(1522).unwrap(),
            TxRegs {
                quantum: 1536,
                rate: 0,
                burst: 0,
                flags: 0
            }
        );
        let os = TxSchedule {
            unrestricted: true,
            ..d
        };
        assert_eq!(os.registers(1522).unwrap().flags, tx_flags::UNRESTRICTED);
    }

    #[test]
    fn shaping_registers() {
        // 1 Gb/s at the 10 GbE clock: 0.8 bytes a cycle, 1.25 cycles a byte.
        let s = Shaping::from_bits_per_second(1e9, Speed::Gbe10, 3000);
        assert!((s.bytes_per_cycle - 0.8).abs() < 1e-12);
        let r = shaped(s.bytes_per_cycle, 3000).registers(1522).unwrap();
        assert_eq!(r.flags, tx_flags::SHAPED);
        assert_eq!(tx_rate::cycles_per_byte(r.rate), 1.25);
        assert_eq!(r.burst, 3750);
    }

    #[test]
    fn bad_schedules_are_refused_clearly() {
        let zero = TxSchedule {
            quantum: 0,
            ..TxSchedule::default()
        };
        assert!(zero.check().unwrap_err().to_string().contains("quantum 0"));
        for r in [0.0, -1.0, f64::INFINITY, f64::NAN, 1e-12] {
            let e = shaped(r, 4000).check().unwrap_err().to_string();
            assert!(e.contains("not encodable"), "{r}: {e}");
        }
        assert!(shaped(1000.0, 4000)
            .check()
            .unwrap_err()
            .to_string()
            .contains("too fast"));
        assert!(shaped(100.0, 4000).check().is_ok());
        let e = shaped(0.5, 2000).registers(1522).unwrap_err().to_string();
        assert!(
            e.contains("smaller than the most one frame is charged"),
            "{e}"
        );
        assert!(shaped(0.5, 2052).registers(1522).is_ok());
        // A slow rate with a large burst does not fit the cycle register.
        assert!(shaped(1.0 / 60000.0, u32::MAX).registers(1522).is_err());
    }
}
