//! Sequence numbers: 56-digit decimals that encode their shard, strictly increasing within it.
//!
//! The layout is the one production uses today (spec §1.4, reverse-engineered by kinesalite as
//! "version 2"): 47 hex digits, most significant first,
//! `'2' | shard create epoch seconds (9) | shard index low nibble (1) | per-shard counter (16) | '00' |
//! arrival epoch seconds (9) | shard index (8) | '2'`, printed in decimal (always 56 digits). That is
//! 188 bits, more than a `u128`, so the value lives in three 64-bit limbs.
//!
//! Properties the engine relies on: the counter sits above the arrival time, so numbers strictly increase
//! within a shard as the counter does; a shard's StartingSequenceNumber (counter 0) is below all its
//! records and its EndingSequenceNumber (counter 2^63−1) above them; the index decodes back, which
//! drives the "It encodes shardId-…" error. Older formats (versions 0 and 1) are recognised only so that
//! the service's "did not come from this stream" errors read as AWS's do.

use std::cmp::Ordering;
use std::fmt;

/// The counter of a shard's StartingSequenceNumber; records count from 1.
pub const COUNTER_START: u64 = 0;
/// The counter of a closed shard's EndingSequenceNumber (the largest the format allows).
pub const COUNTER_END: u64 = (1 << 63) - 1;
/// Shard create times at or past this many epoch seconds are rejected in old-format numbers.
const OLD_FORMAT_SECS_LIMIT: u64 = 16_025_175_000;

/// A version-2 sequence number's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SequenceNumber {
    /// When the shard was created, in epoch seconds (36 bits).
    pub shard_created_secs: u64,
    /// The shard's index (31 bits).
    pub shard_index: u32,
    /// The per-shard counter: 0 for the shard's start, 1, 2, … for records (63 bits).
    pub counter: u64,
    /// When the record arrived, in epoch seconds (36 bits).
    pub arrival_secs: u64,
}

impl SequenceNumber {
    /// The 188-bit integer, as big-endian limbs.
    fn to_limbs(self) -> U192 {
        let mut v = U192::ZERO;
        v.push(4, 2);
        v.push(36, self.shard_created_secs & MASK_36);
        v.push(4, u64::from(self.shard_index) & 0xf);
        v.push(64, self.counter);
        v.push(8, 0);
        v.push(36, self.arrival_secs & MASK_36);
        v.push(32, u64::from(self.shard_index));
        v.push(4, 2);
        v
    }
}

/// Integer order, which is the order of the printed decimals (they all have 56 digits).
impl Ord for SequenceNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.to_limbs().cmp(&other.to_limbs())
    }
}

impl PartialOrd for SequenceNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_limbs().to_decimal())
    }
}

/// On the wire a sequence number is its decimal text.
impl serde::Serialize for SequenceNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a sequence number given in a request turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A current-format number.
    Current(SequenceNumber),
    /// An old-format number: it names a shard index, but cannot come from any stream the engine made.
    /// `shown` is the text AWS quotes back (version-0 numbers are normalised first).
    Old { shard_index: u32, shown: String },
}

/// Decodes a decimal sequence number from a request; `None` when it is not a sequence number at all.
pub fn decode(text: &str) -> Option<Decoded> {
    let mut value = U192::parse_decimal(text)?;
    if value < U192::pow2(124) {
        value = value.add(U192::pow2(124));
    }
    let hex = value.to_hex();
    if value < U192::pow2(129) {
        return decode_version0(&hex);
    }
    let in_current_band = value > U192::pow2(185) && value < U192::pow2(185).add(U192::pow2(184));
    match (in_current_band, hex.as_bytes().last()) {
        (true, Some(b'2')) => decode_version2(&hex),
        (true, Some(b'1')) => {
            let shard_index = u32::from_str_radix(hex.get(38..46)?, 16).ok()?;
            Some(Decoded::Old { shard_index, shown: text.to_string() })
        }
        _ => None,
    }
}

fn decode_version0(hex: &str) -> Option<Decoded> {
    let created_secs = u64::from_str_radix(hex.get(1..10)?, 16).ok()?;
    if created_secs >= OLD_FORMAT_SECS_LIMIT {
        return None;
    }
    let shard_index = u32::from_str_radix(hex.get(28..32)?, 16).ok()?;
    // AWS quotes a version-0 number with its leading hex digit forced to 1.
    let normalised = format!("1{}", hex.get(1..32)?);
    let shown = U192::parse_hex(&normalised)?.to_decimal();
    Some(Decoded::Old { shard_index, shown })
}

fn decode_version2(hex: &str) -> Option<Decoded> {
    let counter_hex = hex.get(11..27)?;
    let index_hex = hex.get(38..46)?;
    if counter_hex.as_bytes()[0] > b'7' || index_hex.as_bytes()[0] > b'7' {
        return None;
    }
    Some(Decoded::Current(SequenceNumber {
        shard_created_secs: u64::from_str_radix(hex.get(1..10)?, 16).ok()?,
        shard_index: u32::from_str_radix(index_hex, 16).ok()?,
        counter: u64::from_str_radix(counter_hex, 16).ok()?,
        arrival_secs: u64::from_str_radix(hex.get(29..38)?, 16).ok()?,
    }))
}

const MASK_36: u64 = (1 << 36) - 1;

/// A 192-bit unsigned integer as big-endian 64-bit limbs: just enough arithmetic for sequence numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct U192([u64; 3]);

impl U192 {
    const ZERO: U192 = U192([0; 3]);

    fn pow2(bit: u32) -> U192 {
        let mut v = U192::ZERO;
        v.0[2 - (bit / 64) as usize] = 1 << (bit % 64);
        v
    }

    /// Shifts left by `bits` (≤ 64) and puts `value` in the freed low bits.
    fn push(&mut self, bits: u32, value: u64) {
        let [hi, mid, lo] = self.0;
        let wide = |high: u64, low: u64| if bits == 64 { low } else { (high << bits) | (low >> (64 - bits)) };
        self.0 = [wide(hi, mid), wide(mid, lo), if bits == 64 { value } else { (lo << bits) | value }];
    }

    fn add(self, other: U192) -> U192 {
        let mut out = [0u64; 3];
        let mut carry = 0u128;
        for i in (0..3).rev() {
            let sum = u128::from(self.0[i]) + u128::from(other.0[i]) + carry;
            out[i] = sum as u64;
            carry = sum >> 64;
        }
        U192(out)
    }

    /// `self * factor + addend`, or `None` on overflow.
    fn mul_add(self, factor: u64, addend: u64) -> Option<U192> {
        let mut out = [0u64; 3];
        let mut carry = u128::from(addend);
        for i in (0..3).rev() {
            let product = u128::from(self.0[i]) * u128::from(factor) + carry;
            out[i] = product as u64;
            carry = product >> 64;
        }
        (carry == 0).then_some(U192(out))
    }

    /// `(self / divisor, self % divisor)`.
    fn div_rem(self, divisor: u64) -> (U192, u64) {
        let mut out = [0u64; 3];
        let mut rem = 0u128;
        for (limb, q) in self.0.iter().zip(out.iter_mut()) {
            let cur = (rem << 64) | u128::from(*limb);
            *q = (cur / u128::from(divisor)) as u64;
            rem = cur % u128::from(divisor);
        }
        (U192(out), rem as u64)
    }

    fn parse_decimal(text: &str) -> Option<U192> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.bytes().try_fold(U192::ZERO, |acc, b| acc.mul_add(10, u64::from(b - b'0')))
    }

    fn parse_hex(text: &str) -> Option<U192> {
        text.chars().try_fold(U192::ZERO, |acc, c| acc.mul_add(16, u64::from(c.to_digit(16)?)))
    }

    fn to_decimal(self) -> String {
        const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19, the largest power of ten in a u64
        let mut chunks = Vec::new();
        let mut rest = self;
        while rest != U192::ZERO {
            let (q, r) = rest.div_rem(CHUNK);
            chunks.push(r);
            rest = q;
        }
        let Some((first, lower)) = chunks.split_last() else { return "0".into() };
        lower.iter().rev().fold(first.to_string(), |mut s, chunk| {
            s.push_str(&format!("{chunk:019}"));
            s
        })
    }

    fn to_hex(self) -> String {
        let [hi, mid, lo] = self.0;
        let full = format!("{hi:016x}{mid:016x}{lo:016x}");
        let trimmed = full.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(created: u64, index: u32, counter: u64, arrival: u64) -> SequenceNumber {
        SequenceNumber { shard_created_secs: created, shard_index: index, counter, arrival_secs: arrival }
    }

    #[test]
    fn prints_56_digits_and_round_trips() {
        let s = seq(1_700_000_000, 3, 42, 1_700_000_123);
        let text = s.to_string();
        assert_eq!(text.len(), 56, "{text}");
        assert_eq!(decode(&text), Some(Decoded::Current(s)));
        let end = seq(1_700_000_000, SHARD_INDEX_TOP, COUNTER_END, 0xf_ffff_ffff);
        assert_eq!(end.to_string().len(), 56);
        assert_eq!(decode(&end.to_string()), Some(Decoded::Current(end)));
    }

    const SHARD_INDEX_TOP: u32 = super::super::ids::SHARD_INDEX_MAX;

    #[test]
    fn the_layout_matches_kinesalites_hex_fields() {
        let s = seq(0x5a0b_c1d2, 0x13, 0x0102_0304_0506_0708, 0x5a0b_c1ff);
        let hex = s.to_limbs().to_hex();
        // '2' | 05a0bc1d2 | 3 | 0102030405060708 | 00 | 05a0bc1ff | 00000013 | '2'
        assert_eq!(hex, "205a0bc1d2301020304050607080005a0bc1ff000000132");
        assert_eq!(hex.len(), 47);
    }

    #[test]
    fn order_follows_the_counter_then_the_shard() {
        let a = seq(100, 0, 1, 200);
        let b = seq(100, 0, 2, 150); // a later record may carry an earlier second: the counter decides
        assert!(a < b);
        assert!(seq(100, 0, COUNTER_START, 100) < a);
        assert!(b < seq(100, 0, COUNTER_END, 100));
        assert!(seq(100, 0, COUNTER_END, 999) < seq(101, 0, COUNTER_START, 0), "a later shard starts above");
        assert_eq!(a.to_string().cmp(&b.to_string()), Ordering::Less, "same length, so text order agrees");
    }

    #[test]
    fn old_formats_decode_as_aws_quotes_them() {
        // From kinesalite's suite, run against production.
        let cases = [
            ("0", 0, "21267647932558653966460912964485513216"),
            ("5", 5, "21267647932558653966460912964485513221"),
            ("425352958651173072921826052383309826", 2, "21693000891209827039382739016868823042"),
        ];
        for (text, index, shown) in cases {
            assert_eq!(decode(text), Some(Decoded::Old { shard_index: index, shown: shown.into() }), "{text}");
        }
        let big = U192::parse_hex("f3bb2cc3d7ff7fffffffffffffff0000").expect("hex").to_decimal();
        assert_eq!(
            decode(&big),
            Some(Decoded::Old { shard_index: 0, shown: "26227199374821822965252748908982894592".into() })
        );
    }

    #[test]
    fn impossible_numbers_do_not_decode() {
        let large_date = U192::parse_hex("13bb2cc3d80000000000000000000000").expect("hex").to_decimal();
        assert_eq!(decode(&large_date), None);
        let high_counter =
            U192::parse_hex("20000000000800000000000000000000000000000000002").expect("hex").to_decimal();
        assert_eq!(decode(&high_counter), None);
        let high_index = U192::parse_hex("20000000000000000000000000000000000000800000002").expect("hex").to_decimal();
        assert_eq!(decode(&high_index), None);
        assert_eq!(decode(&"9".repeat(60)), None, "beyond 192 bits");
        assert_eq!(decode("12x"), None);
    }

    #[test]
    fn decimal_conversion_is_exact() {
        let v = U192::pow2(187).add(U192::pow2(3));
        assert_eq!(U192::parse_decimal(&v.to_decimal()), Some(v));
        assert_eq!(U192::ZERO.to_decimal(), "0");
        assert_eq!(U192::parse_decimal("18446744073709551616"), Some(U192::pow2(64)));
    }
}
