//! The capacity planner against the simulation: the spec's worked examples (§5.2) at the answer N and at
//! N − 1, a read-bound design, headroom, and a hot key.

use kinesis_lab::planner::check::{check, Check, CheckSettings};
use kinesis_lab::planner::sizing::{size, Design};

fn checked(design: &Design) -> (u32, Check) {
    design.validate().expect("a valid design");
    let sizing = size(design);
    let settings = CheckSettings { duration_s: 300.0, ..CheckSettings::default() };
    (sizing.shards, check(design, &sizing, settings).expect("the check runs"))
}

#[test]
fn example_a_three_shards_keep_up_and_two_drop_records() {
    let (n, c) = checked(&Design { polling_consumers: 2, ..Design::new(1_000.0, 3_072) });
    assert_eq!(n, 3);
    assert!(c.agrees, "{c:?}");
    let fewer = c.one_fewer.expect("N − 1 was run");
    assert_eq!((c.at_answer.throttled_records, c.at_answer.dropped_records), (0, 0));
    // Two shards take 2 MiB/s of the 2.93 offered: about a third is throttled until dropped.
    let lost = fewer.dropped_records as f64 / fewer.records as f64;
    assert!((0.25..0.40).contains(&lost), "{fewer:?}");
}

#[test]
fn example_b_four_shards_for_35_kb_records() {
    let (n, c) = checked(&Design::new(100.0, 35 * 1_024));
    assert_eq!(n, 4);
    assert!(c.agrees, "{c:?}");
    assert!(c.one_fewer.expect("run").throttled_records > 0);
}

#[test]
fn example_c_at_exactly_full_utilisation_random_keys_need_headroom() {
    let design = Design::new(5_000.0, 500);
    let (n, c) = checked(&design);
    assert_eq!(n, 5);
    // At 100 % of the record limit, random keys overflow a shard now and then: a few records in ten
    // thousand are lost, while one shard fewer loses a fifth.
    assert!(!c.agrees);
    let lost = c.at_answer.dropped_records as f64 / c.at_answer.records as f64;
    assert!(lost > 0.0 && lost < 1e-3, "{:?}", c.at_answer);
    assert!(c.note.contains("plan headroom"), "{}", c.note);
    let fewer = c.one_fewer.expect("run");
    assert!(fewer.dropped_records as f64 / fewer.records as f64 > 0.15, "{fewer:?}");
    let (n, c) = checked(&Design { headroom: 0.9, ..design });
    assert_eq!(n, 6);
    assert!(c.agrees, "{c:?}");
}

#[test]
fn a_read_bound_design_agrees_through_iterator_age() {
    let (n, c) = checked(&Design { polling_consumers: 6, ..Design::new(500.0, 1_000) });
    assert_eq!(n, 2);
    assert!(c.agrees, "{c:?}");
    let fewer = c.one_fewer.expect("run");
    assert_eq!(fewer.dropped_records, 0, "writes fit one shard");
    assert!(fewer.behind_ms_end > 60_000, "six readers on one shard fall behind: {fewer:?}");
}

#[test]
fn a_hot_key_is_flagged_and_the_simulation_shows_why() {
    let (n, c) = checked(&Design { hottest_key_share: Some(0.7), ..Design::new(1_500.0, 1_000) });
    assert_eq!(n, 2);
    assert!(!c.at_answer.keeps_up);
    assert!(c.note.contains("hot key"), "{}", c.note);
}
