//! ListStreams and ListShards, with their filters and NextTokens (spec §3.1).
//!
//! A NextToken carries where the next page starts and when it was handed out; it is checksummed, so a
//! token the engine did not issue is refused, and it expires after 300 s (ExpiredNextTokenException).

use super::actions::*;
use super::control::{page_size, shard_view};
use super::datetime::java_utc;
use super::error::{KdsError, KdsResult};
use super::ids::ShardId;
use super::limits::*;
use super::shard::Shard;
use super::types::*;
use super::KdsService;
use crate::engine::time::{SimDuration, SimTime};
use base64::Engine as _;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

/// What a NextToken remembers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct PageToken {
    /// Which listing issued it.
    pub kind: String,
    /// The stream listed (empty for ListStreams).
    pub stream: String,
    /// The stream's incarnation.
    pub generation: u64,
    /// The last item already returned.
    pub after: String,
    /// ListShards' filter, kept so later pages apply it too.
    pub filter: Option<ShardFilterType>,
    /// ListShards' filter shard id or timestamp (epoch ms).
    pub filter_arg: Option<String>,
    /// When it was handed out (simulated microseconds).
    pub issued_us: u64,
}

impl PageToken {
    pub(super) fn encode(&self) -> String {
        let mut bytes = serde_json::to_vec(self).expect("tokens always serialise");
        let sum = token_checksum(&bytes);
        bytes.extend_from_slice(&sum);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    pub(super) fn decode(text: &str, kind: &str) -> Option<PageToken> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
        let (body, sum) = bytes.split_at(bytes.len().checked_sub(8)?);
        if token_checksum(body) != sum {
            return None;
        }
        serde_json::from_slice::<PageToken>(body).ok().filter(|t| t.kind == kind)
    }
}

fn token_checksum(bytes: &[u8]) -> [u8; 8] {
    let digest: [u8; 16] = Md5::new().chain_update(b"kinesis-lab page").chain_update(bytes).finalize().into();
    digest[..8].try_into().expect("16 ≥ 8")
}

impl KdsService {
    /// Reads a NextToken of `kind`, refusing foreign and expired ones.
    pub(super) fn read_token(&self, now: SimTime, text: &str, kind: &str) -> KdsResult<PageToken> {
        let token = PageToken::decode(text, kind)
            .ok_or_else(|| KdsError::invalid_argument(format!("Invalid NextToken: {text}")))?;
        if now.saturating_since(SimTime::from_micros(token.issued_us))
            > SimDuration::from_millis(NEXT_TOKEN_LIFETIME_MS)
        {
            return Err(KdsError::expired_next_token(&java_utc(self.wall_ms(now))));
        }
        Ok(token)
    }

    pub(super) fn list_streams(&mut self, now: SimTime, input: &ListStreamsInput) -> KdsResult<ListStreamsOutput> {
        self.rate_check(now, "ListStreams", "", 5)?;
        let after = match &input.next_token {
            Some(text) => Some(self.read_token(now, text, "ListStreams")?.after),
            None => input.exclusive_start_stream_name.clone(),
        };
        let limit = page_size(input.limit, DESCRIBE_PAGE_MAX);
        let mut page: Vec<&super::stream::Stream> =
            self.streams.values().filter(|s| after.as_ref().is_none_or(|a| s.name.as_str() > a.as_str())).collect();
        let has_more_streams = page.len() > limit;
        page.truncate(limit);
        let next_token = has_more_streams.then(|| {
            let last = page.last().map(|s| s.name.clone()).unwrap_or_default();
            PageToken {
                kind: "ListStreams".into(),
                stream: String::new(),
                generation: 0,
                after: last,
                filter: None,
                filter_arg: None,
                issued_us: now.as_micros(),
            }
            .encode()
        });
        Ok(ListStreamsOutput {
            stream_names: page.iter().map(|s| s.name.clone()).collect(),
            has_more_streams,
            next_token,
            stream_summaries: page
                .iter()
                .map(|s| StreamSummary {
                    stream_name: s.name.clone(),
                    stream_arn: s.arn.clone(),
                    stream_status: s.status,
                    stream_mode_details: StreamModeDetails { stream_mode: s.mode },
                    stream_creation_timestamp: super::datetime::epoch_seconds(s.created_wall_ms),
                })
                .collect(),
        })
    }

    pub(super) fn list_shards(&mut self, now: SimTime, input: &ListShardsInput) -> KdsResult<ListShardsOutput> {
        let query = self.shard_query(now, input)?;
        self.rate_check(now, "ListShards", &query.stream, 1_000)?;
        let account = self.settings.account_id.clone();
        let stream =
            self.streams.get_mut(&query.stream).filter(|s| s.generation == query.generation || query.generation == 0);
        let stream = stream.ok_or_else(|| KdsError::stream_not_found(&query.stream, &account))?;
        if stream.status == StreamStatus::Creating {
            return Err(KdsError::stream_not_active(&stream.name, &account, stream.status.as_str()));
        }
        let floor = stream.raise_trim_floor(now);
        let selected: Vec<&Shard> =
            stream.live_shards().filter(|s| i64::from(s.id.0) > query.after && query.keeps(s, floor, now)).collect();
        let limit = page_size(input.max_results, LIST_SHARDS_PAGE_MAX);
        let more = selected.len() > limit;
        let shards: Vec<ShardView> = selected.iter().take(limit).map(|s| shard_view(s)).collect();
        let next_token = more.then(|| {
            let last = shards.last().map_or(-1, |s| i64::from(s.shard_id.0));
            PageToken {
                kind: "ListShards".into(),
                stream: stream.name.clone(),
                generation: stream.generation,
                after: last.to_string(),
                filter: Some(query.filter),
                filter_arg: query.filter_arg.clone(),
                issued_us: now.as_micros(),
            }
            .encode()
        });
        Ok(ListShardsOutput { shards, next_token })
    }

    /// What a ListShards request asks for, from its parameters or its NextToken.
    fn shard_query(&self, now: SimTime, input: &ListShardsInput) -> KdsResult<ShardQuery> {
        if let Some(text) = &input.next_token {
            if input.stream_name.is_some()
                || input.exclusive_start_shard_id.is_some()
                || input.stream_creation_timestamp.is_some()
            {
                return Err(KdsError::invalid_argument(
                    "NextToken and StreamName, ExclusiveStartShardId or StreamCreationTimestamp cannot be provided together.",
                ));
            }
            let token = self.read_token(now, text, "ListShards")?;
            let after =
                token.after.parse().map_err(|_| KdsError::invalid_argument(format!("Invalid NextToken: {text}")))?;
            let filter = token.filter.unwrap_or(ShardFilterType::FromTrimHorizon);
            return Ok(ShardQuery {
                stream: token.stream,
                generation: token.generation,
                after,
                filter,
                filter_arg: token.filter_arg,
                epoch_ms: self.settings.epoch_ms,
            });
        }
        let stream = self.stream_name_of(input)?;
        let mut after = match &input.exclusive_start_shard_id {
            Some(text) => ShardId::resolve(text).map_or(-1, |id| i64::from(id.0)),
            None => -1,
        };
        let (filter, filter_arg) = match &input.shard_filter {
            None => (ShardFilterType::FromTrimHorizon, None),
            Some(f) => filter_argument(f)?,
        };
        if filter == ShardFilterType::AfterShardId {
            let id = filter_arg.as_deref().and_then(ShardId::resolve).map_or(-1, |id| i64::from(id.0));
            after = after.max(id);
        }
        Ok(ShardQuery { stream, generation: 0, after, filter, filter_arg, epoch_ms: self.settings.epoch_ms })
    }
}

/// A validated ShardFilter's type and argument.
fn filter_argument(filter: &ShardFilter) -> KdsResult<(ShardFilterType, Option<String>)> {
    use ShardFilterType as F;
    let arg = match filter.filter_type {
        F::AfterShardId => match &filter.shard_id {
            Some(id) => Some(id.clone()),
            None => {
                return Err(KdsError::invalid_argument(
                    "ShardId must be specified when the ShardFilter Type is AFTER_SHARD_ID.",
                ))
            }
        },
        F::AtTimestamp | F::FromTimestamp => match filter.timestamp {
            Some(seconds) => Some(((seconds * 1_000.0).round().max(0.0) as u64).to_string()),
            None => {
                return Err(KdsError::invalid_argument(
                    "Timestamp must be specified when the ShardFilter Type is AT_TIMESTAMP or FROM_TIMESTAMP.",
                ))
            }
        },
        F::AtTrimHorizon | F::FromTrimHorizon | F::AtLatest => None,
    };
    Ok((filter.filter_type, arg))
}

/// One ListShards listing.
struct ShardQuery {
    stream: String,
    generation: u64,
    after: i64,
    filter: ShardFilterType,
    filter_arg: Option<String>,
    epoch_ms: u64,
}

impl ShardQuery {
    /// Whether the filter keeps `shard`, given the trim horizon `floor`.
    fn keeps(&self, shard: &Shard, floor: SimTime, now: SimTime) -> bool {
        use ShardFilterType as F;
        let at = || {
            let ms: u64 = self.filter_arg.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
            SimTime::from_millis(ms.saturating_sub(self.epoch_ms)).max(floor).min(now)
        };
        match self.filter {
            F::FromTrimHorizon | F::AfterShardId => true,
            F::AtTrimHorizon => shard.open_at(floor),
            F::AtLatest => shard.is_open(),
            F::AtTimestamp => shard.open_at(at()),
            F::FromTimestamp => shard.closed.is_none_or(|c| c.at >= at()),
        }
    }
}
