//! What the Firehose lab shows of an HTTP endpoint or Splunk HEC receiver: its requests, newest first, with
//! every retry of one request marked as such, so that a retry chain and its duplicates read at a glance.

use crate::engine::kds::datetime::iso8601_millis;
use crate::view_model::format::count;
use serde_json::Value;

/// One request as the receiver got it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRow {
    /// `09:03:11` (UTC).
    pub at: String,
    /// The requestId's first 8 characters.
    pub request: String,
    /// Which request this is a copy of, counting distinct ids from the oldest shown (for its colour).
    pub chain: usize,
    /// Its attempt number among the rows shown (1 = first seen).
    pub attempt: usize,
    pub records: String,
    /// `200`, `500`, `413`.
    pub status: String,
    /// `50 ms`, or `240 s (timed out at 180 s)` when Firehose gave up waiting first.
    pub answered: String,
    /// `kept`, `kept again (duplicate)` or `refused`.
    pub fate: String,
}

/// The receiver's totals in one line.
pub fn totals_line(listing: &Value) -> String {
    let t = &listing["Totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or(0);
    format!(
        "{} requests · {} records kept · {} of them duplicates · {} requests refused · now answering {}{}",
        count(n("Requests")),
        count(n("RecordsKept")),
        count(n("DuplicateRecords")),
        count(n("RefusedRequests")),
        listing["Mode"].as_str().unwrap_or("Ok"),
        drill_detail(listing)
    )
}

/// The error rate and latency in force (a Slow receiver answers after its own delay instead).
fn drill_detail(listing: &Value) -> String {
    let mut detail = String::new();
    if let Some(p) = listing["ErrorPercent"].as_u64().filter(|p| *p > 0) {
        detail += &format!(" with {p}% of requests refused (500)");
    }
    if listing["Mode"] != "Slow" {
        detail += &format!(" after {} ms", listing["LatencyMs"].as_u64().unwrap_or(0));
    }
    detail
}

/// The rows of a ListRequests answer, newest first; `timeout_s` is how long Firehose waits.
pub fn request_rows(listing: &Value, timeout_s: u64) -> Vec<RequestRow> {
    let requests = listing["Requests"].as_array().cloned().unwrap_or_default();
    // Every id seen so far (for attempt numbers), and the distinct ones in order (for chains).
    let (mut seen, mut ids): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut rows: Vec<RequestRow> = requests
        .iter()
        .rev()
        .map(|r| {
            let id = r["RequestId"].as_str().unwrap_or_default().to_string();
            let attempt = seen.iter().filter(|i| **i == id).count() + 1;
            seen.push(id.clone());
            if attempt == 1 {
                ids.push(id.clone());
            }
            let chain = ids.iter().position(|i| *i == id).unwrap_or(0);
            let after_ms = r["AnsweredAfterMs"].as_u64().unwrap_or(0);
            let answered = if after_ms > timeout_s * 1_000 {
                format!("{} s (timed out at {timeout_s} s)", after_ms / 1_000)
            } else if after_ms >= 10_000 {
                format!("{} s", after_ms / 1_000)
            } else {
                format!("{after_ms} ms")
            };
            let fate = match (r["Kept"].as_bool(), r["Duplicate"].as_bool()) {
                (Some(true), Some(true)) => "kept again (duplicate)",
                (Some(true), _) => "kept",
                _ => "refused",
            };
            let epoch_ms = (r["ReceivedAt"].as_f64().unwrap_or(0.0) * 1_000.0).round() as u64;
            RequestRow {
                at: iso8601_millis(epoch_ms).get(11..19).unwrap_or_default().to_string(),
                request: id.chars().take(8).collect(),
                chain,
                attempt,
                records: count(r["Records"].as_u64().unwrap_or(0)),
                status: r["Status"].as_u64().unwrap_or(0).to_string(),
                answered,
                fate: fate.to_string(),
            }
        })
        .collect();
    rows.reverse();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn retries_of_one_request_share_a_chain_and_count_their_attempts() {
        // Newest first, as ListRequests answers.
        let listing = json!({"Mode": "Ok", "Totals": {"Requests": 3, "RecordsKept": 6, "DuplicateRecords": 3, "RefusedRequests": 0},
        "Requests": [
            {"RequestId": "bbbbbbbb-2", "ReceivedAt": 1_710_493_451.0, "Records": 3, "Status": 200, "AnsweredAfterMs": 50, "Kept": true, "Duplicate": false},
            {"RequestId": "aaaaaaaa-1", "ReceivedAt": 1_710_493_441.0, "Records": 3, "Status": 200, "AnsweredAfterMs": 240_000, "Kept": true, "Duplicate": true},
            {"RequestId": "aaaaaaaa-1", "ReceivedAt": 1_710_493_251.5, "Records": 3, "Status": 200, "AnsweredAfterMs": 240_000, "Kept": true, "Duplicate": false},
        ]});
        let rows = request_rows(&listing, 180);
        let shape: Vec<(usize, usize, &str)> = rows.iter().map(|r| (r.chain, r.attempt, r.fate.as_str())).collect();
        assert_eq!(shape, [(1, 1, "kept"), (0, 2, "kept again (duplicate)"), (0, 1, "kept")]);
        assert_eq!(rows[1].answered, "240 s (timed out at 180 s)");
        assert_eq!((rows[0].at.as_str(), rows[0].request.as_str()), ("09:04:11", "bbbbbbbb"));
        assert!(totals_line(&listing).starts_with("3 requests · 6 records kept · 3 of them duplicates"));
    }

    #[test]
    fn the_totals_name_the_error_rate_and_latency_in_force() {
        let line = |mode: &str, percent: u64| {
            totals_line(&json!({"Mode": mode, "ErrorPercent": percent, "LatencyMs": 80, "Totals": {}}))
        };
        assert!(line("Ok", 20).ends_with("now answering Ok with 20% of requests refused (500) after 80 ms"));
        assert!(line("Ok", 0).ends_with("now answering Ok after 80 ms"));
        assert!(line("Slow", 0).ends_with("now answering Slow"));
    }
}
