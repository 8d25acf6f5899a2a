//! A stored record, kept small: the budget is payload + partition key + 64 bytes (issue 3 §10).
//!
//! The partition key and the data share one allocation. The sequence number is not stored: it is a
//! function of the shard (create time, index), the per-shard counter and the arrival second, so the
//! record keeps only the counter and the arrival instant.

use crate::engine::time::SimTime;

/// One record in a shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The per-shard counter encoded in the sequence number (1, 2, …).
    pub counter: u64,
    /// When the record arrived (simulated time).
    pub arrival: SimTime,
    /// Partition key bytes, then data bytes.
    bytes: Box<[u8]>,
    /// Length of the partition key prefix (≤ 256 characters, ≤ 1,024 UTF-8 bytes).
    key_len: u16,
    /// Whether it was written while the stream was encrypted.
    pub encrypted: bool,
}

impl Record {
    /// A record holding copies of `partition_key` and `data`.
    pub fn new(counter: u64, arrival: SimTime, partition_key: &str, data: &[u8], encrypted: bool) -> Record {
        let key_len = u16::try_from(partition_key.len()).expect("partition keys are validated to 256 characters");
        let mut bytes = Vec::with_capacity(partition_key.len() + data.len());
        bytes.extend_from_slice(partition_key.as_bytes());
        bytes.extend_from_slice(data);
        Record { counter, arrival, bytes: bytes.into_boxed_slice(), key_len, encrypted }
    }

    /// The partition key.
    pub fn partition_key(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.key_len)]).expect("stored from a &str")
    }

    /// The data blob.
    pub fn data(&self) -> &[u8] {
        &self.bytes[usize::from(self.key_len)..]
    }

    /// Data + UTF-8 partition key: the size every limit counts.
    pub fn size_bytes(&self) -> u64 {
        self.bytes.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_data_come_back_apart() {
        let r = Record::new(7, SimTime::from_secs(1), "kéy", b"\x00\x01data", false);
        assert_eq!((r.partition_key(), r.data()), ("kéy", &b"\x00\x01data"[..]));
        assert_eq!(r.size_bytes(), 4 + 6);
        let empty = Record::new(1, SimTime::ZERO, "k", b"", true);
        assert_eq!((empty.data().len(), empty.size_bytes()), (0, 1));
    }

    #[test]
    fn the_header_stays_within_its_budget() {
        assert!(std::mem::size_of::<Record>() <= 40, "{}", std::mem::size_of::<Record>());
    }
}
