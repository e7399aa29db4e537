//! CRC-32 of the Ethernet frame check sequence (802.3 clause 3.2.9): reflected polynomial
//! 0xEDB88320, initial value all ones, final complement, sent least significant byte first.

/// The reflected generator polynomial.
pub const POLY_REFLECTED: u32 = 0xEDB8_8320;
/// The CRC register's initial value.
pub const INIT: u32 = 0xFFFF_FFFF;
/// The register's value after a whole frame, FCS included, with a correct FCS and without the
/// final complement: the "magic residue" a receiver checks.
pub const RESIDUE: u32 = 0xDEBB_20E3;

const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ POLY_REFLECTED
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static TABLE: [u32; 256] = make_table();

/// Advances the raw CRC register (no complement) over `bytes`.
#[inline]
pub fn update(mut crc: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        crc = TABLE[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc
}

/// The FCS of `frame` (destination address up to the end of the payload and padding).
pub fn fcs(frame: &[u8]) -> u32 {
    !update(INIT, frame)
}

/// `frame` followed by its FCS, least significant byte first, as it goes on the wire.
pub fn append_fcs(frame: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(frame.len() + 4);
    v.extend_from_slice(frame);
    v.extend_from_slice(&fcs(frame).to_le_bytes());
    v
}

/// True when `frame_with_fcs` ends with a correct FCS.
pub fn check(frame_with_fcs: &[u8]) -> bool {
    frame_with_fcs.len() >= 4 && update(INIT, frame_with_fcs) == RESIDUE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_the_standard_test_string() {
        // The CRC-32 check value for "123456789" (as in every CRC catalogue).
        assert_eq!(fcs(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn residue_after_a_correct_fcs() {
        let f = append_fcs(&[0xAB; 60]);
        assert!(check(&f));
        let mut bad = f.clone();
        bad[10] ^= 1;
        assert!(!check(&bad));
    }
}
