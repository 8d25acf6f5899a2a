//! Control-plane actions: create, delete, describe and list streams; retention; tags; limits;
//! encryption; enhanced monitoring; stream mode (spec §3.1, rules R01–R05, R42–R47, R52, R57–R63).

use super::actions::*;
use super::error::{KdsError, KdsErrorKind, KdsResult};
use super::hashing::even_ranges;
use super::ids::ShardId;
use super::limits::*;
use super::stream::{Pending, Stream};
use super::types::*;
use super::{KdsService, KdsTimer};
use crate::engine::time::SimTime;
use std::collections::BTreeSet;

impl KdsService {
    pub(super) fn create_stream(&mut self, now: SimTime, input: &CreateStreamInput) -> KdsResult<()> {
        let mode = input.stream_mode_details.map_or(StreamMode::Provisioned, |d| d.stream_mode);
        let shard_count = match (mode, input.shard_count) {
            (StreamMode::OnDemand, _) => self.settings.on_demand_initial_shards.max(1),
            (StreamMode::Provisioned, Some(n)) if n >= 1 => u32::try_from(n).unwrap_or(u32::MAX),
            (StreamMode::Provisioned, Some(n)) => {
                return Err(KdsError::validation(format!(
                    "1 validation error detected: Value '{n}' at 'shardCount' failed to satisfy constraint: \
                     Member must have value greater than or equal to 1"
                )))
            }
            (StreamMode::Provisioned, None) => {
                return Err(KdsError::invalid_argument("ShardCount is required when StreamMode is PROVISIONED."))
            }
        };
        let tags = input.tags.clone().unwrap_or_default();
        self.rate_check(now, "CreateStream", "", 5)?;
        let account = self.settings.account_id.clone();
        if self.streams.contains_key(&input.stream_name) {
            return Err(KdsError::stream_exists(&input.stream_name, &account));
        }
        let creating = self.streams.values().filter(|s| s.status == StreamStatus::Creating).count();
        if creating >= STREAMS_CREATING_MAX {
            return Err(KdsError::limit_exceeded(format!(
                "This request would exceed the limit of {STREAMS_CREATING_MAX} streams in CREATING state for account {account}."
            )));
        }
        match mode {
            StreamMode::Provisioned => self.quota_check(u64::from(shard_count))?,
            StreamMode::OnDemand => self.on_demand_count_check(1)?,
        }
        check_tag_count(&input.stream_name, &account, tags.len(), 0)?;
        let mut stream = self.new_stream(&input.stream_name, mode, now);
        for range in even_ranges(shard_count) {
            stream.add_shard(range, &[], self.wall_secs(now), now, self.settings.write_burst());
        }
        stream.tags = tags;
        let (name, generation) = (stream.name.clone(), stream.generation);
        self.streams.insert(name.clone(), stream);
        self.timers.schedule(
            self.after(now, self.settings.stream_create_ms),
            KdsTimer::StreamSettles { stream: name, generation },
        );
        Ok(())
    }

    fn new_stream(&mut self, name: &str, mode: StreamMode, now: SimTime) -> Stream {
        self.generations += 1;
        let mut stream = Stream::new(name, self.settings.stream_arn(name), self.generations, mode, self.wall_ms(now));
        stream.detail = self.settings.detail;
        stream.metrics = super::metrics::StreamMetrics::new(
            self.settings.metrics_window_secs,
            self.settings.shard_metrics_window_secs,
        );
        stream.mode_switches = super::bucket::RateWindow::new(
            self.settings.mode_switches_per_day,
            crate::engine::time::SimDuration::from_hours(24),
        );
        stream
    }

    /// On-demand streams per account (§1.1): refuses `additional` more beyond the limit.
    pub(super) fn on_demand_count_check(&self, additional: u64) -> KdsResult<()> {
        let count = self.on_demand_stream_count();
        if count + additional <= self.settings.on_demand_stream_limit {
            return Ok(());
        }
        Err(KdsError::limit_exceeded(format!(
            "This request would exceed the on-demand stream count limit of {} for account {}. Current on-demand stream count: {count}.",
            self.settings.on_demand_stream_limit, self.settings.account_id
        )))
    }

    fn on_demand_stream_count(&self) -> u64 {
        self.streams.values().filter(|s| s.mode == StreamMode::OnDemand).count() as u64
    }

    pub(super) fn delete_stream(&mut self, now: SimTime, input: &DeleteStreamInput) -> KdsResult<()> {
        self.rate_check(now, "DeleteStream", "", 5)?;
        let account = self.settings.account_id.clone();
        let delay = self.settings.stream_delete_ms;
        let stream = self.stream_mut(input)?;
        if matches!(stream.status, StreamStatus::Creating | StreamStatus::Deleting) {
            return Err(KdsError::stream_not_active(&stream.name, &account, stream.status.as_str()));
        }
        if !stream.consumers.is_empty() && input.enforce_consumer_deletion != Some(true) {
            return Err(KdsError::resource_in_use(format!(
                "Stream {} under account {account} has registered consumers. Set EnforceConsumerDeletion to true to delete them with the stream.",
                stream.name
            )));
        }
        stream.status = StreamStatus::Deleting;
        stream.consumers.clear();
        stream.pending = None;
        let (name, generation) = (stream.name.clone(), stream.generation);
        self.timers.schedule(self.after(now, delay), KdsTimer::StreamGone { stream: name, generation });
        Ok(())
    }

    pub(super) fn describe_stream(
        &mut self,
        now: SimTime,
        input: &DescribeStreamInput,
    ) -> KdsResult<DescribeStreamOutput> {
        self.rate_check(now, "DescribeStream", "", 10)?;
        let limit = page_size(input.limit, DESCRIBE_PAGE_MAX);
        let start_after = match &input.exclusive_start_shard_id {
            Some(text) => ShardId::resolve(text).map(|id| id.0 as i64).unwrap_or(-1),
            None => -1,
        };
        self.stream_mut(input)?.apply_retention(now);
        let stream = self.stream(input)?;
        let mut shards: Vec<ShardView> = match stream.status {
            StreamStatus::Creating => Vec::new(),
            _ => stream.live_shards().filter(|s| i64::from(s.id.0) > start_after).map(shard_view).collect(),
        };
        let has_more_shards = shards.len() > limit;
        shards.truncate(limit);
        let summary = self.summary_of(stream);
        Ok(DescribeStreamOutput {
            stream_description: StreamDescription {
                stream_name: summary.stream_name,
                stream_arn: summary.stream_arn,
                stream_status: summary.stream_status,
                stream_mode_details: summary.stream_mode_details,
                shards,
                has_more_shards,
                retention_period_hours: summary.retention_period_hours,
                stream_creation_timestamp: summary.stream_creation_timestamp,
                enhanced_monitoring: summary.enhanced_monitoring,
                encryption_type: summary.encryption_type,
                key_id: summary.key_id,
            },
        })
    }

    pub(super) fn describe_stream_summary(
        &mut self,
        now: SimTime,
        input: &DescribeStreamSummaryInput,
    ) -> KdsResult<DescribeStreamSummaryOutput> {
        self.rate_check(now, "DescribeStreamSummary", "", 20)?;
        self.stream_mut(input)?.apply_retention(now);
        let stream = self.stream(input)?;
        Ok(DescribeStreamSummaryOutput { stream_description_summary: self.summary_of(stream) })
    }

    fn summary_of(&self, stream: &Stream) -> StreamDescriptionSummary {
        StreamDescriptionSummary {
            stream_name: stream.name.clone(),
            stream_arn: stream.arn.clone(),
            stream_status: stream.status,
            stream_mode_details: StreamModeDetails { stream_mode: stream.mode },
            retention_period_hours: stream.retention_hours,
            stream_creation_timestamp: super::datetime::epoch_seconds(stream.created_wall_ms),
            enhanced_monitoring: vec![EnhancedMetrics {
                shard_level_metrics: stream.shard_level_metrics.iter().copied().collect(),
            }],
            encryption_type: stream.encryption_type(),
            key_id: stream.kms_key.clone(),
            open_shard_count: if stream.status == StreamStatus::Creating { 0 } else { stream.open_shard_count() },
            consumer_count: stream.consumers.len() as u64,
        }
    }

    pub(super) fn change_retention(
        &mut self,
        now: SimTime,
        input: &RetentionPeriodInput,
        increase: bool,
    ) -> KdsResult<()> {
        let hours = input.retention_period_hours;
        let account = self.settings.account_id.clone();
        let stream = self.stream_mut(input)?;
        stream.ensure_active(&account)?;
        if hours < i64::from(RETENTION_HOURS_MIN) {
            return Err(KdsError::invalid_argument(format!(
                "Minimum allowed retention period is {RETENTION_HOURS_MIN} hours. Requested retention period ({hours} hours) is too short."
            )));
        }
        if hours > i64::from(RETENTION_HOURS_MAX) {
            return Err(KdsError::invalid_argument(format!(
                "Maximum allowed retention period is {RETENTION_HOURS_MAX} hours. Requested retention period ({hours} hours) is too long."
            )));
        }
        let (current, name) = (i64::from(stream.retention_hours), stream.name.clone());
        if increase && hours < current {
            return Err(KdsError::invalid_argument(format!(
                "Requested retention period ({hours} hours) for stream {name} can not be shorter than existing retention period ({current} hours). Use DecreaseRetentionPeriod API."
            )));
        }
        if !increase && hours > current {
            return Err(KdsError::invalid_argument(format!(
                "Requested retention period ({hours} hours) for stream {name} can not be longer than existing retention period ({current} hours). Use IncreaseRetentionPeriod API."
            )));
        }
        stream.apply_retention(now);
        stream.retention_hours = hours as u32;
        // R44: a decrease makes older data unreadable at once; an increase never brings it back.
        stream.apply_retention(now);
        Ok(())
    }

    pub(super) fn add_tags_to_stream(&mut self, now: SimTime, input: &AddTagsToStreamInput) -> KdsResult<()> {
        self.rate_check(now, "AddTagsToStream", "", 5)?;
        let account = self.settings.account_id.clone();
        let stream = self.stream_mut(input)?;
        check_tag_chars(&stream.name, &account, &input.tags)?;
        let new_keys = input.tags.keys().filter(|k| !stream.tags.contains_key(*k)).count();
        check_tag_count(&stream.name, &account, input.tags.len(), stream.tags.len() + new_keys)?;
        stream.tags.extend(input.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(())
    }

    pub(super) fn remove_tags_from_stream(&mut self, now: SimTime, input: &RemoveTagsFromStreamInput) -> KdsResult<()> {
        self.rate_check(now, "RemoveTagsFromStream", "", 5)?;
        let stream = self.stream_mut(input)?;
        for key in &input.tag_keys {
            stream.tags.remove(key);
        }
        Ok(())
    }

    pub(super) fn list_tags_for_stream(
        &mut self,
        now: SimTime,
        input: &ListTagsForStreamInput,
    ) -> KdsResult<ListTagsForStreamOutput> {
        self.rate_check(now, "ListTagsForStream", "", 5)?;
        let stream = self.stream(input)?;
        let limit = page_size(input.limit, TAGS_PER_STREAM_MAX);
        let after = input.exclusive_start_tag_key.as_deref();
        let mut tags: Vec<Tag> = stream
            .tags
            .iter()
            .filter(|(k, _)| after.is_none_or(|a| k.as_str() > a))
            .map(|(k, v)| Tag { key: k.clone(), value: v.clone() })
            .collect();
        let has_more_tags = tags.len() > limit;
        tags.truncate(limit);
        Ok(ListTagsForStreamOutput { tags, has_more_tags })
    }

    pub(super) fn describe_limits(&mut self, now: SimTime) -> KdsResult<DescribeLimitsOutput> {
        self.rate_check(now, "DescribeLimits", "", 1)?;
        Ok(DescribeLimitsOutput {
            shard_limit: self.settings.shard_quota(),
            open_shard_count: self.account_open_shards(),
            on_demand_stream_count: self.on_demand_stream_count(),
            on_demand_stream_count_limit: self.settings.on_demand_stream_limit,
        })
    }

    pub(super) fn change_encryption(
        &mut self,
        now: SimTime,
        input: &StreamEncryptionInput,
        start: bool,
    ) -> KdsResult<()> {
        let account = self.settings.account_id.clone();
        let delay = self.settings.stream_update_ms;
        if input.encryption_type != EncryptionType::Kms {
            return Err(KdsError::invalid_argument("EncryptionType must be KMS."));
        }
        if let Some(problem) = kms_problem(&input.key_id, false) {
            return Err(problem);
        }
        let stream = self.stream_mut(input)?;
        let name = stream.name.clone();
        stream.ensure_active(&account)?;
        if !start && stream.kms_key.as_ref().is_some_and(|key| *key != input.key_id) {
            return Err(KdsError::invalid_argument(format!(
                "Stream {name} under account {account} is not encrypted with key {}.",
                input.key_id
            )));
        }
        if !stream.encryption_changes.try_acquire(now) {
            return Err(KdsError::limit_exceeded(format!(
                "Exceeded the limit of {ENCRYPTION_CHANGES_PER_DAY} encryption changes per rolling 24 hours for stream {name} under account {account}."
            )));
        }
        stream.pending =
            Some(if start { Pending::StartEncryption(input.key_id.clone()) } else { Pending::StopEncryption });
        self.begin_update(now, &name, delay);
        Ok(())
    }

    pub(super) fn enhanced_monitoring(
        &mut self,
        input: &EnhancedMonitoringInput,
        enable: bool,
    ) -> KdsResult<EnhancedMonitoringOutput> {
        let account = self.settings.account_id.clone();
        let stream = self.stream_mut(input)?;
        stream.ensure_active(&account)?;
        let named: BTreeSet<ShardLevelMetric> = if input.shard_level_metrics.contains(&ShardLevelMetric::All) {
            ShardLevelMetric::EACH.into_iter().collect()
        } else {
            input.shard_level_metrics.iter().copied().collect()
        };
        let current: Vec<ShardLevelMetric> = stream.shard_level_metrics.iter().copied().collect();
        if enable {
            stream.shard_level_metrics.extend(named);
        } else {
            stream.shard_level_metrics.retain(|m| !named.contains(m));
        }
        Ok(EnhancedMonitoringOutput {
            stream_name: stream.name.clone(),
            current_shard_level_metrics: current,
            desired_shard_level_metrics: stream.shard_level_metrics.iter().copied().collect(),
            stream_arn: stream.arn.clone(),
        })
    }

    pub(super) fn update_stream_mode(&mut self, now: SimTime, input: &UpdateStreamModeInput) -> KdsResult<()> {
        let name = self.name_from_arn(&input.stream_arn)?;
        let account = self.settings.account_id.clone();
        let target = input.stream_mode_details.stream_mode;
        if target == StreamMode::OnDemand && self.streams.get(&name).is_some_and(|s| s.mode != target) {
            self.on_demand_count_check(1)?;
        }
        let delay = self.settings.stream_update_ms;
        let stream = self.streams.get_mut(&name).ok_or_else(|| KdsError::stream_not_found(&name, &account))?;
        stream.ensure_active(&account)?;
        if stream.mode == target {
            return Err(KdsError::invalid_argument(format!(
                "Stream {name} under account {account} is already in {} mode.",
                mode_text(target)
            )));
        }
        if !stream.mode_switches.try_acquire(now) {
            return Err(KdsError::limit_exceeded(format!(
                "Exceeded the limit of capacity mode switches per rolling 24 hours for stream {name} under account {account}."
            )));
        }
        stream.pending = Some(Pending::Mode(target));
        self.begin_update(now, &name, delay);
        Ok(())
    }

    /// Puts a stream into UPDATING; its pending work is applied when `delay_ms` has passed.
    pub(super) fn begin_update(&mut self, now: SimTime, name: &str, delay_ms: u64) {
        let stream = self.streams.get_mut(name).expect("callers found the stream");
        stream.status = StreamStatus::Updating;
        let timer = KdsTimer::StreamSettles { stream: name.to_string(), generation: stream.generation };
        self.timers.schedule(self.after(now, delay_ms), timer);
    }

    /// A CREATING or UPDATING stream becomes ACTIVE, applying the pending work.
    pub(super) fn settle(&mut self, now: SimTime, name: &str, generation: u64) {
        let Some(stream) = self.streams.get_mut(name).filter(|s| s.generation == generation) else { return };
        if !matches!(stream.status, StreamStatus::Creating | StreamStatus::Updating) {
            return;
        }
        stream.status = StreamStatus::Active;
        let was_on_demand = stream.mode == StreamMode::OnDemand && stream.pending.is_some();
        match stream.pending.take() {
            None => {}
            Some(Pending::Mode(mode)) => stream.mode = mode,
            Some(Pending::StartEncryption(key)) => stream.kms_key = Some(key),
            Some(Pending::StopEncryption) => stream.kms_key = None,
            Some(reshard) => self.apply_reshard(now, name, reshard),
        }
        // A stream that just became ON_DEMAND (created so, or switched) starts its capacity checks.
        let stream = &self.streams[name];
        if stream.mode == StreamMode::OnDemand && !was_on_demand {
            let at = self.after(now, self.settings.on_demand_check_ms);
            self.timers.schedule(at, KdsTimer::OnDemandCheck { stream: name.to_string(), generation });
        }
    }
}

/// A page size from a request's `Limit`, at most `max` (and `max` when absent).
pub(super) fn page_size(limit: Option<i64>, max: usize) -> usize {
    limit.map_or(max, |l| usize::try_from(l.max(1)).unwrap_or(max).min(max))
}

/// A shard as DescribeStream and ListShards show it.
pub(super) fn shard_view(shard: &super::shard::Shard) -> ShardView {
    ShardView {
        shard_id: shard.id,
        parent_shard_id: shard.parent,
        adjacent_parent_shard_id: shard.adjacent_parent,
        hash_key_range: HashKeyRangeView { starting_hash_key: shard.range.start, ending_hash_key: shard.range.end },
        sequence_number_range: SequenceNumberRangeView {
            starting_sequence_number: shard.starting_sequence_number(),
            ending_sequence_number: shard.ending_sequence_number(),
        },
    }
}

fn mode_text(mode: StreamMode) -> &'static str {
    match mode {
        StreamMode::Provisioned => "PROVISIONED",
        StreamMode::OnDemand => "ON_DEMAND",
    }
}

fn too_many_tags(stream: &str, account: &str) -> KdsError {
    // AWS's own text says 10 while enforcing 50 (kinesalite records it verbatim).
    KdsError::invalid_argument(format!(
        "Failed to add tags to stream {stream} under account {account} because a given stream cannot have more than 10 tags associated with it."
    ))
}

/// R05: at most 10 tags per request and 50 per stream.
fn check_tag_count(stream: &str, account: &str, in_request: usize, after: usize) -> KdsResult<()> {
    if in_request > TAGS_PER_REQUEST_MAX {
        return Err(KdsError::invalid_argument(format!(
            "Failed to add tags to stream {stream} under account {account} because a request can add at most {TAGS_PER_REQUEST_MAX} tags."
        )));
    }
    if after > TAGS_PER_STREAM_MAX {
        return Err(too_many_tags(stream, account));
    }
    Ok(())
}

/// Tag keys and values: Unicode letters, digits, white space and `_ . / = + - @ :`.
fn check_tag_chars(stream: &str, account: &str, tags: &std::collections::BTreeMap<String, String>) -> KdsResult<()> {
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_./=+-@:".contains(c);
    let all = tags.iter().flat_map(|(k, v)| [k, v]);
    if all.clone().any(|t| t.contains('%')) {
        return Err(KdsError::invalid_argument(format!(
            "Failed to add tags to stream {stream} under account {account} because some tags contained illegal characters. \
             The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'."
        )));
    }
    if all.flat_map(|t| t.chars()).any(|c| !allowed(c)) {
        return Err(KdsError::invalid_argument(
            "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.",
        ));
    }
    Ok(())
}

/// The simulated KMS. Keys are ordinary ids; an id containing a marker behaves like a key in that state,
/// so a lesson can show each failure (R62). `missing`, `no-access` and `opt-in` fail at once, when
/// encryption starts. `disabled`, `pending-deletion` and `throttled` model a key that went bad after
/// encryption started: they fail the reads and writes of the encrypted stream (`on_use`).
pub(super) fn kms_problem(key_id: &str, on_use: bool) -> Option<KdsError> {
    let lower = key_id.to_ascii_lowercase();
    let found = |marker: &str| lower.contains(marker);
    let (kind, text) = if found("missing") {
        (KdsErrorKind::KmsNotFound, format!("The KMS key {key_id} does not exist."))
    } else if found("no-access") {
        (KdsErrorKind::KmsAccessDenied, format!("Kinesis is not authorized to use the KMS key {key_id}."))
    } else if found("opt-in") {
        (KdsErrorKind::KmsOptInRequired, "The AWS access key ID needs a subscription for the service.".to_string())
    } else if on_use && found("disabled") {
        (KdsErrorKind::KmsDisabled, format!("The KMS key {key_id} is disabled."))
    } else if on_use && found("pending-deletion") {
        (KdsErrorKind::KmsInvalidState, format!("The KMS key {key_id} is pending deletion."))
    } else if on_use && found("throttled") {
        (KdsErrorKind::KmsThrottling, "Rate exceeded for KMS requests.".to_string())
    } else {
        return None;
    };
    Some(KdsError::kms(kind, text))
}
