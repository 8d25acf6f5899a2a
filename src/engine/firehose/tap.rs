//! Kinesis Data Analytics applications reading a Firehose stream (KinesisFirehoseInput, spec
//! firehose-analytics.md §2.2): each reader gets the records the stream accepts as they enter it, beside
//! the stream's own delivery, and takes them at its next read.

use super::error::FirehoseError;
use super::stream::DeliveryStream;
use super::FirehoseService;

/// Records a tap holds for a reader that stopped taking them (a deleted application), past which the
/// oldest are dropped [SIM].
pub const TAP_MAX: usize = 100_000;

impl FirehoseService {
    /// `reader` starts receiving what enters stream `name` from now on.
    pub fn tap(&mut self, name: &str, reader: &str) -> Result<(), FirehoseError> {
        self.active_stream_mut(name)?.taps.entry(reader.to_string()).or_default();
        Ok(())
    }

    /// `reader` stops receiving from stream `name`.
    pub fn untap(&mut self, name: &str, reader: &str) {
        if let Some(s) = self.streams.get_mut(name) {
            s.taps.remove(reader);
        }
    }

    /// What entered stream `name` for `reader` since its last read, oldest first.
    pub fn drain_tap(&mut self, name: &str, reader: &str) -> Vec<Vec<u8>> {
        let taken = self.streams.get_mut(name).and_then(|s| s.taps.get_mut(reader)).map(std::mem::take);
        taken.map(Vec::from).unwrap_or_default()
    }
}

/// A record entering `s` reaches its taps.
pub(super) fn feed(s: &mut DeliveryStream, data: &[u8]) {
    for q in s.taps.values_mut() {
        if q.len() == TAP_MAX {
            q.pop_front();
        }
        q.push_back(data.to_vec());
    }
}
