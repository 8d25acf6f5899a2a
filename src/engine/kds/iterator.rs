//! Shard iterators: opaque tokens that name a position in a shard (spec §1.5, R26–R27).
//!
//! A token is a position, not a cursor: it encodes the stream incarnation, the shard, "after counter
//! c" and the instant it was handed out, so the same unexpired token always reads the same records.
//! Like production's, tokens are base64 and start with an 8-byte header `00…01` (so they begin
//! `AAAAAAAAAAE`). A checksum rejects anything the engine did not issue.

use super::ids::ShardId;
use crate::engine::time::SimTime;
use base64::Engine as _;
use md5::{Digest, Md5};

const HEADER: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 1];
const FIXED_LEN: usize = 8 + 8 + 8 + 4 + 8 + 1;
const CHECKSUM_LEN: usize = 8;

/// What an iterator token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IteratorToken {
    /// The stream's incarnation (a re-created stream of the same name does not accept old tokens).
    pub generation: u64,
    /// When it was handed out.
    pub issued_at: SimTime,
    /// The shard.
    pub shard: ShardId,
    /// Reading resumes with the first record whose counter is above this.
    pub after_counter: u64,
    /// The stream's name.
    pub stream: String,
}

impl IteratorToken {
    /// The token text.
    pub fn encode(&self) -> String {
        let name = self.stream.as_bytes();
        let mut bytes = Vec::with_capacity(FIXED_LEN + name.len() + CHECKSUM_LEN);
        bytes.extend_from_slice(&HEADER);
        bytes.extend_from_slice(&self.generation.to_be_bytes());
        bytes.extend_from_slice(&self.issued_at.as_micros().to_be_bytes());
        bytes.extend_from_slice(&self.shard.0.to_be_bytes());
        bytes.extend_from_slice(&self.after_counter.to_be_bytes());
        bytes.push(u8::try_from(name.len()).expect("stream names are at most 128 bytes"));
        bytes.extend_from_slice(name);
        let sum = checksum(&bytes);
        bytes.extend_from_slice(&sum);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Reads a token; `None` for anything the engine did not issue.
    pub fn decode(text: &str) -> Option<IteratorToken> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
        if bytes.len() < FIXED_LEN + CHECKSUM_LEN || bytes[..8] != HEADER {
            return None;
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if checksum(body) != sum {
            return None;
        }
        let u64_at = |at: usize| u64::from_be_bytes(body[at..at + 8].try_into().expect("length checked"));
        let name_len = usize::from(body[FIXED_LEN - 1]);
        let name = body.get(FIXED_LEN..FIXED_LEN + name_len).filter(|_| body.len() == FIXED_LEN + name_len)?;
        Some(IteratorToken {
            generation: u64_at(8),
            issued_at: SimTime::from_micros(u64_at(16)),
            shard: ShardId(u32::from_be_bytes(body[24..28].try_into().expect("length checked"))),
            after_counter: u64_at(28),
            stream: String::from_utf8(name.to_vec()).ok()?,
        })
    }
}

fn checksum(bytes: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest: [u8; 16] = Md5::new().chain_update(b"kinesis-lab iterator").chain_update(bytes).finalize().into();
    digest[..CHECKSUM_LEN].try_into().expect("16 ≥ 8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> IteratorToken {
        IteratorToken {
            generation: 3,
            issued_at: SimTime::from_millis(123_456),
            shard: ShardId(7),
            after_counter: 42,
            stream: "my-stream".into(),
        }
    }

    #[test]
    fn tokens_round_trip_and_look_like_production() {
        let text = token().encode();
        assert!(text.starts_with("AAAAAAAAAAE"), "{text}");
        assert!(text.len() <= 512);
        assert_eq!(IteratorToken::decode(&text), Some(token()));
        let long = IteratorToken { stream: "s".repeat(128), ..token() };
        assert!(long.encode().len() <= 512);
        assert_eq!(IteratorToken::decode(&long.encode()), Some(long));
    }

    #[test]
    fn anything_else_is_rejected() {
        let text = token().encode();
        let mut tampered = text.clone().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        for bad in ["", "AAAAAAAAAAE=", "not base64!", tampered.as_str(), &text[..text.len() - 4]] {
            assert_eq!(IteratorToken::decode(bad), None, "{bad}");
        }
    }
}
