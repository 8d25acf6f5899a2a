//! The KDA SQL subset's syntax tree (spec firehose-analytics.md §2.4): streams, pumps, `SELECT STREAM`
//! with joins, GROUP BY or WINDOWED BY STAGGER, named sliding windows, ORDER BY and UNION ALL, and the
//! scalar expressions the pipelines of the Flink-style engine use too.

use super::error::Pos;
use crate::engine::analytics::value::{SqlType, Value};

/// A name as written: unquoted names are already folded to upper case.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub quoted: bool,
    pub pos: Pos,
}

/// One statement of an application's code.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `CREATE OR REPLACE STREAM name (col TYPE [NOT NULL], …)`.
    CreateStream { name: Ident, columns: Vec<ColumnDef> },
    /// `CREATE OR REPLACE PUMP name AS INSERT INTO stream [(cols)] SELECT STREAM …`.
    CreatePump { name: Ident, target: Ident, columns: Option<Vec<Ident>>, query: Query },
    /// A `SELECT STREAM` outside a pump: the console's preview.
    Select(Query),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    pub name: Ident,
    pub ty: SqlType,
    pub not_null: bool,
}

/// A `SELECT`, with the queries it is `UNION ALL`ed with.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub pos: Pos,
    /// `SELECT STREAM` (a streaming query) or a plain `SELECT`.
    pub stream: bool,
    pub distinct: bool,
    pub items: Vec<SelectItem>,
    pub from: From,
    pub joins: Vec<Join>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub stagger: Option<Stagger>,
    pub having: Option<Expr>,
    pub windows: Vec<(Ident, WindowSpec)>,
    pub order_by: Vec<(Expr, bool)>,
    pub union_all: Vec<Query>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SelectItem {
    /// `*` or `alias.*`.
    Star {
        qualifier: Option<Ident>,
        pos: Pos,
    },
    Expr {
        expr: Expr,
        alias: Option<Ident>,
    },
}

/// What a query reads.
#[derive(Clone, Debug, PartialEq)]
pub enum From {
    /// An in-application stream or the reference table.
    Named { name: Ident, alias: Option<Ident> },
    /// `TABLE(fn(CURSOR(SELECT STREAM …), args…))`.
    Function { call: TableFunction, alias: Option<Ident> },
}

/// The table functions of §2.4.
#[derive(Clone, Debug, PartialEq)]
pub struct TableFunction {
    /// `TOP_K_ITEMS_TUMBLING`, `RANDOM_CUT_FOREST` or `RANDOM_CUT_FOREST_WITH_EXPLANATION`.
    pub name: Ident,
    pub cursor: Box<Query>,
    pub args: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub left_outer: bool,
    pub name: Ident,
    /// A stream–stream join's window over the right side.
    pub over: Option<WindowSpec>,
    pub alias: Option<Ident>,
    pub on: Expr,
}

/// `WINDOWED BY STAGGER (PARTITION BY … RANGE INTERVAL 'n' unit)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stagger {
    pub pos: Pos,
    pub partition_by: Vec<Expr>,
    pub range_ms: i64,
}

/// A sliding window: `(PARTITION BY … RANGE INTERVAL … PRECEDING | ROWS n PRECEDING)`.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowSpec {
    pub pos: Pos,
    pub partition_by: Vec<Expr>,
    pub frame: Frame,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Rows of the partition with ROWTIME in (t − ms, t].
    Range(i64),
    /// The current row and n before it.
    Rows(u64),
}

/// Time units of INTERVAL, STEP and FLOOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Second,
    Minute,
    Hour,
    Day,
}

impl TimeUnit {
    pub fn millis(self) -> i64 {
        match self {
            TimeUnit::Second => 1_000,
            TimeUnit::Minute => 60_000,
            TimeUnit::Hour => 3_600_000,
            TimeUnit::Day => 86_400_000,
        }
    }
}

/// An expression, with where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A column, `ROWTIME` included, maybe qualified by a stream or alias.
    Column {
        qualifier: Option<Ident>,
        name: Ident,
    },
    Literal(Value),
    /// `INTERVAL 'n' unit`, in milliseconds.
    Interval(i64),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Cast {
        expr: Box<Expr>,
        ty: SqlType,
    },
    /// `STEP(x BY interval-or-number)`.
    Step {
        expr: Box<Expr>,
        by: Box<Expr>,
    },
    /// `FLOOR(ts TO unit)`, or `FLOOR(x)` without a unit.
    Floor {
        expr: Box<Expr>,
        unit: Option<TimeUnit>,
    },
    /// A function call; `COUNT(*)` has `star`; `agg(x) OVER w` has `over`.
    Call {
        name: Ident,
        args: Vec<Expr>,
        star: bool,
        distinct: bool,
        over: Option<Over>,
    },
}

/// What an aggregate is computed `OVER`.
#[derive(Clone, Debug, PartialEq)]
pub enum Over {
    Named(Ident),
    Inline(WindowSpec),
}

impl Expr {
    pub fn new(kind: ExprKind, pos: Pos) -> Expr {
        Expr { kind, pos }
    }

    /// Every sub-expression, this one first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        let mut each = |e: &'a Expr| e.walk(visit);
        match &self.kind {
            ExprKind::Column { .. } | ExprKind::Literal(_) | ExprKind::Interval(_) => {}
            ExprKind::Neg(e) | ExprKind::Not(e) => each(e),
            ExprKind::Binary { left, right, .. } => {
                each(left);
                each(right);
            }
            ExprKind::Like { expr, pattern, .. } => {
                each(expr);
                each(pattern);
            }
            ExprKind::IsNull { expr, .. } | ExprKind::Cast { expr, .. } | ExprKind::Floor { expr, .. } => each(expr),
            ExprKind::Between { expr, low, high, .. } => {
                each(expr);
                each(low);
                each(high);
            }
            ExprKind::InList { expr, list, .. } => {
                each(expr);
                list.iter().for_each(each);
            }
            ExprKind::Case { operand, whens, otherwise } => {
                if let Some(o) = operand {
                    each(o);
                }
                for (w, t) in whens {
                    each(w);
                    each(t);
                }
                if let Some(o) = otherwise {
                    each(o);
                }
            }
            ExprKind::Step { expr, by } => {
                each(expr);
                each(by);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(each),
        }
    }
}
