//! The Video lab's fragment list: what the page recorded, what PutMedia answered for each fragment, and
//! whether the archive still holds it. Fed by [`crate::engine::video::media::MediaService`]'s outcomes and
//! acknowledgements; pure, so it is tested natively.

use crate::engine::kds::datetime::iso8601_millis;
use crate::engine::video::media::fragment::AckEvent;
use crate::engine::video::media::put::PutOutcome;
use crate::engine::video::media::AckOutput;

/// The recording formats offered, best first: H.264 in Matroska is what KVS producers send (MKV, and the
/// codec GetClip plays); VP8/VP9 in WebM are what every browser records, and GetClip refuses them.
pub const RECORDING_TYPES: [(&str, &str); 3] = [
    ("video/x-matroska;codecs=avc1", "H.264 in Matroska (MKV), as KVS producers send"),
    ("video/webm;codecs=vp8", "VP8 in WebM (GetClip refuses it)"),
    ("video/webm;codecs=vp9", "VP9 in WebM (GetClip refuses it)"),
];

/// The MKV codec id of a MediaRecorder MIME type's video codec.
pub fn codec_id_of(mime: &str) -> &'static str {
    let codecs = mime.split_once("codecs=").map_or("", |(_, c)| c).to_ascii_lowercase();
    if codecs.contains("avc1") || codecs.contains("h264") {
        "V_MPEG4/ISO/AVC"
    } else if codecs.contains("hvc1") || codecs.contains("hev1") || codecs.contains("h265") {
        "V_MPEGH/ISO/HEVC"
    } else if codecs.contains("vp8") {
        "V_VP8"
    } else if codecs.contains("vp9") {
        "V_VP9"
    } else if codecs.contains("av1") {
        "V_AV1"
    } else {
        "V_UNKNOWN"
    }
}

/// One acknowledgement as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckMark {
    /// BUFFERING, RECEIVED, PERSISTED or ERROR.
    pub event: &'static str,
    /// Milliseconds after the fragment's BUFFERING (0 for BUFFERING itself).
    pub after_ms: u64,
    /// `ErrorId: meaning` for ERROR.
    pub error: Option<String>,
}

/// One recorded fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FragmentRow {
    /// The page's own count, from 1.
    pub index: u32,
    /// The service's fragment number, once it gave one.
    pub number: Option<String>,
    /// The producer timestamp, epoch ms.
    pub producer_ms: u64,
    /// The server timestamp (BUFFERING), epoch ms.
    pub server_ms: Option<u64>,
    /// The recording's length.
    pub duration_ms: u64,
    /// The recording's size.
    pub size_bytes: u64,
    /// Acknowledgements so far, in order.
    pub acks: Vec<AckMark>,
    /// In the archive now (ListFragments would list it).
    pub archived: bool,
    /// Was archived and the retention sweep removed it.
    pub swept: bool,
}

impl FragmentRow {
    /// The fragment number shortened for a table cell: its last 12 digits.
    pub fn short_number(&self) -> String {
        match &self.number {
            Some(n) if n.len() > 12 => format!("…{}", &n[n.len() - 12..]),
            Some(n) => n.clone(),
            None => "—".into(),
        }
    }

    /// Where the fragment is: archived, swept, failed or on its way.
    pub fn state(&self) -> &'static str {
        if self.archived {
            "archived"
        } else if self.swept {
            "swept by retention"
        } else if self.acks.iter().any(|a| a.event == "ERROR") {
            "not archived"
        } else if self.acks.iter().any(|a| a.event == "RECEIVED") && !self.acks.iter().any(|a| a.event == "PERSISTED") {
            "received"
        } else {
            "in flight"
        }
    }
}

/// An epoch-ms instant as `HH:MM:SS.mmm` (UTC), for table cells.
pub fn clock(epoch_ms: u64) -> String {
    iso8601_millis(epoch_ms).get(11..23).unwrap_or_default().to_string()
}

/// The list, in recording order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// The rows, oldest first.
    pub rows: Vec<FragmentRow>,
    /// The service's epoch (simulated time zero), epoch ms.
    pub epoch_ms: u64,
}

impl Ledger {
    /// A new list for a service whose clock starts at `epoch_ms`.
    pub fn new(epoch_ms: u64) -> Ledger {
        Ledger { rows: Vec::new(), epoch_ms }
    }

    /// A fragment was sent; `outcome` is what the service said at once.
    pub fn sent(&mut self, outcome: &PutOutcome, producer_ms: u64, duration_ms: u64, size_bytes: u64) {
        let acks = match (&outcome.fragment_number, outcome.error) {
            // Refused before it was numbered: its ERROR ack carries no number, so it is noted here.
            (None, Some(error)) => {
                vec![AckMark {
                    event: "ERROR",
                    after_ms: 0,
                    error: Some(format!("{}: {}", error.id(), error.meaning())),
                }]
            }
            _ => Vec::new(),
        };
        self.rows.push(FragmentRow {
            index: self.rows.len() as u32 + 1,
            number: outcome.fragment_number.clone(),
            producer_ms,
            server_ms: None,
            duration_ms,
            size_bytes,
            acks,
            archived: false,
            swept: false,
        });
    }

    /// An acknowledgement arrived.
    pub fn acked(&mut self, out: &AckOutput) {
        let Some(number) = &out.ack.fragment_number else { return };
        let Some(row) = self.rows.iter_mut().find(|r| r.number.as_ref() == Some(number)) else { return };
        let at_ms = self.epoch_ms + out.ack.at.as_millis();
        if out.ack.event == AckEvent::Buffering {
            row.server_ms = Some(at_ms);
        }
        let after_ms = at_ms.saturating_sub(row.server_ms.unwrap_or(at_ms));
        let error = out.ack.error.map(|e| format!("{}: {}", e.id(), e.meaning()));
        row.acks.push(AckMark { event: out.ack.event.as_str(), after_ms, error });
    }

    /// Marks which fragments the archive holds; a fragment that was archived and is gone was swept.
    pub fn archive_is(&mut self, holds: impl Fn(&str) -> bool) {
        for row in &mut self.rows {
            let now = row.number.as_deref().is_some_and(&holds);
            if row.archived && !now {
                row.swept = true;
            }
            row.archived = now;
        }
    }

    /// The archived rows, oldest first (the clip range's choices).
    pub fn archived(&self) -> impl Iterator<Item = &FragmentRow> {
        self.rows.iter().filter(|r| r.archived)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimTime;
    use crate::engine::video::media::fragment::{Ack, AckError};
    use crate::engine::video::media::SessionId;

    fn ack(at_ms: u64, event: AckEvent, number: &str, error: Option<AckError>) -> AckOutput {
        let ack = Ack {
            at: SimTime::from_millis(at_ms),
            event,
            fragment_timecode: 0,
            fragment_number: Some(number.into()),
            error,
        };
        AckOutput { session: SessionId(1), stream: "cam".into(), ack }
    }

    #[test]
    fn codec_ids_follow_the_recording_type() {
        assert_eq!(codec_id_of("video/x-matroska;codecs=avc1"), "V_MPEG4/ISO/AVC");
        assert_eq!(codec_id_of("video/webm;codecs=vp8"), "V_VP8");
        assert_eq!(codec_id_of("video/webm;codecs=vp9,opus"), "V_VP9");
        assert_eq!(codec_id_of("video/webm"), "V_UNKNOWN");
    }

    #[test]
    fn rows_follow_acks_into_the_archive_and_out_by_retention() {
        let mut ledger = Ledger::new(1_000_000);
        let number = "90000000000000000000000000000000000000000000123";
        ledger.sent(&PutOutcome { fragment_number: Some(number.into()), error: None }, 999_000, 2_000, 50_000);
        ledger.sent(
            &PutOutcome { fragment_number: None, error: Some(AckError::TimecodeNotMonotonic) },
            999_000,
            2_000,
            1,
        );
        assert_eq!(ledger.rows[1].acks[0].error.as_deref(), Some("4004: the fragment timecode is not increasing"));
        assert_eq!(ledger.rows[1].state(), "not archived");
        ledger.acked(&ack(5_000, AckEvent::Buffering, number, None));
        ledger.acked(&ack(5_004, AckEvent::Received, number, None));
        assert_eq!(ledger.rows[0].state(), "received");
        ledger.acked(&ack(6_004, AckEvent::Persisted, number, None));
        assert_eq!(ledger.rows[0].server_ms, Some(1_005_000));
        let marks: Vec<(&str, u64)> = ledger.rows[0].acks.iter().map(|a| (a.event, a.after_ms)).collect();
        assert_eq!(marks, [("BUFFERING", 0), ("RECEIVED", 4), ("PERSISTED", 1_004)]);
        ledger.archive_is(|n| n == number);
        assert_eq!(ledger.rows[0].state(), "archived");
        assert_eq!(ledger.archived().count(), 1);
        ledger.archive_is(|_| false);
        assert_eq!(ledger.rows[0].state(), "swept by retention");
        assert_eq!(ledger.rows[0].short_number(), "…000000000123");
        assert_eq!(clock(1_700_000_000_123), "22:13:20.123");
    }
}
