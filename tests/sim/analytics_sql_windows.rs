//! KDA SQL window semantics, exactly as spec firehose-analytics.md §2.5 gives them: the AWS worked examples
//! for tumbling windows with an event-time bucket (partial results), stagger windows (complete results),
//! sliding RANGE and ROWS frames; emission on the clock at the window end; output ROWTIME; the book's Q3.

use kinesis_lab::engine::analytics::sql::app::{App, Emitted};
use kinesis_lab::engine::analytics::sql::schema::InputSchema;
use kinesis_lab::engine::analytics::value::{format_timestamp, parse_timestamp};
use serde_json::{json, Value};

fn ms(text: &str) -> i64 {
    parse_timestamp(&format!("2024-03-15 {text}")).expect("a test time")
}

fn clock(rowtime: i64) -> String {
    format_timestamp(rowtime)[11..19].to_string()
}

fn ticker_schema() -> InputSchema {
    InputSchema::from_json(&json!({"RecordColumns": [
        {"Name": "EVENT_TIME", "SqlType": "TIMESTAMP"},
        {"Name": "TICKER", "SqlType": "VARCHAR(4)"},
        {"Name": "PRICE", "SqlType": "DOUBLE"},
    ]}))
    .unwrap()
}

/// The AWS examples' rows: (ROWTIME, EVENT_TIME).
const ROWS: [(&str, &str); 4] =
    [("11:00:20", "11:00:10"), ("11:00:30", "11:00:20"), ("11:01:05", "11:00:55"), ("11:01:15", "11:01:05")];

fn run(app: &mut App, rows: &[(&str, &str)]) -> Vec<Emitted> {
    let mut out = Vec::new();
    for (rowtime, event) in rows {
        let record = json!({"EVENT_TIME": format!("2024-03-15 {event}"), "TICKER": "AMZN", "PRICE": 10.0});
        out.extend(app.push(ms(rowtime), record.to_string().as_bytes()));
    }
    out.extend(app.finish());
    out
}

/// (stream, ROWTIME as hh:mm:ss, the row's values in column order as text).
fn table(out: &[Emitted]) -> Vec<(String, String, Vec<String>)> {
    out.iter()
        .map(|e| {
            let values = e
                .row
                .iter()
                .map(|(_, v)| v)
                .map(|v| v.as_str().map_or_else(|| v.to_string(), |s| s.to_string()))
                .collect();
            (e.stream.clone(), clock(e.rowtime), values)
        })
        .collect()
}

fn row(stream: &str, at: &str, values: &[&str]) -> (String, String, Vec<String>) {
    (stream.to_string(), at.to_string(), values.iter().map(|v| v.to_string()).collect())
}

#[test]
fn tumbling_with_an_event_time_bucket_gives_the_documented_partial_results() {
    let code = r#"
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_MINUTE TIMESTAMP, TICKER VARCHAR(4), TICKER_COUNT INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '1' MINUTE), TICKER, COUNT(*)
        FROM "SOURCE_SQL_STREAM_001"
        GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE),
                 STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '1' MINUTE);"#;
    let mut app = App::new(code, ticker_schema(), None).unwrap();
    let out = run(&mut app, &ROWS);
    assert_eq!(
        table(&out),
        [
            row("DESTINATION_SQL_STREAM", "11:01:00", &["2024-03-15 11:00:00.000", "AMZN", "2"]),
            row("DESTINATION_SQL_STREAM", "11:02:00", &["2024-03-15 11:00:00.000", "AMZN", "1"]),
            row("DESTINATION_SQL_STREAM", "11:02:00", &["2024-03-15 11:01:00.000", "AMZN", "1"]),
        ]
    );
}

#[test]
fn stagger_windows_give_the_documented_complete_results() {
    let code = r#"
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_MINUTE TIMESTAMP, TICKER VARCHAR(4), TICKER_COUNT INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER, COUNT(*)
        FROM "SOURCE_SQL_STREAM_001"
        WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE);"#;
    let mut app = App::new(code, ticker_schema(), None).unwrap();
    assert_eq!(
        table(&run(&mut app, &ROWS)),
        [
            row("DESTINATION_SQL_STREAM", "11:01:20", &["2024-03-15 11:00:00.000", "AMZN", "3"]),
            row("DESTINATION_SQL_STREAM", "11:02:15", &["2024-03-15 11:01:00.000", "AMZN", "1"]),
        ]
    );
    // AWS example 2: six rows of one event time within a minute of the first: one row of 6 when it closes.
    let mut app = App::new(code, ticker_schema(), None).unwrap();
    let six: Vec<(&str, &str)> = ["20:17:30", "20:17:40", "20:17:50", "20:18:00", "20:18:10", "20:18:21"]
        .iter()
        .map(|t| (*t, "20:17:00"))
        .collect();
    assert_eq!(
        table(&run(&mut app, &six)),
        [row("DESTINATION_SQL_STREAM", "20:18:30", &["2024-03-15 20:17:00.000", "AMZN", "6"])]
    );
}

#[test]
fn a_tumbling_window_emits_on_the_clock_at_its_end_and_empty_windows_emit_nothing() {
    let code = r#"
        CREATE OR REPLACE STREAM OUT_STREAM (TICKER VARCHAR(4), N INTEGER, AS_OF TIMESTAMP);
        CREATE OR REPLACE PUMP P AS INSERT INTO OUT_STREAM
        SELECT STREAM TICKER, COUNT(*), ROWTIME FROM SOURCE_SQL_STREAM_001
        GROUP BY TICKER, FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO MINUTE);"#;
    let mut app = App::new(code, ticker_schema(), None).unwrap();
    let record = json!({"EVENT_TIME": "2024-03-15 11:00:00", "TICKER": "AMZN", "PRICE": 1.0}).to_string();
    assert!(app.push(ms("11:00:20"), record.as_bytes()).is_empty());
    assert!(app.advance(ms("11:00:59") + 999).is_empty(), "not before the end");
    let out = app.advance(ms("11:01:00"));
    assert_eq!(
        table(&out),
        [row("OUT_STREAM", "11:01:00", &["AMZN", "1", "2024-03-15 11:01:00.000"])],
        "ROWTIME = the window's end"
    );
    assert!(app.advance(ms("11:05:00")).is_empty(), "minutes without rows emit nothing");
    assert_eq!(app.deadline(), None);
}

fn sliding(frame: &str) -> Vec<String> {
    let code = format!(
        r#"CREATE OR REPLACE STREAM S (TICKER VARCHAR(4), N INTEGER);
        CREATE OR REPLACE PUMP P AS INSERT INTO S
        SELECT STREAM TICKER, COUNT(*) OVER W FROM SOURCE_SQL_STREAM_001
        WINDOW W AS (PARTITION BY TICKER {frame} PRECEDING);"#
    );
    let mut app = App::new(&code, ticker_schema(), None).unwrap();
    let times: Vec<String> = (0..7).map(|s| format!("10:00:{s:02}")).collect();
    let rows: Vec<(&str, &str)> = times.iter().map(|t| (t.as_str(), "10:00:00")).collect();
    table(&run(&mut app, &rows)).into_iter().map(|(_, at, v)| format!("{at} {}", v[1])).collect()
}

#[test]
fn a_sliding_range_window_holds_rows_in_t_minus_i_to_t_and_emits_one_row_per_row() {
    // Rows every second, a 5-second window: at t6 (10:00:05) the t1 row (10:00:00) no longer counts.
    assert_eq!(
        sliding("RANGE INTERVAL '5' SECOND"),
        ["10:00:00 1", "10:00:01 2", "10:00:02 3", "10:00:03 4", "10:00:04 5", "10:00:05 5", "10:00:06 5"]
    );
    // ROWS 2 PRECEDING: the row and the two before it, as the SQL standard says.
    assert_eq!(
        sliding("ROWS 2"),
        ["10:00:00 1", "10:00:01 2", "10:00:02 3", "10:00:03 3", "10:00:04 3", "10:00:05 3", "10:00:06 3"]
    );
}

fn bike_schema() -> InputSchema {
    InputSchema::from_json(&json!({"RecordColumns": [
        {"Name": "stationId", "SqlType": "INTEGER", "Mapping": "$.stationId"},
        {"Name": "action", "SqlType": "VARCHAR(8)", "Mapping": "$.action"},
        {"Name": "tripDuration", "SqlType": "INTEGER", "Mapping": "$.tripDuration"},
        {"Name": "price", "SqlType": "DOUBLE", "Mapping": "$.price"},
    ]}))
    .unwrap()
}

/// The book's RENTAL_COUNT query, as the examples hold it.
fn q3() -> &'static str {
    kinesis_lab::engine::analytics::examples::find("q3_rental_count").expect("the Q3 example").text
}

#[test]
fn the_books_rental_count_nets_each_station_per_minute_with_rowtime_as_of_the_minute_end() {
    let mut app = App::new(q3(), bike_schema(), None).unwrap();
    let events = [
        ("23:31:05", 410, "DOCKED"),
        ("23:31:20", 410, "DOCKED"),
        ("23:31:40", 410, "DOCKED"),
        ("23:31:50", 410, "DOCKED"),
        ("23:32:10", 290, "RENTED"),
        ("23:32:30", 290, "DOCKED"),
        ("23:32:45", 300, "RENTED"),
    ];
    let mut out = Vec::new();
    for (at, station, action) in events {
        let record = json!({"stationId": station, "action": action, "tripDuration": 300, "price": 2.5}).to_string();
        out.extend(app.push(ms(at), record.as_bytes()));
    }
    out.extend(app.finish());
    assert_eq!(
        table(&out),
        [
            row("RENTAL_COUNT", "23:32:00", &["410", "4", "2024-03-15 23:32:00.000"]),
            row("RENTAL_COUNT", "23:33:00", &["290", "0", "2024-03-15 23:33:00.000"]),
            row("RENTAL_COUNT", "23:33:00", &["300", "-1", "2024-03-15 23:33:00.000"]),
        ]
    );
}

#[test]
fn q1_feeds_q2s_sliding_price_stats_and_decimal_4_2_overflows_into_error_stream() {
    let code = r#"
        CREATE OR REPLACE STREAM completed_bike_rides (stationId INTEGER, tripDuration BIGINT, price REAL);
        CREATE OR REPLACE PUMP completed_rides_pump AS INSERT INTO completed_bike_rides
        SELECT STREAM "stationId", "tripDuration", "price" FROM source_sql_stream_001
        WHERE "action" LIKE 'DOCKED' AND "tripDuration" > 0 AND "price" > 0;
        CREATE OR REPLACE STREAM price_stats (stationId INTEGER, earnings DECIMAL(4,2));
        CREATE OR REPLACE PUMP stats_pump AS INSERT INTO price_stats
        SELECT STREAM STATIONID, CAST(SUM(PRICE) OVER WIN AS DECIMAL(4,2)) AS EARNINGS
        FROM COMPLETED_BIKE_RIDES
        WINDOW WIN AS (PARTITION BY STATIONID RANGE INTERVAL '5' MINUTE PRECEDING);"#;
    let mut app = App::new(code, bike_schema(), None).unwrap();
    let mut out = Vec::new();
    for (i, price) in [60.0, 30.5, 20.0].iter().enumerate() {
        let record = json!({"stationId": 120, "action": "DOCKED", "tripDuration": 60, "price": price}).to_string();
        out.extend(app.push(ms(&format!("14:0{i}:00")), record.as_bytes()));
    }
    let rented = json!({"stationId": 120, "action": "RENTED", "tripDuration": 60, "price": 1.0}).to_string();
    out.extend(app.push(ms("14:04:00"), rented.as_bytes()));
    let got = table(&out);
    let streams: Vec<&str> = got.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        streams,
        [
            "COMPLETED_BIKE_RIDES",
            "PRICE_STATS",
            "COMPLETED_BIKE_RIDES",
            "PRICE_STATS",
            "COMPLETED_BIKE_RIDES",
            "error_stream"
        ],
        "the RENTED row is filtered out; the third sum (110.5) does not fit DECIMAL(4,2)"
    );
    assert_eq!(got[3].2, ["120", "90.5"]);
    let error = &out[5];
    assert_eq!(error.get("ERROR_NAME"), "Cast error");
    assert_eq!(error.get("MESSAGE"), "110.5 overflows DECIMAL(4,2)");
    assert_eq!(error.get("PUMP_NAME"), "STATS_PUMP");
}

#[test]
fn the_books_q2_errata_are_flagged_by_the_validator() {
    let q1 = r#"CREATE OR REPLACE STREAM completed_bike_rides (stationId INTEGER, tripDuration BIGINT, price REAL);"#;
    let printed = format!(
        "{q1}\nSELECT STREAM STATIONID, CAST(AVG(PRICE) OVER WIN AS DECIMAL(4,2)) AS AVG_PRICE\nFROM COMPLETED_BIKE RIDES\nWINDOW WIN AS (PARTITION BY STATION_ID RANGE INTERVAL '5' MINUTE PRECEDING);"
    );
    let e = App::new(&printed, bike_schema(), None).unwrap_err();
    assert_eq!(e.to_string(), "line 3, column 6: Table 'COMPLETED_BIKE' not found");
    let renamed = printed.replace("COMPLETED_BIKE RIDES", "COMPLETED_BIKE_RIDES");
    let e = App::new(&renamed, bike_schema(), None).unwrap_err();
    assert_eq!(e.to_string(), "line 4, column 29: Column 'STATION_ID' not found in any table");
}

#[test]
fn the_validator_refuses_what_kda_refuses() {
    let cases = [
        ("SELECT STREAM \"stationId\", COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY \"stationId\"", "line 1, column 73: a streaming GROUP BY needs a ROWTIME-monotonic expression such as STEP(ROWTIME BY INTERVAL '1' MINUTE), FLOOR(ROWTIME TO MINUTE) or ROWTIME"),
        ("SELECT STREAM stationId FROM SOURCE_SQL_STREAM_001", "line 1, column 15: Column 'STATIONID' not found in any table"),
        ("SELECT STREAM \"action\", COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY \"stationId\", FLOOR(ROWTIME TO MINUTE)", "line 1, column 15: Expression 'action' is not being grouped"),
        ("SELECT \"action\" FROM SOURCE_SQL_STREAM_001", "line 1, column 1: Cannot convert stream 'SOURCE_SQL_STREAM_001' to relation (write SELECT STREAM)"),
        ("SELECT STREAM * FROM SOURCE_SQL_STREAM_001 ORDER BY \"price\"", "line 1, column 53: a streaming ORDER BY must start with a ROWTIME-monotonic expression such as FLOOR(ROWTIME TO SECOND)"),
        ("CREATE OR REPLACE STREAM S (A INTEGER);\nCREATE OR REPLACE PUMP P AS INSERT INTO S SELECT STREAM \"stationId\", \"price\" FROM SOURCE_SQL_STREAM_001", "line 2, column 43: Number of INSERT target columns (1) does not equal number of source items (2)"),
        ("CREATE OR REPLACE PUMP P AS INSERT INTO NOWHERE SELECT STREAM * FROM SOURCE_SQL_STREAM_001", "line 1, column 41: Table 'NOWHERE' not found"),
        ("SELECT STREAM SUM(\"price\") OVER W FROM SOURCE_SQL_STREAM_001", "line 1, column 33: Window 'W' not found"),
        ("CREATE OR REPLACE STREAM A (X INTEGER);\nCREATE OR REPLACE STREAM B (X INTEGER);\nCREATE OR REPLACE PUMP P1 AS INSERT INTO B SELECT STREAM X FROM A;\nCREATE OR REPLACE PUMP P2 AS INSERT INTO A SELECT STREAM X FROM B;", "line 1, column 1: the pumps feed stream A back into itself"),
    ];
    for (code, want) in cases {
        let e = App::new(code, bike_schema(), None).unwrap_err();
        assert_eq!(e.to_string(), want, "{code}");
    }
}

#[test]
fn records_that_do_not_fit_and_rows_out_of_order_go_to_error_stream() {
    let mut app = App::new("SELECT STREAM \"stationId\" FROM SOURCE_SQL_STREAM_001", bike_schema(), None).unwrap();
    let out = app.push(ms("10:00:00"), br#"{"stationId": "not a number"}"#);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].stream, "error_stream");
    assert_eq!(out[0].get("ERROR_NAME"), "Coercion error");
    assert_eq!(out[0].get("DATA_ROW"), &Value::String(hex(br#"{"stationId": "not a number"}"#)));
    assert_eq!(out[0].get("PUMP_NAME"), "SOURCE_SQL_STREAM_001");
    let ok = app.push(ms("10:00:05"), br#"{"stationId": 7}"#);
    assert_eq!((ok[0].stream.as_str(), ok[0].get("stationId").clone()), ("(preview)", json!(7)));
    assert_eq!(ok[0].to_line(), r#"{"stream":"(preview)","rowtime_ms":1710496805000,"row":{"stationId":7}}"#);
    let late = app.push(ms("10:00:01"), br#"{"stationId": 8}"#);
    assert_eq!(late[0].get("ERROR_NAME"), "Out of order ROWTIME");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn kinesis_lab_analytics_prints_every_row_and_exits_non_zero_on_a_parse_error() {
    let dir = std::env::temp_dir().join(format!("kinesis-lab-analytics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: String = [("23:31:05", "DOCKED"), ("23:31:40", "DOCKED"), ("23:32:10", "RENTED")]
        .iter()
        .map(|(at, action)| format!("{}\n", json!({"rowtime_ms": ms(at), "row": {"stationId": 410, "action": action}})))
        .collect();
    std::fs::write(dir.join("rows.jsonl"), rows).unwrap();
    std::fs::write(dir.join("q3.sql"), q3()).unwrap();
    std::fs::write(dir.join("bad.sql"), "SELECT STREAM \"stationId\"\nFROM SOURCE_SQL_STREAM_001 WHERE AND").unwrap();
    let run = |sql: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kinesis-lab"))
            .args([
                "analytics",
                "--sql",
                dir.join(sql).to_str().unwrap(),
                "--input",
                dir.join("rows.jsonl").to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let ok = run("q3.sql");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let lines: Vec<Value> =
        String::from_utf8(ok.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines,
        [
            json!({"stream": "RENTAL_COUNT", "rowtime_ms": ms("23:32:00"), "row": {"STATIONID": 410, "BIKECOUNT": 2, "ASOFTIME": "2024-03-15 23:32:00.000"}}),
            json!({"stream": "RENTAL_COUNT", "rowtime_ms": ms("23:33:00"), "row": {"STATIONID": 410, "BIKECOUNT": -1, "ASOFTIME": "2024-03-15 23:33:00.000"}}),
        ]
    );
    assert!(String::from_utf8_lossy(&ok.stderr).starts_with("discovered input schema: "));
    let bad = run("bad.sql");
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .ends_with("bad.sql: line 2, column 34: expected an expression, found AND\n"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
