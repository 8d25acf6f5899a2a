//! Amazon Kinesis Data Analytics, simulated (spec firehose-analytics.md §2 and §3): the KDA SQL subset
//! ([`sql`]) and the Flink-style pipelines ([`flink`]), on one model of windows ([`window`]) and event-time
//! watermarks ([`watermark`]) over rows of [`value::Value`]s.
//!
//! This file is the service of the simulated account (the Kinesis Data Analytics v2 API): CreateApplication,
//! StartApplication, StopApplication, DescribeApplication, ListApplications, DeleteApplication, and the
//! lab's InjectApplicationFailure [SIM]. A running application reads its Kinesis stream as one standard
//! consumer and writes to KDS or Firehose ([`run`]); its code runs behind [`runtime::Runtime`], in process
//! natively and in the on-demand Analytics module in the browser's worker. `kinesis-lab analytics` runs
//! the same engines over a rows file ([`batch`]).

pub mod aggregate;
pub mod application;
pub mod batch;
pub mod compare;
pub mod control;
pub mod error;
pub mod examples;
pub mod expr;
pub mod flink;
pub mod metrics;
pub mod run;
pub mod runtime;
pub mod sql;
pub mod value;
pub mod view;
pub mod watermark;
pub mod window;

use crate::engine::time::SimTime;
use application::{Application, Status};
use error::AnalyticsError;
use runtime::RuntimeFactory;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

/// Applications per region (§2.2).
pub const APPLICATIONS_MAX: usize = 50;

/// A request to the service: the action and its body (checked against the action's model by the API).
#[derive(Clone, Debug, PartialEq)]
pub enum AnalyticsRequest {
    CreateApplication(Json),
    StartApplication {
        name: String,
        body: Json,
    },
    StopApplication {
        name: String,
        force: bool,
    },
    DescribeApplication {
        name: String,
    },
    ListApplications,
    DeleteApplication {
        name: String,
    },
    /// The lab's own [SIM]: the application's job fails now (a Flink job restores its last checkpoint).
    InjectApplicationFailure {
        name: String,
    },
}

/// The simulated Kinesis Data Analytics of one account and region.
#[derive(Debug)]
pub struct AnalyticsService {
    account_id: String,
    region: String,
    epoch_ms: u64,
    apps: BTreeMap<String, Application>,
    /// Runs applications' code: natively in process; in the worker, the Analytics module once loaded.
    factory: Option<RuntimeFactory>,
    /// A CreateApplication arrived while no runtime was installed (the worker then loads the module).
    wanted: bool,
}

impl AnalyticsService {
    /// No applications; natively the in-process runtime, in wasm none until one is installed.
    pub fn new(account_id: &str, region: &str, epoch_ms: u64) -> AnalyticsService {
        let factory: Option<RuntimeFactory> =
            if cfg!(all(target_arch = "wasm32", target_os = "unknown")) { None } else { Some(runtime::native) };
        AnalyticsService {
            account_id: account_id.into(),
            region: region.into(),
            epoch_ms,
            apps: BTreeMap::new(),
            factory,
            wanted: false,
        }
    }

    /// Installs what runs applications' code.
    pub fn set_runtime(&mut self, factory: RuntimeFactory) {
        self.factory = Some(factory);
    }

    /// Whether a request needed a runtime that is not installed.
    pub fn awaits_runtime(&self) -> bool {
        self.wanted && self.factory.is_none()
    }

    /// The applications, by name.
    /// GetMetricStatistics for namespace `AWS/KinesisAnalytics`, by the `Application` dimension.
    pub fn get_metric_statistics(
        &self,
        input: &crate::engine::kds::actions::GetMetricStatisticsInput,
    ) -> crate::engine::kds::error::KdsResult<crate::engine::kds::actions::GetMetricStatisticsOutput> {
        crate::engine::kds::cloudwatch::answer(input, self.epoch_ms, |from, to, period| {
            let name = input.dimensions.iter().find(|d| d.name == "Application")?;
            self.apps.get(&name.value)?.metrics.periods(&input.metric_name, from, to, period)
        })
    }

    pub fn applications(&self) -> impl Iterator<Item = &Application> {
        self.apps.values()
    }

    fn app(&mut self, name: &str) -> Result<&mut Application, AnalyticsError> {
        self.apps.get_mut(name).ok_or_else(|| AnalyticsError::not_found(name))
    }

    /// Answers one request.
    pub fn handle(&mut self, now: SimTime, request: AnalyticsRequest) -> Result<Json, AnalyticsError> {
        match request {
            AnalyticsRequest::CreateApplication(body) => {
                let name = body["ApplicationName"].as_str().unwrap_or_default().to_string();
                if self.apps.contains_key(&name) {
                    return Err(AnalyticsError::in_use(format!("Application {name} already exists")));
                }
                if self.apps.len() >= APPLICATIONS_MAX {
                    return Err(AnalyticsError::limit(format!(
                        "This account already has {APPLICATIONS_MAX} applications in {}",
                        self.region
                    )));
                }
                let Some(factory) = self.factory else {
                    self.wanted = true;
                    return Err(AnalyticsError {
                        code: "UnsupportedOperationException",
                        message: "the Analytics module is still loading; try again".into(),
                    });
                };
                let arn = format!("arn:aws:kinesisanalytics:{}:{}:application/{name}", self.region, self.account_id);
                let app = control::create(&body, arn, now, factory)?;
                let detail = control::detail(&app, self.epoch_ms);
                self.apps.insert(name, app);
                Ok(json!({ "ApplicationDetail": detail }))
            }
            AnalyticsRequest::StartApplication { name, body } => {
                let app = self.app(&name)?;
                if app.status != Status::Ready {
                    return Err(AnalyticsError::in_use(format!(
                        "Application {name} is in {} status; it must be READY to start",
                        app.status.as_str()
                    )));
                }
                let sql_position = body
                    .pointer("/RunConfiguration/SqlRunConfigurations/0/InputStartingPositionConfiguration/InputStartingPosition")
                    .and_then(Json::as_str);
                app.start_position = match sql_position {
                    None => app.start_position,
                    Some("NOW") => crate::engine::kds::types::ShardIteratorType::Latest,
                    Some("TRIM_HORIZON") => crate::engine::kds::types::ShardIteratorType::TrimHorizon,
                    Some(other) => {
                        return Err(AnalyticsError::invalid_argument(format!(
                            "InputStartingPosition {other}: the lab starts at NOW or TRIM_HORIZON"
                        )))
                    }
                };
                app.status = Status::Starting;
                app.settles_at = Some(now + run::SETTLE);
                app.stats.start_failure = None;
                Ok(json!({}))
            }
            AnalyticsRequest::StopApplication { name, force } => {
                let app = self.app(&name)?;
                match app.status {
                    Status::Running | Status::Starting => {
                        app.status = Status::Stopping;
                        app.settles_at =
                            Some(now + if force { crate::engine::time::SimDuration::ZERO } else { run::SETTLE });
                        if let Some(r) = app.run.as_mut() {
                            r.source.set_next_poll(None);
                        }
                        Ok(json!({}))
                    }
                    s => Err(AnalyticsError::in_use(format!("Application {name} is in {} status", s.as_str()))),
                }
            }
            AnalyticsRequest::DescribeApplication { name } => {
                let epoch = self.epoch_ms;
                let app = self.app(&name)?;
                Ok(json!({ "ApplicationDetail": control::detail(app, epoch) }))
            }
            AnalyticsRequest::ListApplications => {
                let summaries: Vec<Json> = self
                    .apps
                    .values()
                    .map(|a| {
                        json!({
                            "ApplicationName": a.name,
                            "ApplicationARN": a.arn,
                            "ApplicationStatus": a.status.as_str(),
                            "ApplicationVersionId": a.version_id,
                            "RuntimeEnvironment": a.runtime,
                        })
                    })
                    .collect();
                Ok(json!({ "ApplicationSummaries": summaries }))
            }
            AnalyticsRequest::DeleteApplication { name } => {
                let app = self.app(&name)?;
                if matches!(app.status, Status::Starting | Status::Stopping) {
                    return Err(AnalyticsError::in_use(format!(
                        "Application {name} is in {} status",
                        app.status.as_str()
                    )));
                }
                self.apps.remove(&name);
                Ok(json!({}))
            }
            AnalyticsRequest::InjectApplicationFailure { name } => {
                let epoch = self.epoch_ms;
                let app = self.app(&name)?;
                run::fail(app, now, epoch).map_err(AnalyticsError::in_use)?;
                Ok(json!({}))
            }
        }
    }

    /// Fires every application's due timers; returns the events handled.
    pub fn handle_timeout(&mut self, now: SimTime, reach: &mut run::Reach) -> u64 {
        self.apps.values_mut().map(|a| run::handle_timeout(a, now, reach)).sum()
    }

    /// When a timer is next due.
    pub fn poll_timeout(&self) -> SimTime {
        self.apps.values().map(|a| run::poll_timeout(a, self.epoch_ms)).min().unwrap_or(SimTime::MAX)
    }

    /// The account's epoch (for the reach of its timers).
    pub fn epoch_ms(&self) -> u64 {
        self.epoch_ms
    }

    /// The installed runtime, if any.
    pub fn factory(&self) -> Option<RuntimeFactory> {
        self.factory
    }
}
