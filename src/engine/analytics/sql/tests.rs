//! Parser tests: the book's queries (§2.8) and the AWS templates parse into the expected shapes; bad
//! queries are refused with their line, column and what was expected.

use super::ast::*;
use super::error::Pos;
use super::parser::{parse_expression, parse_program};
use crate::engine::analytics::value::{SqlType, Value};

/// The book's query `name`, as the examples hold it.
fn example(name: &str) -> &'static str {
    crate::engine::analytics::examples::find(name).expect("an example of that name").text
}

const TOP_K: &str = r#"
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("TICKER" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM TABLE (TOP_K_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 5, 60));
"#;

const RCF: &str = r#"
CREATE OR REPLACE STREAM "TEMP_STREAM" ("heartRate" INTEGER, "rateType" VARCHAR(20), "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("heartRate" INTEGER, "rateType" VARCHAR(20), "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM "TEMP_STREAM"
ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;
"#;

const JOIN: &str = r#"
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
   SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
   FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c"
   ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";
"#;

fn pump_query(statements: &[Statement], i: usize) -> &Query {
    match &statements[i] {
        Statement::CreatePump { query, .. } => query,
        other => panic!("statement {i} is not a pump: {other:?}"),
    }
}

fn column(e: &Expr) -> (&str, bool) {
    match &e.kind {
        ExprKind::Column { name, .. } => (name.name.as_str(), name.quoted),
        other => panic!("not a column: {other:?}"),
    }
}

#[test]
fn q1_creates_a_stream_with_folded_names_and_a_filtering_pump() {
    let s = parse_program(example("q1_completed_rides")).unwrap();
    let Statement::CreateStream { name, columns } = &s[0] else { panic!("{:?}", s[0]) };
    assert_eq!(name.name, "COMPLETED_BIKE_RIDES", "unquoted names fold to upper case");
    let cols: Vec<(&str, SqlType)> = columns.iter().map(|c| (c.name.name.as_str(), c.ty)).collect();
    assert_eq!(cols, [("STATIONID", SqlType::Integer), ("TRIPDURATION", SqlType::Bigint), ("PRICE", SqlType::Real)]);
    let Statement::CreatePump { name, target, query, .. } = &s[1] else { panic!() };
    assert_eq!((name.name.as_str(), target.name.as_str()), ("COMPLETED_RIDES_PUMP", "COMPLETED_BIKE_RIDES"));
    assert!(query.stream);
    let SelectItem::Expr { expr, .. } = &query.items[0] else { panic!() };
    assert_eq!(column(expr), ("stationId", true), "quoted names keep their case");
    assert!(matches!(&query.from, From::Named { name, .. } if name.name == "SOURCE_SQL_STREAM_001"));
    let filter = query.filter.as_ref().unwrap();
    let ExprKind::Binary { op: BinOp::And, left, .. } = &filter.kind else { panic!("{filter:?}") };
    let ExprKind::Binary { op: BinOp::And, left: like, .. } = &left.kind else { panic!() };
    assert!(matches!(like.kind, ExprKind::Like { negated: false, .. }));
}

#[test]
fn q3_groups_by_station_and_a_one_minute_step_of_rowtime() {
    let s = parse_program(example("q3_rental_count")).unwrap();
    let q = pump_query(&s, 1);
    assert_eq!(q.group_by.len(), 2);
    let ExprKind::Step { expr, by } = &q.group_by[1].kind else { panic!("{:?}", q.group_by[1]) };
    let ExprKind::Column { qualifier: Some(qualifier), name } = &expr.kind else { panic!() };
    assert_eq!((qualifier.name.as_str(), name.name.as_str()), ("SOURCE_SQL_STREAM_001", "ROWTIME"));
    assert_eq!(by.kind, ExprKind::Interval(60_000));
    let SelectItem::Expr { expr, alias } = &q.items[1] else { panic!() };
    assert_eq!(alias.as_ref().unwrap().name, "BIKECOUNT");
    let ExprKind::Call { name, args, .. } = &expr.kind else { panic!() };
    assert_eq!(name.name, "SUM");
    let ExprKind::Case { operand: Some(_), whens, otherwise: Some(_) } = &args[0].kind else { panic!() };
    assert_eq!(
        whens[0].1.kind,
        ExprKind::Neg(Box::new(Expr::new(ExprKind::Literal(Value::Int(1)), Pos { line: 5, col: 46 })))
    );
}

#[test]
fn q4_stagger_partitions_by_the_event_minute_and_station() {
    let s = parse_program(example("q4_stagger_rentals")).unwrap();
    let q = pump_query(&s, 1);
    let stagger = q.stagger.as_ref().unwrap();
    assert_eq!(stagger.range_ms, 60_000);
    assert_eq!(stagger.partition_by.len(), 2);
    assert!(matches!(stagger.partition_by[0].kind, ExprKind::Floor { unit: Some(TimeUnit::Minute), .. }));
    assert!(q.group_by.is_empty());
}

#[test]
fn q2_names_a_sliding_range_window_used_by_four_aggregates() {
    let s = parse_program(example("q2_price_stats")).unwrap();
    let q = pump_query(&s, 3);
    assert_eq!(q.windows.len(), 1);
    assert_eq!(q.windows[0].1.frame, Frame::Range(300_000));
    let SelectItem::Expr { expr, .. } = &q.items[4] else { panic!() };
    let ExprKind::Cast { expr, ty: SqlType::Decimal(4, 2) } = &expr.kind else { panic!() };
    assert!(matches!(&expr.kind, ExprKind::Call { over: Some(Over::Named(w)), .. } if w.name == "WIN"));
}

#[test]
fn the_aws_templates_parse() {
    let top = parse_program(TOP_K).unwrap();
    let From::Function { call, .. } = &pump_query(&top, 1).from else { panic!() };
    assert_eq!((call.name.name.as_str(), call.args.len()), ("TOP_K_ITEMS_TUMBLING", 3));
    let rcf = parse_program(RCF).unwrap();
    assert_eq!(pump_query(&rcf, 3).order_by.len(), 2);
    assert!(pump_query(&rcf, 3).order_by[1].1, "DESC");
    let join = parse_program(JOIN).unwrap();
    let q = pump_query(&join, 1);
    assert!(q.joins[0].left_outer);
    assert_eq!(q.joins[0].alias.as_ref().unwrap().name, "c");
}

#[test]
fn bad_queries_say_where_and_what_was_expected() {
    let cases: [(&str, (u32, u32), &str); 12] = [
        ("SELECT STREAM a FORM s", (1, 22), "expected FROM, found S"),
        ("SELECT STREAM a,\n  FROM s", (2, 3), "expected an expression, found FROM"),
        ("CREATE OR REPLACE STREAM s (a INTEGR)", (1, 31), "expected a type, found INTEGR"),
        ("CREATE STREAM s (a VARCHAR)", (1, 27), "expected \"(\" and a length after VARCHAR, found \")\""),
        ("CREATE PUMP p INSERT INTO s SELECT STREAM * FROM t", (1, 15), "expected AS, found INSERT"),
        ("SELECT STREAM * FROM s WHERE a = 'x", (1, 34), "this string is never closed with '"),
        (
            "SELECT STREAM * FROM s GROUP BY STEP(ROWTIME BY INTERVAL 'one' MINUTE)",
            (1, 58),
            "expected a positive whole number in quotes, as in INTERVAL '1' MINUTE, found 'one'",
        ),
        (
            "SELECT STREAM * FROM s GROUP BY STEP(ROWTIME BY INTERVAL '1' WEEK)",
            (1, 62),
            "expected SECOND, MINUTE, HOUR or DAY, found WEEK",
        ),
        (
            "SELECT STREAM * FROM s WINDOW w AS (PARTITION BY a)",
            (1, 51),
            "expected RANGE INTERVAL … PRECEDING or ROWS n PRECEDING, found \")\"",
        ),
        ("SELECT STREAM CASE WHEN a THEN 1 FROM s", (1, 34), "expected END, found FROM"),
        ("DROP STREAM s", (1, 1), "expected CREATE or SELECT, found DROP"),
        ("  ;  ", (1, 6), "the application code has no statement"),
    ];
    for (text, (line, col), message) in cases {
        let e = parse_program(text).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col, e.message.as_str()), (line, col, message), "{text}");
    }
    let e = parse_program("SELECT STREAM a FROM s t u").unwrap_err();
    assert_eq!(e.to_string(), "line 1, column 26: expected \";\" or the end of the statement, found U");
}

#[test]
fn expressions_follow_sql_precedence() {
    let e = parse_expression("a + b * 2 > 3 OR NOT c IS NULL AND d BETWEEN 1 AND 5").unwrap();
    let ExprKind::Binary { op: BinOp::Or, left, right } = &e.kind else { panic!("{e:?}") };
    assert!(matches!(left.kind, ExprKind::Binary { op: BinOp::Gt, .. }));
    let ExprKind::Binary { op: BinOp::And, left: not, right: between } = &right.kind else { panic!() };
    assert!(matches!(not.kind, ExprKind::Not(_)));
    assert!(matches!(between.kind, ExprKind::Between { negated: false, .. }));
    assert!(matches!(parse_expression("x NOT IN (1, 2)").unwrap().kind, ExprKind::InList { negated: true, .. }));
    assert!(parse_expression("a b").is_err());
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!("{}1{}", "(".repeat(5_000), ")".repeat(5_000));
    assert!(parse_expression(&deep).unwrap_err().message.contains("nest deeper"));
    let negations = format!("{}1", "- ".repeat(5_000));
    assert!(parse_expression(&negations).is_err());
    let nots = format!("{}TRUE", "NOT ".repeat(5_000));
    assert!(parse_expression(&nots).is_err());
}
