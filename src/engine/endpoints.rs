//! The receivers Firehose delivers to outside AWS (spec §1.10): HTTP endpoints and Splunk HEC. The lab
//! stands one up at any URL a stream names. Each answers every request as the learner's drill says
//! (200, 500, 413, too slow, a wrong requestId, an error rate) and keeps what arrived, so that retries and
//! the duplicates they cause can be seen.
//!
//! The lab's own service is `"service": "endpoint"`: `ConfigureEndpoint` sets a drill, and `ListRequests`
//! shows what arrived.

use crate::engine::rng::{Ratio, SimRng};
use crate::engine::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Requests remembered per receiver; older ones leave the list (the totals keep counting).
pub const REQUESTS_KEPT: usize = 500;
/// Request bodies kept per receiver, newest first, within this many bytes [SIM].
pub const BODY_BUDGET_BYTES: u64 = 4 * 1024 * 1024;
/// How long a `Slow` receiver takes to answer (HTTP) or acknowledge (Splunk) by default: past both
/// Firehose's 3-minute response timeout and the default 180 s HEC acknowledgement timeout.
pub const SLOW_MS_DEFAULT: u64 = 240_000;

/// How a receiver answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// 200, echoing the requestId (Splunk: acknowledged). The data is kept.
    #[default]
    Ok,
    /// 500 (Splunk: 503, server busy). Nothing is kept.
    ServerError,
    /// 413 Payload Too Large. Nothing is kept.
    PayloadTooLarge,
    /// Keeps the data but answers (Splunk: acknowledges) only after `SlowMs`.
    Slow,
    /// Keeps the data and answers 200 with another requestId (HTTP only; Splunk ignores it).
    WrongRequestId,
}

impl Mode {
    /// Whether the receiver keeps what it was sent (it may still answer too late or wrongly).
    fn keeps(self) -> bool {
        matches!(self, Mode::Ok | Mode::Slow | Mode::WrongRequestId)
    }
}

/// A receiver's drill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Behaviour {
    pub mode: Mode,
    /// The time to answer when not `Slow`.
    pub latency_ms: u64,
    /// `Slow`'s time to answer.
    pub slow_ms: u64,
    /// The percentage of requests answered 500 whatever the mode.
    pub error_percent: u64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour { mode: Mode::Ok, latency_ms: 50, slow_ms: SLOW_MS_DEFAULT, error_percent: 0 }
    }
}

/// How a request was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// Whether a 200's body carries the request's own requestId.
    pub echoes_request_id: bool,
    /// When the answer (Splunk: the acknowledgement) comes, after the request.
    pub after_ms: u64,
}

/// What Firehose sends.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// `X-Amz-Firehose-Request-Id` (Splunk: the batch's id); the same on every retry.
    pub request_id: &'a str,
    pub records: u64,
    /// Record bytes before any Content-Encoding.
    pub bytes: u64,
    /// The body as sent.
    pub body: Vec<u8>,
}

/// One request as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub at: SimTime,
    pub request_id: String,
    pub records: u64,
    pub bytes: u64,
    pub status: u16,
    pub after_ms: u64,
    /// The receiver kept the data.
    pub kept: bool,
    /// Kept, and a request with this id had been kept before: the records are there twice.
    pub duplicate: bool,
    /// The body, while within [`BODY_BUDGET_BYTES`].
    pub body: Option<Vec<u8>>,
}

/// Running counts of one receiver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiverTotals {
    pub requests: u64,
    pub records_kept: u64,
    pub duplicate_records: u64,
    pub refused_requests: u64,
}

/// One receiver.
#[derive(Clone, Debug, Default)]
pub struct Receiver {
    pub behaviour: Behaviour,
    /// Until when the drill holds; then the receiver answers `Ok` again.
    pub until: Option<SimTime>,
    pub requests: VecDeque<Received>,
    pub totals: ReceiverTotals,
    /// Request ids whose data was kept (for duplicates).
    kept_ids: BTreeSet<String>,
}

impl Receiver {
    /// The drill in force at `now`.
    pub fn behaviour_at(&self, now: SimTime) -> Behaviour {
        match self.until {
            Some(until) if now >= until => Behaviour { mode: Mode::Ok, error_percent: 0, ..self.behaviour },
            _ => self.behaviour,
        }
    }
}

/// A request to the lab's `endpoint` service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointRequest {
    ConfigureEndpoint {
        url: String,
        mode: Mode,
        latency_ms: Option<u64>,
        slow_ms: Option<u64>,
        error_percent: Option<u64>,
        duration_seconds: Option<u64>,
    },
    ListRequests {
        url: String,
        max_items: Option<u64>,
    },
}

/// The service's refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError {
    pub code: &'static str,
    pub message: String,
}

/// Every receiver of the account's world.
#[derive(Clone, Debug)]
pub struct Endpoints {
    receivers: BTreeMap<String, Receiver>,
    rng: SimRng,
    epoch_ms: u64,
}

impl Endpoints {
    /// No receivers yet; error rates draw from `rng`.
    pub fn new(rng: SimRng, epoch_ms: u64) -> Endpoints {
        Endpoints { receivers: BTreeMap::new(), rng, epoch_ms }
    }

    /// Every receiver, by URL.
    pub fn receivers(&self) -> &BTreeMap<String, Receiver> {
        &self.receivers
    }

    /// Receives one request at `now` and answers it as the drill says.
    pub fn receive(&mut self, now: SimTime, url: &str, request: Request) -> Reply {
        let r = self.receivers.entry(url.to_string()).or_default();
        let b = r.behaviour_at(now);
        let refused = Ratio::new(b.error_percent, 100).is_some_and(|r| self.rng.chance(r));
        let mode = if refused { Mode::ServerError } else { b.mode };
        let reply = match mode {
            Mode::Ok => Reply { status: 200, echoes_request_id: true, after_ms: b.latency_ms },
            Mode::ServerError => Reply { status: 500, echoes_request_id: false, after_ms: b.latency_ms },
            Mode::PayloadTooLarge => Reply { status: 413, echoes_request_id: false, after_ms: b.latency_ms },
            Mode::Slow => Reply { status: 200, echoes_request_id: true, after_ms: b.slow_ms },
            Mode::WrongRequestId => Reply { status: 200, echoes_request_id: false, after_ms: b.latency_ms },
        };
        let kept = mode.keeps();
        let duplicate = kept && !r.kept_ids.insert(request.request_id.to_string());
        r.totals.requests += 1;
        if kept {
            r.totals.records_kept += request.records;
        } else {
            r.totals.refused_requests += 1;
        }
        if duplicate {
            r.totals.duplicate_records += request.records;
        }
        if r.requests.len() == REQUESTS_KEPT {
            r.requests.pop_front();
        }
        r.requests.push_back(Received {
            at: now,
            request_id: request.request_id.to_string(),
            records: request.records,
            bytes: request.bytes,
            status: reply.status,
            after_ms: reply.after_ms,
            kept,
            duplicate,
            body: Some(request.body),
        });
        // Only the newest bodies stay.
        let mut held = 0;
        for received in r.requests.iter_mut().rev() {
            held += received.body.as_ref().map_or(0, |b| b.len() as u64);
            if held > BODY_BUDGET_BYTES {
                received.body = None;
            }
        }
        reply
    }

    /// Handles a request to the `endpoint` service.
    pub fn handle(&mut self, now: SimTime, request: EndpointRequest) -> Result<Value, EndpointError> {
        match request {
            EndpointRequest::ConfigureEndpoint { url, mode, latency_ms, slow_ms, error_percent, duration_seconds } => {
                check_url(&url)?;
                if let Some(p) = error_percent.filter(|p| *p > 100) {
                    return Err(invalid(format!("ErrorPercent {p} is not between 0 and 100")));
                }
                let r = self.receivers.entry(url).or_default();
                let was = r.behaviour_at(now);
                r.behaviour = Behaviour {
                    mode,
                    latency_ms: latency_ms.unwrap_or(was.latency_ms),
                    slow_ms: slow_ms.unwrap_or(was.slow_ms),
                    error_percent: error_percent.unwrap_or(0),
                };
                r.until = duration_seconds.map(|s| now + SimDuration::from_secs(s));
                Ok(json!({}))
            }
            EndpointRequest::ListRequests { url, max_items } => {
                let r = self.receivers.get(&url).ok_or_else(|| EndpointError {
                    code: "ResourceNotFoundException",
                    message: format!("No endpoint at {url} has been configured or sent to"),
                })?;
                let epoch = |t: SimTime| (self.epoch_ms + t.as_millis()) as f64 / 1_000.0;
                let requests: Vec<Value> = r
                    .requests
                    .iter()
                    .rev()
                    .take(max_items.unwrap_or(50) as usize)
                    .map(|q| {
                        let mut v = json!({
                            "RequestId": q.request_id,
                            "ReceivedAt": epoch(q.at),
                            "Records": q.records,
                            "Bytes": q.bytes,
                            "Status": q.status,
                            "AnsweredAfterMs": q.after_ms,
                            "Kept": q.kept,
                            "Duplicate": q.duplicate,
                        });
                        if let Some(body) = &q.body {
                            v["Body"] = json!(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, body));
                        }
                        v
                    })
                    .collect();
                let b = r.behaviour_at(now);
                Ok(json!({
                    "Mode": b.mode,
                    "ErrorPercent": b.error_percent,
                    "LatencyMs": b.latency_ms,
                    "Requests": requests,
                    "Totals": r.totals,
                }))
            }
        }
    }
}

fn invalid(message: String) -> EndpointError {
    EndpointError { code: "InvalidArgumentException", message }
}

/// An endpoint URL as Firehose accepts it (L39: HTTPS only, port 443).
pub fn check_url(url: &str) -> Result<(), EndpointError> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(invalid(format!("Endpoint URL '{url}' must use https:// (Firehose delivers over HTTPS only)")));
    };
    let host = rest.split('/').next().unwrap_or("");
    match host.rsplit_once(':') {
        _ if host.is_empty() => Err(invalid(format!("Endpoint URL '{url}' has no host"))),
        Some((_, port)) if port != "443" => {
            Err(invalid(format!("Endpoint URL '{url}' uses port {port}; only port 443 is supported")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    const URL: &str = "https://collector.example.com/firehose";

    fn endpoints() -> Endpoints {
        Endpoints::new(SimRng::new(Seed(7)), 0)
    }

    fn send(e: &mut Endpoints, at: u64, id: &str) -> Reply {
        e.receive(SimTime::from_secs(at), URL, Request { request_id: id, records: 3, bytes: 30, body: vec![b'x'; 30] })
    }

    fn drill(mode: Mode, seconds: Option<u64>, error_percent: Option<u64>) -> EndpointRequest {
        EndpointRequest::ConfigureEndpoint {
            url: URL.into(),
            mode,
            latency_ms: None,
            slow_ms: None,
            error_percent,
            duration_seconds: seconds,
        }
    }

    fn configure(e: &mut Endpoints, mode: Mode, seconds: Option<u64>) {
        e.handle(SimTime::ZERO, drill(mode, seconds, None)).unwrap();
    }

    #[test]
    fn each_mode_answers_as_its_drill_says_and_keeps_data_only_when_it_should() {
        let mut e = endpoints();
        assert_eq!(send(&mut e, 0, "a"), Reply { status: 200, echoes_request_id: true, after_ms: 50 });
        configure(&mut e, Mode::PayloadTooLarge, None);
        assert_eq!(send(&mut e, 1, "b").status, 413);
        configure(&mut e, Mode::Slow, None);
        assert_eq!(send(&mut e, 2, "c").after_ms, SLOW_MS_DEFAULT);
        configure(&mut e, Mode::WrongRequestId, None);
        assert!(!send(&mut e, 3, "d").echoes_request_id);
        let totals = e.receivers()[URL].totals;
        assert_eq!((totals.requests, totals.records_kept, totals.refused_requests), (4, 9, 1));
    }

    #[test]
    fn a_kept_request_sent_again_is_a_duplicate_and_a_drill_ends_on_time() {
        let mut e = endpoints();
        configure(&mut e, Mode::Slow, Some(600));
        send(&mut e, 0, "a");
        send(&mut e, 300, "a");
        assert_eq!(send(&mut e, 600, "b").after_ms, 50, "the drill ended after 600 s");
        let r = &e.receivers()[URL];
        assert!(r.requests[1].duplicate && !r.requests[2].duplicate);
        assert_eq!(r.totals.duplicate_records, 3);
    }

    #[test]
    fn an_error_rate_refuses_about_that_share_and_the_same_seed_refuses_the_same_ones() {
        let run = || {
            let mut e = endpoints();
            e.handle(SimTime::ZERO, drill(Mode::Ok, None, Some(25))).unwrap();
            (0..400).map(|i| send(&mut e, i, &i.to_string()).status).collect::<Vec<_>>()
        };
        let statuses = run();
        let refused = statuses.iter().filter(|s| **s == 500).count();
        assert!((70..130).contains(&refused), "{refused} of 400");
        assert_eq!(statuses, run());
    }

    #[test]
    fn urls_must_be_https_on_port_443_and_error_percentages_at_most_100() {
        assert!(check_url("https://a.example.com:443/x").is_ok());
        assert!(check_url("http://a.example.com/").unwrap_err().message.contains("https://"));
        assert!(check_url("https://a.example.com:8443/").unwrap_err().message.contains("port 8443"));
        let mut e = endpoints();
        let refused = e.handle(SimTime::ZERO, drill(Mode::Ok, None, Some(150)));
        assert_eq!(refused.unwrap_err().code, "InvalidArgumentException");
        assert!(e.receivers().is_empty(), "a refused drill changes nothing");
    }

    #[test]
    fn only_the_newest_bodies_are_held() {
        let mut e = endpoints();
        for i in 0..3 {
            let body = vec![0; (BODY_BUDGET_BYTES / 2) as usize];
            e.receive(SimTime::from_secs(i), URL, Request { request_id: "x", records: 1, bytes: 1, body });
        }
        let held: Vec<bool> = e.receivers()[URL].requests.iter().map(|q| q.body.is_some()).collect();
        assert_eq!(held, [false, true, true]);
    }
}
