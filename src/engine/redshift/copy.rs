//! COPY as Firehose issues it (spec §1.10 Redshift): the `CopyOptions` the lab reads, and the load of a
//! manifest's files into a table's rows — with a load error per bad field, and the whole COPY refused when
//! there are more errors than MAXERROR allows (0 by default).
//!
//! Formats: `JSON 'auto'` (keys match column names, case-sensitively; `'auto ignorecase'` not), `CSV`,
//! `DELIMITER 'c'`, and the default pipe-delimited text. `GZIP` must match how the objects were written.

use super::types::RsType;
use crate::columnar::Cell;
use serde_json::Value;
use std::io::Read;

/// Load errors recorded per COPY at most (Redshift keeps a bounded number per slice).
pub const LOAD_ERRORS_KEPT: usize = 100;

/// How the files are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Json { ignore_case: bool },
    Csv,
    Delimited(char),
}

/// The CopyOptions the lab reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyOptions {
    pub format: Format,
    pub gzip: bool,
    pub max_error: u64,
    pub ignore_header: u64,
    pub empty_as_null: bool,
    pub blanks_as_null: bool,
    pub truncate_columns: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            format: Format::Delimited('|'),
            gzip: false,
            max_error: 0,
            ignore_header: 0,
            empty_as_null: false,
            blanks_as_null: false,
            truncate_columns: false,
        }
    }
}

/// Reads `CopyOptions`: Redshift's `syntax error at or near "…"` for anything else.
pub fn options(text: &str) -> Result<CopyOptions, String> {
    let words = words(text)?;
    let mut o = CopyOptions::default();
    let mut format_set = false;
    let mut i = 0;
    let syntax = |w: &str| format!("syntax error at or near \"{w}\"");
    let mut set_format = |o: &mut CopyOptions, f: Format, w: &str| {
        if std::mem::replace(&mut format_set, true) {
            return Err(format!("conflicting or redundant options: {w}"));
        }
        o.format = f;
        Ok(())
    };
    while i < words.len() {
        let w = words[i].to_ascii_lowercase();
        i += 1;
        // `AS` may follow most option names.
        let arg = |words: &[String], i: &mut usize| -> Result<String, String> {
            if words.get(*i).is_some_and(|a| a.eq_ignore_ascii_case("as")) {
                *i += 1;
            }
            let a = words.get(*i).cloned().ok_or_else(|| "syntax error at end of input".to_string())?;
            *i += 1;
            Ok(a)
        };
        match w.as_str() {
            "format" => {
                let f = arg(&words, &mut i)?.to_ascii_lowercase();
                match f.as_str() {
                    "json" => {
                        let how = arg(&words, &mut i)?;
                        set_format(&mut o, json_format(&how)?, &w)?;
                    }
                    "csv" => set_format(&mut o, Format::Csv, &w)?,
                    other => return Err(syntax(other)),
                }
            }
            "json" => {
                let how = arg(&words, &mut i)?;
                set_format(&mut o, json_format(&how)?, &w)?;
            }
            "csv" => set_format(&mut o, Format::Csv, &w)?,
            "delimiter" => {
                let d = unquote(&arg(&words, &mut i)?);
                let mut chars = d.chars();
                let (Some(c), None) = (chars.next(), chars.next()) else {
                    return Err("COPY delimiter must be a single one-byte character".into());
                };
                set_format(&mut o, Format::Delimited(c), &w)?;
            }
            "gzip" => o.gzip = true,
            "maxerror" => o.max_error = arg(&words, &mut i)?.parse().map_err(|_| syntax(&words[i - 1]))?,
            "ignoreheader" => o.ignore_header = arg(&words, &mut i)?.parse().map_err(|_| syntax(&words[i - 1]))?,
            "emptyasnull" => o.empty_as_null = true,
            "blanksasnull" => o.blanks_as_null = true,
            "truncatecolumns" => o.truncate_columns = true,
            "timeformat" | "dateformat" | "region" | "acceptinvchars" | "statupdate" | "compupdate" => {
                arg(&words, &mut i)?;
            }
            "trimblanks" | "ignoreblanklines" | "removequotes" | "escape" => {}
            _ => return Err(syntax(&words[i - 1])),
        }
    }
    Ok(o)
}

fn json_format(how: &str) -> Result<Format, String> {
    match unquote(how).to_ascii_lowercase().as_str() {
        "auto" => Ok(Format::Json { ignore_case: false }),
        "auto ignorecase" => Ok(Format::Json { ignore_case: true }),
        path if path.starts_with("s3://") => {
            Err("a JSONPaths file is not read by this lab: use JSON 'auto' or 'auto ignorecase'".into())
        }
        other => Err(format!("syntax error at or near \"{other}\"")),
    }
}

fn unquote(s: &str) -> String {
    s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).unwrap_or(s).to_string()
}

/// Words and quoted strings (quotes kept).
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == ';' {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut s = String::from("'");
            loop {
                match chars.next() {
                    None => return Err(format!("unterminated quoted string at or near \"{s}\"")),
                    Some('\'') => break,
                    Some(q) => s.push(q),
                }
            }
            s.push('\'');
            out.push(s);
        } else {
            let mut w = String::new();
            while let Some(&d) = chars.peek().filter(|d| !d.is_whitespace() && **d != '\'' && **d != ';') {
                w.push(d);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}

/// A column as COPY fills it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub ty: RsType,
    pub not_null: bool,
}

/// One row of STL_LOAD_ERRORS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub filename: String,
    pub line_number: u64,
    pub colname: String,
    pub type_name: String,
    pub raw_line: String,
    pub raw_field_value: String,
    pub err_code: u32,
    pub err_reason: String,
}

/// What a COPY read: the rows to insert (every column of the table, in order), the load errors, and the
/// lines scanned per file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub rows: Vec<Vec<Cell>>,
    pub errors: Vec<LoadError>,
    pub lines: Vec<(String, u64)>,
}

/// Reads the files into rows for `table`'s columns; `listed` are the columns named by DataTableColumns
/// (all of the table's when `None`). Err is a failure of the COPY itself (not a bad field).
pub fn load(
    table: &[Target],
    listed: Option<&[String]>,
    o: &CopyOptions,
    files: &[(String, Vec<u8>)],
) -> Result<Loaded, String> {
    let fill: Vec<usize> = match listed {
        None => (0..table.len()).collect(),
        Some(names) => names
            .iter()
            .map(|n| table.iter().position(|c| c.name == *n).ok_or_else(|| format!("column \"{n}\" does not exist")))
            .collect::<Result<_, _>>()?,
    };
    let mut out = Loaded::default();
    for (name, body) in files {
        let text = decode(name, body, o.gzip)?;
        let mut lines = 0;
        match &o.format {
            Format::Json { ignore_case } => {
                for (line, value) in json_documents(&text) {
                    lines += 1;
                    let fields: Vec<Option<String>> = match &value {
                        Ok(Value::Object(map)) => fill
                            .iter()
                            .map(|&c| {
                                let key = &table[c].name;
                                let v = map.get(key).or_else(|| {
                                    ignore_case
                                        .then(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
                                        .flatten()
                                });
                                v.filter(|v| !v.is_null()).map(|v| match v {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                            })
                            .collect(),
                        _ => {
                            record(
                                &mut out.errors,
                                name,
                                line,
                                "",
                                "",
                                &text_line(&text, line),
                                "",
                                1224,
                                "Invalid JSON object",
                            );
                            continue;
                        }
                    };
                    row(&mut out, table, &fill, fields, o, name, line, &text_line(&text, line));
                }
            }
            Format::Csv | Format::Delimited(_) => {
                for (i, raw) in text.lines().enumerate().skip(o.ignore_header as usize) {
                    lines += 1;
                    let line = i as u64 + 1;
                    let fields = split(raw, &o.format);
                    if fields.len() != fill.len() {
                        let reason =
                            if fields.len() < fill.len() { "Delimiter not found" } else { "Extra column(s) found" };
                        record(&mut out.errors, name, line, "", "", raw, "", 1214, reason);
                        continue;
                    }
                    row(&mut out, table, &fill, fields.into_iter().map(Some).collect(), o, name, line, raw);
                }
            }
        }
        out.lines.push((name.clone(), lines));
    }
    Ok(out)
}

fn decode(name: &str, body: &[u8], gzip: bool) -> Result<String, String> {
    let gzipped = body.starts_with(&[0x1f, 0x8b]);
    let bytes = if gzip {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(body)
            .read_to_end(&mut out)
            .map_err(|_| format!("gzip: unexpected end of stream. unknown zlib error code. File: {name}"))?;
        out
    } else if gzipped {
        return Err(format!(
            "Invalid data found in {name}: it is GZIP-compressed, and the COPY options do not say GZIP"
        ));
    } else {
        body.to_vec()
    };
    String::from_utf8(bytes)
        .map_err(|_| format!("String contains invalid or unsupported UTF8 codepoints. File: {name}"))
}

/// The JSON documents of a file, each with its line number.
fn json_documents(text: &str) -> Vec<(u64, Result<Value, String>)> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let end = stream.byte_offset();
        let start = end + (text[end..].len() - text[end..].trim_start().len());
        let line = text[..start].matches('\n').count() as u64 + 1;
        match stream.next() {
            None => return out,
            Some(Ok(v)) => out.push((line, Ok(v))),
            Some(Err(e)) => {
                out.push((line, Err(e.to_string())));
                return out;
            }
        }
    }
}

fn text_line(text: &str, line: u64) -> String {
    text.lines().nth(line.saturating_sub(1) as usize).unwrap_or("").chars().take(1024).collect()
}

fn split(raw: &str, format: &Format) -> Vec<String> {
    match format {
        Format::Delimited(d) => raw.split(*d).map(str::to_string).collect(),
        _ => {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            let mut chars = raw.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        field.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => fields.push(std::mem::take(&mut field)),
                    (c, _) => field.push(c),
                }
            }
            fields.push(field);
            fields
        }
    }
}

/// Reads one row's fields into the table's columns; a bad field records a load error instead.
#[allow(clippy::too_many_arguments)]
fn row(
    out: &mut Loaded,
    table: &[Target],
    fill: &[usize],
    fields: Vec<Option<String>>,
    o: &CopyOptions,
    file: &str,
    line: u64,
    raw: &str,
) {
    let mut cells = vec![Cell::Null; table.len()];
    for (&c, field) in fill.iter().zip(fields) {
        let column = &table[c];
        let is_char = matches!(column.ty, RsType::Char(_) | RsType::Varchar(_));
        let field = field.filter(|f| {
            let empty = f.is_empty() && (!is_char || o.empty_as_null);
            let blank = o.blanks_as_null && f.trim().is_empty();
            !(empty || blank)
        });
        match field {
            None => {}
            Some(f) => match column.ty.read(&f, o.truncate_columns) {
                Ok(cell) => cells[c] = cell,
                Err(e) => {
                    return record(
                        &mut out.errors,
                        file,
                        line,
                        &column.name,
                        &column.ty.name(),
                        raw,
                        &f,
                        e.code,
                        &e.reason,
                    );
                }
            },
        }
    }
    if let Some(missing) = table.iter().zip(&cells).find(|(t, c)| t.not_null && matches!(c, Cell::Null)) {
        return record(
            &mut out.errors,
            file,
            line,
            &missing.0.name,
            &missing.0.ty.name(),
            raw,
            "",
            1213,
            "Missing data for not-null field",
        );
    }
    out.rows.push(cells);
}

#[allow(clippy::too_many_arguments)]
fn record(
    errors: &mut Vec<LoadError>,
    file: &str,
    line: u64,
    col: &str,
    ty: &str,
    raw: &str,
    value: &str,
    code: u32,
    reason: &str,
) {
    if errors.len() < LOAD_ERRORS_KEPT {
        errors.push(LoadError {
            filename: file.to_string(),
            line_number: line,
            colname: col.to_string(),
            type_name: ty.to_string(),
            raw_line: raw.chars().take(1024).collect(),
            raw_field_value: value.chars().take(1024).collect(),
            err_code: code,
            err_reason: reason.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<Target> {
        vec![
            Target { name: "stationid".into(), ty: RsType::Integer, not_null: true },
            Target { name: "action".into(), ty: RsType::Varchar(8), not_null: false },
            Target { name: "price".into(), ty: RsType::Double, not_null: false },
        ]
    }

    #[test]
    fn options_read_firehose_copy_options() {
        let o = options("JSON 'auto' GZIP MAXERROR AS 5 TIMEFORMAT 'auto';").unwrap();
        assert_eq!((o.format, o.gzip, o.max_error), (Format::Json { ignore_case: false }, true, 5));
        assert_eq!(options("format as json 'auto ignorecase'").unwrap().format, Format::Json { ignore_case: true });
        assert_eq!(options("delimiter ','").unwrap().format, Format::Delimited(','));
        assert_eq!(options("").unwrap(), CopyOptions::default());
        assert_eq!(options("JSON 'auto' FROBNICATE").unwrap_err(), "syntax error at or near \"FROBNICATE\"");
        assert!(options("CSV JSON 'auto'").unwrap_err().contains("conflicting"));
        assert!(options("JSON 's3://bucket/paths.json'").unwrap_err().contains("JSONPaths"));
    }

    #[test]
    fn json_auto_loads_matching_keys_and_records_bad_fields() {
        let body = br#"{"stationid": 100, "action": "RENTED", "price": 4.5}
{"stationId": 110, "action": "DOCKED"}
{"stationid": 120, "action": "TOOLONGACTION"}
{"stationid": "x1"}"#;
        let files = vec![("s3://b/o1".to_string(), body.to_vec())];
        let loaded = load(&table(), None, &options("JSON 'auto'").unwrap(), &files).unwrap();
        assert_eq!(loaded.rows, vec![vec![Cell::Int(100), Cell::Text("RENTED".into()), Cell::Float(4.5)]]);
        let codes: Vec<(u64, u32)> = loaded.errors.iter().map(|e| (e.line_number, e.err_code)).collect();
        assert_eq!(codes, [(2, 1213), (3, 1204), (4, 1207)], "keys are case-sensitive: stationId is not stationid");
        let ignorecase = load(&table(), None, &options("JSON 'auto ignorecase'").unwrap(), &files).unwrap();
        assert_eq!(ignorecase.rows.len(), 2);
        assert_eq!(loaded.lines, [("s3://b/o1".to_string(), 4)]);
    }

    #[test]
    fn delimited_csv_gzip_and_column_lists() {
        let files = vec![("f".to_string(), b"100|RENTED|\n110|DOCKED|2.5|x\n".to_vec())];
        let loaded = load(&table(), None, &CopyOptions::default(), &files).unwrap();
        assert_eq!(loaded.rows, vec![vec![Cell::Int(100), Cell::Text("RENTED".into()), Cell::Null]]);
        assert_eq!(loaded.errors[0].err_reason, "Extra column(s) found");
        let csv = vec![("f".to_string(), b"id,action\n7,\"a,b\"\n".to_vec())];
        let listed = ["stationid".to_string(), "action".to_string()];
        let o = options("CSV IGNOREHEADER 1").unwrap();
        assert_eq!(load(&table(), Some(&listed), &o, &csv).unwrap().rows[0][1], Cell::Text("a,b".into()));
        assert!(load(&table(), Some(&["nope".to_string()]), &o, &csv).unwrap_err().contains("\"nope\" does not exist"));
        let gz = crate::engine::firehose::compress::Compression::Gzip.apply(b"1|a|2\n", "", 0);
        assert!(load(&table(), None, &CopyOptions::default(), &[("g".into(), gz.clone())])
            .unwrap_err()
            .contains("GZIP"));
        let o = options("GZIP").unwrap();
        assert_eq!(load(&table(), None, &o, &[("g".into(), gz)]).unwrap().rows.len(), 1);
    }
}
