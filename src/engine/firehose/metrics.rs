//! The AWS/Firehose metrics (spec §1.12), kept per second per stream in the same series the Kinesis
//! metrics use. `.Success` datapoints are 1 or 0 per attempt, so their Average is AWS's ratio;
//! DataFreshness is sampled each second while records wait.

use crate::engine::kds::metrics::{Series, Stat};

/// Declares the metrics once: variant, CloudWatch name and unit.
macro_rules! metrics {
    ($($variant:ident = $name:literal in $unit:literal,)*) => {
        /// One AWS/Firehose metric.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum FirehoseMetric {
            $($variant,)*
        }

        impl FirehoseMetric {
            /// Every metric, in series order.
            pub const ALL: [FirehoseMetric; [$($name,)*].len()] = [$(FirehoseMetric::$variant,)*];

            /// The CloudWatch name.
            pub fn name(self) -> &'static str {
                match self {
                    $(FirehoseMetric::$variant => $name,)*
                }
            }

            /// The CloudWatch unit.
            pub fn unit(self) -> &'static str {
                match self {
                    $(FirehoseMetric::$variant => $unit,)*
                }
            }
        }
    };
}

metrics! {
    IncomingBytes = "IncomingBytes" in "Bytes",
    IncomingRecords = "IncomingRecords" in "Count",
    IncomingPutRequests = "IncomingPutRequests" in "Count",
    ThrottledRecords = "ThrottledRecords" in "Count",
    PutRecordBytes = "PutRecord.Bytes" in "Bytes",
    PutRecordRequests = "PutRecord.Requests" in "Count",
    PutRecordBatchBytes = "PutRecordBatch.Bytes" in "Bytes",
    PutRecordBatchRecords = "PutRecordBatch.Records" in "Count",
    PutRecordBatchRequests = "PutRecordBatch.Requests" in "Count",
    DeliveryToS3Bytes = "DeliveryToS3.Bytes" in "Bytes",
    DeliveryToS3Records = "DeliveryToS3.Records" in "Count",
    DeliveryToS3ObjectCount = "DeliveryToS3.ObjectCount" in "Count",
    DeliveryToS3Success = "DeliveryToS3.Success" in "Count",
    DeliveryToS3DataFreshness = "DeliveryToS3.DataFreshness" in "Seconds",
    ExecuteProcessingDuration = "ExecuteProcessing.Duration" in "Milliseconds",
    ExecuteProcessingSuccess = "ExecuteProcessing.Success" in "Count",
    SucceedProcessingRecords = "SucceedProcessing.Records" in "Count",
    SucceedProcessingBytes = "SucceedProcessing.Bytes" in "Bytes",
    DataReadFromKinesisStreamBytes = "DataReadFromKinesisStream.Bytes" in "Bytes",
    DataReadFromKinesisStreamRecords = "DataReadFromKinesisStream.Records" in "Count",
    KinesisMillisBehindLatest = "KinesisMillisBehindLatest" in "Milliseconds",
    ThrottledGetRecords = "ThrottledGetRecords" in "Count",
    ThrottledGetShardIterator = "ThrottledGetShardIterator" in "Count",
    PartitionCount = "PartitionCount" in "Count",
    PartitionCountExceeded = "PartitionCountExceeded" in "Count",
    BackupToS3Bytes = "BackupToS3.Bytes" in "Bytes",
    BackupToS3Records = "BackupToS3.Records" in "Count",
    BackupToS3Success = "BackupToS3.Success" in "Count",
    DeliveryToHttpEndpointBytes = "DeliveryToHttpEndpoint.Bytes" in "Bytes",
    DeliveryToHttpEndpointRecords = "DeliveryToHttpEndpoint.Records" in "Count",
    DeliveryToHttpEndpointProcessedBytes = "DeliveryToHttpEndpoint.ProcessedBytes" in "Bytes",
    DeliveryToHttpEndpointProcessedRecords = "DeliveryToHttpEndpoint.ProcessedRecords" in "Count",
    DeliveryToHttpEndpointSuccess = "DeliveryToHttpEndpoint.Success" in "Count",
    DeliveryToHttpEndpointDataFreshness = "DeliveryToHttpEndpoint.DataFreshness" in "Seconds",
    DeliveryToSplunkBytes = "DeliveryToSplunk.Bytes" in "Bytes",
    DeliveryToSplunkRecords = "DeliveryToSplunk.Records" in "Count",
    DeliveryToSplunkSuccess = "DeliveryToSplunk.Success" in "Count",
    DeliveryToSplunkDataFreshness = "DeliveryToSplunk.DataFreshness" in "Seconds",
    DeliveryToSplunkDataAckLatency = "DeliveryToSplunk.DataAckLatency" in "Milliseconds",
    SucceedConversionRecords = "SucceedConversion.Records" in "Count",
    SucceedConversionBytes = "SucceedConversion.Bytes" in "Bytes",
    FailedConversionRecords = "FailedConversion.Records" in "Count",
    FailedConversionBytes = "FailedConversion.Bytes" in "Bytes",
    DeliveryToRedshiftBytes = "DeliveryToRedshift.Bytes" in "Bytes",
    DeliveryToRedshiftRecords = "DeliveryToRedshift.Records" in "Count",
    DeliveryToRedshiftSuccess = "DeliveryToRedshift.Success" in "Count",
    DeliveryToAmazonOpenSearchServiceBytes = "DeliveryToAmazonOpenSearchService.Bytes" in "Bytes",
    DeliveryToAmazonOpenSearchServiceRecords = "DeliveryToAmazonOpenSearchService.Records" in "Count",
    DeliveryToAmazonOpenSearchServiceSuccess = "DeliveryToAmazonOpenSearchService.Success" in "Count",
    DeliveryToAmazonOpenSearchServiceDataFreshness = "DeliveryToAmazonOpenSearchService.DataFreshness" in "Seconds",
}

impl FirehoseMetric {
    /// The metric a CloudWatch name means; the book era's `DeliveryToElasticsearch.*` names the OpenSearch ones.
    pub fn from_name(name: &str) -> Option<FirehoseMetric> {
        let name = match name.strip_prefix("DeliveryToElasticsearch.") {
            Some(rest) => format!("DeliveryToAmazonOpenSearchService.{rest}"),
            None => name.to_string(),
        };
        FirehoseMetric::ALL.into_iter().find(|m| m.name() == name)
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
