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

#[cfg(test)]
mod tests {
    use super::*;

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
