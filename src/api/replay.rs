//! `kinesis-lab api`: a JSON-lines replay of AWS requests against a fresh simulated account.
//!
//! Each input line is `{"at_ms": <simulated ms since start, non-decreasing>, "service": "kinesis",
//! "action": "<AWS action>", "input": {<request body>}}`. Before handling a line the engine advances
//! simulated time to `at_ms`, running every timer on the way. Each line gets exactly one output line:
//! `{"at_ms": …, "action": …, "output": {…}}` or `{"at_ms": …, "action": …, "error": {"__type", "message"}}`.
//! A line that is not valid JSON, or names no known action, gets an error line and the replay goes on.

use super::{parse, reply_json, ErrorBody};
use crate::engine::runner::Runner;
use crate::engine::time::SimTime;
use crate::engine::{CommandId, Engine, EngineConfig, Input, Output};
use serde_json::Value;

/// The most timer wake-ups one line may trigger while catching up to its `at_ms` (a guard, never reached
/// by sensible input: a year of one-second metric samples is 3.2e7).
const CATCH_UP_STEPS_MAX: u64 = 1_000_000_000;

/// A replay in progress.
#[derive(Debug)]
pub struct Replay {
    runner: Runner,
    last_at_ms: u64,
    next_id: u64,
}

impl Replay {
    /// A replay against a fresh engine.
    pub fn new(config: EngineConfig) -> Replay {
        Replay { runner: Runner::new(Engine::new(config)), last_at_ms: 0, next_id: 0 }
    }

    /// Handles one input line and returns its one output line.
    pub fn handle_line(&mut self, line: &str) -> String {
        let (at_ms, action, result) = match self.envelope(line) {
            Ok((at_ms, service, action, input)) => {
                let result = self.request(at_ms, &service, &action, &input);
                (Some(at_ms), Some(action), result)
            }
            Err((at_ms, action, error)) => (at_ms, action, Err(error)),
        };
        let at = at_ms.map_or(Value::Null, Value::from);
        let action = action.map_or(Value::Null, Value::from);
        let (key, body) = match result {
            Ok(output) => ("output", output),
            Err(error) => ("error", error.to_json().to_string()),
        };
        // Written by hand to keep the documented key order: at_ms, action, output|error.
        format!("{{\"at_ms\":{at},\"action\":{action},\"{key}\":{body}}}")
    }

    /// The engine, for tests and summaries.
    pub fn engine(&self) -> &Engine {
        self.runner.engine()
    }

    fn request(&mut self, at_ms: u64, service: &str, action: &str, input: &Value) -> Result<String, ErrorBody> {
        let now = SimTime::from_millis(at_ms);
        self.runner.run_until(now, CATCH_UP_STEPS_MAX, &mut |_| {});
        let command = parse(service, action, input)?;
        let id = CommandId(self.next_id);
        self.next_id += 1;
        let engine = self.runner.engine_mut();
        engine.handle_input(now, Input::Command { id, cmd: command });
        loop {
            match engine.poll_output() {
                Output::Reply { id: got, result } if got == id => {
                    return result.map(|r| reply_json(&r)).map_err(ErrorBody::from)
                }
                Output::Timeout(_) => {
                    unreachable!("every command is answered before the engine reports its next timeout")
                }
                _ => {}
            }
        }
    }

    /// Reads a line's envelope: (at_ms, service, action, input), or the error line's parts.
    #[allow(clippy::type_complexity)]
    fn envelope(
        &mut self,
        line: &str,
    ) -> Result<(u64, String, String, Value), (Option<u64>, Option<String>, ErrorBody)> {
        let bad = |at, action, text: String| {
            Err((at, action, ErrorBody { type_name: "SerializationException".into(), message: text }))
        };
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => return bad(None, None, format!("The line is not valid JSON: {e}")),
        };
        let Some(object) = value.as_object() else { return bad(None, None, "The line must be a JSON object".into()) };
        let action = object.get("action").and_then(Value::as_str).map(str::to_string);
        let at_ms = match object.get("at_ms") {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        let Some(at_ms) = at_ms else {
            return bad(None, action, "at_ms must be a whole number of simulated milliseconds, 0 or more".into());
        };
        if at_ms < self.last_at_ms {
            let text = format!(
                "at_ms {at_ms} is earlier than the previous line's {}; simulated time cannot go back",
                self.last_at_ms
            );
            return bad(Some(at_ms), action, text);
        }
        let Some(action) = action else {
            return bad(Some(at_ms), None, "action must be a string naming an AWS action".into());
        };
        let Some(service) = object.get("service").and_then(Value::as_str) else {
            return bad(Some(at_ms), Some(action), "service must be a string, e.g. \"kinesis\"".into());
        };
        self.last_at_ms = at_ms;
        Ok((at_ms, service.to_string(), action, object.get("input").cloned().unwrap_or(Value::Null)))
    }
}
