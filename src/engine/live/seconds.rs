//! What the live history keeps for each simulated second: one compact record per shard, per stream and
//! per consumer. They cross to the UI as JSON arrays (not objects), because a reply may carry hundreds of
//! them and field names would triple its size.

use serde::{Deserialize, Serialize};

/// Folding one second into a bin of several: the bin shows its busiest second.
pub trait Fold: Copy + Default {
    /// Folds `other` (another second of the same bin) in.
    fn fold(&mut self, other: &Self);
}

/// Declares a per-second record serialised as a JSON array in field order, with a fold that keeps each
/// field's maximum except the `min` ones (token levels: the emptiest moment is the telling one).
macro_rules! second_record {
    ($(#[$doc:meta])* $name:ident { max: [$($(#[$fdoc:meta])* $max:ident: $mt:ty),*], min: [$($(#[$ndoc:meta])* $min:ident: $nt:ty),*] }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            $($(#[$fdoc])* pub $max: $mt,)*
            $($(#[$ndoc])* pub $min: $nt,)*
        }

        impl Fold for $name {
            fn fold(&mut self, other: &Self) {
                $(self.$max = self.$max.max(other.$max);)*
                $(self.$min = self.$min.min(other.$min);)*
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                ($(self.$max,)* $(self.$min,)*).serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let ($($max,)* $($min,)*) = <($($mt,)* $($nt,)*)>::deserialize(d)?;
                Ok($name { $($max,)* $($min,)* })
            }
        }
    };
}

second_record!(
    /// One shard in one second: what it took in and gave out, what it refused, and its write buckets' level.
    ShardSecond {
        max: [
            /// Records stored.
            records_in: u32,
            /// Bytes stored (data + partition keys).
            bytes_in: u32,
            /// Records refused by write throttling (WriteProvisionedThroughputExceeded).
            write_throttled: u32,
            /// Successful GetRecords calls (limit 5 per second).
            read_calls: u32,
            /// Records returned by them.
            records_out: u32,
            /// Bytes returned by them (limit 2 MiB per second).
            bytes_out: u32,
            /// GetRecords calls refused (ReadProvisionedThroughputExceeded).
            read_throttled: u32
        ],
        min: [
            /// Whole record tokens left in the write bucket at the second's end.
            tokens_records: i32,
            /// Whole byte tokens left at the second's end.
            tokens_bytes: i32
        ]
    }
);

second_record!(
    /// One stream in one second: its shards' counts summed, and its CloudWatch iterator age.
    StreamSecond {
        max: [
            /// Open shards at the second's end.
            open_shards: u32,
            records_in: u64,
            bytes_in: u64,
            write_throttled: u64,
            read_calls: u64,
            bytes_out: u64,
            read_throttled: u64,
            /// GetRecords.IteratorAgeMilliseconds, Maximum over the second (0 without reads).
            iterator_age_ms: u64
        ],
        min: []
    }
);

second_record!(
    /// One consumer in one second.
    ConsumerSecond {
        max: [
            /// Records received.
            records: u64,
            /// Bytes received.
            bytes: u64,
            /// Read calls refused.
            read_throttled: u64,
            /// MillisBehindLatest at the second's end (largest over its shards).
            behind_ms: u64
        ],
        min: []
    }
);

impl ShardSecond {
    /// Narrows a count to the record's field, saturating (a second never holds 2^32 records or bytes).
    pub fn narrow(count: u64) -> u32 {
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Narrows a token level, saturating.
    pub fn narrow_level(level: i64) -> i32 {
        i32::try_from(level).unwrap_or(if level < 0 { i32::MIN } else { i32::MAX })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_travel_as_arrays_and_come_back() {
        let s = ShardSecond { records_in: 1_000, bytes_in: 200_000, tokens_records: -3, ..Default::default() };
        let json = serde_json::to_string(&s).expect("serialises");
        assert_eq!(json, "[1000,200000,0,0,0,0,0,-3,0]");
        assert_eq!(serde_json::from_str::<ShardSecond>(&json).expect("reads back"), s);
        assert!(serde_json::from_str::<ShardSecond>("[1,2]").is_err(), "a short array is refused");
    }

    #[test]
    fn a_bin_keeps_its_busiest_second_and_lowest_level() {
        let mut bin = ShardSecond { records_in: 900, tokens_records: 100, ..Default::default() };
        bin.fold(&ShardSecond { records_in: 1_000, write_throttled: 40, tokens_records: 0, ..Default::default() });
        assert_eq!((bin.records_in, bin.write_throttled, bin.tokens_records), (1_000, 40, 0));
    }
}
