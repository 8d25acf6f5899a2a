//! The operators a pump's query runs as (spec firehose-analytics.md §2.5): a projection with its filter and
//! reference join, a tumbling GROUP BY that emits each window's groups when ROWTIME passes its end (output
//! ROWTIME = the end), sliding windows that emit one row per input row, stagger windows per partition
//! key, streaming ORDER BY, and the table functions TOP_K_ITEMS_TUMBLING and RANDOM_CUT_FOREST.
//! Each stage takes rows in ROWTIME order and is told when time passes without rows.

use crate::engine::analytics::aggregate::{Acc, AggKind};
use crate::engine::analytics::expr::{truth, EvalError, RowRef, Scalar};
use crate::engine::analytics::value::Value;
use std::collections::{BTreeMap, VecDeque};

/// A row in flight: its ROWTIME and values.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub rowtime: i64,
    pub values: Vec<Value>,
}

/// A row that went wrong, for `error_stream`.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub name: &'static str,
    pub message: String,
    pub row: Row,
}

/// What a stage produced.
#[derive(Default, Debug)]
pub struct Out {
    pub rows: Vec<Row>,
    pub failures: Vec<Failure>,
}

/// An aggregate: which, over what (`None`: COUNT(*)).
#[derive(Clone, Debug, PartialEq)]
pub struct AggSpec {
    pub kind: AggKind,
    pub arg: Option<Scalar>,
}

/// A row as expressions see it, with aggregate values.
struct View<'a> {
    values: &'a [Value],
    rowtime: i64,
    aggs: &'a [Value],
}

impl RowRef for View<'_> {
    fn column(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Null)
    }
    fn rowtime(&self) -> i64 {
        self.rowtime
    }
    fn aggregate(&self, i: usize) -> &Value {
        self.aggs.get(i).unwrap_or(&Value::Null)
    }
}

fn view<'a>(row: &'a Row, aggs: &'a [Value]) -> View<'a> {
    View { values: &row.values, rowtime: row.rowtime, aggs }
}

/// Evaluates `items` for `row`, or the failure.
fn project(items: &[Scalar], row: &Row, aggs: &[Value]) -> Result<Vec<Value>, EvalError> {
    items.iter().map(|i| i.eval(&view(row, aggs))).collect()
}

/// Whether `cond` holds (NULL does not).
fn holds(cond: &Option<Scalar>, row: &Row, aggs: &[Value]) -> Result<bool, EvalError> {
    match cond {
        None => Ok(true),
        Some(c) => Ok(truth(&c.eval(&view(row, aggs))?)? == Some(true)),
    }
}

/// Whether `row` passes WHERE; a failing condition sends it to `error_stream`.
fn passes(filter: &Option<Scalar>, row: &Row, out: &mut Out) -> bool {
    holds(filter, row, &[]).unwrap_or_else(|e| {
        failed(out, e, row);
        false
    })
}

fn failed(out: &mut Out, e: EvalError, row: &Row) {
    out.failures.push(Failure { name: e.name, message: e.message, row: row.clone() });
}

/// Where a grouping key's window ends, given its value: STEP(ROWTIME BY i) and FLOOR(ROWTIME TO u) close
/// one interval after their start, ROWTIME itself one millisecond after.
pub fn key_window_end(key: &Scalar, value: &Value) -> Option<i64> {
    let Value::Timestamp(start) = value else { return None };
    match key {
        Scalar::Rowtime => Some(start + 1),
        Scalar::Step { by, .. } => match **by {
            Scalar::Literal(Value::Interval(ms)) => Some(start + ms),
            _ => Some(start + 1),
        },
        Scalar::Floor { unit: Some(u), .. } => Some(start + u.millis()),
        _ => None,
    }
}

/// A stream–reference join (§2.5): each left row meets every reference row the condition accepts; a left
/// join keeps unmatched rows with NULLs.
#[derive(Clone, Debug, PartialEq)]
pub struct RefJoin {
    pub rows: Vec<Vec<Value>>,
    pub width: usize,
    pub on: Scalar,
    pub left_outer: bool,
}

/// One operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// Joins, WHERE and the select list, row by row.
    Project {
        joins: Vec<RefJoin>,
        filter: Option<Scalar>,
        items: Vec<Scalar>,
    },
    /// GROUP BY with a ROWTIME-monotonic key: one window at a time.
    Grouped(Grouped),
    /// Aggregates OVER sliding windows.
    Sliding(Sliding),
    /// WINDOWED BY STAGGER.
    Stagger(Stagger),
    /// ORDER BY a ROWTIME-monotonic key, then the rest.
    OrderBy(OrderBy),
    TopK(TopK),
    Rcf(Box<super::rcf::Forest>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Grouped {
    pub filter: Option<Scalar>,
    pub keys: Vec<Scalar>,
    /// Which keys are ROWTIME-monotonic (they decide the window).
    pub window_keys: Vec<usize>,
    pub aggs: Vec<AggSpec>,
    pub having: Option<Scalar>,
    pub items: Vec<Scalar>,
    /// Open windows by end: their groups in the order first seen.
    pub open: BTreeMap<i64, Vec<Group>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The key values, as text to find the group again.
    id: String,
    key: Vec<Value>,
    accs: Vec<Acc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sliding {
    pub filter: Option<Scalar>,
    /// Per window: its partition keys and frame.
    pub windows: Vec<(Vec<Scalar>, crate::engine::analytics::sql::ast::Frame)>,
    /// Per aggregate: the window it runs over.
    pub aggs: Vec<(AggSpec, usize)>,
    pub items: Vec<Scalar>,
    /// Per window, per partition: the rows in the frame.
    pub frames: Vec<BTreeMap<String, VecDeque<Row>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stagger {
    pub filter: Option<Scalar>,
    pub keys: Vec<Scalar>,
    pub range_ms: i64,
    pub aggs: Vec<AggSpec>,
    pub having: Option<Scalar>,
    pub items: Vec<Scalar>,
    /// Open windows by partition: (opened, closes, the group).
    pub open: BTreeMap<String, (i64, i64, Group)>,
}

/// A row with its sort keys.
pub type Keyed = (Vec<Value>, Row);

#[derive(Clone, Debug, PartialEq)]
pub struct OrderBy {
    /// The leading ROWTIME-monotonic key, then the rest with DESC flags.
    pub lead: Scalar,
    pub rest: Vec<(Scalar, bool)>,
    /// The bucket being held: its end, and its rows with their sort keys.
    pub held: Option<(i64, Vec<Keyed>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopK {
    pub column: usize,
    pub k: usize,
    pub window_ms: i64,
    /// The window being counted: its end and counts.
    pub open: Option<(i64, Acc)>,
}

impl Stage {
    /// The next instant this stage will emit at without new rows.
    pub fn deadline(&self) -> Option<i64> {
        match self {
            Stage::Grouped(g) => g.open.keys().next().copied(),
            Stage::Stagger(s) => s.open.values().map(|(_, close, _)| *close).min(),
            Stage::OrderBy(o) => o.held.as_ref().map(|(end, _)| *end),
            Stage::TopK(t) => t.open.as_ref().map(|(end, _)| *end),
            Stage::Project { .. } | Stage::Sliding(_) | Stage::Rcf(_) => None,
        }
    }

    /// Time passes to `now`: windows ending at or before it emit.
    pub fn advance(&mut self, now: i64, out: &mut Out) {
        match self {
            Stage::Grouped(g) => {
                while let Some(entry) = g.open.first_entry().filter(|e| *e.key() <= now) {
                    let end = *entry.key();
                    for group in entry.remove() {
                        emit_group(&group, end, &g.having, &g.items, out);
                    }
                }
            }
            Stage::Stagger(s) => {
                let mut closing: Vec<(i64, i64, Group)> = Vec::new();
                s.open.retain(|_, (opened, close, group)| {
                    if *close <= now {
                        closing.push((*close, *opened, group.clone()));
                        false
                    } else {
                        true
                    }
                });
                closing.sort_by_key(|(close, opened, _)| (*close, *opened));
                for (close, _, group) in closing {
                    emit_group(&group, close, &s.having, &s.items, out);
                }
            }
            Stage::OrderBy(o) => {
                if o.held.as_ref().is_some_and(|(end, _)| *end <= now) {
                    o.flush(out);
                }
            }
            Stage::TopK(t) => {
                if let Some((end, acc)) = t.open.take_if(|(end, _)| *end <= now) {
                    for (value, count) in acc.top(t.k) {
                        out.rows.push(Row { rowtime: end, values: vec![Value::Str(value), Value::Int(count)] });
                    }
                }
            }
            Stage::Project { .. } | Stage::Sliding(_) | Stage::Rcf(_) => {}
        }
    }

    /// A row arrives (time has already been advanced to its ROWTIME).
    pub fn push(&mut self, row: Row, out: &mut Out) {
        match self {
            Stage::Project { joins, filter, items } => {
                let mut rows = vec![row];
                for j in joins.iter() {
                    rows = rows.into_iter().flat_map(|r| j.join(r, out)).collect();
                }
                for r in rows {
                    match holds(filter, &r, &[])
                        .and_then(|ok| if ok { project(items, &r, &[]).map(Some) } else { Ok(None) })
                    {
                        Ok(Some(values)) => out.rows.push(Row { rowtime: r.rowtime, values }),
                        Ok(None) => {}
                        Err(e) => failed(out, e, &r),
                    }
                }
            }
            Stage::Grouped(g) => match g.place(&row) {
                Ok(Some((end, id, key))) => {
                    let groups = g.open.entry(end).or_default();
                    let at = match groups.iter().position(|gr| gr.id == id) {
                        Some(at) => at,
                        None => {
                            groups.push(Group { id, key, accs: g.aggs.iter().map(|a| Acc::new(a.kind)).collect() });
                            groups.len() - 1
                        }
                    };
                    if let Err(e) = accumulate(&mut groups[at].accs, &g.aggs, &row) {
                        failed(out, e, &row);
                    }
                }
                Ok(None) => {}
                Err(e) => failed(out, e, &row),
            },
            Stage::Sliding(s) => s.push(row, out),
            Stage::Stagger(s) => s.push(row, out),
            Stage::OrderBy(o) => o.push(row, out),
            Stage::TopK(t) => {
                let end = crate::engine::analytics::window::window_start(row.rowtime, 0, t.window_ms) + t.window_ms;
                let (_, acc) = t.open.get_or_insert_with(|| (end, Acc::new(AggKind::TopK(t.k))));
                acc.add(row.values.get(t.column));
            }
            Stage::Rcf(forest) => out.rows.push(forest.score(row)),
        }
    }
}

/// Adds `row` to `accs`.
fn accumulate(accs: &mut [Acc], specs: &[AggSpec], row: &Row) -> Result<(), EvalError> {
    // Evaluate every argument first, so a failing row changes nothing.
    let args: Vec<Option<Value>> =
        specs.iter().map(|s| s.arg.as_ref().map(|a| a.eval(&view(row, &[]))).transpose()).collect::<Result<_, _>>()?;
    for (acc, arg) in accs.iter_mut().zip(&args) {
        acc.add(arg.as_ref());
    }
    Ok(())
}

/// A closed group's output row, at `rowtime`, if HAVING keeps it.
fn emit_group(group: &Group, rowtime: i64, having: &Option<Scalar>, items: &[Scalar], out: &mut Out) {
    let aggs: Vec<Value> = group.accs.iter().map(Acc::result).collect();
    let row = Row { rowtime, values: group.key.clone() };
    match holds(having, &row, &aggs).and_then(|ok| if ok { project(items, &row, &aggs).map(Some) } else { Ok(None) }) {
        Ok(Some(values)) => out.rows.push(Row { rowtime, values }),
        Ok(None) => {}
        Err(e) => failed(out, e, &row),
    }
}

/// The key values of `row` and their text.
fn key_of(keys: &[Scalar], row: &Row) -> Result<(String, Vec<Value>), EvalError> {
    let key: Vec<Value> = keys.iter().map(|k| k.eval(&view(row, &[]))).collect::<Result<_, _>>()?;
    Ok((format!("{key:?}"), key))
}

impl Grouped {
    /// The window end, group id and key of `row`, or `None` when WHERE drops it.
    fn place(&self, row: &Row) -> Result<Option<(i64, String, Vec<Value>)>, EvalError> {
        if !holds(&self.filter, row, &[])? {
            return Ok(None);
        }
        let (id, key) = key_of(&self.keys, row)?;
        let end = self.window_keys.iter().filter_map(|i| key_window_end(&self.keys[*i], &key[*i])).min();
        // A monotonic key that is NULL or not a time: the row's own instant.
        Ok(Some((end.unwrap_or(row.rowtime + 1), id, key)))
    }
}

impl RefJoin {
    fn join(&self, left: Row, out: &mut Out) -> Vec<Row> {
        let mut rows = Vec::new();
        for right in &self.rows {
            let mut values = left.values.clone();
            values.extend(right.iter().cloned());
            let joined = Row { rowtime: left.rowtime, values };
            match holds(&Some(self.on.clone()), &joined, &[]) {
                Ok(true) => rows.push(joined),
                Ok(false) => {}
                Err(e) => {
                    failed(out, e, &left);
                    return Vec::new();
                }
            }
        }
        if rows.is_empty() && self.left_outer {
            let mut values = left.values.clone();
            values.extend(std::iter::repeat_n(Value::Null, self.width));
            rows.push(Row { rowtime: left.rowtime, values });
        }
        rows
    }
}

impl Sliding {
    fn push(&mut self, row: Row, out: &mut Out) {
        if !passes(&self.filter, &row, out) {
            return;
        }
        // Each window's partition for this row, then the frame it sees (the row included).
        let mut parts = Vec::new();
        for (keys, _) in &self.windows {
            match key_of(keys, &row) {
                Ok((id, _)) => parts.push(id),
                Err(e) => return failed(out, e, &row),
            }
        }
        for (w, id) in parts.iter().enumerate() {
            let frame = self.frames[w].entry(id.clone()).or_default();
            frame.push_back(row.clone());
            match self.windows[w].1 {
                // (t − I, t]: rows at exactly t − I have left.
                crate::engine::analytics::sql::ast::Frame::Range(ms) => {
                    while frame.front().is_some_and(|r| r.rowtime <= row.rowtime - ms) {
                        frame.pop_front();
                    }
                }
                crate::engine::analytics::sql::ast::Frame::Rows(n) => {
                    while frame.len() as u64 > n + 1 {
                        frame.pop_front();
                    }
                }
            }
        }
        let mut aggs = Vec::with_capacity(self.aggs.len());
        for (spec, w) in &self.aggs {
            let mut acc = Acc::new(spec.kind);
            for r in self.frames[*w].get(&parts[*w]).into_iter().flatten() {
                match spec.arg.as_ref().map(|a| a.eval(&view(r, &[]))).transpose() {
                    Ok(v) => acc.add(v.as_ref()),
                    Err(e) => return failed(out, e, &row),
                }
            }
            aggs.push(acc.result());
        }
        match project(&self.items, &row, &aggs) {
            Ok(values) => out.rows.push(Row { rowtime: row.rowtime, values }),
            Err(e) => failed(out, e, &row),
        }
    }
}

impl Stagger {
    fn push(&mut self, row: Row, out: &mut Out) {
        if !passes(&self.filter, &row, out) {
            return;
        }
        let (id, key) = match key_of(&self.keys, &row) {
            Ok(k) => k,
            Err(e) => return failed(out, e, &row),
        };
        let range = self.range_ms;
        let specs = &self.aggs;
        // A key's window opens at its first row and holds rows until it closes; the next row opens another.
        let (_, _, group) = self.open.entry(id.clone()).or_insert_with(|| {
            let accs = specs.iter().map(|a| Acc::new(a.kind)).collect();
            (row.rowtime, row.rowtime + range, Group { id, key, accs })
        });
        if let Err(e) = accumulate(&mut group.accs, specs, &row) {
            failed(out, e, &row);
        }
    }
}

impl OrderBy {
    fn push(&mut self, row: Row, out: &mut Out) {
        let lead = match self.lead.eval(&view(&row, &[])) {
            Ok(v) => v,
            Err(e) => return failed(out, e, &row),
        };
        let end = key_window_end(&self.lead, &lead).unwrap_or(row.rowtime + 1);
        if self.held.as_ref().is_some_and(|(held_end, _)| *held_end != end) {
            self.flush(out);
        }
        let mut keys = Vec::with_capacity(self.rest.len());
        for (k, _) in &self.rest {
            match k.eval(&view(&row, &[])) {
                Ok(v) => keys.push(v),
                Err(e) => return failed(out, e, &row),
            }
        }
        self.held.get_or_insert_with(|| (end, Vec::new())).1.push((keys, row));
    }

    /// Emits the held bucket sorted, each row at the bucket's end (so ROWTIME stays in order).
    fn flush(&mut self, out: &mut Out) {
        let Some((end, mut rows)) = self.held.take() else { return };
        let desc: Vec<bool> = self.rest.iter().map(|(_, d)| *d).collect();
        rows.sort_by(|(a, _), (b, _)| {
            for (i, d) in desc.iter().enumerate() {
                // NULLs sort last either way.
                let o = match (a[i].is_null(), b[i].is_null()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ => {
                        let o = a[i].compare(&b[i]).unwrap_or(std::cmp::Ordering::Equal);
                        if *d {
                            o.reverse()
                        } else {
                            o
                        }
                    }
                };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        out.rows.extend(rows.into_iter().map(|(_, r)| Row { rowtime: end, values: r.values }));
    }
}
