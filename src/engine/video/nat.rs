//! The NAT and ICE model (spec video.md §6.4): which paths two modelled networks allow, and therefore
//! which of the browser's real candidates may pass.
//!
//! In one browser every peer reaches every other on host candidates and no STUN or TURN server exists, so
//! server-reflexive and relay candidates cannot be produced for real. The lab models the topology, decides a
//! verdict, and enforces it on the real connection by filtering real candidates: a path the model forbids
//! genuinely never forms (all candidates dropped, the connection stays `new`); never is reachability faked.

use serde::{Deserialize, Serialize};

/// NAT behaviour of a peer's router (RFC 4787 classes) [M].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatType {
    /// A public address, no NAT.
    Open,
    /// Endpoint-independent mapping and filtering.
    FullCone,
    /// Filters by remote address.
    Restricted,
    /// Filters by remote address and port.
    PortRestricted,
    /// A new mapping per destination.
    Symmetric,
    /// A firewall blocks outbound UDP: only TURN over TCP/TLS on 443 gets out.
    UdpBlocked,
}

impl NatType {
    /// Every type, in the table's order.
    pub const ALL: [NatType; 6] = [
        NatType::Open,
        NatType::FullCone,
        NatType::Restricted,
        NatType::PortRestricted,
        NatType::Symmetric,
        NatType::UdpBlocked,
    ];

    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            NatType::Open => "Open (public IP)",
            NatType::FullCone => "Full cone",
            NatType::Restricted => "Restricted cone",
            NatType::PortRestricted => "Port-restricted cone",
            NatType::Symmetric => "Symmetric",
            NatType::UdpBlocked => "UDP blocked",
        }
    }
}

/// The Test Page's NAT traversal choice (spec §5 item 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Traversal {
    /// STUN and TURN: host, srflx and relay candidates.
    StunTurn,
    /// TURN only (`iceTransportPolicy: relay`).
    TurnOnly,
    /// STUN only: no relay fallback.
    StunOnly,
    /// No ICE servers: host candidates only.
    Disabled,
}

/// One peer's modelled network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct PeerNetwork {
    /// Peers on the same LAN reach each other on host candidates.
    pub lan: u8,
    /// The router's behaviour.
    pub nat: NatType,
    /// Outbound TCP 443 allowed (TURN over TCP/TLS).
    pub tcp_443: bool,
    /// The peer's NAT traversal setting.
    pub traversal: Traversal,
}

impl Default for PeerNetwork {
    fn default() -> Self {
        PeerNetwork { lan: 1, nat: NatType::PortRestricted, tcp_443: true, traversal: Traversal::StunTurn }
    }
}

/// The servers' side of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct Servers {
    /// The KVS STUN server answers.
    pub stun_reachable: bool,
    /// TURN over UDP (`turn:…?transport=udp`).
    pub turn_udp: bool,
    /// TURN over TCP (`turns:…?transport=tcp`).
    pub turn_tcp: bool,
    /// TURN over TLS (`turns:…?transport=udp` wraps DTLS; TLS on 443).
    pub turn_tls: bool,
    /// The TURN credentials are fresh (Ttl 300 s, not revoked by RECONNECT_ICE_SERVER).
    pub turn_credentials_valid: bool,
}

impl Default for Servers {
    fn default() -> Self {
        Servers { stun_reachable: true, turn_udp: true, turn_tcp: true, turn_tls: true, turn_credentials_valid: true }
    }
}

/// ICE candidate types, with their RFC 8445 type preferences [M].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateType {
    /// The interface's own address.
    Host,
    /// Peer-reflexive: learned from an incoming check.
    Prflx,
    /// Server-reflexive: the NAT's public mapping, learned from STUN.
    Srflx,
    /// A TURN relay address.
    Relay,
}

impl CandidateType {
    /// The SDP spelling (`typ host`).
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateType::Host => "host",
            CandidateType::Prflx => "prflx",
            CandidateType::Srflx => "srflx",
            CandidateType::Relay => "relay",
        }
    }

    /// RFC 8445's recommended type preference: host 126 > prflx 110 > srflx 100 > relay 0.
    pub fn type_preference(self) -> u32 {
        match self {
            CandidateType::Host => 126,
            CandidateType::Prflx => 110,
            CandidateType::Srflx => 100,
            CandidateType::Relay => 0,
        }
    }

    /// The type in a candidate line (`… typ host …`), as the Test Page reads words[7].
    pub fn of_line(line: &str) -> Option<CandidateType> {
        let mut words = line.split_whitespace();
        words.find(|w| *w == "typ")?;
        match words.next()? {
            "host" => Some(CandidateType::Host),
            "prflx" => Some(CandidateType::Prflx),
            "srflx" => Some(CandidateType::Srflx),
            "relay" => Some(CandidateType::Relay),
            _ => None,
        }
    }
}

/// A candidate the model gathers, for display (never handed to `addIceCandidate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCandidate {
    /// host, srflx or relay.
    pub kind: CandidateType,
    /// `udp` or `tcp`.
    pub transport: String,
    /// `address:port`.
    pub address: String,
    /// RFC 8445 priority: 2^24·type preference + 2^8·local preference + (256 − component).
    pub priority: u32,
}

/// What the model says about a pair of peers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// A path exists: its type, why, and the extra round trip a relay detour adds.
    Connects { path: CandidateType, why: String, relay_extra_rtt_ms: u32 },
    /// No path: why. Every candidate is dropped, so the real connection never forms.
    Fails { why: String },
}

/// The extra round trip of a TURN detour in the model [M].
pub const RELAY_EXTRA_RTT_MS: u32 = 40;

fn uses_stun(p: &PeerNetwork) -> bool {
    matches!(p.traversal, Traversal::StunTurn | Traversal::StunOnly)
}

fn has_srflx(p: &PeerNetwork, s: &Servers) -> bool {
    uses_stun(p) && s.stun_reachable && p.nat != NatType::UdpBlocked
}

/// The relay transport a peer can allocate on, if any.
fn relay_transport(p: &PeerNetwork, s: &Servers) -> Option<&'static str> {
    if !matches!(p.traversal, Traversal::StunTurn | Traversal::TurnOnly) || !s.turn_credentials_valid {
        return None;
    }
    if p.nat != NatType::UdpBlocked && s.turn_udp {
        Some("udp")
    } else if p.tcp_443 && (s.turn_tcp || s.turn_tls) {
        Some("tcp")
    } else {
        None
    }
}

/// The candidates a peer would gather in the model (host on its LAN, srflx from STUN, relay from TURN).
pub fn gather(p: &PeerNetwork, s: &Servers, index: u8) -> Vec<ModelCandidate> {
    let candidate = |kind: CandidateType, transport: &str, address: String| ModelCandidate {
        kind,
        transport: transport.into(),
        priority: (kind.type_preference() << 24) + (65_535 << 8) + 255,
        address,
    };
    let mut out = Vec::new();
    if p.traversal != Traversal::TurnOnly {
        let host = if p.nat == NatType::Open {
            format!("198.51.100.{}:{}", 10 + index, 50_000 + u32::from(index))
        } else {
            format!("192.168.{}.{}:{}", p.lan, 10 + index, 50_000 + u32::from(index))
        };
        out.push(candidate(CandidateType::Host, "udp", host));
        if has_srflx(p, s) && p.nat != NatType::Open {
            out.push(candidate(
                CandidateType::Srflx,
                "udp",
                format!("203.0.113.{}:{}", p.lan, 61_000 + u32::from(index)),
            ));
        }
    }
    if let Some(transport) = relay_transport(p, s) {
        out.push(candidate(
            CandidateType::Relay,
            transport,
            format!("18.204.10.{}:{}", 20 + index, 40_000 + u32::from(index)),
        ));
    }
    out
}

/// Direct UDP between two NATed peers (both not UDP-blocked), per the table of spec §6.4.
fn direct_table(a: NatType, b: NatType) -> bool {
    use NatType::*;
    !matches!((a, b), (PortRestricted, Symmetric) | (Symmetric, PortRestricted) | (Symmetric, Symmetric))
}

/// The verdict for peers `a` and `b` (spec §6.4).
pub fn verdict(a: &PeerNetwork, b: &PeerNetwork, s: &Servers) -> Verdict {
    for (who, p) in [("the master", a), ("the viewer", b)] {
        if p.traversal == Traversal::TurnOnly && relay_transport(p, s).is_none() {
            return Verdict::Fails {
                why: format!(
                    "TURN only: {who} may use relay candidates only, and no TURN server is reachable with valid credentials, so it gathers zero candidates"
                ),
            };
        }
    }
    let relay_detour =
        |why: String| Verdict::Connects { path: CandidateType::Relay, why, relay_extra_rtt_ms: RELAY_EXTRA_RTT_MS };
    let turn_only = a.traversal == Traversal::TurnOnly || b.traversal == Traversal::TurnOnly;
    let direct = if turn_only {
        Err("TURN only forces relay candidates".to_string())
    } else if a.lan == b.lan {
        return Verdict::Connects {
            path: CandidateType::Host,
            why: "same LAN: host ↔ host works whatever the NAT".into(),
            relay_extra_rtt_ms: 0,
        };
    } else {
        direct_path(a, b, s)
    };
    let why_direct = match direct {
        Ok((path, why)) => return Verdict::Connects { path, why, relay_extra_rtt_ms: 0 },
        Err(why) => why,
    };
    let (ra, rb) = (relay_transport(a, s), relay_transport(b, s));
    let reaches = |p: &PeerNetwork, own: Option<&str>| {
        own.is_some() || (p.nat != NatType::UdpBlocked && p.traversal != Traversal::TurnOnly)
    };
    if let Some(t) = ra.filter(|_| reaches(b, rb)) {
        return relay_detour(format!("{why_direct}; the master's TURN relay ({t}) carries the media"));
    }
    if let Some(t) = rb.filter(|_| reaches(a, ra)) {
        return relay_detour(format!("{why_direct}; the viewer's TURN relay ({t}) carries the media"));
    }
    let no_relay = match (a.traversal, b.traversal) {
        (Traversal::StunOnly | Traversal::Disabled, Traversal::StunOnly | Traversal::Disabled) => {
            "and neither side uses TURN, so there is no relay fallback"
        }
        _ => "and no relay candidate is reachable (TURN transports, credentials or firewall)",
    };
    Verdict::Fails { why: format!("{why_direct}, {no_relay}") }
}

/// A direct path across the internet: (its type, why), or why not.
fn direct_path(a: &PeerNetwork, b: &PeerNetwork, s: &Servers) -> Result<(CandidateType, String), String> {
    use NatType::*;
    if a.nat == UdpBlocked || b.nat == UdpBlocked {
        return Err("UDP is blocked, so no direct path exists".into());
    }
    if a.traversal == Traversal::Disabled && b.traversal == Traversal::Disabled && a.nat != Open && b.nat != Open {
        return Err(
            "NAT traversal is disabled: private host candidates on different LANs cannot reach each other".into()
        );
    }
    match (a.nat == Open, b.nat == Open) {
        (true, true) => return Ok((CandidateType::Host, "both peers have public addresses: host ↔ host".into())),
        (true, false) | (false, true) => {
            let natted = if a.nat == Open { b } else { a };
            return Ok(if has_srflx(natted, s) && natted.nat != Symmetric {
                (CandidateType::Srflx, "one peer is public; the other's STUN mapping reaches it".into())
            } else {
                (
                    CandidateType::Prflx,
                    "one peer is public; it learns the other's address from its checks (prflx)".into(),
                )
            });
        }
        (false, false) => {}
    }
    if !direct_table(a.nat, b.nat) {
        return Err(format!(
            "{} ↔ {}: the symmetric NAT's new mapping per destination defeats hole punching",
            a.nat.label(),
            b.nat.label()
        ));
    }
    let needs_srflx = |p: &PeerNetwork| p.nat != Symmetric;
    for (who, p) in [("the master", a), ("the viewer", b)] {
        if needs_srflx(p) && !has_srflx(p, s) {
            let reason = if !uses_stun(p) { "does not use STUN" } else { "cannot reach the STUN server" };
            return Err(format!("both peers are behind NAT and {who} {reason}, so its public mapping stays unknown"));
        }
    }
    if a.nat == Symmetric || b.nat == Symmetric {
        Ok((CandidateType::Prflx, "hole punching works; the symmetric side is learned as prflx".into()))
    } else {
        Ok((CandidateType::Srflx, "hole punching through both NATs with STUN mappings (srflx)".into()))
    }
}

/// Whether a real candidate may pass, given the verdict: `Err(reason)` drops it.
pub fn admit(verdict: &Verdict) -> Result<(), String> {
    match verdict {
        Verdict::Connects { .. } => Ok(()),
        Verdict::Fails { why } => Err(format!("dropped: the model forbids any path ({why})")),
    }
}

/// The Test Page's per-type candidate filters (send or accept), spec §5 item 9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct CandidateFilter {
    pub host: bool,
    pub srflx: bool,
    pub prflx: bool,
    pub relay: bool,
    pub udp: bool,
    pub tcp: bool,
}

impl Default for CandidateFilter {
    fn default() -> Self {
        CandidateFilter { host: true, srflx: true, prflx: true, relay: true, udp: true, tcp: true }
    }
}

impl CandidateFilter {
    /// Refuses every candidate (when the model forbids every path).
    pub const NONE: CandidateFilter =
        CandidateFilter { host: false, srflx: false, prflx: false, relay: false, udp: false, tcp: false };

    /// Whether a candidate line passes; the reason when it does not.
    pub fn passes(&self, line: &str) -> Result<(), String> {
        let transport = line.split_whitespace().nth(2).unwrap_or("").to_ascii_lowercase();
        match transport.as_str() {
            "udp" if !self.udp => return Err("udp candidates are filtered out".into()),
            "tcp" if !self.tcp => return Err("tcp candidates are filtered out".into()),
            _ => {}
        }
        let allowed = match CandidateType::of_line(line) {
            Some(CandidateType::Host) => self.host,
            Some(CandidateType::Srflx) => self.srflx,
            Some(CandidateType::Prflx) => self.prflx,
            Some(CandidateType::Relay) => self.relay,
            None => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(format!("{} candidates are filtered out", CandidateType::of_line(line).map_or("?", |t| t.as_str())))
        }
    }
}
