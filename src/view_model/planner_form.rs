//! The planner panel's form: the sizing inputs as typed, turned into a [`Design`] the planner accepts or
//! into an error beside each field; and the answer's lines as the panel shows them.

use super::design::FieldError;
use super::format::count;
use crate::planner::sizing::{size, Design, Sizing};

/// The inputs, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannerForm {
    pub records_per_second: String,
    pub record_bytes: String,
    pub polling_consumers: String,
    pub polls_per_second: String,
    pub efo_consumers: String,
    /// Percent of capacity to plan for (80 leaves 20 % spare).
    pub headroom_percent: String,
    /// Percent of records carrying the hottest key; empty when unknown.
    pub hottest_key_percent: String,
    pub kpl: bool,
    /// Empty when the stream does not exist yet.
    pub current_shards: String,
    pub retention_hours: String,
}

impl Default for PlannerForm {
    fn default() -> Self {
        PlannerForm {
            records_per_second: "5000".into(),
            record_bytes: "1024".into(),
            polling_consumers: "2".into(),
            polls_per_second: "1".into(),
            efo_consumers: "0".into(),
            headroom_percent: "100".into(),
            hottest_key_percent: String::new(),
            kpl: false,
            current_shards: String::new(),
            retention_hours: "24".into(),
        }
    }
}

impl PlannerForm {
    /// The design, or every field's problem (keyed by the field's name in this form).
    pub fn to_design(&self) -> Result<Design, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: &str, text: &str| -> Option<f64> {
            match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    errors.push(FieldError {
                        field: field.into(),
                        message: format!("'{}' is not a number", text.trim()),
                    });
                    None
                }
            }
        };
        let rate = number("records_per_second", &self.records_per_second);
        let bytes = number("record_bytes", &self.record_bytes);
        let polling = number("polling_consumers", &self.polling_consumers);
        let polls = number("polls_per_second", &self.polls_per_second);
        let efo = number("efo_consumers", &self.efo_consumers);
        let headroom = number("headroom_percent", &self.headroom_percent);
        let hot = (!self.hottest_key_percent.trim().is_empty())
            .then(|| number("hottest_key_percent", &self.hottest_key_percent));
        let current = (!self.current_shards.trim().is_empty()).then(|| number("current_shards", &self.current_shards));
        let retention = number("retention_hours", &self.retention_hours);
        let whole = |field: &str, v: Option<f64>, errors: &mut Vec<FieldError>| -> Option<u32> {
            let v = v?;
            if v.fract() == 0.0 && v <= f64::from(u32::MAX) {
                Some(v as u32)
            } else {
                errors.push(FieldError { field: field.into(), message: format!("{v} is not a whole number") });
                None
            }
        };
        if let Some(h) = headroom.filter(|h| !(*h > 0.0 && *h <= 100.0)) {
            errors.push(FieldError {
                field: "headroom_percent".into(),
                message: format!("must be above 0 % and at most 100 %, got {h} %"),
            });
        }
        if let Some(Some(k)) = hot.filter(|k| k.is_some_and(|k| k > 100.0)) {
            errors.push(FieldError {
                field: "hottest_key_percent".into(),
                message: format!("must be from 0 to 100 %, got {k} %"),
            });
        }
        let record_bytes = whole("record_bytes", bytes, &mut errors);
        let polling_consumers = whole("polling_consumers", polling, &mut errors);
        let efo_consumers = whole("efo_consumers", efo, &mut errors);
        let retention_hours = whole("retention_hours", retention, &mut errors);
        let current_shards = current.map(|v| whole("current_shards", v, &mut errors));
        let design = (|| {
            Some(Design {
                records_per_second: rate?,
                record_bytes: record_bytes?,
                polling_consumers: polling_consumers?,
                polls_per_second: polls?,
                efo_consumers: efo_consumers?,
                headroom: headroom? / 100.0,
                hottest_key_share: match hot {
                    Some(v) => Some(v? / 100.0),
                    None => None,
                },
                kpl: self.kpl,
                current_shards: match current_shards {
                    Some(v) => Some(v?),
                    None => None,
                },
                retention_hours: retention_hours?,
                ..Design::new(1.0, 1)
            })
        })();
        match design {
            Some(d) if errors.is_empty() => d.validate().map(|()| d).map_err(|message| vec![planner_error(&message)]),
            _ => Err(errors),
        }
    }
}

/// The planner's own message (`field: why`), placed beside the form field it names.
fn planner_error(message: &str) -> FieldError {
    let (field, why) = message.split_once(": ").unwrap_or(("", message));
    FieldError { field: field.to_string(), message: why.to_string() }
}

/// The answer as the panel lists it: (what, value) lines.
pub fn answer_lines(design: &Design, sizing: &Sizing) -> Vec<(String, String)> {
    let t = &sizing.terms;
    let shards = |v: f64| format!("{v:.3} shards");
    let mut lines = vec![
        ("write bytes ÷ 1 MiB/s".to_string(), shards(t.write_bytes)),
        ("Kinesis records ÷ 1,000/s".to_string(), shards(t.write_records)),
        (format!("read bytes × {} polling ÷ 2 MiB/s", design.polling_consumers), shards(t.read_bytes)),
        (
            format!("{} polling × {} calls/s ÷ 5/s", design.polling_consumers, design.polls_per_second),
            shards(t.read_calls),
        ),
        (
            "answer".to_string(),
            format!(
                "{} shards ({:.3} by {}, ÷ {:.0} % headroom)",
                count(u64::from(sizing.shards)),
                sizing.shards_exact,
                sizing.binding,
                sizing.headroom * 100.0
            ),
        ),
        (
            "AWS seed formula".to_string(),
            format!("{} shards (ignores records/s and read calls)", sizing.seed_formula.number_of_shards),
        ),
    ];
    if let Some(skew) = &sizing.skew {
        lines.push(("hottest key".to_string(), skew.note.clone()));
    }
    if let Some(plan) = &sizing.scaling {
        let steps: Vec<String> = plan.steps.iter().map(u32::to_string).collect();
        lines.push(("UpdateShardCount".to_string(), format!("{} → {} ({})", plan.from, steps.join(" → "), plan.note)));
    }
    let c = &sizing.monthly_cost;
    lines.push((
        "cost per month (730 h)".to_string(),
        format!(
            "${:.2}: shards ${:.2}, data ${:.2}, retention ${:.2}, fan-out ${:.2}",
            c.total, c.capacity, c.data, c.retention, c.fan_out
        ),
    ));
    lines
}

/// Sizes the form's design, or says what is wrong with it.
pub fn plan(form: &PlannerForm) -> Result<(Design, Sizing), Vec<FieldError>> {
    let design = form.to_design()?;
    let sizing = size(&design);
    Ok((design, sizing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_sizes_by_its_binding_term() {
        let (design, sizing) = plan(&PlannerForm::default()).expect("valid");
        assert_eq!(design.headroom, 1.0);
        assert_eq!(sizing.shards, 5, "5,000 records/s of 1 KiB: 4.88 MiB/s and 5 × 1,000 records/s");
        let lines = answer_lines(&design, &sizing);
        let answer = &lines.iter().find(|(k, _)| k == "answer").expect("an answer").1;
        assert!(answer.starts_with("5 shards (5.000 by write records"), "{answer}");
        assert!(lines.iter().any(|(k, v)| k.starts_with("cost") && v.starts_with('$')));
    }

    #[test]
    fn each_bad_field_is_named_and_the_planner_limits_map_back() {
        let form = PlannerForm { records_per_second: "lots".into(), record_bytes: "1.5".into(), ..Default::default() };
        let errors = form.to_design().expect_err("two bad fields");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["records_per_second", "record_bytes"]);
        let form = PlannerForm { headroom_percent: "150".into(), ..Default::default() };
        let errors = form.to_design().expect_err("too much headroom");
        assert_eq!(errors[0].field, "headroom_percent");
        assert_eq!(errors[0].message, "must be above 0 % and at most 100 %, got 150 %");
        let form = PlannerForm { hottest_key_percent: "40".into(), current_shards: "2".into(), ..Default::default() };
        let (design, sizing) = plan(&form).expect("valid");
        assert_eq!(design.hottest_key_share, Some(0.4));
        assert!(!sizing.skew.expect("checked").fits_one_shard, "2,000 records/s on one key");
        assert_eq!(sizing.scaling.expect("from 2").steps, [4, 5]);
    }
}
