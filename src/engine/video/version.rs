//! Resource versions: 20 characters of `[a-zA-Z0-9]`, new on every change (channels and streams).

use crate::engine::rng::SimRng;

/// A fresh version string.
pub fn new_version(rng: &mut SimRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..20).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char).collect()
}
