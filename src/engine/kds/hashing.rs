//! Routing: a partition key's MD5 as an unsigned 128-bit integer, and the even split of the hash space.

use super::ids::{HashKey, HashRange};
use md5::{Digest, Md5};

/// MD5 of the key's UTF-8 bytes, read as a big-endian unsigned 128-bit integer (spec §5.1).
pub fn partition_key_hash(partition_key: &str) -> HashKey {
    let digest: [u8; 16] = Md5::digest(partition_key.as_bytes()).into();
    HashKey(u128::from_be_bytes(digest))
}

/// The ranges of `count` shards splitting the space evenly (spec §1.3): `step = floor(2^128 / count)`,
/// shard i covers `[i·step, (i+1)·step − 1]`, and the last shard ends at 2^128 − 1. `count` ≥ 1.
pub fn even_ranges(count: u32) -> Vec<HashRange> {
    if count <= 1 {
        return vec![HashRange::ALL]; // the step, 2^128, does not fit in a u128
    }
    let count = u128::from(count);
    // floor(2^128 / n) without 2^128: floor((2^128 − 1) / n), plus one when n divides 2^128.
    let step = u128::MAX / count + (u128::MAX % count + 1) / count;
    (0..count)
        .map(|i| {
            let start = i * step;
            let end = if i + 1 == count { u128::MAX } else { (i + 1) * step - 1 };
            HashRange { start: HashKey(start), end: HashKey(end) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_routing_matches_the_spec_examples() {
        // Spec §5.1: MD5 hex of each key.
        let cases = [
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("b", "92eb5ffee6ae2fec3ad71c777531578f"),
            ("Weather", "1441df6b1c10f910ccdc400e40b5fce9"),
            ("partitionKey1", "c383ca4b5d58315bca3ccf055841906d"),
            ("d17a06d5-0f83-40f6-acc5-840e7cd9aa8f", "20a0a31b0c60851057393fc6ac04c54e"),
        ];
        for (key, hex) in cases {
            assert_eq!(partition_key_hash(key).0, u128::from_str_radix(hex, 16).expect("hex"), "{key}");
        }
    }

    #[test]
    fn even_ranges_match_the_spec_boundaries() {
        let starts = |n| even_ranges(n).iter().skip(1).map(|r| r.start.to_string()).collect::<Vec<_>>();
        assert_eq!(starts(2), ["170141183460469231731687303715884105728"]);
        assert_eq!(starts(3), ["113427455640312821154458202477256070485", "226854911280625642308916404954512140970"]);
        assert_eq!(
            starts(5),
            [
                "68056473384187692692674921486353642291",
                "136112946768375385385349842972707284582",
                "204169420152563078078024764459060926873",
                "272225893536750770770699685945414569164"
            ]
        );
    }

    #[test]
    fn even_ranges_tile_the_space() {
        for n in [1, 2, 3, 4, 5, 7, 16, 100, 1_000] {
            let ranges = even_ranges(n);
            assert_eq!(ranges.len(), n as usize);
            assert_eq!(ranges[0].start, HashKey(0));
            assert_eq!(ranges[ranges.len() - 1].end, HashKey::MAX);
            assert!(ranges.windows(2).all(|w| w[0].end.0 + 1 == w[1].start.0), "n={n}");
        }
    }
}
