//! A recursive-descent parser for the KDA SQL subset (spec firehose-analytics.md §2.4). It never panics on
//! input: every refusal names the line and column of the token at fault and what was expected there.

use super::ast::*;
use super::error::{Pos, SqlError};
use super::lexer::{tokenize, Tok, Token};
use crate::engine::analytics::value::{SqlType, Value};

/// The code size limit of a SQL application (§2.2: 100 KB).
pub const CODE_MAX_BYTES: usize = 100_000;
/// How deep expressions may nest before the parser refuses them (a guard for the stack, not an AWS rule).
const DEPTH_MAX: usize = 200;

/// Keywords that end an expression or a clause, so they cannot be bare aliases.
const RESERVED: [&str; 28] = [
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "WINDOWED",
    "ORDER",
    "UNION",
    "JOIN",
    "LEFT",
    "INNER",
    "ON",
    "AS",
    "AND",
    "OR",
    "NOT",
    "SELECT",
    "BY",
    "OVER",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "LIKE",
    "IS",
    "IN",
    "BETWEEN",
    "PARTITION",
];

/// Parses an application's code: statements separated by `;`.
pub fn parse_program(text: &str) -> Result<Vec<Statement>, SqlError> {
    if text.len() > CODE_MAX_BYTES {
        return Err(SqlError::new(
            Pos { line: 1, col: 1 },
            format!("the application code is {} bytes; the limit is {CODE_MAX_BYTES}", text.len()),
        ));
    }
    let mut p = Parser { tokens: tokenize(text)?, at: 0, depth: 0 };
    let mut statements = Vec::new();
    loop {
        while p.eat_sym(";") {}
        if p.peek().tok == Tok::End {
            break;
        }
        statements.push(p.statement()?);
        if !p.eat_sym(";") && p.peek().tok != Tok::End {
            return Err(p.expected("\";\" or the end of the statement"));
        }
    }
    if statements.is_empty() {
        return Err(SqlError::new(p.peek().pos, "the application code has no statement"));
    }
    Ok(statements)
}

/// Parses one scalar expression (the Flink-style pipelines' map and filter use the same language).
pub fn parse_expression(text: &str) -> Result<Expr, SqlError> {
    let mut p = Parser { tokens: tokenize(text)?, at: 0, depth: 0 };
    let e = p.expr()?;
    if p.peek().tok != Tok::End {
        return Err(p.expected("an operator or the end of the expression"));
    }
    Ok(e)
}

/// Parses a column type (`VARCHAR(8)`, `DECIMAL(4,2)`), as an input schema gives it.
pub fn parse_type(text: &str) -> Result<SqlType, SqlError> {
    let mut p = Parser { tokens: tokenize(text)?, at: 0, depth: 0 };
    let ty = p.sql_type()?;
    if p.peek().tok != Tok::End {
        return Err(p.expected("the end of the type"));
    }
    Ok(ty)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The lexer always ends with Tok::End, and `bump` never moves past it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::End {
            self.at += 1;
        }
        t
    }

    fn expected(&self, what: &str) -> SqlError {
        let t = self.peek();
        SqlError::new(t.pos, format!("expected {what}, found {}", t.describe()))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.peek().is_kw(kw);
        if yes {
            self.bump();
        }
        yes
    }

    fn kw(&mut self, kw: &str) -> Result<Pos, SqlError> {
        let pos = self.peek().pos;
        if self.eat_kw(kw) {
            Ok(pos)
        } else {
            Err(self.expected(kw))
        }
    }

    fn eat_sym(&mut self, sym: &'static str) -> bool {
        let yes = self.peek().tok == Tok::Sym(sym);
        if yes {
            self.bump();
        }
        yes
    }

    fn sym(&mut self, sym: &'static str) -> Result<(), SqlError> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.expected(&format!("\"{sym}\"")))
        }
    }

    fn ident(&mut self, what: &str) -> Result<Ident, SqlError> {
        match self.peek().tok.clone() {
            Tok::Ident { name, quoted } if quoted || !RESERVED.contains(&name.as_str()) => {
                let pos = self.bump().pos;
                Ok(Ident { name, quoted, pos })
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `[AS] alias`, when one follows.
    fn alias(&mut self) -> Result<Option<Ident>, SqlError> {
        if self.eat_kw("AS") {
            return self.ident("an alias").map(Some);
        }
        match &self.peek().tok {
            Tok::Ident { name, quoted } if *quoted || !RESERVED.contains(&name.as_str()) => {
                self.ident("an alias").map(Some)
            }
            _ => Ok(None),
        }
    }

    fn statement(&mut self) -> Result<Statement, SqlError> {
        if self.peek().is_kw("SELECT") {
            return Ok(Statement::Select(self.query()?));
        }
        if !self.eat_kw("CREATE") {
            return Err(self.expected("CREATE or SELECT"));
        }
        if self.eat_kw("OR") {
            self.kw("REPLACE")?;
        }
        if self.eat_kw("STREAM") {
            let name = self.ident("a stream name")?;
            self.sym("(")?;
            let mut columns = Vec::new();
            loop {
                let name = self.ident("a column name")?;
                let ty = self.sql_type()?;
                let not_null = if self.eat_kw("NOT") {
                    self.kw("NULL")?;
                    true
                } else {
                    false
                };
                columns.push(ColumnDef { name, ty, not_null });
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.sym(")")?;
            return Ok(Statement::CreateStream { name, columns });
        }
        if self.eat_kw("PUMP") {
            let name = self.ident("a pump name")?;
            self.kw("AS")?;
            self.kw("INSERT")?;
            self.kw("INTO")?;
            let target = self.ident("a stream name")?;
            let columns = if self.eat_sym("(") {
                let mut cols = vec![self.ident("a column name")?];
                while self.eat_sym(",") {
                    cols.push(self.ident("a column name")?);
                }
                self.sym(")")?;
                Some(cols)
            } else {
                None
            };
            let query = self.query()?;
            return Ok(Statement::CreatePump { name, target, columns, query });
        }
        Err(self.expected("STREAM or PUMP"))
    }

    fn sql_type(&mut self) -> Result<SqlType, SqlError> {
        let t = self.peek().clone();
        let Tok::Ident { name, quoted: false } = &t.tok else {
            return Err(self.expected("a type"));
        };
        self.bump();
        let size = |p: &mut Parser| -> Result<Option<u32>, SqlError> {
            if !p.eat_sym("(") {
                return Ok(None);
            }
            let n = p.unsigned("a length")?;
            p.sym(")")?;
            u32::try_from(n).map(Some).map_err(|_| SqlError::new(t.pos, format!("{n} is too long a length")))
        };
        Ok(match name.as_str() {
            "INTEGER" | "INT" => SqlType::Integer,
            "BIGINT" => SqlType::Bigint,
            "SMALLINT" => SqlType::Smallint,
            "TINYINT" => SqlType::Tinyint,
            "REAL" => SqlType::Real,
            "DOUBLE" => {
                self.eat_kw("PRECISION");
                SqlType::Double
            }
            "FLOAT" => SqlType::Double,
            "DECIMAL" | "NUMERIC" => {
                let (mut precision, mut scale) = (18u64, 0u64);
                if self.eat_sym("(") {
                    precision = self.unsigned("a precision")?;
                    if self.eat_sym(",") {
                        scale = self.unsigned("a scale")?;
                    }
                    self.sym(")")?;
                }
                if !(1..=38).contains(&precision) || scale > precision {
                    return Err(SqlError::new(
                        t.pos,
                        format!("DECIMAL({precision},{scale}): the precision must be 1 to 38 and the scale at most the precision"),
                    ));
                }
                SqlType::Decimal(precision as u8, scale as u8)
            }
            "VARCHAR" => {
                SqlType::Varchar(size(self)?.ok_or_else(|| self.expected("\"(\" and a length after VARCHAR"))?)
            }
            "CHAR" => SqlType::Char(size(self)?.unwrap_or(1)),
            "BOOLEAN" => SqlType::Boolean,
            "TIMESTAMP" => SqlType::Timestamp,
            "DATE" => SqlType::Date,
            "TIME" => SqlType::Time,
            other => return Err(SqlError::new(t.pos, format!("expected a type, found {other}"))),
        })
    }

    fn unsigned(&mut self, what: &str) -> Result<u64, SqlError> {
        match self.peek().tok.clone() {
            Tok::Number(n) => match n.parse::<u64>() {
                Ok(v) => {
                    self.bump();
                    Ok(v)
                }
                Err(_) => Err(self.expected(what)),
            },
            _ => Err(self.expected(what)),
        }
    }

    fn query(&mut self) -> Result<Query, SqlError> {
        let pos = self.kw("SELECT")?;
        let stream = self.eat_kw("STREAM");
        let distinct = self.eat_kw("DISTINCT");
        let mut items = Vec::new();
        loop {
            items.push(self.select_item()?);
            if !self.eat_sym(",") {
                break;
            }
        }
        self.kw("FROM")?;
        let from = self.from()?;
        let mut joins = Vec::new();
        loop {
            let left_outer = if self.eat_kw("LEFT") {
                self.eat_kw("OUTER");
                true
            } else {
                self.eat_kw("INNER");
                false
            };
            if !self.eat_kw("JOIN") {
                if left_outer {
                    return Err(self.expected("JOIN"));
                }
                break;
            }
            let name = self.ident("a stream or table name")?;
            let over = if self.eat_kw("OVER") { Some(self.window_spec()?) } else { None };
            let alias = self.alias()?;
            self.kw("ON")?;
            let on = self.expr()?;
            joins.push(Join { left_outer, name, over, alias, on });
        }
        let filter = if self.eat_kw("WHERE") { Some(self.expr()?) } else { None };
        let mut group_by = Vec::new();
        if self.eat_kw("GROUP") {
            self.kw("BY")?;
            group_by = self.expr_list()?;
        }
        let stagger = if self.peek().is_kw("WINDOWED") {
            let pos = self.bump().pos;
            self.kw("BY")?;
            self.kw("STAGGER")?;
            self.sym("(")?;
            self.kw("PARTITION")?;
            self.kw("BY")?;
            let partition_by = self.expr_list()?;
            self.kw("RANGE")?;
            let range_ms = self.interval()?;
            self.sym(")")?;
            Some(Stagger { pos, partition_by, range_ms })
        } else {
            None
        };
        let having = if self.eat_kw("HAVING") { Some(self.expr()?) } else { None };
        let mut windows = Vec::new();
        if self.eat_kw("WINDOW") {
            loop {
                let name = self.ident("a window name")?;
                self.kw("AS")?;
                windows.push((name, self.window_spec()?));
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.kw("BY")?;
            loop {
                let e = self.expr()?;
                let desc = if self.eat_kw("DESC") {
                    true
                } else {
                    self.eat_kw("ASC");
                    false
                };
                order_by.push((e, desc));
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        let mut union_all = Vec::new();
        while self.eat_kw("UNION") {
            self.kw("ALL")?;
            union_all.push(self.query()?);
        }
        Ok(Query {
            pos,
            stream,
            distinct,
            items,
            from,
            joins,
            filter,
            group_by,
            stagger,
            having,
            windows,
            order_by,
            union_all,
        })
    }

    fn select_item(&mut self) -> Result<SelectItem, SqlError> {
        let pos = self.peek().pos;
        if self.eat_sym("*") {
            return Ok(SelectItem::Star { qualifier: None, pos });
        }
        // `alias.*`
        if matches!(self.peek().tok, Tok::Ident { .. })
            && self.peek_at(1).tok == Tok::Sym(".")
            && self.peek_at(2).tok == Tok::Sym("*")
        {
            let qualifier = self.ident("a stream name")?;
            self.bump();
            self.bump();
            return Ok(SelectItem::Star { qualifier: Some(qualifier), pos });
        }
        let expr = self.expr()?;
        let alias = self.alias()?;
        Ok(SelectItem::Expr { expr, alias })
    }

    fn from(&mut self) -> Result<From, SqlError> {
        if self.peek().is_kw("TABLE") && self.peek_at(1).tok == Tok::Sym("(") {
            self.bump();
            self.bump();
            let name = self.ident("a table function")?;
            self.sym("(")?;
            self.kw("CURSOR")?;
            self.sym("(")?;
            let cursor = Box::new(self.query()?);
            self.sym(")")?;
            let mut args = Vec::new();
            while self.eat_sym(",") {
                args.push(self.expr()?);
            }
            self.sym(")")?;
            self.sym(")")?;
            let alias = self.alias()?;
            return Ok(From::Function { call: TableFunction { name, cursor, args }, alias });
        }
        let name = self.ident("a stream or table name")?;
        let alias = self.alias()?;
        Ok(From::Named { name, alias })
    }

    fn window_spec(&mut self) -> Result<WindowSpec, SqlError> {
        let pos = self.peek().pos;
        self.sym("(")?;
        let mut partition_by = Vec::new();
        if self.eat_kw("PARTITION") {
            self.kw("BY")?;
            partition_by = self.expr_list()?;
        }
        let frame = if self.eat_kw("RANGE") {
            let ms = self.interval()?;
            Frame::Range(ms)
        } else if self.eat_kw("ROWS") {
            Frame::Rows(self.unsigned("a number of rows")?)
        } else {
            return Err(self.expected("RANGE INTERVAL … PRECEDING or ROWS n PRECEDING"));
        };
        self.kw("PRECEDING")?;
        self.sym(")")?;
        Ok(WindowSpec { pos, partition_by, frame })
    }

    /// `INTERVAL 'n' unit`, in milliseconds.
    fn interval(&mut self) -> Result<i64, SqlError> {
        self.kw("INTERVAL")?;
        let t = self.peek().clone();
        let amount = match &t.tok {
            Tok::Str(s) | Tok::Number(s) => s.trim().parse::<i64>().ok().filter(|n| *n > 0),
            _ => None,
        }
        .ok_or_else(|| self.expected("a positive whole number in quotes, as in INTERVAL '1' MINUTE"))?;
        self.bump();
        let unit = self.time_unit()?;
        amount.checked_mul(unit.millis()).ok_or_else(|| SqlError::new(t.pos, "this interval is too long"))
    }

    fn time_unit(&mut self) -> Result<TimeUnit, SqlError> {
        let unit = match &self.peek().tok {
            Tok::Ident { name, quoted: false } => match name.as_str() {
                "SECOND" | "SECONDS" => Some(TimeUnit::Second),
                "MINUTE" | "MINUTES" => Some(TimeUnit::Minute),
                "HOUR" | "HOURS" => Some(TimeUnit::Hour),
                "DAY" | "DAYS" => Some(TimeUnit::Day),
                _ => None,
            },
            _ => None,
        };
        let unit = unit.ok_or_else(|| self.expected("SECOND, MINUTE, HOUR or DAY"))?;
        self.bump();
        Ok(unit)
    }

    fn expr_list(&mut self) -> Result<Vec<Expr>, SqlError> {
        let mut list = vec![self.expr()?];
        while self.eat_sym(",") {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    pub fn expr(&mut self) -> Result<Expr, SqlError> {
        self.depth += 1;
        if self.depth > DEPTH_MAX {
            return Err(SqlError::new(self.peek().pos, format!("expressions nest deeper than {DEPTH_MAX} levels")));
        }
        let e = self.or();
        self.depth -= 1;
        e
    }

    fn or(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.and()?;
        while self.peek().is_kw("OR") {
            self.bump();
            let right = self.and()?;
            left = binary(BinOp::Or, left, right);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.not()?;
        while self.peek().is_kw("AND") {
            self.bump();
            let right = self.not()?;
            left = binary(BinOp::And, left, right);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SqlError> {
        let pos = self.peek().pos;
        if self.eat_kw("NOT") {
            let e = self.nested(Parser::not)?;
            return Ok(Expr::new(ExprKind::Not(Box::new(e)), pos));
        }
        self.comparison()
    }

    /// Runs `f` one level deeper (prefix operators recurse without passing through `expr`).
    fn nested(&mut self, f: fn(&mut Parser) -> Result<Expr, SqlError>) -> Result<Expr, SqlError> {
        self.depth += 1;
        if self.depth > DEPTH_MAX {
            return Err(SqlError::new(self.peek().pos, format!("expressions nest deeper than {DEPTH_MAX} levels")));
        }
        let e = f(self);
        self.depth -= 1;
        e
    }

    fn comparison(&mut self) -> Result<Expr, SqlError> {
        let left = self.additive()?;
        let op = match self.peek().tok {
            Tok::Sym("=") => Some(BinOp::Eq),
            Tok::Sym("<>") | Tok::Sym("!=") => Some(BinOp::Ne),
            Tok::Sym("<") => Some(BinOp::Lt),
            Tok::Sym("<=") => Some(BinOp::Le),
            Tok::Sym(">") => Some(BinOp::Gt),
            Tok::Sym(">=") => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let right = self.additive()?;
            return Ok(binary(op, left, right));
        }
        let pos = left.pos;
        if self.eat_kw("IS") {
            let negated = self.eat_kw("NOT");
            self.kw("NULL")?;
            return Ok(Expr::new(ExprKind::IsNull { expr: Box::new(left), negated }, pos));
        }
        let negated = self.peek().is_kw("NOT")
            && ["LIKE", "BETWEEN", "IN"].iter().any(|k| self.peek_at(1).is_kw(k))
            && self.eat_kw("NOT");
        if self.eat_kw("LIKE") {
            let pattern = self.additive()?;
            return Ok(Expr::new(ExprKind::Like { expr: Box::new(left), pattern: Box::new(pattern), negated }, pos));
        }
        if self.eat_kw("BETWEEN") {
            let low = self.additive()?;
            self.kw("AND")?;
            let high = self.additive()?;
            let kind = ExprKind::Between { expr: Box::new(left), low: Box::new(low), high: Box::new(high), negated };
            return Ok(Expr::new(kind, pos));
        }
        if self.eat_kw("IN") {
            self.sym("(")?;
            let list = self.expr_list()?;
            self.sym(")")?;
            return Ok(Expr::new(ExprKind::InList { expr: Box::new(left), list, negated }, pos));
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek().tok {
                Tok::Sym("+") => BinOp::Add,
                Tok::Sym("-") => BinOp::Sub,
                Tok::Sym("||") => BinOp::Concat,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.multiplicative()?;
            left = binary(op, left, right);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Sym("*") => BinOp::Mul,
                Tok::Sym("/") => BinOp::Div,
                Tok::Sym("%") => BinOp::Mod,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            left = binary(op, left, right);
        }
    }

    fn unary(&mut self) -> Result<Expr, SqlError> {
        let pos = self.peek().pos;
        if self.eat_sym("-") {
            let e = self.nested(Parser::unary)?;
            return Ok(Expr::new(ExprKind::Neg(Box::new(e)), pos));
        }
        if self.eat_sym("+") {
            return self.nested(Parser::unary);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SqlError> {
        let t = self.peek().clone();
        let pos = t.pos;
        let lit = |v: Value| Ok(Expr::new(ExprKind::Literal(v), pos));
        match &t.tok {
            Tok::Number(n) => {
                self.bump();
                if let Ok(i) = n.parse::<i64>() {
                    return lit(Value::Int(i));
                }
                match n.parse::<f64>() {
                    Ok(d) if d.is_finite() => lit(Value::Double(d)),
                    _ => Err(SqlError::new(pos, format!("{n} is not a number this lab can hold"))),
                }
            }
            Tok::Str(s) => {
                self.bump();
                lit(Value::Str(s.clone()))
            }
            Tok::Sym("(") => {
                self.bump();
                let e = self.expr()?;
                self.sym(")")?;
                Ok(e)
            }
            Tok::Ident { name, quoted: false } => match name.as_str() {
                "NULL" => {
                    self.bump();
                    lit(Value::Null)
                }
                "TRUE" | "FALSE" => {
                    self.bump();
                    lit(Value::Bool(name == "TRUE"))
                }
                "INTERVAL" => {
                    let ms = self.interval()?;
                    Ok(Expr::new(ExprKind::Interval(ms), pos))
                }
                "TIMESTAMP" if matches!(self.peek_at(1).tok, Tok::Str(_)) => {
                    self.bump();
                    let Tok::Str(text) = self.bump().tok else { unreachable!("checked just above") };
                    match crate::engine::analytics::value::parse_timestamp(&text) {
                        Some(ms) => lit(Value::Timestamp(ms)),
                        None => Err(SqlError::new(pos, format!("'{text}' is not a timestamp (yyyy-MM-dd HH:mm:ss)"))),
                    }
                }
                "CASE" => self.case(),
                "CAST" if self.peek_at(1).tok == Tok::Sym("(") => {
                    self.bump();
                    self.bump();
                    let expr = self.expr()?;
                    self.kw("AS")?;
                    let ty = self.sql_type()?;
                    self.sym(")")?;
                    Ok(Expr::new(ExprKind::Cast { expr: Box::new(expr), ty }, pos))
                }
                "STEP" if self.peek_at(1).tok == Tok::Sym("(") => {
                    self.bump();
                    self.bump();
                    let expr = self.expr()?;
                    self.kw("BY")?;
                    let by = self.expr()?;
                    self.sym(")")?;
                    Ok(Expr::new(ExprKind::Step { expr: Box::new(expr), by: Box::new(by) }, pos))
                }
                "FLOOR" if self.peek_at(1).tok == Tok::Sym("(") => {
                    self.bump();
                    self.bump();
                    let expr = self.expr()?;
                    let unit = if self.eat_kw("TO") { Some(self.time_unit()?) } else { None };
                    self.sym(")")?;
                    Ok(Expr::new(ExprKind::Floor { expr: Box::new(expr), unit }, pos))
                }
                n if RESERVED.contains(&n) => Err(self.expected("an expression")),
                _ => self.name_or_call(),
            },
            Tok::Ident { .. } => self.name_or_call(),
            _ => Err(self.expected("an expression")),
        }
    }

    fn case(&mut self) -> Result<Expr, SqlError> {
        let pos = self.kw("CASE")?;
        let operand = if self.peek().is_kw("WHEN") { None } else { Some(Box::new(self.expr()?)) };
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let w = self.expr()?;
            self.kw("THEN")?;
            whens.push((w, self.expr()?));
        }
        if whens.is_empty() {
            return Err(self.expected("WHEN"));
        }
        let otherwise = if self.eat_kw("ELSE") { Some(Box::new(self.expr()?)) } else { None };
        self.kw("END")?;
        Ok(Expr::new(ExprKind::Case { operand, whens, otherwise }, pos))
    }

    fn name_or_call(&mut self) -> Result<Expr, SqlError> {
        let first = self.ident("a name")?;
        let pos = first.pos;
        if self.eat_sym(".") {
            let name = self.ident("a column name")?;
            return Ok(Expr::new(ExprKind::Column { qualifier: Some(first), name }, pos));
        }
        if !self.eat_sym("(") {
            if first.name == "CURRENT_ROW_TIMESTAMP" && !first.quoted {
                let kind = ExprKind::Call { name: first, args: Vec::new(), star: false, distinct: false, over: None };
                return Ok(Expr::new(kind, pos));
            }
            return Ok(Expr::new(ExprKind::Column { qualifier: None, name: first }, pos));
        }
        let (mut args, mut star, mut distinct) = (Vec::new(), false, false);
        if self.eat_sym("*") {
            star = true;
        } else if self.peek().tok != Tok::Sym(")") {
            distinct = self.eat_kw("DISTINCT");
            args = self.expr_list()?;
        }
        self.sym(")")?;
        let over = if self.eat_kw("OVER") {
            if self.peek().tok == Tok::Sym("(") {
                Some(Over::Inline(self.window_spec()?))
            } else {
                Some(Over::Named(self.ident("a window name")?))
            }
        } else {
            None
        };
        Ok(Expr::new(ExprKind::Call { name: first, args, star, distinct, over }, pos))
    }
}

fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    let pos = left.pos;
    Expr::new(ExprKind::Binary { op, left: Box::new(left), right: Box::new(right) }, pos)
}
