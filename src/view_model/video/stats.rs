//! The receiving side's getStats, once a second: bitrate, frames per second, round-trip time and
//! packet loss, as samples and as charts (the DQP metrics of the Test Page, spec video.md §4.5).

use crate::view_model::charts::{Chart, Ink, Line, Unit};
use serde_json::Value;

/// What one getStats call says, reduced to the numbers the lab charts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    /// The report's timestamp, in ms.
    pub timestamp_ms: f64,
    pub video_bytes: f64,
    pub frames_decoded: f64,
    pub frames_per_second: Option<f64>,
    pub frame_width: Option<f64>,
    pub frame_height: Option<f64>,
    pub packets_lost: f64,
    pub packets_received: f64,
    /// The selected candidate pair's current round trip, in ms.
    pub rtt_ms: Option<f64>,
    /// The selected pair's local and remote candidate types.
    pub pair: Option<(String, String)>,
}

/// Reads the reports of one getStats call (each report as JSON).
pub fn read(reports: &[Value]) -> Reading {
    let mut r = Reading::default();
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let mut selected_pair = None;
    for report in reports {
        r.timestamp_ms = r.timestamp_ms.max(num(report, "timestamp").unwrap_or(0.0));
        match text(report, "type").as_deref() {
            Some("inbound-rtp") if text(report, "kind").as_deref() == Some("video") => {
                r.video_bytes += num(report, "bytesReceived").unwrap_or(0.0);
                r.frames_decoded += num(report, "framesDecoded").unwrap_or(0.0);
                r.frames_per_second = num(report, "framesPerSecond").or(r.frames_per_second);
                r.frame_width = num(report, "frameWidth").or(r.frame_width);
                r.frame_height = num(report, "frameHeight").or(r.frame_height);
                r.packets_lost += num(report, "packetsLost").unwrap_or(0.0);
                r.packets_received += num(report, "packetsReceived").unwrap_or(0.0);
            }
            Some("transport") => selected_pair = text(report, "selectedCandidatePairId").or(selected_pair),
            _ => {}
        }
    }
    let by_id = |id: &str| reports.iter().find(|v| text(v, "id").as_deref() == Some(id));
    let pair = selected_pair.as_deref().and_then(by_id).or_else(|| {
        reports.iter().find(|v| {
            text(v, "type").as_deref() == Some("candidate-pair") && v.get("nominated") == Some(&Value::Bool(true))
        })
    });
    if let Some(pair) = pair {
        r.rtt_ms = num(pair, "currentRoundTripTime").map(|s| s * 1_000.0);
        let kind = |key: &str| text(pair, key).as_deref().and_then(by_id).and_then(|c| text(c, "candidateType"));
        if let (Some(l), Some(rm)) = (kind("localCandidateId"), kind("remoteCandidateId")) {
            r.pair = Some((l, rm));
        }
    }
    r
}

/// One second of the charts.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Seconds since the session started.
    pub at_s: f64,
    pub kbps: f64,
    pub fps: f64,
    pub rtt_ms: Option<f64>,
    /// Packets lost in this interval.
    pub lost: f64,
}

/// The sample between two readings (`None` for the first, or if time did not move).
pub fn sample(previous: &Reading, current: &Reading, at_s: f64) -> Option<Sample> {
    let dt = (current.timestamp_ms - previous.timestamp_ms) / 1_000.0;
    if dt <= 0.0 {
        return None;
    }
    let kbps = ((current.video_bytes - previous.video_bytes) * 8.0 / 1_000.0 / dt).max(0.0);
    let fps = current.frames_per_second.unwrap_or(((current.frames_decoded - previous.frames_decoded) / dt).max(0.0));
    let lost = (current.packets_lost - previous.packets_lost).max(0.0);
    Some(Sample { at_s, kbps, fps, rtt_ms: current.rtt_ms, lost })
}

/// The four charts of the receiving side.
pub fn charts(samples: &[Sample]) -> Vec<Chart> {
    let last = samples.last().map_or(0.0, |s| s.at_s);
    let x = ((last - 120.0).max(0.0), last.max(30.0));
    let line = |label: &str, f: &dyn Fn(&Sample) -> Option<f64>| Line {
        label: label.into(),
        ink: Ink::Main,
        points: samples.iter().filter_map(|s| f(s).map(|v| (s.at_s, v))).collect(),
    };
    let chart = |title: &str, unit, line| Chart { title: title.into(), unit, x, lines: vec![line], limit: None };
    vec![
        chart("Video bitrate received (kbit/s)", Unit::Count, line("kbit/s", &|s| Some(s.kbps))),
        chart("Frames per second decoded", Unit::Count, line("fps", &|s| Some(s.fps))),
        chart("Round-trip time of the selected pair", Unit::Millis, line("RTT", &|s| s.rtt_ms)),
        chart("Packets lost per second", Unit::Count, line("lost", &|s| Some(s.lost))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reports(t: f64, bytes: f64, frames: f64) -> Vec<Value> {
        vec![
            json!({"id": "T1", "type": "transport", "timestamp": t, "selectedCandidatePairId": "P1"}),
            json!({"id": "P1", "type": "candidate-pair", "timestamp": t, "currentRoundTripTime": 0.004, "localCandidateId": "L", "remoteCandidateId": "R"}),
            json!({"id": "L", "type": "local-candidate", "candidateType": "host"}),
            json!({"id": "R", "type": "remote-candidate", "candidateType": "prflx"}),
            json!({"id": "V", "type": "inbound-rtp", "kind": "video", "timestamp": t, "bytesReceived": bytes, "framesDecoded": frames, "frameWidth": 320, "packetsLost": 2}),
        ]
    }

    #[test]
    fn two_readings_give_bitrate_fps_and_the_selected_pair() {
        let a = read(&reports(1_000.0, 10_000.0, 30.0));
        let b = read(&reports(2_000.0, 135_000.0, 60.0));
        assert_eq!(b.pair, Some(("host".into(), "prflx".into())));
        assert_eq!(b.frame_width, Some(320.0));
        let s = sample(&a, &b, 2.0).expect("a second passed");
        assert_eq!(s.kbps, 1_000.0);
        assert_eq!(s.fps, 30.0);
        assert_eq!(s.rtt_ms, Some(4.0));
        assert_eq!(sample(&b, &b, 3.0), None);
        assert_eq!(charts(&[s]).len(), 4);
    }
}
