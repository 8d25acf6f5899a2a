//! Paging by name, as ListSignalingChannels and ListStreams do it: an optional BEGINS_WITH condition,
//! MaxResults, and a NextToken that is the base64 of the last name returned.

use super::control::ChannelNameCondition;
use super::error::{VideoError, VideoResult};
use base64::Engine as _;
use serde_json::{json, Value};

/// The most MaxResults ListSignalingChannels and ListStreams allow (and their default).
const MAX_RESULTS: u64 = 10_000;

/// The body of a List… call for one page of `items` (in name order, named by `name`):
/// `{list_key: [info of each], "NextToken"?}`.
pub fn list_body<'a, T: 'a>(
    items: impl Iterator<Item = &'a T>,
    name: impl Fn(&T) -> &str,
    info: impl Fn(&T) -> Value,
    list_key: &str,
    (condition, next_token, max_results): (Option<&ChannelNameCondition>, Option<&str>, Option<u64>),
) -> VideoResult<Value> {
    let condition = condition.map(|c| (c.comparison_operator.as_deref(), c.comparison_value.as_deref()));
    let page = page(items, name, condition, next_token, max_results, MAX_RESULTS)?;
    let mut body = json!({ list_key: page.items.iter().map(|i| info(i)).collect::<Vec<_>>() });
    if let Some(token) = page.next_token {
        body["NextToken"] = json!(token);
    }
    Ok(body)
}

/// One page of a name-ordered listing.
struct Page<'a, T> {
    /// The items of this page, in name order.
    items: Vec<&'a T>,
    /// The token for the next page, when there is one.
    next_token: Option<String>,
}

/// A page of `items` (in name order, named by `name`): those whose name begins with the condition's value,
/// after the token's name, at most `max_results` (1–`max_allowed`, default `max_allowed`).
fn page<'a, T>(
    items: impl Iterator<Item = &'a T>,
    name: impl Fn(&T) -> &str,
    condition: Option<(Option<&str>, Option<&str>)>,
    next_token: Option<&str>,
    max_results: Option<u64>,
    max_allowed: u64,
) -> VideoResult<Page<'a, T>> {
    let max = max_results.unwrap_or(max_allowed);
    if !(1..=max_allowed).contains(&max) {
        return Err(VideoError::invalid_argument(format!("MaxResults {max} must be 1–{max_allowed}")));
    }
    let prefix = match condition {
        None => "",
        Some((operator, value)) => {
            if let Some(op) = operator.filter(|op| *op != "BEGINS_WITH") {
                return Err(VideoError::invalid_argument(format!("ComparisonOperator '{op}' is not BEGINS_WITH")));
            }
            value.unwrap_or("")
        }
    };
    let after = next_token.map(decode_token).transpose()?;
    let matching: Vec<&T> = items
        .filter(|item| name(item).starts_with(prefix) && after.as_deref().is_none_or(|a| name(item) > a))
        .collect();
    let max = max as usize;
    let next_token = (matching.len() > max).then(|| encode_token(name(matching[max - 1])));
    Ok(Page { items: matching.into_iter().take(max).collect(), next_token })
}

/// A NextToken for a listing that goes on after `last`.
pub fn encode_token(last: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(last)
}

/// The `last` a NextToken was made from.
pub fn decode_token(token: &str) -> VideoResult<String> {
    base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| VideoError::invalid_argument(format!("NextToken '{token}' is not a token this service issued")))
}
