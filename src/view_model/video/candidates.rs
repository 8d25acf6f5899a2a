//! The ICE candidate table: each real candidate a peer gathered or received, its parts, and what the
//! lab did with it (forwarded, or dropped and why).

use crate::engine::video::nat::{CandidateFilter, CandidateType};

/// The parts of a candidate line: `candidate:<foundation> <component> <transport> <priority> <address>
/// <port> typ <type> …` (the Test Page reads words 2 and 7 the same way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub transport: String,
    pub priority: u32,
    pub address: String,
    pub port: u16,
    pub kind: Option<CandidateType>,
}

/// Reads a candidate line; `None` when it is not one (an end-of-candidates marker, garbage).
pub fn parse(line: &str) -> Option<Parsed> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() < 8 || !words[0].starts_with("candidate:") || words[6] != "typ" {
        return None;
    }
    Some(Parsed {
        transport: words[2].to_ascii_lowercase(),
        priority: words[3].parse().ok()?,
        address: words[4].to_string(),
        port: words[5].parse().ok()?,
        kind: CandidateType::of_line(line),
    })
}

/// The type preference a priority encodes (its top byte), to show beside RFC 8445's recommended ones.
pub fn type_preference(priority: u32) -> u32 {
    priority >> 24
}

/// The SDP without the `a=candidate` lines `filter` refuses (a non-trickle description carries its
/// candidates inside), as the Test Page's send and accept filters do.
pub fn filter_sdp(sdp: &str, filter: &CandidateFilter) -> String {
    sdp.split("\r\n")
        .filter(|l| !l.starts_with("a=candidate:") || filter.passes(l).is_ok())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRow {
    /// "master" or "viewer v1".
    pub side: String,
    /// "sent" or "received".
    pub direction: &'static str,
    pub line: String,
    pub parsed: Option<Parsed>,
    /// `Ok(())` forwarded; `Err(reason)` dropped.
    pub decision: Result<(), String>,
}

impl CandidateRow {
    /// The decision as the table shows it.
    pub fn decision_text(&self) -> String {
        match &self.decision {
            Ok(()) => match self.direction {
                "sent" => "sent to the channel".into(),
                _ => "added (addIceCandidate)".into(),
            },
            Err(reason) => reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chromium_lines_parse() {
        let line =
            "candidate:3719580263 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag abcd network-id 1";
        let p = parse(line).expect("a host candidate");
        assert_eq!(p.transport, "udp");
        assert_eq!(p.address, "192.168.1.10");
        assert_eq!(p.port, 54321);
        assert_eq!(p.kind, Some(CandidateType::Host));
        assert_eq!(type_preference(p.priority), 126);
        assert_eq!(parse(""), None);
        assert_eq!(parse("candidate:1 1 udp x 1.2.3.4 5 typ host"), None);
    }

    #[test]
    fn a_filter_takes_refused_candidates_out_of_an_sdp() {
        let sdp = "v=0\r\na=candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host\r\n\
                   a=candidate:2 1 tcp 1518280447 10.0.0.2 9 typ host tcptype active\r\n\
                   a=candidate:3 1 udp 1686052607 203.0.113.7 6000 typ srflx raddr 10.0.0.2 rport 5000\r\na=end-of-candidates\r\n";
        let no_tcp = CandidateFilter { tcp: false, ..CandidateFilter::default() };
        let kept = filter_sdp(sdp, &no_tcp);
        assert!(kept.contains("candidate:1 ") && !kept.contains("candidate:2 ") && kept.contains("candidate:3 "));
        let relay_only = CandidateFilter { host: false, srflx: false, prflx: false, ..CandidateFilter::default() };
        let kept = filter_sdp(sdp, &relay_only);
        assert!(!kept.contains("a=candidate") && kept.contains("a=end-of-candidates") && kept.starts_with("v=0\r\n"));
        assert_eq!(filter_sdp(sdp, &CandidateFilter::default()), sdp);
        assert!(!filter_sdp(sdp, &CandidateFilter::NONE).contains("a=candidate"));
    }
}
