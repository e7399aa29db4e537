//! CRC-32 (802.3 FCS) over one beat of up to eight octets, combinational.
//!
//! The register update is linear over GF(2), so for every byte count 1..=8 each output bit is
//! the parity of a fixed set of input bits. The Verilog is generated from those sets (computed
//! here from `arsenic_interface::fcs`, the same function the simulation model calls), giving
//! flat XOR trees for synthesis and a cheap model for Verilator.

use arsenic_interface::fcs;
use rust_hdl::prelude::*;

/// One beat of CRC-32: `crc_out` is the raw register after `nbytes` octets of `data`
/// (octet 0 in bits 7..0). `nbytes` of 0 or above 8 leave the register unchanged.
#[derive(LogicBlock, Default)]
pub struct Crc32Step {
    /// The register before this beat.
    pub crc_in: Signal<In, Bits<32>>,
    /// The beat's octets, lane 0 in the low byte.
    pub data: Signal<In, Bits<64>>,
    /// How many octets of `data` count, from lane 0.
    pub nbytes: Signal<In, Bits<4>>,
    /// The register after this beat.
    pub crc_out: Signal<Out, Bits<32>>,
}

/// The raw register after `n` octets of `data` (the reference the Verilog is built from).
pub fn step(crc: u32, data: u64, n: usize) -> u32 {
    if n == 0 || n > 8 {
        return crc;
    }
    fcs::update(crc, &data.to_le_bytes()[..n])
}

/// For `n` octets: for each output bit, the masks of `crc_in` and `data` bits it depends on.
fn dependency_masks(n: usize) -> Vec<(u32, u64)> {
    let crc_cols: Vec<u32> = (0..32).map(|b| step(1 << b, 0, n)).collect();
    let data_cols: Vec<u32> = (0..64).map(|b| step(0, 1u64 << b, n)).collect();
    (0..32)
        .map(|j| {
            let cm = (0..32)
                .filter(|&b| crc_cols[b] >> j & 1 == 1)
                .fold(0u32, |m, b| m | 1 << b);
            let dm = (0..64)
                .filter(|&b| data_cols[b] >> j & 1 == 1)
                .fold(0u64, |m, b| m | 1 << b);
            (cm, dm)
        })
        .collect()
}

impl Logic for Crc32Step {
    fn update(&mut self) {
        self.crc_out.next = (step(
            self.crc_in.val().to_u32(),
            self.data.val().to_u64(),
            self.nbytes.val().index(),
        ) as u64)
            .into();
    }

    fn connect(&mut self) {
        self.crc_out.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut v = String::from("always @(*) begin\n    case (nbytes)\n");
        for n in 1..=8 {
            v.push_str(&format!("    4'd{n}: begin\n"));
            for (j, (cm, dm)) in dependency_masks(n).into_iter().enumerate() {
                v.push_str(&format!(
                    "        crc_out[{j}] = ^(crc_in & 32'h{cm:08x}) ^ ^(data & 64'h{dm:016x});\n"
                ));
            }
            v.push_str("    end\n");
        }
        v.push_str("    default: crc_out = crc_in;\n    endcase\nend\n");
        Verilog::Custom(v)
    }
}

/// One octet of CRC-32: `crc_out` is the raw register after the octet `data`. The same
/// function as [`Crc32Step`] with one octet, as a narrower circuit: 32 parities over the
/// register and the octet, which a simulator evaluates in a fraction of the eight-octet
/// step's time and an FPGA builds in one or two LUT levels.
#[derive(LogicBlock, Default)]
pub struct Crc32Octet {
    pub crc_in: Signal<In, Bits<32>>,
    pub data: Signal<In, Bits<8>>,
    pub crc_out: Signal<Out, Bits<32>>,
}

impl Logic for Crc32Octet {
    fn update(&mut self) {
        self.crc_out.next =
            (step(self.crc_in.val().to_u32(), self.data.val().to_u64(), 1) as u64).into();
    }

    fn connect(&mut self) {
        self.crc_out.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut v = String::from("always @(*) begin\n");
        for (j, (cm, dm)) in dependency_masks(1).into_iter().enumerate() {
            v.push_str(&format!(
                "    crc_out[{j}] = ^(crc_in & 32'h{cm:08x}) ^ ^(data & 8'h{:02x});\n",
                dm & 0xFF
            ));
        }
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_octet_depends_on_the_low_octet_only() {
        for (_, dm) in dependency_masks(1) {
            assert_eq!(dm >> 8, 0);
        }
    }

    #[test]
    fn masks_reproduce_the_reference() {
        let mut x = 0x1234_5678_9abc_def0u64;
        for n in 1..=8 {
            let masks = dependency_masks(n);
            for _ in 0..50 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let (crc, data) = (x as u32, x.rotate_left(19));
                let mut out = 0u32;
                for (j, (cm, dm)) in masks.iter().enumerate() {
                    let p = (crc & cm).count_ones() + (data & dm).count_ones();
                    out |= (p & 1) << j;
                }
                assert_eq!(out, step(crc, data, n), "n={n}");
            }
        }
    }
}
