//! The Firehose lab's metric charts, from the stream view's per-second history: the bytes in (IncomingBytes,
//! or DataReadFromKinesisStream.Bytes for a Kinesis source) against the break-even rate (size hint ÷
//! interval), and the records in against the records delivered.

use crate::engine::firehose::view::DeliveryStreamView;
use crate::view_model::charts::{Chart, Ink, Line, Unit};

/// The bytes in per second, with the break-even rate as the rule above which SIZE flushes first.
pub fn bytes_chart(v: &DeliveryStreamView) -> Chart {
    let points = v.history.iter().map(|(t, bytes, _, _)| (*t as f64, *bytes as f64)).collect();
    let break_even = v.size_hint_bytes as f64 / v.interval_s.max(1) as f64;
    let metric = &v.incoming_metrics.0;
    Chart {
        title: format!("{metric} per second"),
        unit: Unit::Bytes,
        x: x_range(v),
        lines: vec![Line { label: metric.clone(), ink: Ink::Main, points }],
        limit: Some((break_even, "break-even (size ÷ interval)".into())),
    }
}

/// IncomingRecords and the records delivered, per second.
pub fn records_chart(v: &DeliveryStreamView) -> Chart {
    let incoming = v.history.iter().map(|(t, _, records, _)| (*t as f64, *records as f64)).collect();
    let delivered = v.history.iter().map(|(t, _, _, delivered)| (*t as f64, *delivered as f64)).collect();
    Chart {
        title: "Records per second: in and delivered".into(),
        unit: Unit::Count,
        x: x_range(v),
        lines: vec![
            Line { label: v.incoming_metrics.1.clone(), ink: Ink::Main, points: incoming },
            Line { label: v.delivered_metric.clone(), ink: Ink::Palette(1), points: delivered },
        ],
        limit: None,
    }
}

fn x_range(v: &DeliveryStreamView) -> (f64, f64) {
    let first = v.history.first().map_or(0.0, |h| h.0 as f64);
    let last = v.history.last().map_or(1.0, |h| h.0 as f64);
    (first, last.max(first + 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_charts_carry_the_history_and_the_break_even_rule() {
        let v = DeliveryStreamView {
            size_hint_bytes: 5 * 1_048_576,
            interval_s: 300,
            history: vec![(10, 2_000, 20, 0), (11, 2_100, 21, 1_200)],
            delivered_metric: "DeliveryToHttpEndpoint.Records".into(),
            incoming_metrics: ("DataReadFromKinesisStream.Bytes".into(), "DataReadFromKinesisStream.Records".into()),
            ..Default::default()
        };
        let b = bytes_chart(&v);
        assert_eq!(b.limit.as_ref().map(|l| l.0.round()), Some(17_476.0));
        assert_eq!(b.x, (10.0, 11.0));
        assert_eq!(b.title, "DataReadFromKinesisStream.Bytes per second");
        let r = records_chart(&v);
        assert_eq!(r.lines[1].label, "DeliveryToHttpEndpoint.Records");
        assert_eq!(r.lines[1].points, [(10.0, 0.0), (11.0, 1_200.0)]);
    }
}
