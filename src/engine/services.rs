//! The simulated services borrowed together, so that anything holding them — the engine for a user's
//! command, a scenario's clients for their calls — reaches every service through the same AWS requests.

use super::firehose::FirehoseService;
use super::functions::Functions;
use super::kds::{KdsRequest, KdsResponse, KdsService};
use super::s3::S3Service;
use super::time::SimTime;
use super::{ApiError, Command, Reply};

/// Every service of the simulated account.
#[derive(Debug)]
pub struct Services<'a> {
    pub kds: &'a mut KdsService,
    pub firehose: &'a mut FirehoseService,
    pub analytics: &'a mut super::analytics::AnalyticsService,
    pub s3: &'a mut S3Service,
    pub endpoints: &'a mut super::endpoints::Endpoints,
    pub functions: &'a mut Functions,
    pub glue: &'a mut super::glue::Catalog,
    pub clusters: &'a mut super::redshift::Clusters,
    pub domains: &'a mut super::opensearch::Domains,
}

impl Services<'_> {
    /// Handles one request at `now`: the action's output, or AWS's error.
    pub fn execute(&mut self, now: SimTime, cmd: Command) -> Result<Reply, ApiError> {
        match cmd {
            // CloudWatch is one front end; the namespace says whose metrics are asked for.
            Command::Kds(KdsRequest::GetMetricStatistics(input)) if input.namespace == "AWS/Firehose" => self
                .firehose
                .get_metric_statistics(&input)
                .map(|o| Reply::Kds(KdsResponse::GetMetricStatistics(o)))
                .map_err(ApiError::Kds),
            Command::Kds(KdsRequest::GetMetricStatistics(input)) if input.namespace == "AWS/KinesisAnalytics" => self
                .analytics
                .get_metric_statistics(&input)
                .map(|o| Reply::Kds(KdsResponse::GetMetricStatistics(o)))
                .map_err(ApiError::Kds),
            Command::Kds(request) => self.kds.handle(now, request).map(Reply::Kds).map_err(ApiError::Kds),
            Command::Firehose(request) => {
                let sinks = super::firehose::Sinks { s3: self.s3, clusters: self.clusters, domains: self.domains };
                self.firehose.handle(now, request, sinks, self.kds).map(Reply::Firehose).map_err(ApiError::Firehose)
            }
            Command::Analytics(request) => {
                self.analytics.handle(now, request).map(Reply::Analytics).map_err(ApiError::Analytics)
            }
            Command::S3(request) => self.s3.handle(now, request).map(Reply::S3).map_err(ApiError::S3),
            Command::Endpoint(request) => {
                self.endpoints.handle(now, request).map(Reply::Endpoint).map_err(ApiError::Endpoint)
            }
            Command::Lambda(request) => {
                self.functions.handle(now, request).map(Reply::Lambda).map_err(ApiError::Lambda)
            }
            Command::Glue(request) => self.glue.handle(now, request).map(Reply::Glue).map_err(ApiError::Glue),
            Command::Redshift(request) => {
                self.clusters.handle(now, request).map(Reply::Redshift).map_err(ApiError::Redshift)
            }
            Command::OpenSearch(request) => {
                self.domains.handle(now, request).map(Reply::OpenSearch).map_err(ApiError::OpenSearch)
            }
        }
    }
}
