//! The KDA SQL lexer (spec firehose-analytics.md §2.4): identifiers (unquoted ones fold to upper case,
//! `"quoted"` ones keep their case), numbers, 'strings' with '' escapes, operators, `--` and `/* */`
//! comments. Every token knows its line and column, so errors can point at it.

use super::error::{Pos, SqlError};

/// A token's kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An identifier or keyword: unquoted ones are folded to upper case.
    Ident {
        name: String,
        quoted: bool,
    },
    Number(String),
    Str(String),
    /// One of `( ) , ; . * + - / % || = <> != < <= > >=`.
    Sym(&'static str),
    End,
}

/// A token with where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

impl Token {
    /// Whether this is the unquoted keyword `kw` (given in upper case).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Ident { name, quoted: false } if name == kw)
    }

    /// How an error names this token.
    pub fn describe(&self) -> String {
        match &self.tok {
            Tok::Ident { name, quoted: true } => format!("\"{name}\""),
            Tok::Ident { name, .. } => name.clone(),
            Tok::Number(n) => n.clone(),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Sym(s) => format!("\"{s}\""),
            Tok::End => "the end of the text".to_string(),
        }
    }
}

const SYMBOLS: [&str; 18] =
    ["<>", "!=", "<=", ">=", "||", "(", ")", ",", ";", ".", "*", "+", "-", "/", "%", "=", "<", ">"];

/// The tokens of `text`, ending with [`Tok::End`].
pub fn tokenize(text: &str) -> Result<Vec<Token>, SqlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    // Moves past `n` characters, keeping line and column.
    let advance = |i: &mut usize, line: &mut u32, col: &mut u32, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *col = 1;
            } else {
                *col += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, col };
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut col, 1);
        } else if c == '-' && next == Some('-') {
            let n = chars[i..].iter().take_while(|c| **c != '\n').count();
            advance(&mut i, &mut line, &mut col, n);
        } else if c == '/' && next == Some('*') {
            let rest: String = chars[i + 2..].iter().collect();
            let Some(close) = rest.find("*/") else {
                return Err(SqlError::new(pos, "a comment opened with /* is never closed with */"));
            };
            advance(&mut i, &mut line, &mut col, 2 + rest[..close].chars().count() + 2);
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let n = chars[i..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '$').count();
            let name: String = chars[i..i + n].iter().collect::<String>().to_uppercase();
            out.push(Token { tok: Tok::Ident { name, quoted: false }, pos });
            advance(&mut i, &mut line, &mut col, n);
        } else if c == '"' || c == '\'' {
            let (text, n) = quoted(&chars[i..], c).ok_or_else(|| {
                let what = if c == '"' { "quoted identifier" } else { "string" };
                SqlError::new(pos, format!("this {what} is never closed with {c}"))
            })?;
            let tok = if c == '"' {
                if text.is_empty() {
                    return Err(SqlError::new(pos, "an identifier cannot be empty (\"\")"));
                }
                Tok::Ident { name: text, quoted: true }
            } else {
                Tok::Str(text)
            };
            out.push(Token { tok, pos });
            advance(&mut i, &mut line, &mut col, n);
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|d| d.is_ascii_digit())) {
            let mut n = chars[i..].iter().take_while(|c| c.is_ascii_digit() || **c == '.').count();
            if matches!(chars.get(i + n), Some('e' | 'E')) {
                let sign = usize::from(matches!(chars.get(i + n + 1), Some('+' | '-')));
                let digits = chars[i + n + 1 + sign..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits > 0 {
                    n += 1 + sign + digits;
                }
            }
            let number: String = chars[i..i + n].iter().collect();
            if number.matches('.').count() > 1 {
                return Err(SqlError::new(pos, format!("{number} is not a number")));
            }
            out.push(Token { tok: Tok::Number(number), pos });
            advance(&mut i, &mut line, &mut col, n);
        } else if let Some(sym) = SYMBOLS.iter().find(|s| chars[i..].iter().take(s.len()).copied().eq(s.chars())) {
            out.push(Token { tok: Tok::Sym(sym), pos });
            advance(&mut i, &mut line, &mut col, sym.len());
        } else {
            return Err(SqlError::new(pos, format!("unexpected character {c:?}")));
        }
    }
    out.push(Token { tok: Tok::End, pos: Pos { line, col } });
    Ok(out)
}

/// The text between `quote`s at the start of `chars` (a doubled quote stands for one), and how many
/// characters that took.
fn quoted(chars: &[char], quote: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = 1;
    loop {
        match chars.get(i)? {
            c if *c == quote && chars.get(i + 1) == Some(&quote) => {
                text.push(quote);
                i += 2;
            }
            c if *c == quote => return Some((text, i + 1)),
            c => {
                text.push(*c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn ident(name: &str, quoted: bool) -> Tok {
        Tok::Ident { name: name.to_string(), quoted }
    }

    #[test]
    fn unquoted_identifiers_fold_to_upper_case_and_quoted_ones_keep_theirs() {
        assert_eq!(
            kinds(r#"select "stationId", stationId FROM s"#),
            [
                ident("SELECT", false),
                ident("stationId", true),
                Tok::Sym(","),
                ident("STATIONID", false),
                ident("FROM", false),
                ident("S", false),
                Tok::End
            ]
        );
    }

    #[test]
    fn strings_numbers_operators_and_comments() {
        assert_eq!(
            kinds("-- note\nWHERE x <> 'it''s' /* gone\n */ AND y >= 1.5e3 || 2"),
            [
                ident("WHERE", false),
                ident("X", false),
                Tok::Sym("<>"),
                Tok::Str("it's".into()),
                ident("AND", false),
                ident("Y", false),
                Tok::Sym(">="),
                Tok::Number("1.5e3".into()),
                Tok::Sym("||"),
                Tok::Number("2".into()),
                Tok::End
            ]
        );
    }

    #[test]
    fn positions_count_lines_and_columns_from_one() {
        let t = tokenize("SELECT\n  \"a\" ,\tb").unwrap();
        let at: Vec<(u32, u32)> = t.iter().map(|t| (t.pos.line, t.pos.col)).collect();
        assert_eq!(at, [(1, 1), (2, 3), (2, 7), (2, 9), (2, 10)]);
    }

    #[test]
    fn unclosed_and_strange_text_is_refused_with_its_place() {
        let e = tokenize("SELECT 'abc").unwrap_err();
        assert_eq!((e.pos.line, e.pos.col, e.message.as_str()), (1, 8, "this string is never closed with '"));
        assert_eq!(tokenize("a\n /* x").unwrap_err().pos, Pos { line: 2, col: 2 });
        assert_eq!(tokenize("a ? b").unwrap_err().message, "unexpected character '?'");
        assert!(tokenize("\"\"").is_err());
        assert!(tokenize("1.2.3").is_err());
    }
}
