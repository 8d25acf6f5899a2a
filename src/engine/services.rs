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
    pub s3: &'a mut S3Service,
    pub endpoints: &'a mut super::endpoints::Endpoints,
    pub functions: &'a mut Functions,
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
            Command::Kds(request) => self.kds.handle(now, request).map(Reply::Kds).map_err(ApiError::Kds),
            Command::Firehose(request) => {
                self.firehose.handle(now, request, self.s3, self.kds).map(Reply::Firehose).map_err(ApiError::Firehose)
            }
            Command::S3(request) => self.s3.handle(now, request).map(Reply::S3).map_err(ApiError::S3),
            Command::Endpoint(request) => {
                self.endpoints.handle(now, request).map(Reply::Endpoint).map_err(ApiError::Endpoint)
            }
            Command::Lambda(request) => {
                self.functions.handle(now, request).map(Reply::Lambda).map_err(ApiError::Lambda)
            }
        }
    }
}
