//! The AWS/Firehose metrics (spec §1.12), kept per second per stream in the same series the Kinesis
//! metrics use. `.Success` datapoints are 1 or 0 per attempt, so their Average is AWS's ratio;
//! DataFreshness is sampled each second while records wait.

use crate::engine::kds::metrics::{Series, Stat};

/// One AWS/Firehose metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirehoseMetric {
    IncomingBytes,
    IncomingRecords,
    IncomingPutRequests,
    ThrottledRecords,
    PutRecordBytes,
    PutRecordRequests,
    PutRecordBatchBytes,
    PutRecordBatchRecords,
    PutRecordBatchRequests,
    DeliveryToS3Bytes,
    DeliveryToS3Records,
    DeliveryToS3ObjectCount,
    DeliveryToS3Success,
    DeliveryToS3DataFreshness,
    ExecuteProcessingDuration,
    ExecuteProcessingSuccess,
    SucceedProcessingRecords,
    SucceedProcessingBytes,
    DataReadFromKinesisStreamBytes,
    DataReadFromKinesisStreamRecords,
    KinesisMillisBehindLatest,
    ThrottledGetRecords,
    ThrottledGetShardIterator,
    PartitionCount,
    PartitionCountExceeded,
    BackupToS3Bytes,
    BackupToS3Records,
    BackupToS3Success,
    DeliveryToHttpEndpointBytes,
    DeliveryToHttpEndpointRecords,
    DeliveryToHttpEndpointProcessedBytes,
    DeliveryToHttpEndpointProcessedRecords,
    DeliveryToHttpEndpointSuccess,
    DeliveryToHttpEndpointDataFreshness,
    DeliveryToSplunkBytes,
    DeliveryToSplunkRecords,
    DeliveryToSplunkSuccess,
    DeliveryToSplunkDataFreshness,
    DeliveryToSplunkDataAckLatency,
}

impl FirehoseMetric {
    /// Every metric, in series order.
    pub const ALL: [FirehoseMetric; 39] = [
        FirehoseMetric::IncomingBytes,
        FirehoseMetric::IncomingRecords,
        FirehoseMetric::IncomingPutRequests,
        FirehoseMetric::ThrottledRecords,
        FirehoseMetric::PutRecordBytes,
        FirehoseMetric::PutRecordRequests,
        FirehoseMetric::PutRecordBatchBytes,
        FirehoseMetric::PutRecordBatchRecords,
        FirehoseMetric::PutRecordBatchRequests,
        FirehoseMetric::DeliveryToS3Bytes,
        FirehoseMetric::DeliveryToS3Records,
        FirehoseMetric::DeliveryToS3ObjectCount,
        FirehoseMetric::DeliveryToS3Success,
        FirehoseMetric::DeliveryToS3DataFreshness,
        FirehoseMetric::ExecuteProcessingDuration,
        FirehoseMetric::ExecuteProcessingSuccess,
        FirehoseMetric::SucceedProcessingRecords,
        FirehoseMetric::SucceedProcessingBytes,
        FirehoseMetric::DataReadFromKinesisStreamBytes,
        FirehoseMetric::DataReadFromKinesisStreamRecords,
        FirehoseMetric::KinesisMillisBehindLatest,
        FirehoseMetric::ThrottledGetRecords,
        FirehoseMetric::ThrottledGetShardIterator,
        FirehoseMetric::PartitionCount,
        FirehoseMetric::PartitionCountExceeded,
        FirehoseMetric::BackupToS3Bytes,
        FirehoseMetric::BackupToS3Records,
        FirehoseMetric::BackupToS3Success,
        FirehoseMetric::DeliveryToHttpEndpointBytes,
        FirehoseMetric::DeliveryToHttpEndpointRecords,
        FirehoseMetric::DeliveryToHttpEndpointProcessedBytes,
        FirehoseMetric::DeliveryToHttpEndpointProcessedRecords,
        FirehoseMetric::DeliveryToHttpEndpointSuccess,
        FirehoseMetric::DeliveryToHttpEndpointDataFreshness,
        FirehoseMetric::DeliveryToSplunkBytes,
        FirehoseMetric::DeliveryToSplunkRecords,
        FirehoseMetric::DeliveryToSplunkSuccess,
        FirehoseMetric::DeliveryToSplunkDataFreshness,
        FirehoseMetric::DeliveryToSplunkDataAckLatency,
    ];

    /// The CloudWatch name.
    pub fn name(self) -> &'static str {
        match self {
            FirehoseMetric::IncomingBytes => "IncomingBytes",
            FirehoseMetric::IncomingRecords => "IncomingRecords",
            FirehoseMetric::IncomingPutRequests => "IncomingPutRequests",
            FirehoseMetric::ThrottledRecords => "ThrottledRecords",
            FirehoseMetric::PutRecordBytes => "PutRecord.Bytes",
            FirehoseMetric::PutRecordRequests => "PutRecord.Requests",
            FirehoseMetric::PutRecordBatchBytes => "PutRecordBatch.Bytes",
            FirehoseMetric::PutRecordBatchRecords => "PutRecordBatch.Records",
            FirehoseMetric::PutRecordBatchRequests => "PutRecordBatch.Requests",
            FirehoseMetric::DeliveryToS3Bytes => "DeliveryToS3.Bytes",
            FirehoseMetric::DeliveryToS3Records => "DeliveryToS3.Records",
            FirehoseMetric::DeliveryToS3ObjectCount => "DeliveryToS3.ObjectCount",
            FirehoseMetric::DeliveryToS3Success => "DeliveryToS3.Success",
            FirehoseMetric::DeliveryToS3DataFreshness => "DeliveryToS3.DataFreshness",
            FirehoseMetric::ExecuteProcessingDuration => "ExecuteProcessing.Duration",
            FirehoseMetric::ExecuteProcessingSuccess => "ExecuteProcessing.Success",
            FirehoseMetric::SucceedProcessingRecords => "SucceedProcessing.Records",
            FirehoseMetric::SucceedProcessingBytes => "SucceedProcessing.Bytes",
            FirehoseMetric::DataReadFromKinesisStreamBytes => "DataReadFromKinesisStream.Bytes",
            FirehoseMetric::DataReadFromKinesisStreamRecords => "DataReadFromKinesisStream.Records",
            FirehoseMetric::KinesisMillisBehindLatest => "KinesisMillisBehindLatest",
            FirehoseMetric::ThrottledGetRecords => "ThrottledGetRecords",
            FirehoseMetric::ThrottledGetShardIterator => "ThrottledGetShardIterator",
            FirehoseMetric::PartitionCount => "PartitionCount",
            FirehoseMetric::PartitionCountExceeded => "PartitionCountExceeded",
            FirehoseMetric::BackupToS3Bytes => "BackupToS3.Bytes",
            FirehoseMetric::BackupToS3Records => "BackupToS3.Records",
            FirehoseMetric::BackupToS3Success => "BackupToS3.Success",
            FirehoseMetric::DeliveryToHttpEndpointBytes => "DeliveryToHttpEndpoint.Bytes",
            FirehoseMetric::DeliveryToHttpEndpointRecords => "DeliveryToHttpEndpoint.Records",
            FirehoseMetric::DeliveryToHttpEndpointProcessedBytes => "DeliveryToHttpEndpoint.ProcessedBytes",
            FirehoseMetric::DeliveryToHttpEndpointProcessedRecords => "DeliveryToHttpEndpoint.ProcessedRecords",
            FirehoseMetric::DeliveryToHttpEndpointSuccess => "DeliveryToHttpEndpoint.Success",
            FirehoseMetric::DeliveryToHttpEndpointDataFreshness => "DeliveryToHttpEndpoint.DataFreshness",
            FirehoseMetric::DeliveryToSplunkBytes => "DeliveryToSplunk.Bytes",
            FirehoseMetric::DeliveryToSplunkRecords => "DeliveryToSplunk.Records",
            FirehoseMetric::DeliveryToSplunkSuccess => "DeliveryToSplunk.Success",
            FirehoseMetric::DeliveryToSplunkDataFreshness => "DeliveryToSplunk.DataFreshness",
            FirehoseMetric::DeliveryToSplunkDataAckLatency => "DeliveryToSplunk.DataAckLatency",
        }
    }

    /// The metric a CloudWatch name means.
    pub fn from_name(name: &str) -> Option<FirehoseMetric> {
        FirehoseMetric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The CloudWatch unit.
    pub fn unit(self) -> &'static str {
        match self {
            FirehoseMetric::IncomingBytes
            | FirehoseMetric::PutRecordBytes
            | FirehoseMetric::PutRecordBatchBytes
            | FirehoseMetric::DeliveryToS3Bytes
            | FirehoseMetric::SucceedProcessingBytes
            | FirehoseMetric::DataReadFromKinesisStreamBytes
            | FirehoseMetric::BackupToS3Bytes
            | FirehoseMetric::DeliveryToHttpEndpointBytes
            | FirehoseMetric::DeliveryToHttpEndpointProcessedBytes
            | FirehoseMetric::DeliveryToSplunkBytes => "Bytes",
            FirehoseMetric::KinesisMillisBehindLatest
            | FirehoseMetric::ExecuteProcessingDuration
            | FirehoseMetric::DeliveryToSplunkDataAckLatency => "Milliseconds",
            FirehoseMetric::DeliveryToS3DataFreshness
            | FirehoseMetric::DeliveryToHttpEndpointDataFreshness
            | FirehoseMetric::DeliveryToSplunkDataFreshness => "Seconds",
            _ => "Count",
        }
    }

    fn index(self) -> usize {
        FirehoseMetric::ALL.iter().position(|m| *m == self).expect("ALL lists every metric")
    }
}

/// One stream's per-second series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamMetrics {
    series: Series<{ FirehoseMetric::ALL.len() }>,
    window_secs: u64,
}

impl StreamMetrics {
    /// Empty, keeping `window_secs` seconds.
    pub fn new(window_secs: u64) -> StreamMetrics {
        StreamMetrics { series: Series::default(), window_secs }
    }

    /// One datapoint at `second`.
    pub fn add(&mut self, second: u64, metric: FirehoseMetric, value: u64) {
        self.series.add(second, metric.index(), value, self.window_secs);
    }

    /// The aggregates over `period`-aligned periods with data in [from, to).
    pub fn periods(&self, metric: FirehoseMetric, from: u64, to: u64, period: u64) -> Vec<(u64, Stat)> {
        self.series.periods(metric.index(), from, to, period)
    }
}
