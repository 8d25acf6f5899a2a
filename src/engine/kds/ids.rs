//! Identities in Kinesis Data Streams: shard ids and hash keys.
//!
//! Shard ids are `shardId-` plus a 12-digit zero-padded index (spec §1.3). Requests may name a shard
//! by a short form (`shardId-5`, `shard-5`, `5`, `anything-00005`); the service reads the digits after
//! the first `-` (or the whole text when there is none) as the index, and accepts 0 … 2^31−1.
//! Hash keys are unsigned 128-bit integers, written in decimal.

use std::fmt;

/// The largest shard index a request may name.
pub const SHARD_INDEX_MAX: u32 = 2_147_483_647;

/// A shard, by its index within its stream; printed as `shardId-000000000007`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShardId(pub u32);

impl ShardId {
    /// The shard a request's `ShardId` text names, or `None` when it names no possible shard.
    pub fn resolve(text: &str) -> Option<ShardId> {
        let digits = text.split('-').nth(1).filter(|s| !s.is_empty()).unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        if trimmed.len() > 10 {
            return None;
        }
        let index: u64 = if trimmed.is_empty() { 0 } else { trimmed.parse().ok()? };
        (index <= u64::from(SHARD_INDEX_MAX)).then_some(ShardId(index as u32))
    }
}

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shardId-{:012}", self.0)
    }
}

/// On the wire a shard id is its canonical text.
impl serde::Serialize for ShardId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A point of the hash-key space 0 … 2^128−1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HashKey(pub u128);

impl HashKey {
    /// The top of the hash-key space, 2^128−1.
    pub const MAX: HashKey = HashKey(u128::MAX);

    /// Reads a decimal hash key; `None` when it is not all digits or exceeds 2^128−1.
    pub fn parse(text: &str) -> Option<HashKey> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(HashKey)
    }
}

impl fmt::Display for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// On the wire a hash key is a decimal string.
impl serde::Serialize for HashKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An inclusive range of hash keys owned by one shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HashRange {
    /// The first key of the range.
    pub start: HashKey,
    /// The last key of the range (inclusive).
    pub end: HashKey,
}

impl HashRange {
    /// The whole hash-key space.
    pub const ALL: HashRange = HashRange { start: HashKey(0), end: HashKey::MAX };

    /// True when `key` falls in the range.
    pub fn contains(&self, key: HashKey) -> bool {
        self.start <= key && key <= self.end
    }

    /// The NewStartingHashKey that splits the range in the middle (the upper child starts here).
    pub fn midpoint(&self) -> HashKey {
        HashKey(self.start.0 + (self.end.0 - self.start.0) / 2 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ids_print_with_twelve_digits() {
        assert_eq!(ShardId(0).to_string(), "shardId-000000000000");
        assert_eq!(ShardId(SHARD_INDEX_MAX).to_string(), "shardId-002147483647");
    }

    #[test]
    fn short_forms_resolve_like_the_service() {
        let cases = [
            ("shardId-000000000005", Some(5)),
            ("shardId-5", Some(5)),
            ("shard-0", Some(0)),
            ("anything-0", Some(0)),
            ("2147483647", Some(SHARD_INDEX_MAX)),
            ("a-00002147483647", Some(SHARD_INDEX_MAX)),
            ("-00002147483647", Some(SHARD_INDEX_MAX)),
            ("2147483648", None),
            ("shardId-002147483648", None),
            ("ABKLFD8", None),
            ("2.14E4", None),
            ("a-b-1", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(ShardId::resolve(text), want.map(ShardId), "{text}");
        }
    }

    #[test]
    fn hash_keys_parse_within_128_bits() {
        assert_eq!(HashKey::parse("0"), Some(HashKey(0)));
        assert_eq!(HashKey::parse("340282366920938463463374607431768211455"), Some(HashKey::MAX));
        assert_eq!(HashKey::parse("340282366920938463463374607431768211456"), None);
        assert_eq!(HashKey::parse("-1"), None);
        assert_eq!(HashKey::MAX.to_string(), "340282366920938463463374607431768211455");
    }

    #[test]
    fn ranges_are_inclusive() {
        let r = HashRange { start: HashKey(10), end: HashKey(20) };
        assert!(r.contains(HashKey(10)) && r.contains(HashKey(20)));
        assert!(!r.contains(HashKey(9)) && !r.contains(HashKey(21)));
    }
}
