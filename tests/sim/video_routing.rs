//! Signaling routing on a virtual clock (spec video.md §3.3, §3.5, §6.5 F1–F17).

use super::video_harness::{frame, Lab, ANSWER, CANDIDATE, OFFER};
use kinesis_lab::engine::time::SimTime;
use kinesis_lab::engine::video::frame::decode_payload;
use kinesis_lab::engine::video::log::{Outcome, Peer};
use kinesis_lab::engine::video::Role;

#[test]
fn a_viewer_offer_reaches_the_master_with_its_sender_and_the_answer_comes_back_without() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("viewer-1");
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, None));
    let got = lab.take(master);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["messageType"], "SDP_OFFER");
    assert_eq!(got[0]["senderClientId"], "viewer-1");
    assert_eq!(decode_payload(got[0]["messagePayload"].as_str().unwrap()).unwrap()["type"], "offer");
    assert_eq!(got[1]["messageType"], "ICE_CANDIDATE");
    lab.send(master, &frame("SDP_ANSWER", ANSWER, Some("viewer-1"), Some("1697058567743")));
    let got = lab.take(viewer);
    assert_eq!(got.len(), 1, "success sends no STATUS_RESPONSE, only the answer: {got:?}");
    assert_eq!(got[0]["messageType"], "SDP_ANSWER");
    assert!(got[0].get("senderClientId").is_none(), "the master has no client id on the wire");
    assert!(lab.take(master).is_empty(), "success: no response at all");
}

#[test]
fn an_offer_waits_for_a_master_that_connects_within_the_ttl() {
    let mut lab = Lab::new(10);
    let viewer = lab.viewer("v1");
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    let pending = lab.service.pending_for("demo", &Peer::Master);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].2, SimTime::from_secs(12), "expires at send + TTL");
    lab.advance_ms(9_000);
    let master = lab.master();
    let got = lab.take(master);
    assert_eq!(got.len(), 1, "F1: delivered on connect");
    assert_eq!(got[0]["senderClientId"], "v1");
}

#[test]
fn an_offer_expires_when_the_master_comes_after_the_ttl() {
    let mut lab = Lab::new(5);
    let viewer = lab.viewer("v1");
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    lab.advance_ms(5_000);
    assert!(lab.service.pending_for("demo", &Peer::Master).is_empty());
    assert!(lab.service.log().entries().iter().any(|e| e.outcome == Outcome::Expired));
    let master = lab.master();
    assert!(lab.take(master).is_empty(), "F2: nothing arrives");
}

#[test]
fn a_newer_undelivered_offer_replaces_the_older_one() {
    let mut lab = Lab::new(60);
    let viewer = lab.viewer("v1");
    lab.send(viewer, &frame("SDP_OFFER", r#"{"type":"offer","sdp":"first"}"#, None, None));
    lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, None));
    lab.send(viewer, &frame("SDP_OFFER", r#"{"type":"offer","sdp":"second"}"#, None, None));
    let master = lab.master();
    let got = lab.take(master);
    let offers: Vec<_> = got.iter().filter(|f| f["messageType"] == "SDP_OFFER").collect();
    assert_eq!(offers.len(), 1, "F4: only one offer delivered");
    assert_eq!(decode_payload(offers[0]["messagePayload"].as_str().unwrap()).unwrap()["sdp"], "second");
    assert_eq!(got.len(), 2, "the candidate is kept");
    assert!(lab.service.log().entries().iter().any(|e| e.outcome == Outcome::Overwritten));
}

#[test]
fn master_messages_need_a_recipient_and_failures_answer_only_with_a_correlation_id() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let _viewer = lab.viewer("v1");
    lab.send(master, &frame("SDP_ANSWER", ANSWER, None, None));
    assert!(lab.take(master).is_empty(), "no correlationId: silent");
    lab.send(master, &frame("SDP_ANSWER", ANSWER, None, Some("c-1")));
    let got = lab.take(master);
    assert_eq!(got.len(), 1, "F13");
    assert_eq!(got[0]["messageType"], "STATUS_RESPONSE");
    assert_eq!(got[0]["statusResponse"]["correlationId"], "c-1");
    assert_eq!(got[0]["statusResponse"]["errorType"], "InvalidArgumentException");
    assert_eq!(got[0]["statusResponse"]["statusCode"], "400");
    let rejected = lab.service.log().entries().iter().filter(|e| matches!(e.outcome, Outcome::Rejected { .. })).count();
    assert_eq!(rejected, 2, "both refusals are in the log");
}

#[test]
fn a_viewer_cannot_address_another_viewer() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let v1 = lab.viewer("v1");
    let v2 = lab.viewer("v2");
    lab.send(v1, &frame("SDP_OFFER", OFFER, Some("v2"), None));
    assert!(lab.take(v2).is_empty(), "F14: not honoured");
    assert_eq!(lab.take(master).len(), 1, "the service routes it to the master, ignoring the field");
    let note = lab.service.log().entries().iter().find_map(|e| match &e.outcome {
        Outcome::Note { text } => Some(text.clone()),
        _ => None,
    });
    assert!(note.is_some_and(|t| t.contains("viewer → viewer is not allowed")));
}

#[test]
fn malformed_frames_change_nothing_and_peers_are_unaffected() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    for bad in
        ["", "{", "null", "[]", r#"{"action":"SDP_OFFER","messagePayload":"!!!!","correlationId":"x1"}"#, "\u{0}\u{1}"]
    {
        lab.send(viewer, bad);
    }
    let got = lab.take(viewer);
    assert_eq!(got.len(), 1, "only the frame with a correlationId is answered: {got:?}");
    assert!(got[0]["statusResponse"]["description"].as_str().unwrap().contains("payload undecodable"));
    assert!(lab.take(master).is_empty());
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    assert_eq!(lab.take(master).len(), 1, "F10: the session goes on");
}

#[test]
fn oversized_payloads_are_refused() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    let sdp = format!(r#"{{"type":"offer","sdp":"{}"}}"#, "a".repeat(7_600));
    lab.send(viewer, &frame("SDP_OFFER", &sdp, None, Some("big")));
    let got = lab.take(viewer);
    assert_eq!(got[0]["statusResponse"]["errorType"], "InvalidArgumentException", "F11");
    assert!(lab.take(master).is_empty());
}

#[test]
fn the_eleventh_viewer_is_refused_and_the_newest_master_or_same_viewer_wins() {
    let mut lab = Lab::new(60);
    let first_master = lab.master();
    lab.advance_ms(1_000);
    let second_master = lab.master();
    assert!(lab.closed.contains_key(&first_master), "F16: the first master's socket is closed");
    assert!(!lab.closed.contains_key(&second_master));
    let mut viewers = Vec::new();
    for i in 0..10 {
        lab.advance_ms(400); // 3 connects per second per channel
        viewers.push(lab.viewer(&format!("v{i}")));
    }
    lab.advance_ms(400);
    assert_eq!(lab.connect(Role::Viewer, Some("v10")), Err("ClientLimitExceededException".into()), "F15");
    lab.advance_ms(400);
    let again = lab.viewer("v3");
    assert!(lab.closed.contains_key(&viewers[3]), "F17: the older v3 is kicked");
    assert!(!lab.closed.contains_key(&again));
}

#[test]
fn connects_are_limited_to_three_per_second_per_channel() {
    let mut lab = Lab::new(60);
    for i in 0..3 {
        lab.viewer(&format!("v{i}"));
    }
    assert_eq!(lab.connect(Role::Viewer, Some("v3")), Err("ClientLimitExceededException".into()));
    lab.advance_ms(334);
    assert!(lab.connect(Role::Viewer, Some("v3")).is_ok(), "a token refills every third of a second");
}

#[test]
fn bursts_above_the_message_rates_are_throttled() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    for i in 0..25 {
        lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, Some(&format!("c{i}"))));
    }
    let refused = lab.take(viewer);
    assert_eq!(refused.len(), 5, "F18: 20 per second pass, 5 are refused");
    assert!(refused.iter().all(|f| f["statusResponse"]["errorType"] == "ClientLimitExceededException"));
    assert_eq!(lab.take(master).len(), 20);
    for _ in 0..6 {
        lab.send(viewer, &frame("SDP_OFFER", OFFER, None, Some("o")));
    }
    assert_eq!(lab.take(viewer).len(), 1, "5 offers per second");
}

#[test]
fn bad_client_ids_and_unknown_channels_are_refused_at_connect() {
    let mut lab = Lab::new(60);
    for bad in ["AWS_x", "has space", &"x".repeat(257)] {
        assert_eq!(lab.connect(Role::Viewer, Some(bad)), Err("InvalidArgumentException".into()), "F29 {bad}");
    }
    assert_eq!(lab.connect(Role::Viewer, None), Err("InvalidArgumentException".into()));
    lab.arn = lab.arn.replace("/demo/", "/other/");
    assert_eq!(lab.connect(Role::Master, None), Err("ResourceNotFoundException".into()));
}
