//! Connection lifetimes and service notices (spec video.md §3.6, §6.5 F19–F21, F27, F28), and the knobs (§6.3).

use super::video_harness::{frame, Lab, CANDIDATE, OFFER};
use kinesis_lab::engine::time::SimTime;
use kinesis_lab::engine::video::control::{DeleteSignalingChannelInput, GetIceServerConfigInput};
use kinesis_lab::engine::video::log::{Outcome, Peer};
use kinesis_lab::engine::video::settings::{DropRules, Knobs, PathKnobs};
use kinesis_lab::engine::video::{ConnectRequest, Role, VideoRequest};

#[test]
fn idle_connections_close_after_ten_minutes_and_traffic_keeps_them_open() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    lab.advance_ms(9 * 60_000);
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    lab.advance_ms(2 * 60_000);
    assert!(lab.closed.is_empty(), "both sockets saw the offer a minute ago");
    lab.advance_ms(9 * 60_000);
    assert!(lab.closed[&master].contains("idle"), "F19");
    assert!(lab.closed[&viewer].contains("idle"));
}

#[test]
fn go_away_then_a_forced_close_after_the_grace_period() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    assert!(lab.service.inject_go_away(lab.now, master));
    lab.drain();
    assert_eq!(lab.take(master), vec![serde_json::json!({"messageType": "GO_AWAY"})]);
    lab.advance_ms(59_999);
    assert!(lab.closed.is_empty());
    lab.advance_ms(1);
    assert!(lab.closed[&master].contains("GO_AWAY"), "F20");
}

#[test]
fn reconnect_ice_server_revokes_turn_credentials_until_new_ones_are_fetched() {
    let mut lab = Lab::new(60);
    let viewer = lab.viewer("v1");
    let request = VideoRequest::GetIceServerConfig(GetIceServerConfigInput {
        channel_arn: lab.arn.clone(),
        ..Default::default()
    });
    let config = lab.service.handle_request(lab.now, request.clone()).expect("ICE config");
    let servers = config["IceServerList"].as_array().expect("a list");
    assert_eq!(servers.len(), 2, "two TURN sets");
    assert_eq!(servers[0]["Ttl"], 300);
    assert_eq!(servers[0]["Uris"].as_array().unwrap().len(), 3);
    let username = servers[0]["Username"].as_str().unwrap().to_string();
    assert!(lab.service.turn_credentials_valid(lab.now, &username));
    lab.service.inject_reconnect_ice_server(lab.now, &lab.arn.clone()).expect("the channel exists");
    lab.drain();
    assert_eq!(lab.take(viewer)[0]["messageType"], "RECONNECT_ICE_SERVER");
    assert!(!lab.service.turn_credentials_valid(lab.now, &username), "F21");
    let fresh = lab.service.handle_request(lab.now, request).expect("ICE config");
    let fresh_user = fresh["IceServerList"][0]["Username"].as_str().unwrap().to_string();
    lab.advance_ms(299_999);
    assert!(lab.service.turn_credentials_valid(lab.now, &fresh_user));
    lab.advance_ms(1);
    assert!(!lab.service.turn_credentials_valid(lab.now, &fresh_user), "Ttl 300 s");
}

#[test]
fn deleting_a_channel_closes_its_sockets_and_reconnecting_is_not_found() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let delete = VideoRequest::DeleteSignalingChannel(DeleteSignalingChannelInput {
        channel_arn: lab.arn.clone(),
        current_version: None,
    });
    lab.service.handle_request(lab.now, delete).expect("deleted");
    lab.drain();
    assert!(lab.closed[&master].contains("deleted"));
    lab.advance_ms(1_000);
    assert_eq!(lab.connect(Role::Master, None), Err("ResourceNotFoundException".into()), "F28");
}

#[test]
fn an_expired_or_skewed_signature_is_access_denied() {
    let mut lab = Lab::new(60);
    lab.advance_to(SimTime::from_secs(1_000));
    for signed_at in [SimTime::from_secs(700), SimTime::from_secs(1_301)] {
        let request = ConnectRequest {
            role: Role::Master,
            channel_arn: lab.arn.clone(),
            client_id: None,
            signed_at: Some(signed_at),
        };
        let error = lab.service.connect(lab.now, request).expect_err("F27");
        assert_eq!(error.kind.aws_code(), "AccessDeniedException");
    }
    let ok = ConnectRequest {
        role: Role::Master,
        channel_arn: lab.arn.clone(),
        client_id: None,
        signed_at: Some(SimTime::from_secs(990)),
    };
    assert!(lab.service.connect(lab.now, ok).is_ok());
}

#[test]
fn latency_delays_delivery_and_order_is_kept_unless_reordering_is_on() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    let knobs =
        Knobs { to_master: PathKnobs { latency_ms: 200, jitter_ms: 150, ..Default::default() }, ..Default::default() };
    lab.service.set_knobs(knobs).expect("in range");
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    for _ in 0..10 {
        lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, None));
    }
    lab.advance_ms(199);
    assert!(lab.take(master).is_empty(), "nothing before the base latency");
    lab.advance_ms(200);
    let got = lab.take(master);
    assert_eq!(got.len(), 11);
    assert_eq!(got[0]["messageType"], "SDP_OFFER", "in order without reordering");
}

#[test]
fn with_reordering_candidates_can_overtake_their_offer() {
    // Over several seeds of sends, some candidate arrives before the offer (F8).
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    let knobs =
        Knobs { to_master: PathKnobs { jitter_ms: 1_000, ..Default::default() }, reorder: true, ..Default::default() };
    lab.service.set_knobs(knobs).expect("in range");
    let mut overtaken = false;
    for round in 0..20 {
        lab.advance_ms(1_100);
        lab.send(viewer, &frame("SDP_OFFER", OFFER, None, Some(&format!("r{round}"))));
        lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, None));
        lab.advance_ms(1_001);
        let got = lab.take(master);
        assert_eq!(got.len(), 2);
        overtaken |= got[0]["messageType"] == "ICE_CANDIDATE";
    }
    assert!(overtaken);
}

#[test]
fn loss_drops_partition_and_duplicates_follow_the_knobs() {
    let mut lab = Lab::new(60);
    let master = lab.master();
    let viewer = lab.viewer("v1");
    let drill = Knobs { drop: DropRules { sdp_answer: true, ..Default::default() }, ..Default::default() };
    lab.service.set_knobs(drill).unwrap();
    lab.send(master, &frame("SDP_ANSWER", r#"{"type":"answer","sdp":"x"}"#, Some("v1"), None));
    assert!(lab.take(viewer).is_empty(), "F5");
    lab.service.set_knobs(Knobs { partition: true, ..Default::default() }).unwrap();
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    assert!(lab.take(master).is_empty(), "F30: signaling is cut");
    lab.service
        .set_knobs(Knobs {
            to_master: PathKnobs { duplicate_percent: 100, ..Default::default() },
            ..Default::default()
        })
        .unwrap();
    lab.advance_ms(1_000);
    lab.send(viewer, &frame("SDP_OFFER", OFFER, None, None));
    assert_eq!(lab.take(master).len(), 2, "F9: delivered twice");
    lab.service
        .set_knobs(Knobs { to_master: PathKnobs { loss_percent: 50, ..Default::default() }, ..Default::default() })
        .unwrap();
    let mut arrived = 0;
    for _ in 0..100 {
        lab.advance_ms(60);
        lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, None));
        arrived += lab.take(master).len();
    }
    assert!((30..=70).contains(&arrived), "about half of 100 arrive: {arrived}");
    let lost = lab.service.log().entries().iter().filter(|e| matches!(e.outcome, Outcome::Lost { .. })).count();
    assert_eq!(lost, 2 + 100 - arrived);
    assert!(lab
        .service
        .set_knobs(Knobs { to_viewer: PathKnobs { latency_ms: 5_001, ..Default::default() }, ..Default::default() })
        .is_err());
}

#[test]
fn the_same_seed_gives_the_same_log() {
    let run = || {
        let mut lab = Lab::new(30);
        let master = lab.master();
        let viewer = lab.viewer("v1");
        let knobs = Knobs {
            to_master: PathKnobs { latency_ms: 50, jitter_ms: 300, loss_percent: 20, duplicate_percent: 10 },
            reorder: true,
            ..Default::default()
        };
        lab.service.set_knobs(knobs).unwrap();
        for i in 0..40 {
            lab.advance_ms(70);
            lab.send(viewer, &frame("ICE_CANDIDATE", CANDIDATE, None, Some(&format!("c{i}"))));
            lab.send(master, &frame("ICE_CANDIDATE", CANDIDATE, Some("v1"), None));
        }
        lab.advance_ms(5_000);
        serde_json::to_string(lab.service.log().entries()).unwrap()
    };
    assert_eq!(run(), run());
    let _ = Peer::Master;
}
