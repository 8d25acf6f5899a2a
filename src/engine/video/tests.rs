//! The NAT verdict table of spec §6.4, cell by cell, and the failure drills F22–F24.

use super::nat::{verdict, CandidateFilter, CandidateType, NatType, PeerNetwork, Servers, Traversal, Verdict};

fn peer(lan: u8, nat: NatType, traversal: Traversal) -> PeerNetwork {
    PeerNetwork { lan, nat, tcp_443: true, traversal }
}

fn path(v: &Verdict) -> Option<CandidateType> {
    match v {
        Verdict::Connects { path, .. } => Some(*path),
        Verdict::Fails { .. } => None,
    }
}

#[test]
fn the_direct_path_table_matches_the_spec_with_stun_only() {
    use NatType::*;
    let s = Servers::default();
    // Rows and columns in the spec's order; D = direct, R = relay needed (so ✗ with STUN only).
    let table = [
        "DDDDDR", // Open
        "DDDDDR", // Full cone
        "DDDDDR", // Restricted
        "DDDDRR", // Port-restricted
        "DDDRRR", // Symmetric
        "RRRRRR", // UDP blocked
    ];
    for (i, a) in NatType::ALL.iter().enumerate() {
        for (j, b) in NatType::ALL.iter().enumerate() {
            let expected = table[i].as_bytes()[j];
            let stun_only = verdict(&peer(1, *a, Traversal::StunOnly), &peer(2, *b, Traversal::StunOnly), &s);
            let with_turn = verdict(&peer(1, *a, Traversal::StunTurn), &peer(2, *b, Traversal::StunTurn), &s);
            match expected {
                b'D' => {
                    assert!(path(&stun_only).is_some_and(|p| p != CandidateType::Relay), "{a:?}/{b:?}: {stun_only:?}");
                    assert_eq!(path(&stun_only), path(&with_turn), "{a:?}/{b:?}: a direct path never needs TURN");
                }
                _ => {
                    assert_eq!(path(&stun_only), None, "{a:?}/{b:?}: {stun_only:?}");
                    assert_eq!(path(&with_turn), Some(CandidateType::Relay), "{a:?}/{b:?}: {with_turn:?}");
                }
            }
        }
    }
    let open_sym = verdict(&peer(1, Open, Traversal::StunOnly), &peer(2, Symmetric, Traversal::StunOnly), &s);
    assert_eq!(path(&open_sym), Some(CandidateType::Prflx), "B learned as prflx");
}

#[test]
fn same_lan_is_host_to_host_whatever_the_nat_and_disabled_reaches_only_the_lan() {
    let s = Servers::default();
    let v = verdict(
        &peer(3, NatType::Symmetric, Traversal::Disabled),
        &peer(3, NatType::Symmetric, Traversal::Disabled),
        &s,
    );
    assert_eq!(path(&v), Some(CandidateType::Host));
    let v =
        verdict(&peer(3, NatType::FullCone, Traversal::Disabled), &peer(4, NatType::FullCone, Traversal::Disabled), &s);
    assert_eq!(path(&v), None, "{v:?}");
}

#[test]
fn turn_only_without_turn_gathers_nothing_and_says_why() {
    let no_turn = Servers { turn_udp: false, turn_tcp: false, turn_tls: false, ..Servers::default() };
    let v = verdict(
        &peer(1, NatType::FullCone, Traversal::TurnOnly),
        &peer(1, NatType::FullCone, Traversal::StunTurn),
        &no_turn,
    );
    let Verdict::Fails { why } = v else { panic!("TURN only without TURN must fail") };
    assert!(why.contains("zero candidates"), "{why}");
    // Even on one LAN: TURN only forbids host candidates.
    let expired = Servers { turn_credentials_valid: false, ..Servers::default() };
    assert!(path(&verdict(
        &peer(1, NatType::Open, Traversal::TurnOnly),
        &peer(1, NatType::Open, Traversal::TurnOnly),
        &expired
    ))
    .is_none());
    let v = verdict(
        &peer(1, NatType::Open, Traversal::TurnOnly),
        &peer(1, NatType::Open, Traversal::StunTurn),
        &Servers::default(),
    );
    assert_eq!(path(&v), Some(CandidateType::Relay));
}

#[test]
fn udp_blocked_needs_turn_over_tcp() {
    let s = Servers::default();
    let blocked = |tcp_443| PeerNetwork { lan: 1, nat: NatType::UdpBlocked, tcp_443, traversal: Traversal::StunTurn };
    let other = peer(2, NatType::PortRestricted, Traversal::StunTurn);
    let Verdict::Connects { path, why, relay_extra_rtt_ms } = verdict(&blocked(true), &other, &s) else {
        panic!("TURN/TCP works")
    };
    assert_eq!(path, CandidateType::Relay);
    assert!(why.contains("(tcp)") || why.contains("(udp)"), "{why}");
    assert!(relay_extra_rtt_ms > 0);
    let no_tcp = Servers { turn_tcp: false, turn_tls: false, ..s };
    let v = verdict(&blocked(true), &peer(2, NatType::UdpBlocked, Traversal::StunTurn), &no_tcp);
    assert!(matches!(v, Verdict::Fails { .. }), "F23: without TURN over TCP nothing works: {v:?}");
}

#[test]
fn candidate_filters_read_transport_and_type_like_the_test_page() {
    let host = "candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host generation 0";
    let tcp = "candidate:2 1 tcp 1518280447 192.168.1.10 9 typ host tcptype active";
    assert_eq!(CandidateType::of_line(host), Some(CandidateType::Host));
    let no_host = CandidateFilter { host: false, ..CandidateFilter::default() };
    assert!(no_host.passes(host).is_err());
    let no_tcp = CandidateFilter { tcp: false, ..CandidateFilter::default() };
    assert!(no_tcp.passes(host).is_ok());
    assert!(no_tcp.passes(tcp).is_err());
}
