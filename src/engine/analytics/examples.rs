//! The book's queries (§2.8) and the seed Flink programs (§3.7), as files a learner opens in the page's
//! editor or passes to `kinesis-lab analytics`; the bike schema they read with (§2.6); sample input for
//! each, whose output is golden natively and in wasm.

use crate::engine::analytics::batch::{run_pipeline, run_sql};
use serde_json::json;

/// What an example is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Sql,
    Pipeline,
}

/// One example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    pub name: &'static str,
    pub title: &'static str,
    pub language: Language,
    pub text: &'static str,
}

/// The book's discovered bike schema, with eventUTCTime edited to TIMESTAMP as the book does.
pub const BIKE_SCHEMA: &str = include_str!("examples/bike_schema.json");

/// Every example, SQL first.
pub const ALL: [Example; 9] = [
    Example {
        name: "q1_completed_rides",
        title: "Q1: completed rides (the book)",
        language: Language::Sql,
        text: include_str!("examples/q1_completed_rides.sql"),
    },
    Example {
        name: "q2_price_stats",
        title: "Q2: sliding 5-minute price stats per station (the book, errata fixed)",
        language: Language::Sql,
        text: include_str!("examples/q2_price_stats.sql"),
    },
    Example {
        name: "q3_rental_count",
        title: "Q3: RENTAL_COUNT, net bikes per station per minute (the book)",
        language: Language::Sql,
        text: include_str!("examples/q3_rental_count.sql"),
    },
    Example {
        name: "q4_stagger_rentals",
        title: "Q4: rentals per event minute in stagger windows (the book)",
        language: Language::Sql,
        text: include_str!("examples/q4_stagger_rentals.sql"),
    },
    Example {
        name: "top_k_stations",
        title: "TOP_K_ITEMS_TUMBLING: the 3 busiest stations each minute",
        language: Language::Sql,
        text: include_str!("examples/top_k_stations.sql"),
    },
    Example {
        name: "rcf_trip_duration",
        title: "RANDOM_CUT_FOREST: unusual trips first in each second",
        language: Language::Sql,
        text: include_str!("examples/rcf_trip_duration.sql"),
    },
    Example {
        name: "rental_count_job",
        title: "RentalCountJob: 3-minute processing-time sum per station (the book)",
        language: Language::Pipeline,
        text: include_str!("examples/rental_count_job.json"),
    },
    Example {
        name: "error_counter",
        title: "ErrorCounter: non-200 requests keyed by IP (the seed program)",
        language: Language::Pipeline,
        text: include_str!("examples/error_counter.json"),
    },
    Example {
        name: "error_counter_windowed",
        title: "ErrorCounter with 1-minute event-time windows, 5 s bound and a late side output",
        language: Language::Pipeline,
        text: include_str!("examples/error_counter_windowed.json"),
    },
];

/// The example called `name`.
pub fn find(name: &str) -> Option<&'static Example> {
    ALL.iter().find(|e| e.name == name)
}

/// Sample input for `e` in `kinesis-lab analytics` form: 40 bike events 9 s apart (RENTED ones with empty
/// duration and price, as the book's producer sends them), or access-log lines for the ErrorCounters.
pub fn sample_input(e: &Example) -> String {
    if e.name.starts_with("error_counter") {
        let statuses = ["200", "200", "403", "404", "200", "500"];
        return (0..36)
            .map(|i| {
                let ip = ["83.149.9.216", "24.236.252.67", "93.114.45.13"][i % 3];
                let line = format!(
                    r#"{ip} - - [17/May/2015:10:{:02}:{:02} +0000] "GET /page/{} HTTP/1.1" {} 1024 "-" "Mozilla/5.0""#,
                    i * 7 / 60,
                    i * 7 % 60,
                    i % 4,
                    statuses[i % 6]
                );
                // Every fifth line is 80 s old when it arrives: past its window for the windowed ErrorCounter.
                let ts = 1_431_857_100_000i64 + i as i64 * 7_000 - if i % 5 == 4 { 80_000 } else { 0 };
                format!("{}\n", json!({"rowtime_ms": 1_431_857_100_000i64 + i as i64 * 7_000 + 500, "row": {"line": line, "ts": ts}}))
            })
            .collect();
    }
    let actions = ["RENTED", "DOCKED"];
    (0..40)
        .map(|i| {
            let docked = i % 2 == 1;
            let row = json!({
                "stationId": 100 + (i % 4) * 10, "action": actions[i % 2],
                "tripDuration": if docked { json!(300 + i * 7) } else { json!("") },
                "price": if docked { json!(2.5 + (i % 5) as f64) } else { json!("") },
                "eventUTCTime": format!("2024-03-15 10:{:02}:{:02}", i * 9 / 60, i * 9 % 60),
                "bikeDetail": {"bikeNum": format!("B{i}"), "bikeType": "E"},
            });
            format!("{}\n", json!({"rowtime_ms": 1_710_496_800_000i64 + i as i64 * 9_000 + 20_000, "row": row}))
        })
        .collect()
}

/// What `kinesis-lab analytics` prints for `e` over its sample input (SQL with the bike schema).
pub fn run_sample(e: &Example) -> Result<String, String> {
    let mut out = Vec::new();
    let input = sample_input(e);
    match e.language {
        Language::Sql => {
            let schema: serde_json::Value = serde_json::from_str(BIKE_SCHEMA).map_err(|e| e.to_string())?;
            run_sql(e.text, Some(&schema), None, &input, &mut out).map_err(|e| e.to_string())?;
        }
        Language::Pipeline => {
            let p: serde_json::Value = serde_json::from_str(e.text).map_err(|e| e.to_string())?;
            run_pipeline(&p, &input, None, &mut out).map_err(|e| e.to_string())?;
        }
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// Every example's sample output, as the golden file holds it: `== name` and its lines.
pub fn golden_text() -> String {
    ALL.iter()
        .map(|e| format!("== {}\n{}", e.name, run_sample(e).unwrap_or_else(|err| format!("error: {err}\n"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analytics::flink::pipeline::Pipeline;
    use serde_json::Value;

    #[test]
    fn every_sql_example_runs_over_bike_events() {
        for e in ALL.iter().filter(|e| e.language == Language::Sql) {
            let text = run_sample(e).unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert!(text.lines().any(|l| !l.contains("\"error_stream\"")), "{} emits rows:\n{text}", e.name);
        }
    }

    #[test]
    fn the_seed_error_counter_formats_url_and_status_of_non_200_lines() {
        let lines = [
            r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "-" "Mozilla/5.0""#,
            r#"83.149.9.216 - - [17/May/2015:10:05:43 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-dashboard3.png HTTP/1.1" 200 171717 "-" "Mozilla/5.0""#,
            r#"83.149.9.216 - - [17/May/2015:10:05:47 +0000] "GET /presentations/logstash-monitorama-2013/plugin/highlight/highlight.js HTTP/1.1" 403 26185 "-" "Mozilla/5.0""#,
        ];
        let input: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}\n", json!({"rowtime_ms": i * 1000, "row": {"line": l}})))
            .collect();
        let p: Value = serde_json::from_str(find("error_counter").unwrap().text).unwrap();
        let mut out = Vec::new();
        run_pipeline(&p, &input, None, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"stream\":\"log_data_stream\",\"rowtime_ms\":2000,\"row\":{\"alert\":\"/presentations/logstash-monitorama-2013/plugin/highlight/highlight.js::403\",\"ip\":\"83.149.9.216\"}}\n"
        );
    }

    #[test]
    fn every_pipeline_example_is_a_valid_job() {
        for e in ALL.iter().filter(|e| e.language == Language::Pipeline) {
            let v: Value = serde_json::from_str(e.text).unwrap();
            Pipeline::from_json(&v).unwrap_or_else(|err| panic!("{}: {err}", e.name));
        }
        assert!(run_sample(find("rental_count_job").unwrap()).unwrap().contains("\"stream\":\"BikeAnalyticsOutput\""));
    }
}
