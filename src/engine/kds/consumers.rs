//! Enhanced fan-out consumers: register, deregister, describe, list (spec §1.6, R33–R34, R39, R41).

use super::actions::*;
use super::control::page_size;
use super::datetime::epoch_seconds;
use super::error::{KdsError, KdsResult};
use super::limits::*;
use super::listing::PageToken;
use super::stream::{Consumer, Stream};
use super::types::*;
use super::{KdsService, KdsTimer};
use crate::engine::time::SimTime;

impl KdsService {
    pub(super) fn register_stream_consumer(
        &mut self,
        now: SimTime,
        input: &RegisterStreamConsumerInput,
    ) -> KdsResult<RegisterStreamConsumerOutput> {
        self.rate_check(now, "RegisterStreamConsumer", "", 5)?;
        let name = self.name_from_arn(&input.stream_arn)?;
        let account = self.settings.account_id.clone();
        let creating: usize = self
            .streams
            .values()
            .flat_map(|s| s.consumers.values())
            .filter(|c| c.status == ConsumerStatus::Creating)
            .count();
        let wall_ms = self.wall_ms(now);
        let delay = self.settings.consumer_create_ms;
        let stream = self.streams.get_mut(&name).ok_or_else(|| KdsError::stream_not_found(&name, &account))?;
        if !matches!(stream.status, StreamStatus::Active | StreamStatus::Updating) {
            return Err(KdsError::stream_not_active(&name, &account, stream.status.as_str()));
        }
        if stream.consumers.contains_key(&input.consumer_name) {
            return Err(KdsError::resource_in_use(format!(
                "Consumer {} under stream {name} already exists for account {account}.",
                input.consumer_name
            )));
        }
        if stream.consumers.len() >= CONSUMERS_PER_STREAM_MAX {
            return Err(KdsError::limit_exceeded(format!(
                "Stream {name} under account {account} already has the maximum of {CONSUMERS_PER_STREAM_MAX} registered consumers."
            )));
        }
        if creating >= CONSUMERS_CREATING_MAX {
            return Err(KdsError::limit_exceeded(format!(
                "Account {account} already has {CONSUMERS_CREATING_MAX} consumers in CREATING state."
            )));
        }
        let consumer = Consumer {
            name: input.consumer_name.clone(),
            arn: format!("{}/consumer/{}:{}", stream.arn, input.consumer_name, wall_ms / 1_000),
            status: ConsumerStatus::Creating,
            created_wall_ms: wall_ms,
        };
        let view = consumer_view(&consumer);
        let timer = KdsTimer::ConsumerActive {
            stream: name,
            generation: stream.generation,
            consumer: consumer.name.clone(),
            created_wall_ms: wall_ms,
        };
        stream.consumers.insert(consumer.name.clone(), consumer);
        self.timers.schedule(self.after(now, delay), timer);
        Ok(RegisterStreamConsumerOutput { consumer: view })
    }

    pub(super) fn deregister_stream_consumer(&mut self, now: SimTime, input: &ConsumerRefInput) -> KdsResult<()> {
        let (stream_name, consumer_name) = self.consumer_of(input)?;
        self.rate_check(now, "DeregisterStreamConsumer", &stream_name, 5)?;
        let delay = self.settings.consumer_delete_ms;
        let stream = self.streams.get_mut(&stream_name).expect("consumer_of found it");
        let consumer = stream.consumers.get_mut(&consumer_name).expect("consumer_of found it");
        if consumer.status == ConsumerStatus::Deleting {
            return Ok(());
        }
        consumer.status = ConsumerStatus::Deleting;
        let timer = KdsTimer::ConsumerGone {
            stream: stream_name,
            generation: stream.generation,
            consumer: consumer_name,
            created_wall_ms: consumer.created_wall_ms,
        };
        self.timers.schedule(self.after(now, delay), timer);
        Ok(())
    }

    pub(super) fn describe_stream_consumer(
        &mut self,
        now: SimTime,
        input: &ConsumerRefInput,
    ) -> KdsResult<DescribeStreamConsumerOutput> {
        let (stream_name, consumer_name) = self.consumer_of(input)?;
        self.rate_check(now, "DescribeStreamConsumer", &stream_name, 20)?;
        let stream = &self.streams[&stream_name];
        let c = &stream.consumers[&consumer_name];
        Ok(DescribeStreamConsumerOutput {
            consumer_description: ConsumerDescription {
                consumer_name: c.name.clone(),
                consumer_arn: c.arn.clone(),
                consumer_status: c.status,
                consumer_creation_timestamp: epoch_seconds(c.created_wall_ms),
                stream_arn: stream.arn.clone(),
            },
        })
    }

    pub(super) fn list_stream_consumers(
        &mut self,
        now: SimTime,
        input: &ListStreamConsumersInput,
    ) -> KdsResult<ListStreamConsumersOutput> {
        let name = self.name_from_arn(&input.stream_arn)?;
        self.rate_check(now, "ListStreamConsumers", &name, 5)?;
        let after = match &input.next_token {
            Some(text) => Some(self.read_token(now, text, "ListStreamConsumers")?.after),
            None => None,
        };
        let account = &self.settings.account_id;
        let stream = self.streams.get(&name).ok_or_else(|| KdsError::stream_not_found(&name, account))?;
        let limit = page_size(input.max_results, DESCRIBE_PAGE_MAX);
        let mut page: Vec<&Consumer> =
            stream.consumers.values().filter(|c| after.as_ref().is_none_or(|a| c.name > *a)).collect();
        let more = page.len() > limit;
        page.truncate(limit);
        let next_token = more.then(|| {
            PageToken {
                kind: "ListStreamConsumers".into(),
                stream: name.clone(),
                generation: stream.generation,
                after: page.last().map(|c| c.name.clone()).unwrap_or_default(),
                filter: None,
                filter_arg: None,
                issued_us: now.as_micros(),
            }
            .encode()
        });
        Ok(ListStreamConsumersOutput { consumers: page.into_iter().map(consumer_view).collect(), next_token })
    }

    /// The (stream, consumer) names a request designates: by ConsumerARN, or by StreamARN and ConsumerName.
    pub(super) fn consumer_of(&self, input: &ConsumerRefInput) -> KdsResult<(String, String)> {
        let account = &self.settings.account_id;
        if let Some(arn) = &input.consumer_arn {
            let found =
                self.streams.values().find_map(|s| s.consumers.values().find(|c| &c.arn == arn).map(|c| (s, c)));
            return found.map(|(s, c)| (s.name.clone(), c.name.clone())).ok_or_else(|| {
                KdsError::resource_not_found(format!("Consumer {arn} under account {account} not found."))
            });
        }
        let (Some(stream_arn), Some(consumer)) = (&input.stream_arn, &input.consumer_name) else {
            return Err(KdsError::invalid_argument(
                "Either ConsumerARN or both StreamARN and ConsumerName must be provided.",
            ));
        };
        let name = self.name_from_arn(stream_arn)?;
        let stream: &Stream = self.streams.get(&name).ok_or_else(|| KdsError::stream_not_found(&name, account))?;
        if !stream.consumers.contains_key(consumer) {
            return Err(KdsError::resource_not_found(format!(
                "Consumer {consumer} under stream {name} not found for account {account}."
            )));
        }
        Ok((name, consumer.clone()))
    }

    /// A consumer's CREATING or DELETING completes.
    pub(super) fn consumer_settles(
        &mut self,
        stream: &str,
        generation: u64,
        consumer: &str,
        created_wall_ms: u64,
        active: bool,
    ) {
        let Some(stream) = self.streams.get_mut(stream).filter(|s| s.generation == generation) else { return };
        let Some(c) = stream.consumers.get_mut(consumer).filter(|c| c.created_wall_ms == created_wall_ms) else {
            return;
        };
        match (active, c.status) {
            (true, ConsumerStatus::Creating) => c.status = ConsumerStatus::Active,
            (false, ConsumerStatus::Deleting) => {
                stream.consumers.remove(consumer);
            }
            _ => {}
        }
    }
}

fn consumer_view(c: &Consumer) -> ConsumerView {
    ConsumerView {
        consumer_name: c.name.clone(),
        consumer_arn: c.arn.clone(),
        consumer_status: c.status,
        consumer_creation_timestamp: epoch_seconds(c.created_wall_ms),
    }
}
