//! The SQL front end never panics: random token soups and mutations of working applications are either
//! refused with a line and column inside the text, or run over random rows without a panic.

use kinesis_lab::engine::analytics::sql::app::App;
use kinesis_lab::engine::analytics::sql::schema::InputSchema;
use proptest::prelude::*;
use serde_json::json;

const TOKENS: [&str; 48] = [
    "SELECT",
    "STREAM",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "WINDOW",
    "WINDOWED",
    "STAGGER",
    "PARTITION",
    "RANGE",
    "ROWS",
    "INTERVAL",
    "'1'",
    "MINUTE",
    "PRECEDING",
    "OVER",
    "AS",
    "CREATE",
    "OR",
    "REPLACE",
    "PUMP",
    "INSERT",
    "INTO",
    "(",
    ")",
    ",",
    ";",
    "*",
    "+",
    "-",
    "/",
    "=",
    "<>",
    "STEP",
    "FLOOR",
    "TO",
    "ROWTIME",
    "COUNT",
    "SUM",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "\"stationId\"",
    "SOURCE_SQL_STREAM_001",
    "42",
    "TABLE",
];

const WORKING: &str = r#"CREATE OR REPLACE STREAM "OUT" (STATIONID INTEGER, N INTEGER, T TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM "stationId", SUM(CASE "action" WHEN 'RENTED' THEN -1 ELSE 1 END), ROWTIME
FROM "SOURCE_SQL_STREAM_001" WHERE "price" > 0
GROUP BY "stationId", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
SELECT STREAM "stationId", AVG("price") OVER W FROM SOURCE_SQL_STREAM_001 WINDOW W AS (PARTITION BY "stationId" ROWS 3 PRECEDING);
SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'action', 2, 60));"#;

fn schema() -> InputSchema {
    InputSchema::from_json(&json!({"RecordColumns": [
        {"Name": "stationId", "SqlType": "INTEGER"},
        {"Name": "action", "SqlType": "VARCHAR(8)"},
        {"Name": "price", "SqlType": "DOUBLE"},
    ]}))
    .unwrap()
}

fn check(code: &str, rows: &[(u16, i8, u8)]) {
    match App::new(code, schema(), None) {
        Err(e) => {
            let lines = code.lines().count().max(1) as u32;
            assert!(e.pos.line >= 1 && e.pos.line <= lines + 1 && e.pos.col >= 1, "{e} for {code:?}");
            assert!(!e.message.is_empty());
        }
        Ok(mut app) => {
            let mut t = 0i64;
            for (gap, station, price) in rows {
                t += i64::from(*gap);
                let record = json!({"stationId": station, "action": if price % 2 == 0 { "RENTED" } else { "DOCKED" }, "price": price});
                app.push(t, record.to_string().as_bytes());
            }
            app.finish();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(picks in prop::collection::vec(0..TOKENS.len(), 0..40)) {
        let code: Vec<&str> = picks.iter().map(|i| TOKENS[*i]).collect();
        check(&code.join(" "), &[(1000, 1, 2)]);
    }

    #[test]
    fn mutated_applications_never_panic(
        cut in 0..WORKING.len(),
        len in 0usize..12,
        insert in prop::sample::select(TOKENS.to_vec()),
        rows in prop::collection::vec((0u16..40_000, -3i8..3, 0u8..5), 0..40),
    ) {
        let mut code = WORKING.to_string();
        let start = (0..=cut).rev().find(|i| code.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len..=code.len()).find(|i| code.is_char_boundary(*i)).unwrap_or(code.len());
        code.replace_range(start..end, insert);
        check(&code, &rows);
    }

    #[test]
    fn arbitrary_text_never_panics(code in "\\PC{0,200}") {
        check(&code, &[]);
    }
}

#[test]
fn the_unmutated_application_runs() {
    assert!(App::new(WORKING, schema(), None).is_ok());
}
