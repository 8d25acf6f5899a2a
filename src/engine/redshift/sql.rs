//! The SQL the lab's Redshift reads: enough to make a table for Firehose to COPY into and to look at it.
//!
//! - `CREATE TABLE [IF NOT EXISTS] [schema.]name (column type [NOT NULL | NULL], …)`
//! - `DROP TABLE [IF EXISTS] name`, `TRUNCATE [TABLE] name`
//! - `SELECT * | COUNT(*) | column, … FROM name [LIMIT n]` — also over the system tables `stl_load_errors`
//!   and `stl_load_commits`.
//!
//! Unquoted names are lowercase, as Redshift folds them. Errors read as Redshift's do
//! (`syntax error at or near "x"`).

use super::types::RsType;

/// A parsed statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    CreateTable { name: String, if_not_exists: bool, columns: Vec<ColumnDef> },
    DropTable { name: String, if_exists: bool },
    Truncate { name: String },
    Select { projection: Projection, table: String, limit: Option<u64> },
}

/// A column of CREATE TABLE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: RsType,
    pub not_null: bool,
}

/// What a SELECT returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Projection {
    All,
    Count,
    Columns(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Number(u64),
    Text(String),
    Symbol(char),
}

impl Token {
    fn show(&self) -> String {
        match self {
            Token::Word(w) | Token::Quoted(w) => w.clone(),
            Token::Number(n) => n.to_string(),
            Token::Text(t) => format!("'{t}'"),
            Token::Symbol(c) => c.to_string(),
        }
    }
}

fn tokens(sql: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut w = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_alphanumeric() || **d == '_' || **d == '$') {
                w.push(d.to_ascii_lowercase());
                chars.next();
            }
            out.push(Token::Word(w));
        } else if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(d);
                chars.next();
            }
            out.push(Token::Number(n.parse().map_err(|_| format!("syntax error at or near \"{n}\""))?));
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut t = String::new();
            loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "unterminated quoted {} at or near \"{c}{t}\"",
                            if c == '"' { "identifier" } else { "string" }
                        ))
                    }
                    Some(q) if q == c => break,
                    Some(q) => t.push(q),
                }
            }
            out.push(if c == '"' { Token::Quoted(t) } else { Token::Text(t) });
        } else {
            out.push(Token::Symbol(c));
            chars.next();
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn error(&self) -> String {
        match self.peek() {
            Some(t) => format!("syntax error at or near \"{}\"", t.show()),
            None => "syntax error at end of input".into(),
        }
    }

    fn keyword(&mut self, k: &str) -> bool {
        let hit = matches!(self.peek(), Some(Token::Word(w)) if w == k);
        self.at += usize::from(hit);
        hit
    }

    fn expect(&mut self, k: &str) -> Result<(), String> {
        if self.keyword(k) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn symbol(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Token::Symbol(c));
        self.at += usize::from(hit);
        hit
    }

    fn name(&mut self) -> Result<String, String> {
        let part = |p: &mut Parser| match p.peek().cloned() {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => {
                p.at += 1;
                Ok(w)
            }
            _ => Err(p.error()),
        };
        let first = part(self)?;
        // schema.table: the lab has one schema, public.
        if self.symbol('.') {
            return part(self);
        }
        Ok(first)
    }

    fn number(&mut self) -> Result<u64, String> {
        match self.peek().cloned() {
            Some(Token::Number(n)) => {
                self.at += 1;
                Ok(n)
            }
            _ => Err(self.error()),
        }
    }

    fn column(&mut self) -> Result<ColumnDef, String> {
        let name = self.name()?;
        let mut words = Vec::new();
        while let Some(Token::Word(w)) = self.peek().cloned() {
            if matches!(w.as_str(), "not" | "null" | "default" | "encode" | "primary" | "distkey" | "sortkey") {
                break;
            }
            words.push(w);
            self.at += 1;
        }
        let mut args = Vec::new();
        if self.symbol('(') {
            loop {
                args.push(self.number()? as u32);
                if self.symbol(')') {
                    break;
                }
                if !self.symbol(',') {
                    return Err(self.error());
                }
            }
        }
        if words.is_empty() {
            return Err(self.error());
        }
        let ty = RsType::parse(&words, &args)?;
        let not_null = if self.keyword("not") {
            self.expect("null")?;
            true
        } else {
            self.keyword("null");
            false
        };
        Ok(ColumnDef { name, ty, not_null })
    }

    fn end(&mut self) -> Result<(), String> {
        self.symbol(';');
        if self.peek().is_some() {
            return Err(self.error());
        }
        Ok(())
    }
}

/// Parses one statement.
pub fn parse(sql: &str) -> Result<Statement, String> {
    let mut p = Parser { tokens: tokens(sql)?, at: 0 };
    let statement = if p.keyword("create") {
        p.expect("table")?;
        let if_not_exists = p.keyword("if");
        if if_not_exists {
            p.expect("not")?;
            p.expect("exists")?;
        }
        let name = p.name()?;
        if !p.symbol('(') {
            return Err(p.error());
        }
        let mut columns: Vec<ColumnDef> = Vec::new();
        loop {
            let c = p.column()?;
            if columns.iter().any(|d| d.name == c.name) {
                return Err(format!("column \"{}\" specified more than once", c.name));
            }
            columns.push(c);
            if p.symbol(')') {
                break;
            }
            if !p.symbol(',') {
                return Err(p.error());
            }
        }
        Statement::CreateTable { name, if_not_exists, columns }
    } else if p.keyword("drop") {
        p.expect("table")?;
        let if_exists = p.keyword("if");
        if if_exists {
            p.expect("exists")?;
        }
        Statement::DropTable { name: p.name()?, if_exists }
    } else if p.keyword("truncate") {
        p.keyword("table");
        Statement::Truncate { name: p.name()? }
    } else if p.keyword("select") {
        let projection = if p.symbol('*') {
            Projection::All
        } else if p.keyword("count") {
            if !(p.symbol('(') && p.symbol('*') && p.symbol(')')) {
                return Err(p.error());
            }
            Projection::Count
        } else {
            let mut columns = vec![p.name()?];
            while p.symbol(',') {
                columns.push(p.name()?);
            }
            Projection::Columns(columns)
        };
        p.expect("from")?;
        let table = p.name()?;
        let limit = if p.keyword("limit") { Some(p.number()?) } else { None };
        Statement::Select { projection, table, limit }
    } else {
        return Err(p.error());
    };
    p.end()?;
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_statements_a_firehose_lesson_needs() {
        let create = parse(
            "CREATE TABLE IF NOT EXISTS public.Rides (stationId INTEGER NOT NULL, action VARCHAR(16), \
             price DOUBLE PRECISION, at TIMESTAMP);",
        )
        .unwrap();
        let Statement::CreateTable { name, if_not_exists, columns } = create else { panic!("a create") };
        assert_eq!((name.as_str(), if_not_exists, columns.len()), ("rides", true, 4));
        assert_eq!(
            (columns[0].name.as_str(), &columns[0].ty, columns[0].not_null),
            ("stationid", &RsType::Integer, true)
        );
        assert_eq!(columns[2].ty, RsType::Double);
        assert_eq!(
            parse("select count(*) from rides"),
            Ok(Statement::Select { projection: Projection::Count, table: "rides".into(), limit: None })
        );
        assert_eq!(
            parse("SELECT a, \"B\" FROM stl_load_errors LIMIT 5"),
            Ok(Statement::Select {
                projection: Projection::Columns(vec!["a".into(), "B".into()]),
                table: "stl_load_errors".into(),
                limit: Some(5)
            })
        );
        assert_eq!(parse("truncate rides"), Ok(Statement::Truncate { name: "rides".into() }));
    }

    #[test]
    fn errors_read_like_redshift() {
        assert_eq!(parse("SELEC * FROM t").unwrap_err(), "syntax error at or near \"selec\"");
        assert_eq!(parse("SELECT * FROM").unwrap_err(), "syntax error at end of input");
        assert_eq!(parse("CREATE TABLE t (a jsonb)").unwrap_err(), "type \"jsonb\" does not exist");
        assert!(parse("CREATE TABLE t (a int, a int)").unwrap_err().contains("specified more than once"));
        assert!(parse("SELECT 'x").unwrap_err().contains("unterminated"));
        assert_eq!(parse("SELECT * FROM t LIMIT 5 5").unwrap_err(), "syntax error at or near \"5\"");
    }
}
