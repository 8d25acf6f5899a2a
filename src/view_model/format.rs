//! Number formatting shared by panels and charts.

/// `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A chart-axis label for a time in seconds: `45s`, `2:05`, `1:02:05`.
pub fn axis_secs(secs: f64) -> String {
    let total = secs.max(0.0).round() as u64;
    let (h, m, s) = (total / 3_600, (total / 60) % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}:{s:02}"),
        _ => format!("{h}:{m:02}:{s:02}"),
    }
}

/// A chart-axis label for a count: `950`, `1.2k`, `3.5M`.
pub fn axis_count(v: f64) -> String {
    match v.abs() {
        a if a >= 1e6 => trim(format!("{:.1}M", v / 1e6)),
        a if a >= 1e3 => trim(format!("{:.1}k", v / 1e3)),
        a if a >= 10.0 || a == 0.0 || v.fract() == 0.0 => format!("{v:.0}"),
        _ => format!("{v:.1}"),
    }
}

/// A chart-axis label for a value already in MiB: `0.25 MiB`, `1 MiB`, `12 MiB`.
pub fn axis_mib(v: f64) -> String {
    let text = format!("{v:.2}");
    format!("{} MiB", text.trim_end_matches('0').trim_end_matches('.'))
}

/// A chart-axis label for milliseconds: `250 ms`, `12 s`, `3.5 min`.
pub fn axis_millis(v: f64) -> String {
    match v.abs() {
        a if a >= 60_000.0 => trim(format!("{:.1} min", v / 60_000.0)),
        a if a >= 1_000.0 => trim(format!("{:.1} s", v / 1_000.0)),
        _ => format!("{v:.0} ms"),
    }
}

/// A fast-forward span typed as a number of `unit_secs` units (`10` minutes, `1.5` hours) in whole
/// seconds, or why it is not one: it must be positive and at most a week.
pub fn span_secs(typed: &str, unit_secs: u64) -> Result<u64, String> {
    let bad = || format!("'{}' is not a span: type a number such as 10 or 1.5.", typed.trim());
    let value: f64 = typed.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() {
        return Err(bad());
    }
    let secs = (value * unit_secs as f64).round();
    if !(1.0..=604_800.0).contains(&secs) {
        return Err("Fast-forward by 1 second to 7 days.".to_string());
    }
    Ok(secs as u64)
}

/// `1.0k` → `1k`: a whole value loses its `.0`.
fn trim(label: String) -> String {
    label.replacen(".0", "", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_forward_spans_are_checked() {
        assert_eq!(span_secs("10", 60), Ok(600));
        assert_eq!(span_secs(" 1.5 ", 3_600), Ok(5_400));
        assert!(span_secs("0", 60).is_err());
        assert!(span_secs("ten", 60).expect_err("not a number").contains("not a span"));
        assert!(span_secs("8", 86_400).expect_err("too long").contains("7 days"));
        assert!(span_secs("NaN", 60).is_err() && span_secs("inf", 60).is_err());
    }

    #[test]
    fn axis_values_have_units_and_no_trailing_zero() {
        assert_eq!(
            [axis_count(0.0), axis_count(5.0), axis_count(950.0), axis_count(1_000.0), axis_count(1_250.0)],
            ["0", "5", "950", "1k", "1.2k"]
        );
        assert_eq!(axis_count(2.5), "2.5");
        assert_eq!(axis_count(3_500_000.0), "3.5M");
        assert_eq!(
            [axis_mib(0.25), axis_mib(1.0), axis_mib(0.5), axis_mib(12.0)],
            ["0.25 MiB", "1 MiB", "0.5 MiB", "12 MiB"]
        );
        assert_eq!([axis_millis(250.0), axis_millis(12_000.0), axis_millis(210_000.0)], ["250 ms", "12 s", "3.5 min"]);
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn axis_labels_grow_units() {
        assert_eq!(axis_secs(0.0), "0s");
        assert_eq!(axis_secs(45.2), "45s");
        assert_eq!(axis_secs(125.0), "2:05");
        assert_eq!(axis_secs(3_725.0), "1:02:05");
        assert_eq!(axis_secs(-3.0), "0s");
    }
}
