//! Golden traces: every preset reruns with its seed to exactly its summary under tests/golden/ (the
//! browser test in tests/web.rs checks the same files in wasm).
//!
//! After an intended change, rewrite them with `KINESIS_LAB_BLESS=1 cargo test --test sim golden` and
//! review the diff like code.

use kinesis_lab::engine::scenario::{presets, run::run, Scenario};
use std::path::PathBuf;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.json"))
}

/// The summary as `kinesis-lab run --summary` writes it.
fn summary_text(json: &str) -> String {
    let plan = Scenario::load(json).expect("presets are valid");
    serde_json::to_string_pretty(&run(plan, &mut |_| {})).expect("summaries serialise") + "\n"
}

/// The first line where two texts differ, with its number, or None.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => return Some(format!("line {n}: golden {x:?}, now {y:?}")),
        }
    }
    unreachable!("the loop returns")
}

#[test]
fn every_preset_reruns_to_its_golden_summary() {
    let bless = std::env::var_os("KINESIS_LAB_BLESS").is_some();
    let all = presets::all();
    // The presets are independent runs: two cores halve the wait.
    let results: Vec<(String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            all.iter().map(|p| scope.spawn(move || (p.name.to_string(), summary_text(p.json)))).collect();
        handles.into_iter().map(|h| h.join().expect("a preset run panicked")).collect()
    });
    let mut failures = Vec::new();
    for (name, actual) in results {
        let path = golden_path(&name);
        if bless {
            std::fs::write(&path, &actual).expect("tests/golden is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(diff) = first_difference(&expected, &actual) {
            failures.push(format!("{name}: {diff}"));
        }
    }
    assert!(
        failures.is_empty(),
        "summaries differ from tests/golden (bless only if intended):\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_changed_summary_is_caught_with_its_line() {
    let golden = "{\n  \"a\": 1,\n  \"b\": 2\n}\n";
    assert_eq!(first_difference(golden, golden), None);
    let diff = first_difference(golden, "{\n  \"a\": 1,\n  \"b\": 3\n}\n").expect("differs");
    assert!(diff.starts_with("line 3:"), "{diff}");
    assert!(first_difference(golden, "{\n  \"a\": 1\n").is_some(), "a shorter text differs");
}

#[test]
fn the_command_line_writes_the_golden_summary() {
    let out = std::env::temp_dir().join(format!("kinesis-lab-golden-{}.json", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kinesis-lab"))
        .args(["run", "p12-station-routing", "--summary"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("the CLI runs");
    assert!(status.success());
    let written = std::fs::read_to_string(&out).expect("the summary was written");
    let _ = std::fs::remove_file(&out);
    let golden = std::fs::read_to_string(golden_path("p12-station-routing")).expect("golden exists");
    assert_eq!(first_difference(&golden, &written), None);
}

/// The analytics examples over their sample input, as `kinesis-lab analytics` prints them (the browser
/// test checks the same file in wasm).
#[test]
fn the_analytics_examples_rerun_to_their_golden_output() {
    use kinesis_lab::engine::analytics::examples::golden_text;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/analytics-examples.txt");
    let text = golden_text();
    if std::env::var_os("KINESIS_LAB_BLESS").is_some() {
        std::fs::write(&path, &text).expect("the golden file is writable");
        return;
    }
    let golden = std::fs::read_to_string(&path).expect("tests/golden/analytics-examples.txt exists");
    if let Some(d) = first_difference(&golden, &text) {
        panic!("the analytics examples differ from their golden output at {d}");
    }
}
