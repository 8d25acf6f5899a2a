//! What the Analytics lab's editor shows: the SQL highlighting with the error's token underlined, and the
//! result table from an application's output lines.

use crate::engine::analytics::flink::job::Output;
use crate::engine::analytics::sql::app::Emitted;

/// A piece of highlighted code and its class (`kw`, `str`, `qid`, `num`, `comment`, or empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub class: &'static str,
    /// The token a parse or validation error points at.
    pub error: bool,
}

const KEYWORDS: [&str; 52] = [
    "SELECT",
    "STREAM",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "HAVING",
    "WINDOW",
    "WINDOWED",
    "STAGGER",
    "PARTITION",
    "RANGE",
    "ROWS",
    "PRECEDING",
    "INTERVAL",
    "SECOND",
    "MINUTE",
    "HOUR",
    "DAY",
    "OVER",
    "AS",
    "AND",
    "OR",
    "NOT",
    "CREATE",
    "REPLACE",
    "PUMP",
    "INSERT",
    "INTO",
    "JOIN",
    "LEFT",
    "ON",
    "ORDER",
    "UNION",
    "ALL",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CAST",
    "LIKE",
    "IS",
    "NULL",
    "IN",
    "BETWEEN",
    "STEP",
    "FLOOR",
    "TO",
    "TABLE",
    "CURSOR",
    "ROWTIME",
];

/// The pieces of `code`; the token starting at `error` (line, column, from 1) is flagged.
pub fn highlight(code: &str, error: Option<(u32, u32)>) -> Vec<Piece> {
    let chars: Vec<char> = code.chars().collect();
    let mut pieces = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    while i < chars.len() {
        let start = (line, col);
        let c = chars[i];
        let rest = &chars[i..];
        let len = if c == '-' && rest.get(1) == Some(&'-') {
            rest.iter().take_while(|c| **c != '\n').count()
        } else if c == '\'' || c == '"' {
            1 + rest[1..].iter().position(|x| *x == c).map_or(rest.len() - 1, |p| p + 1)
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' && rest.get(1).is_some_and(char::is_ascii_digit) {
            rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '.').count()
        } else {
            1
        };
        let text: String = rest[..len].iter().collect();
        let class = if text.starts_with("--") {
            "comment"
        } else if c == '\'' {
            "str"
        } else if c == '"' {
            "qid"
        } else if c.is_ascii_digit() {
            "num"
        } else if KEYWORDS.contains(&text.to_uppercase().as_str()) {
            "kw"
        } else {
            ""
        };
        for ch in &rest[..len] {
            if *ch == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        let at_error =
            error == Some(start) || error.is_some_and(|e| e == (line, col) && i + len == chars.len() && start.0 == e.0);
        match pieces.last_mut() {
            Some(Piece { text: t, class: k, error: false }) if *k == class && !at_error && class.is_empty() => {
                t.push_str(&text)
            }
            _ => pieces.push(Piece { text, class, error: at_error }),
        }
        i += len;
    }
    if let Some((l, c)) = error {
        // An error at the end of the text points past the last token: mark a space there.
        if (l, c) == (line, col) && !pieces.iter().any(|p| p.error) {
            pieces.push(Piece { text: " ".into(), class: "", error: true });
        }
    }
    pieces
}

/// A row of the result table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub stream: String,
    /// ROWTIME (or the emission time), as hh:mm:ss.mmm.
    pub at: String,
    /// `column = value` pairs.
    pub cells: Vec<(String, String)>,
    pub late_firing: bool,
    pub replayed: bool,
}

pub(crate) fn cells(row: &[(String, serde_json::Value)]) -> Vec<(String, String)> {
    row.iter().map(|(k, x)| (k.clone(), x.as_str().map_or_else(|| x.to_string(), str::to_string))).collect()
}

fn clock(ms: i64) -> String {
    crate::engine::analytics::value::format_timestamp(ms)[11..].to_string()
}

impl ResultRow {
    /// A row a SQL application emitted.
    pub fn from_emitted(e: &Emitted) -> ResultRow {
        ResultRow {
            stream: e.stream.clone(),
            at: clock(e.rowtime),
            cells: cells(&e.row),
            late_firing: false,
            replayed: false,
        }
    }

    /// A pipeline's output.
    pub fn from_output(o: &Output) -> ResultRow {
        ResultRow {
            stream: o.stream.clone(),
            at: clock(o.at),
            cells: cells(&o.row),
            late_firing: o.late_firing,
            replayed: o.replayed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_strings_and_quoted_names_are_classed_and_the_error_token_flagged() {
        let p = highlight("SELECT STREAM \"stationId\", 'x'\nFROM s WHERE", Some((2, 8)));
        let classes: Vec<(&str, &str, bool)> = p.iter().map(|p| (p.text.as_str(), p.class, p.error)).collect();
        assert!(classes.contains(&("SELECT", "kw", false)));
        assert!(classes.contains(&("\"stationId\"", "qid", false)));
        assert!(classes.contains(&("'x'", "str", false)));
        assert!(classes.contains(&("WHERE", "kw", true)), "{classes:?}");
        assert_eq!(
            p.iter().map(|p| p.text.as_str()).collect::<String>(),
            "SELECT STREAM \"stationId\", 'x'\nFROM s WHERE"
        );
        let end = highlight("SELECT", Some((1, 7)));
        assert!(end.last().unwrap().error, "an error at the end marks the place after the text");
    }

    #[test]
    fn emitted_rows_keep_their_column_order() {
        let e = Emitted {
            stream: "S".into(),
            rowtime: 61_000,
            row: vec![("B".into(), serde_json::json!(1)), ("A".into(), serde_json::json!("x"))],
        };
        let r = ResultRow::from_emitted(&e);
        assert_eq!(r.at, "00:01:01.000");
        assert_eq!(r.cells, [("B".to_string(), "1".to_string()), ("A".to_string(), "x".to_string())]);
    }
}
