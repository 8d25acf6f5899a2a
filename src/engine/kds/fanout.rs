//! SubscribeToShard handling: starting, pushing, waking on new records, and ending subscriptions.

use super::actions::*;
use super::control::kms_problem;
use super::data::{child_shards, read_records, start_position, Position};
use super::error::{KdsError, KdsResult};
use super::ids::ShardId;
use super::limits::*;
use super::metrics::Metric;
use super::shard::Taken;
use super::subscription::{KdsEvent, Subscription, SubscriptionEnd, SubscriptionId};
use super::types::*;
use super::{KdsService, KdsTimer};
use crate::engine::time::{SimDuration, SimTime};

impl KdsService {
    pub(super) fn subscribe_to_shard(
        &mut self,
        now: SimTime,
        input: &SubscribeToShardInput,
    ) -> KdsResult<SubscriptionStarted> {
        let account = self.settings.account_id.clone();
        let (stream_name, consumer_name) = self
            .consumer_of(&ConsumerRefInput { consumer_arn: Some(input.consumer_arn.clone()), ..Default::default() })?;
        let (epoch_ms, wall_now_ms) = (self.settings.epoch_ms, self.wall_ms(now));
        let stream = self.streams.get_mut(&stream_name).expect("consumer_of found it");
        if stream.consumers[&consumer_name].status != ConsumerStatus::Active {
            return Err(KdsError::resource_in_use(format!(
                "Consumer {} under account {account} is not in ACTIVE state.",
                input.consumer_arn
            )));
        }
        if let Some(problem) = stream.kms_key.as_deref().and_then(|key| kms_problem(key, true)) {
            return Err(problem);
        }
        let Some(shard_id) = ShardId::resolve(&input.shard_id) else {
            return Err(KdsError::could_not_find_shard(&input.shard_id, &stream_name, &account));
        };
        stream.raise_trim_floor(now);
        let generation = stream.generation;
        let not_found = || KdsError::shard_not_found(&shard_id.to_string(), &stream_name, &account);
        let shard = stream.live_shard(shard_id).ok_or_else(not_found)?;
        let key = (input.consumer_arn.clone(), shard_id);
        if self.last_subscribe.get(&key).is_some_and(|&t| now.saturating_since(t) < SimDuration::from_secs(1)) {
            let stream = self.streams.get_mut(&stream_name).expect("found above");
            stream.metrics.add_consumer(
                now.as_micros() / 1_000_000,
                &consumer_name,
                Metric::SubscribeToShardRateExceeded,
                1,
            );
            stream.record(now, None, Metric::SubscribeToShardRateExceeded, 1);
            return Err(KdsError::limit_exceeded(format!(
                "Rate exceeded for consumer {} and shard {shard_id} in stream {stream_name} under account {account}.",
                input.consumer_arn
            )));
        }
        let previous = self
            .subscriptions
            .values()
            .find(|s| s.consumer_arn == input.consumer_arn && s.shard == shard_id)
            .map(|s| s.id);
        if previous.is_some()
            && self
                .last_subscribe
                .get(&key)
                .is_some_and(|&t| now.saturating_since(t) < SimDuration::from_millis(SUBSCRIPTION_OVERLAP_MS))
        {
            return Err(KdsError::resource_in_use(format!(
                "Another active subscription exists for this consumer: {account}:{stream_name}:{shard_id}:{consumer_name}"
            )));
        }
        let position = Position {
            kind: input.starting_position.position_type,
            sequence: input.starting_position.sequence_number.as_deref(),
            timestamp: input.starting_position.timestamp,
        };
        let after = start_position(shard, &position, &stream_name, &account, (epoch_ms, wall_now_ms))?;
        if let Some(old) = previous {
            self.end_subscription(now, old, SubscriptionEnd::Replaced);
        }
        self.next_subscription += 1;
        let id = SubscriptionId(self.next_subscription);
        let sub = Subscription::new(
            id,
            &stream_name,
            generation,
            (&consumer_name, &input.consumer_arn),
            shard_id,
            after,
            now,
        );
        self.subscriptions.insert(id, sub);
        self.last_subscribe.insert(key, now);
        if let Some(stream) = self.streams.get_mut(&stream_name) {
            stream.metrics.add_consumer(
                now.as_micros() / 1_000_000,
                &consumer_name,
                Metric::SubscribeToShardSuccess,
                1,
            );
            stream.record(now, None, Metric::SubscribeToShardSuccess, 1);
            if let Some(shard) = stream.shards.get_mut(shard_id.0 as usize) {
                shard.subscribers += 1;
            }
        }
        self.push_event(now, id);
        Ok(SubscriptionStarted { id })
    }

    /// Pushes one event for subscription `id` at `now`, then schedules its next wake or ends it.
    ///
    /// A record is visible once its propagation delay has passed, and is pushed only when the pipe has
    /// room for it (a record is at most 1 MiB, so it always fits the 2 MiB pipe in time).
    pub(super) fn push_event(&mut self, now: SimTime, id: SubscriptionId) {
        let heartbeat = SimDuration::from_millis(self.settings.efo_heartbeat_ms);
        let propagation = SimDuration::from_millis(self.settings.efo_propagation_ms);
        let catch_up = SimDuration::from_millis(self.settings.efo_catch_up_event_ms);
        let epoch_ms = self.settings.epoch_ms;
        let Some(sub) = self.subscriptions.get_mut(&id) else { return };
        let stream = self.streams.get_mut(&sub.stream).filter(|s| {
            s.generation == sub.generation
                && s.serves_data()
                && s.consumers.get(&sub.consumer).is_some_and(|c| c.status == ConsumerStatus::Active)
                && s.live_shard(sub.shard).is_some()
        });
        let Some(stream) = stream else {
            return self.end_subscription(now, id, SubscriptionEnd::ResourceGone);
        };
        stream.trim_shard(sub.shard, now);
        let children = child_shards(stream, sub.shard);
        let shard = &stream.shards[sub.shard.0 as usize];
        // Records become visible to subscribers `propagation` after they arrive.
        let visible_by = now.as_micros().checked_sub(propagation.as_micros()).map(SimTime::from_micros);
        let visible = |arrival: SimTime| visible_by.is_some_and(|v| arrival <= v);
        let room = u64::try_from(sub.pipe.available(now)).unwrap_or(0);
        let short = shard.spans_after(sub.after_counter).next().filter(|s| visible(s.arrival) && s.bytes_each > room);
        if let Some(missing) = short.map(|s| s.bytes_each - room) {
            // Not enough pipe for the next record: no event yet, come back when there is.
            let wake = (now + pipe_wait(missing)).min(sub.ends_at);
            return self.schedule_wake(id, wake);
        }
        let (records, taken) = match visible_by {
            Some(by) => read_records(shard, sub.after_counter, GET_RECORDS_RECORDS_MAX, room, by, epoch_ms),
            None => (Vec::new(), Taken::default()),
        };
        sub.pipe.take_debt(taken.bytes, now);
        let last = taken.last;
        if let Some((counter, _)) = last {
            sub.after_counter = counter;
        }
        let next = shard.spans_after(sub.after_counter).next();
        let closed_end = next.is_none() && !shard.is_open();
        let behind =
            next.map_or(0, |s| now.saturating_since(last.map_or(s.arrival, |(_, arrival)| arrival)).as_millis());
        let continuation = match (closed_end, last) {
            (true, _) => None,
            (false, Some((counter, arrival))) => {
                Some(shard.sequence_number(counter, (epoch_ms + arrival.as_millis()) / 1_000))
            }
            (false, None) => Some(shard.sequence_number(sub.after_counter, (epoch_ms + now.as_millis()) / 1_000)),
        };
        let wake = match next {
            None => now + heartbeat,
            Some(s) if !visible(s.arrival) => s.arrival + propagation,
            Some(s) => {
                let refill =
                    pipe_wait(s.bytes_each.saturating_sub(u64::try_from(sub.pipe.available(now)).unwrap_or(0)));
                now + refill.max(catch_up)
            }
        };
        let (expired, wake) = (now >= sub.ends_at, wake.min(sub.ends_at));
        let event = SubscribeToShardEvent {
            records,
            continuation_sequence_number: continuation,
            millis_behind_latest: behind,
            child_shards: closed_end.then_some(children),
        };
        self.events.push_back(KdsEvent::Pushed { id, at: now, event, taken });
        match (closed_end, expired) {
            (true, _) => self.end_subscription(now, id, SubscriptionEnd::ShardEnd),
            (false, true) => self.end_subscription(now, id, SubscriptionEnd::Expired),
            (false, false) => self.schedule_wake(id, wake),
        }
    }

    /// New records in a shard: subscribers waiting for the heartbeat are woken after the propagation delay.
    pub(super) fn notify_subscribers(&mut self, now: SimTime, stream: &str, shard: ShardId) {
        let soon = now + SimDuration::from_millis(self.settings.efo_propagation_ms);
        let due: Vec<SubscriptionId> = self
            .subscriptions
            .values()
            .filter(|s| s.stream == stream && s.shard == shard && s.timer.is_none_or(|(_, at)| at > soon))
            .map(|s| s.id)
            .collect();
        for id in due {
            let at = soon.min(self.subscriptions[&id].ends_at);
            self.schedule_wake(id, at);
        }
    }

    fn schedule_wake(&mut self, id: SubscriptionId, at: SimTime) {
        let Some(sub) = self.subscriptions.get_mut(&id) else { return };
        if let Some((timer, _)) = sub.timer.take() {
            self.timers.cancel(timer);
        }
        sub.timer = Some((self.timers.schedule(at, KdsTimer::SubscriptionWake { id }), at));
    }

    pub(super) fn end_subscription(&mut self, now: SimTime, id: SubscriptionId, reason: SubscriptionEnd) {
        let Some(sub) = self.subscriptions.remove(&id) else { return };
        if let Some((timer, _)) = sub.timer {
            self.timers.cancel(timer);
        }
        if let Some(shard) = self
            .streams
            .get_mut(&sub.stream)
            .filter(|s| s.generation == sub.generation)
            .and_then(|s| s.shards.get_mut(sub.shard.0 as usize))
        {
            shard.subscribers = shard.subscribers.saturating_sub(1);
        }
        self.events.push_back(KdsEvent::Ended { id, at: now, reason });
    }

    /// The next event for subscribers, oldest first.
    pub fn poll_event(&mut self) -> Option<KdsEvent> {
        self.events.pop_front()
    }
}

/// How long the 2 MiB/s pipe takes to refill `bytes` (at least 1 ms).
fn pipe_wait(bytes: u64) -> SimDuration {
    SimDuration::from_micros((bytes * 1_000_000).div_ceil(EFO_BYTES_PER_SEC).max(1_000))
}
