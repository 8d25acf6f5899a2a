//! The worker's health as the header shows it.

/// Where the engine host stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerStatus {
    /// Spawned; waiting for `Ready`.
    Starting,
    /// Handshake done; messages flow.
    Ready { version: u32 },
    /// The worker announced another protocol version (a stale cached bundle); it was stopped.
    WrongVersion { found: u32, expected: u32 },
    /// The worker died: it panicked, threw, or its script failed to load.
    Crashed { message: String },
    /// The worker has not answered for too long.
    NotResponding { waited_ms: u64 },
}

/// How the status should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Waiting, nothing wrong yet.
    Pending,
    /// Working.
    Good,
    /// Broken; the user can restart.
    Bad,
}

impl WorkerStatus {
    /// A short label for the header.
    pub fn label(&self) -> String {
        match self {
            WorkerStatus::Starting => "worker starting…".into(),
            WorkerStatus::Ready { version } => format!("worker ready · protocol v{version}"),
            WorkerStatus::WrongVersion { found, expected } => {
                format!("worker speaks protocol v{found}, this page needs v{expected}: reload the page")
            }
            WorkerStatus::Crashed { message } => format!("worker crashed: {}", first_line(message)),
            WorkerStatus::NotResponding { waited_ms } => {
                format!("worker not responding for {} s", waited_ms / 1_000)
            }
        }
    }

    /// The colour family of the label.
    pub fn tone(&self) -> Tone {
        match self {
            WorkerStatus::Starting => Tone::Pending,
            WorkerStatus::Ready { .. } => Tone::Good,
            _ => Tone::Bad,
        }
    }

    /// True when the UI should offer a restart.
    pub fn can_restart(&self) -> bool {
        self.tone() == Tone::Bad
    }

    /// True when messages can be sent and answered.
    pub fn is_ready(&self) -> bool {
        matches!(self, WorkerStatus::Ready { .. })
    }
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        "no reason given"
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_states_offer_a_restart() {
        assert!(!WorkerStatus::Starting.can_restart());
        assert!(!WorkerStatus::Ready { version: 1 }.can_restart());
        assert!(WorkerStatus::Crashed { message: "boom".into() }.can_restart());
        assert!(WorkerStatus::NotResponding { waited_ms: 6_000 }.can_restart());
        assert!(WorkerStatus::WrongVersion { found: 2, expected: 1 }.can_restart());
    }

    #[test]
    fn labels_say_what_happened() {
        assert_eq!(WorkerStatus::Ready { version: 1 }.label(), "worker ready · protocol v1");
        let crash = WorkerStatus::Crashed { message: "panicked at src/engine/mod.rs:10\nbacktrace".into() };
        assert_eq!(crash.label(), "worker crashed: panicked at src/engine/mod.rs:10");
        assert_eq!(WorkerStatus::Crashed { message: " ".into() }.label(), "worker crashed: no reason given");
        assert_eq!(WorkerStatus::NotResponding { waited_ms: 5_400 }.label(), "worker not responding for 5 s");
    }
}
