//! From a parsed query to the stages that run it, with the validator's rules (spec §2.4): names resolve
//! as KDA resolves them (unquoted names were folded to upper case, quoted ones must match exactly), a
//! streaming GROUP BY needs a ROWTIME-monotonic key, a streaming ORDER BY must lead with one, aggregates
//! either group or slide OVER a window. Errors use Calcite's wording where KDA shows Calcite's.

use super::ast::{ExprKind, Frame, From, Ident, Over, Query, SelectItem, TableFunction};
use super::error::SqlError;
use super::rcf::Forest;
use super::stages::{AggSpec, Grouped, OrderBy, RefJoin, Sliding, Stage, Stagger, TopK};
use crate::engine::analytics::aggregate::AggKind;
use crate::engine::analytics::expr::{compile, Scalar, Scope, AGGREGATES};
use crate::engine::analytics::sql::ast::Expr;
use crate::engine::analytics::value::{SqlType, Value};
use std::collections::BTreeMap;

/// A stream the application knows: its name as declared and its columns.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamDef {
    pub name: String,
    pub columns: Vec<(String, SqlType)>,
}

/// The reference table, loaded at start (§2.1).
#[derive(Clone, Debug, PartialEq)]
pub struct RefTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// What queries can read.
pub struct Catalog<'a> {
    pub streams: &'a [StreamDef],
    pub reference: Option<&'a RefTable>,
}

/// A query's operators, fed by one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// Index of the stream in the catalog.
    pub source: usize,
    pub stages: Vec<Stage>,
    /// The output columns' names.
    pub columns: Vec<String>,
}

impl Catalog<'_> {
    fn stream(&self, name: &Ident) -> Option<usize> {
        self.streams.iter().position(|s| s.name == name.name)
    }
}

fn not_found(what: &str, name: &Ident) -> SqlError {
    SqlError::new(name.pos, format!("{what} '{}' not found", name.name))
}

/// One readable source in a scope: the names it answers to and its columns from `offset` on.
#[derive(Clone, Debug)]
struct Source {
    names: Vec<String>,
    columns: Vec<String>,
    offset: usize,
}

/// Names as the rows entering a stage have them.
#[derive(Clone, Debug, Default)]
struct Input {
    sources: Vec<Source>,
}

impl Input {
    fn single(names: Vec<String>, columns: Vec<String>) -> Input {
        Input { sources: vec![Source { names, columns, offset: 0 }] }
    }

    fn width(&self) -> usize {
        self.sources.iter().map(|s| s.columns.len()).sum()
    }

    fn resolve(&self, qualifier: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError> {
        let sources: Vec<&Source> = match qualifier {
            Some(q) => {
                let hit: Vec<&Source> = self.sources.iter().filter(|s| s.names.contains(&q.name)).collect();
                if hit.is_empty() {
                    return Err(not_found("Table", q));
                }
                hit
            }
            None => self.sources.iter().collect(),
        };
        if name.name == "ROWTIME" && !name.quoted {
            return Ok(Scalar::Rowtime);
        }
        let hits: Vec<usize> = sources
            .iter()
            .flat_map(|s| s.columns.iter().enumerate().filter(|(_, c)| **c == name.name).map(|(i, _)| s.offset + i))
            .collect();
        match hits.as_slice() {
            [one] => Ok(Scalar::Column(*one)),
            [] => Err(SqlError::new(
                name.pos,
                match qualifier {
                    Some(q) => format!("Column '{}' not found in table '{}'", name.name, q.name),
                    None => format!("Column '{}' not found in any table", name.name),
                },
            )),
            _ => Err(SqlError::new(name.pos, format!("Column '{}' is ambiguous", name.name))),
        }
    }
}

impl Scope for Input {
    fn column(&self, qualifier: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError> {
        self.resolve(qualifier, name)
    }
    fn aggregate(&mut self, _: &Expr) -> Result<Option<Scalar>, SqlError> {
        Ok(None)
    }
}

/// The argument of an aggregate call, checked.
fn aggregate_spec(call: &Expr, input: &Input) -> Result<(AggSpec, Option<Over>), SqlError> {
    let ExprKind::Call { name, args, star, distinct, over } = &call.kind else {
        return Err(SqlError::new(call.pos, "expected an aggregate call"));
    };
    let kind = AggKind::sql(&name.name)
        .ok_or_else(|| SqlError::new(name.pos, format!("{} is not an aggregate", name.name)))?;
    if *distinct {
        return Err(SqlError::new(name.pos, format!("{}(DISTINCT …) is not built in this lab", name.name)));
    }
    let arg = match (star, args.as_slice()) {
        (true, _) if kind == AggKind::Count => None,
        (true, _) => return Err(SqlError::new(name.pos, format!("{}(*) is only valid for COUNT", name.name))),
        (false, [one]) => Some(compile(one, &mut input.clone())?),
        (false, _) => {
            return Err(SqlError::new(name.pos, format!("{} takes 1 argument, not {}", name.name, args.len())));
        }
    };
    Ok((AggSpec { kind, arg }, over.clone()))
}

/// A grouped select: keys become the group row's columns, aggregates its slots.
struct Grouping<'a> {
    input: &'a Input,
    keys: Vec<Scalar>,
    aggs: Vec<AggSpec>,
}

impl Scope for Grouping<'_> {
    fn column(&self, qualifier: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError> {
        let s = self.input.resolve(qualifier, name)?;
        if s == Scalar::Rowtime {
            // In a grouped query ROWTIME is the window's end, when the row is emitted.
            return Ok(Scalar::Rowtime);
        }
        match self.keys.iter().position(|k| *k == s) {
            Some(i) => Ok(Scalar::Column(i)),
            None => Err(SqlError::new(name.pos, format!("Expression '{}' is not being grouped", name.name))),
        }
    }
    fn aggregate(&mut self, call: &Expr) -> Result<Option<Scalar>, SqlError> {
        let (spec, over) = aggregate_spec(call, self.input)?;
        if over.is_some() {
            return Err(SqlError::new(call.pos, "an aggregate OVER a window cannot be used in a grouped query"));
        }
        self.aggs.push(spec);
        Ok(Some(Scalar::Aggregate(self.aggs.len() - 1)))
    }
    fn whole(&mut self, e: &Expr) -> Option<Scalar> {
        if matches!(&e.kind, ExprKind::Call { name, .. } if AGGREGATES.contains(&name.name.as_str())) {
            return None;
        }
        let s = compile(e, &mut self.input.clone()).ok()?;
        if matches!(s, Scalar::Literal(_) | Scalar::Rowtime) {
            return None;
        }
        self.keys.iter().position(|k| *k == s).map(Scalar::Column)
    }
}

/// A sliding select: aggregates OVER windows, per input row.
struct Windowing<'a> {
    input: &'a Input,
    named: &'a [(Ident, super::ast::WindowSpec)],
    windows: Vec<(Vec<Scalar>, Frame)>,
    /// Which named window each entry of `windows` is (to share frames).
    names: Vec<Option<String>>,
    aggs: Vec<(AggSpec, usize)>,
}

impl Windowing<'_> {
    fn window(&mut self, spec: &super::ast::WindowSpec, name: Option<String>) -> Result<usize, SqlError> {
        if let Some(i) = name.as_ref().and_then(|n| self.names.iter().position(|m| m.as_ref() == Some(n))) {
            return Ok(i);
        }
        let keys = spec.partition_by.iter().map(|k| compile(k, &mut self.input.clone())).collect::<Result<_, _>>()?;
        self.windows.push((keys, spec.frame));
        self.names.push(name);
        Ok(self.windows.len() - 1)
    }
}

impl Scope for Windowing<'_> {
    fn column(&self, qualifier: Option<&Ident>, name: &Ident) -> Result<Scalar, SqlError> {
        self.input.resolve(qualifier, name)
    }
    fn aggregate(&mut self, call: &Expr) -> Result<Option<Scalar>, SqlError> {
        let (spec, over) = aggregate_spec(call, self.input)?;
        let w = match over {
            None => {
                return Err(SqlError::new(
                    call.pos,
                    "an aggregate in a query that is not grouped needs OVER a window (or add GROUP BY with a ROWTIME-monotonic key)",
                ))
            }
            Some(Over::Named(n)) => {
                let Some((_, w)) = self.named.iter().find(|(m, _)| m.name == n.name) else {
                    return Err(not_found("Window", &n));
                };
                self.window(&w.clone(), Some(n.name.clone()))?
            }
            Some(Over::Inline(w)) => self.window(&w, None)?,
        };
        self.aggs.push((spec, w));
        Ok(Some(Scalar::Aggregate(self.aggs.len() - 1)))
    }
}

/// Whether `e` holds an aggregate call: `Some(true)` for one OVER a window.
fn aggregate_calls(e: &Expr, found: &mut Vec<bool>) {
    e.walk(&mut |x| {
        if let ExprKind::Call { name, over, .. } = &x.kind {
            if AGGREGATES.contains(&name.name.as_str()) && !name.quoted {
                found.push(over.is_some());
            }
        }
    });
}

/// Plans `q` (and its UNION ALL branches) against `cat`.
pub fn plan_query(q: &Query, cat: &Catalog) -> Result<Vec<Chain>, SqlError> {
    let mut chains = vec![plan_one(q, cat)?];
    for branch in &q.union_all {
        let more = plan_query(branch, cat)?;
        for c in more {
            if c.columns.len() != chains[0].columns.len() {
                return Err(SqlError::new(branch.pos, "Column count mismatch in UNION ALL"));
            }
            chains.push(c);
        }
    }
    Ok(chains)
}

fn plan_one(q: &Query, cat: &Catalog) -> Result<Chain, SqlError> {
    if q.distinct {
        return Err(SqlError::new(q.pos, "SELECT DISTINCT is not built in this lab"));
    }
    // FROM: a stream, or a table function over a cursor.
    let (source, mut stages, mut input, source_name) = match &q.from {
        From::Named { name, alias } => {
            let Some(i) = cat.stream(name) else {
                if cat.reference.is_some_and(|r| r.name == name.name) {
                    return Err(SqlError::new(
                        name.pos,
                        format!("'{}' is a reference table: join a stream to it", name.name),
                    ));
                }
                return Err(not_found("Table", name));
            };
            if !q.stream {
                return Err(SqlError::new(
                    q.pos,
                    format!("Cannot convert stream '{}' to relation (write SELECT STREAM)", name.name),
                ));
            }
            let mut names = vec![name.name.clone()];
            names.extend(alias.iter().map(|a| a.name.clone()));
            let columns = cat.streams[i].columns.iter().map(|(c, _)| c.clone()).collect();
            (i, Vec::new(), Input::single(names, columns), name.name.clone())
        }
        From::Function { call, alias } => {
            let inner = plan_query(&call.cursor, cat)?;
            let [inner] = <[Chain; 1]>::try_from(inner)
                .map_err(|_| SqlError::new(call.cursor.pos, "a CURSOR over UNION ALL is not built in this lab"))?;
            let (stage, columns) = table_function(call, &inner.columns)?;
            let mut stages = inner.stages;
            stages.push(stage);
            let names = alias.iter().map(|a| a.name.clone()).collect();
            (inner.source, stages, Input::single(names, columns), call.name.name.clone())
        }
    };
    // Joins to the reference table widen the rows first.
    if !q.joins.is_empty() {
        let mut joins = Vec::new();
        for j in &q.joins {
            let Some(table) = cat.reference.filter(|r| r.name == j.name.name) else {
                if j.over.is_some() || cat.stream(&j.name).is_some() {
                    return Err(SqlError::new(
                        j.name.pos,
                        "a stream-to-stream JOIN is not built in this lab yet; join a reference table",
                    ));
                }
                return Err(not_found("Table", &j.name));
            };
            let mut names = vec![j.name.name.clone()];
            names.extend(j.alias.iter().map(|a| a.name.clone()));
            let offset = input.width();
            input.sources.push(Source { names, columns: table.columns.clone(), offset });
            let on = compile(&j.on, &mut input.clone())?;
            joins.push(RefJoin { rows: table.rows.clone(), width: table.columns.len(), on, left_outer: j.left_outer });
        }
        let items = (0..input.width()).map(Scalar::Column).collect();
        stages.push(Stage::Project { joins, filter: None, items });
    }
    let filter = q.filter.as_ref().map(|f| compile(f, &mut input.clone())).transpose()?;
    let mut found = Vec::new();
    for item in &q.items {
        if let SelectItem::Expr { expr, .. } = item {
            aggregate_calls(expr, &mut found);
        }
    }
    let grouped = !q.group_by.is_empty() || q.stagger.is_some() || found.iter().any(|over| !over);
    if q.having.is_some() && !grouped {
        return Err(SqlError::new(q.pos, "HAVING needs GROUP BY or WINDOWED BY STAGGER"));
    }
    let columns = output_names(q, &input);
    let main = if let Some(st) = &q.stagger {
        if !q.group_by.is_empty() {
            return Err(SqlError::new(st.pos, "WINDOWED BY STAGGER replaces GROUP BY: write one or the other"));
        }
        let keys = st.partition_by.iter().map(|k| compile(k, &mut input.clone())).collect::<Result<_, _>>()?;
        let (keys, aggs, items, having) = grouped_select(q, keys, &input)?;
        Stage::Stagger(Stagger { filter, keys, range_ms: st.range_ms, aggs, having, items, open: BTreeMap::new() })
    } else if grouped {
        let keys: Vec<Scalar> = q.group_by.iter().map(|k| compile(k, &mut input.clone())).collect::<Result<_, _>>()?;
        let window_keys: Vec<usize> = (0..keys.len()).filter(|i| keys[*i].is_rowtime_monotonic()).collect();
        if window_keys.is_empty() {
            let pos = q.group_by.first().map_or(q.pos, |k| k.pos);
            return Err(SqlError::new(
                pos,
                "a streaming GROUP BY needs a ROWTIME-monotonic expression such as STEP(ROWTIME BY INTERVAL '1' MINUTE), FLOOR(ROWTIME TO MINUTE) or ROWTIME",
            ));
        }
        let (keys, aggs, items, having) = grouped_select(q, keys, &input)?;
        Stage::Grouped(Grouped { filter, keys, window_keys, aggs, having, items, open: BTreeMap::new() })
    } else if found.iter().any(|over| *over) {
        let mut w =
            Windowing { input: &input, named: &q.windows, windows: Vec::new(), names: Vec::new(), aggs: Vec::new() };
        let items = select_items(q, &mut w, &input)?;
        let frames = vec![BTreeMap::new(); w.windows.len()];
        Stage::Sliding(Sliding { filter, windows: w.windows, aggs: w.aggs, items, frames })
    } else {
        let items = select_items(q, &mut input.clone(), &input)?;
        Stage::Project { joins: Vec::new(), filter, items }
    };
    stages.push(main);
    if !q.order_by.is_empty() {
        let mut out = Input::single(vec![source_name], columns.clone());
        let keys: Vec<(Scalar, bool)> =
            q.order_by.iter().map(|(e, desc)| Ok((compile(e, &mut out)?, *desc))).collect::<Result<_, SqlError>>()?;
        if !keys[0].0.is_rowtime_monotonic() {
            return Err(SqlError::new(
                q.order_by[0].0.pos,
                "a streaming ORDER BY must start with a ROWTIME-monotonic expression such as FLOOR(ROWTIME TO SECOND)",
            ));
        }
        let lead = keys[0].0.clone();
        // Outputs hold their own columns; the lead may name the source's ROWTIME, which they carry.
        let rest = keys[1..].to_vec();
        stages.push(Stage::OrderBy(OrderBy { lead, rest, held: None }));
    }
    Ok(Chain { source, stages, columns })
}

/// A grouped select's parts over `keys`: the keys, the aggregates its items and HAVING use, the items,
/// and HAVING.
type GroupedParts = (Vec<Scalar>, Vec<AggSpec>, Vec<Scalar>, Option<Scalar>);

fn grouped_select(q: &Query, keys: Vec<Scalar>, input: &Input) -> Result<GroupedParts, SqlError> {
    let mut g = Grouping { input, keys, aggs: Vec::new() };
    let items = select_items(q, &mut g, input)?;
    let having = q.having.as_ref().map(|h| compile(h, &mut g)).transpose()?;
    Ok((g.keys, g.aggs, items, having))
}

/// The select list compiled in `scope`, with `*` expanded.
fn select_items(q: &Query, scope: &mut dyn Scope, input: &Input) -> Result<Vec<Scalar>, SqlError> {
    let mut items = Vec::new();
    for item in &q.items {
        match item {
            SelectItem::Star { qualifier, pos } => {
                let sources: Vec<&Source> = input
                    .sources
                    .iter()
                    .filter(|s| qualifier.as_ref().is_none_or(|q| s.names.contains(&q.name)))
                    .collect();
                if sources.is_empty() {
                    return Err(not_found("Table", qualifier.as_ref().expect("only a qualifier can match nothing")));
                }
                for s in sources {
                    // Qualified by the source, so a column both sides of a join have stays unambiguous.
                    let qualifier = s.names.first().map(|n| Ident { name: n.clone(), quoted: true, pos: *pos });
                    for c in &s.columns {
                        let name = Ident { name: c.clone(), quoted: true, pos: *pos };
                        items.push(scope.column(qualifier.as_ref(), &name)?);
                    }
                }
            }
            SelectItem::Expr { expr, .. } => items.push(compile(expr, scope)?),
        }
    }
    Ok(items)
}

/// The output columns' names: aliases, column names, or Calcite's `EXPR$n`.
fn output_names(q: &Query, input: &Input) -> Vec<String> {
    let mut names = Vec::new();
    for item in &q.items {
        match item {
            SelectItem::Star { qualifier, .. } => {
                for s in input.sources.iter().filter(|s| qualifier.as_ref().is_none_or(|q| s.names.contains(&q.name))) {
                    names.extend(s.columns.iter().cloned());
                }
            }
            SelectItem::Expr { expr, alias } => {
                let name = match (alias, &expr.kind) {
                    (Some(a), _) => a.name.clone(),
                    (None, ExprKind::Column { name, .. }) => name.name.clone(),
                    _ => format!("EXPR${}", names.len()),
                };
                names.push(name);
            }
        }
    }
    names
}

/// TOP_K_ITEMS_TUMBLING and RANDOM_CUT_FOREST: the stage and its output columns.
fn table_function(call: &TableFunction, columns: &[String]) -> Result<(Stage, Vec<String>), SqlError> {
    let name = &call.name;
    let literal = |i: usize| -> Option<&Value> {
        match &call.args.get(i)?.kind {
            ExprKind::Literal(v) => Some(v),
            _ => None,
        }
    };
    let whole = |i: usize, what: &str| -> Result<i64, SqlError> {
        match literal(i) {
            Some(Value::Int(n)) if *n > 0 => Ok(*n),
            _ => Err(SqlError::new(
                call.args.get(i).map_or(name.pos, |a| a.pos),
                format!("{} needs {what} as a positive whole number", name.name),
            )),
        }
    };
    match name.name.as_str() {
        "TOP_K_ITEMS_TUMBLING" => {
            if call.args.len() != 3 {
                return Err(SqlError::new(
                    name.pos,
                    "TOP_K_ITEMS_TUMBLING takes a CURSOR, 'columnName', k and windowSeconds",
                ));
            }
            let Some(Value::Str(column)) = literal(0) else {
                return Err(SqlError::new(
                    call.args[0].pos,
                    "TOP_K_ITEMS_TUMBLING needs the column name as a string, such as 'TICKER_SYMBOL'",
                ));
            };
            let Some(at) = columns.iter().position(|c| c == column) else {
                return Err(SqlError::new(
                    call.args[0].pos,
                    format!("Column '{column}' not found in the cursor's columns ({})", columns.join(", ")),
                ));
            };
            let k = whole(1, "k")?;
            let seconds = whole(2, "windowSeconds")?;
            let stage = Stage::TopK(TopK { column: at, k: k as usize, window_ms: seconds * 1_000, open: None });
            Ok((stage, vec![column.clone(), "MOST_FREQUENT_VALUES".to_string()]))
        }
        "RANDOM_CUT_FOREST" => {
            if call.args.len() > 4 {
                return Err(SqlError::new(name.pos, "RANDOM_CUT_FOREST takes a CURSOR and at most numberOfTrees, subSampleSize, timeDecay and shingleSize"));
            }
            let param =
                |i: usize, default: i64, what: &str| if i < call.args.len() { whole(i, what) } else { Ok(default) };
            let forest = Forest::new(
                param(0, 100, "numberOfTrees")?,
                param(1, 256, "subSampleSize")?,
                param(2, 100_000, "timeDecay")?,
                param(3, 1, "shingleSize")?,
            );
            let mut out = columns.to_vec();
            out.push("ANOMALY_SCORE".to_string());
            Ok((Stage::Rcf(Box::new(forest)), out))
        }
        "RANDOM_CUT_FOREST_WITH_EXPLANATION" => Err(SqlError::new(
            name.pos,
            "RANDOM_CUT_FOREST_WITH_EXPLANATION is not built in this lab yet; use RANDOM_CUT_FOREST",
        )),
        other => Err(SqlError::new(name.pos, format!("No match found for function signature {other}"))),
    }
}
