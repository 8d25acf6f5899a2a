//! Video codec choice (setCodecPreferences) and what an offer and its answer agreed on, read from the SDP's
//! video m-line and its `a=rtpmap` lines (spec video.md §2 "Codecs", drill F26).

use crate::engine::video::frame::{decode_payload, MessageType};
use crate::engine::video::log::{LogEntry, Outcome};

/// A side's video codec preference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Codec {
    /// The browser's own order.
    #[default]
    Any,
    Vp8,
    Vp9,
    H264,
    Av1,
}

impl Codec {
    /// Every choice, in the form's order.
    pub const ALL: [Codec; 5] = [Codec::Any, Codec::Vp8, Codec::Vp9, Codec::H264, Codec::Av1];

    /// The form's label.
    pub fn label(self) -> &'static str {
        match self {
            Codec::Any => "any (browser order)",
            Codec::Vp8 => "VP8 only",
            Codec::Vp9 => "VP9 only",
            Codec::H264 => "H.264 only",
            Codec::Av1 => "AV1 only",
        }
    }

    /// The capability's mimeType this choice keeps; `None` keeps them all.
    pub fn mime_type(self) -> Option<&'static str> {
        match self {
            Codec::Any => None,
            Codec::Vp8 => Some("video/VP8"),
            Codec::Vp9 => Some("video/VP9"),
            Codec::H264 => Some("video/H264"),
            Codec::Av1 => Some("video/AV1"),
        }
    }
}

/// The video section of one SDP.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VideoSection {
    /// Port 0: the answerer rejected the section.
    pub rejected: bool,
    /// The media codecs' names in the m-line's order, without rtx/red/ulpfec/flexfec helpers.
    pub codecs: Vec<String>,
}

/// The first video m-line of `sdp`, if any.
pub fn video_section(sdp: &str) -> Option<VideoSection> {
    let mut lines = sdp.lines().map(str::trim_end).skip_while(|l| !l.starts_with("m=video "));
    let m_line = lines.next()?;
    let mut fields = m_line.split_whitespace().skip(1);
    let rejected = fields.next() == Some("0");
    let payloads: Vec<&str> = fields.skip(1).collect();
    let mut names = std::collections::BTreeMap::new();
    for line in lines.take_while(|l| !l.starts_with("m=")) {
        if let Some((pt, rest)) = line.strip_prefix("a=rtpmap:").and_then(|r| r.split_once(' ')) {
            names.insert(pt.to_string(), rest.split('/').next().unwrap_or_default().to_string());
        }
    }
    let helpers = ["rtx", "red", "ulpfec", "flexfec-03"];
    let mut codecs: Vec<String> = Vec::new();
    for pt in payloads {
        if let Some(name) = names.get(pt) {
            if !helpers.contains(&name.as_str()) && !codecs.contains(name) {
                codecs.push(name.clone());
            }
        }
    }
    Some(VideoSection { rejected, codecs })
}

/// One sentence on what an offer and its answer agreed for video.
pub fn agreement(offer: &str, answer: &str) -> String {
    match (video_section(offer), video_section(answer)) {
        (None, _) => "The offer has no video section.".into(),
        (Some(o), None) => format!("Offered video codecs: {}; the answer has no video section.", o.codecs.join(", ")),
        (Some(o), Some(a)) if a.rejected || a.codecs.is_empty() => format!(
            "Offered video codecs: {}; the answer rejects the video section (port 0): no codec in common, so no \
             video flows, though ICE and the data channel still connect.",
            o.codecs.join(", ")
        ),
        (Some(o), Some(a)) => format!(
            "Offered video codecs: {}; the answer accepts {}, and the first ({}) is used.",
            o.codecs.join(", "),
            a.codecs.join(", "),
            a.codecs[0]
        ),
    }
}

/// The SDP inside a logged frame (its base64 messagePayload holds `{"type","sdp"}`).
fn frame_sdp(frame: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(frame).ok()?;
    let payload = decode_payload(value.get("messagePayload")?.as_str()?).ok()?;
    Some(payload.get("sdp")?.as_str()?.to_string())
}

/// What the latest delivered offer and answer agreed for video, from the channel's log.
pub fn from_log(entries: &[LogEntry]) -> Option<String> {
    let latest = |kind: MessageType| {
        entries
            .iter()
            .rev()
            .find(|e| e.message_type == Some(kind) && e.outcome == Outcome::Delivered)
            .and_then(|e| e.frame.as_deref())
            .and_then(frame_sdp)
    };
    let offer = latest(MessageType::SdpOffer)?;
    Some(match latest(MessageType::SdpAnswer) {
        Some(answer) => agreement(&offer, &answer),
        None => match video_section(&offer) {
            Some(v) => format!("Offered video codecs: {}; no answer yet.", v.codecs.join(", ")),
            None => "The offer has no video section.".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 45\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n\
        a=rtpmap:98 VP9/90000\r\na=rtpmap:99 rtx/90000\r\na=rtpmap:45 AV1/90000\r\n\
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";

    #[test]
    fn the_video_line_lists_media_codecs_in_order_without_helpers() {
        let v = video_section(OFFER).unwrap();
        assert_eq!(v, VideoSection { rejected: false, codecs: vec!["VP8".into(), "VP9".into(), "AV1".into()] });
        assert_eq!(video_section("v=0\r\nm=audio 9 RTP 0\r\n"), None);
    }

    #[test]
    fn a_rejected_section_says_no_codec_in_common() {
        let answer = "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
        let text = agreement(OFFER, answer);
        assert!(text.contains("rejects the video section"), "{text}");
        let answer = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 98\r\na=rtpmap:98 VP9/90000\r\n";
        assert_eq!(
            agreement(OFFER, answer),
            "Offered video codecs: VP8, VP9, AV1; the answer accepts VP9, and the first (VP9) is used."
        );
    }

    #[test]
    fn the_log_s_latest_delivered_offer_and_answer_are_compared() {
        use crate::engine::video::frame::{encode_payload, ServiceFrame};
        use crate::engine::video::log::Peer;
        let line = |kind: MessageType, sdp: &str, outcome: Outcome| {
            let json = serde_json::json!({ "type": "x", "sdp": sdp }).to_string();
            let frame = ServiceFrame::relayed(kind, Some("v1"), &encode_payload(&json)).to_text();
            LogEntry {
                seq: 0,
                at: crate::engine::time::SimTime::ZERO,
                channel: "demo".into(),
                from: Some(Peer::Viewer("v1".into())),
                to: Some(Peer::Master),
                message_type: Some(kind),
                outcome,
                frame: Some(frame),
            }
        };
        let answer = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 98\r\na=rtpmap:98 VP9/90000\r\n";
        assert_eq!(from_log(&[]), None);
        let offered = [line(MessageType::SdpOffer, OFFER, Outcome::Delivered)];
        assert_eq!(from_log(&offered).unwrap(), "Offered video codecs: VP8, VP9, AV1; no answer yet.");
        let lost = [offered[0].clone(), line(MessageType::SdpAnswer, answer, Outcome::Lost { reason: "x".into() })];
        assert!(from_log(&lost).unwrap().ends_with("no answer yet."));
        let both = [offered[0].clone(), line(MessageType::SdpAnswer, answer, Outcome::Delivered)];
        assert!(from_log(&both).unwrap().contains("the answer accepts VP9"));
    }

    #[test]
    fn every_choice_but_any_names_one_mime_type() {
        assert_eq!(Codec::ALL.iter().filter(|c| c.mime_type().is_some()).count(), 4);
        assert_eq!(Codec::H264.mime_type(), Some("video/H264"));
    }
}
