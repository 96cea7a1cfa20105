//! Graph's cursor paging, as the Page feed, a Page's published posts and an Instagram account's
//! media answer it (developers.facebook.com/docs/graph-api/results, "Cursor-based Pagination"):
//!
//! ```text
//! {"data": [...], "paging": {"cursors": {"before": "...", "after": "..."},
//!                            "previous": "https://.../{edge}?...&before=...",
//!                            "next": "https://.../{edge}?...&after=..."}}
//! ```
//!
//! - `limit`: objects a page (25 by default); above 100 is refused with code 100 (Meta's v2.9
//!   Page feed reference: "an upper boundary for the limit parameter of 100 posts. Specifying any
//!   higher limit will throw an error"; the message is the sandbox's).
//! - `after`: the objects after the one its cursor names (older, as these edges list newest
//!   first); `before`: the ones before it (newer). A cursor the sandbox did not make, or whose
//!   object is gone, is code 100 (Meta: a cursor is invalidated when its object is deleted).
//! - `since` / `until`: a unix time or an ISO 8601 date or date-time (Meta takes any `strtotime`
//!   value; the sandbox takes those two forms), both inclusive.
//! - `next` is absent on the last page and `previous` on the first; both are absolute URLs on the
//!   sandbox's own address, with the request's parameters and the new cursor (an `access_token`
//!   sent as a parameter stays in them, as Meta's do; one sent in a header is not copied).

use super::errors::GraphError;
use super::graph::GraphRequest;
use base64::Engine;
use chrono::{DateTime, NaiveDate};
use serde_json::{json, Value};

/// Objects a page unless `limit` says.
pub const DEFAULT_LIMIT: usize = 25;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 100;

/// A read's paging parameters, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    pub limit: usize,
    after: Option<String>,
    before: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Asked {
    pub fn read(req: &GraphRequest) -> Result<Asked, GraphError> {
        let limit = match req.params.text("limit") {
            None => DEFAULT_LIMIT,
            Some(s) => {
                let n = s
                    .parse::<usize>()
                    .map_err(|_| GraphError::param("Param limit must be a number"))?;
                if n > MAX_LIMIT {
                    return Err(GraphError::param(&format!(
                        "The limit parameter cannot be above {MAX_LIMIT}, not {n} (sandbox wording)"
                    )));
                }
                n.max(1)
            }
        };
        let cursor = |name: &str| {
            req.params
                .text(name)
                .map(|c| {
                    decode(&c)
                        .ok_or_else(|| GraphError::param(&format!("The {name} cursor is not valid (sandbox wording)")))
                })
                .transpose()
        };
        Ok(Asked {
            limit,
            after: cursor("after")?,
            before: cursor("before")?,
            since: time(req, "since")?,
            until: time(req, "until")?,
        })
    }

    /// Whether a time (unix seconds) is within `since` and `until`.
    pub fn within(&self, at: i64) -> bool {
        self.since.is_none_or(|s| at >= s) && self.until.is_none_or(|u| at <= u)
    }
}

/// `since` / `until`: unix seconds, `YYYY-MM-DD`, or an RFC 3339 / Meta (`+0000`) date-time.
fn time(req: &GraphRequest, name: &str) -> Result<Option<i64>, GraphError> {
    let Some(text) = req.params.text(name) else {
        return Ok(None);
    };
    let parsed = text
        .parse::<i64>()
        .ok()
        .or_else(|| DateTime::parse_from_rfc3339(&text).ok().map(|t| t.timestamp()))
        .or_else(|| {
            DateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%z")
                .ok()
                .map(|t| t.timestamp())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp())
        });
    parsed.map(Some).ok_or_else(|| {
        GraphError::param(&format!(
            "The parameter {name} must be a unix time or an ISO 8601 date, not {text} (sandbox wording)"
        ))
    })
}

fn encode(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn decode(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

/// Where a page's links point: the sandbox's URL and the path read (`/v21.0/{node}/{edge}`).
pub struct Link<'a> {
    pub base_url: &'a str,
    pub path: String,
}

/// One page of `items` (newest first, already filtered) by their `id`s: the page and its
/// `paging` object (`None` when the page is empty, as Meta leaves it out then).
pub fn page<'a, T>(
    items: &[&'a T],
    id: impl Fn(&T) -> &str,
    asked: &Asked,
    req: &GraphRequest,
    link: &Link<'_>,
) -> Result<(Vec<&'a T>, Option<Value>), GraphError> {
    let position = |cursor: &str| {
        items
            .iter()
            .position(|t| id(t) == cursor)
            .ok_or_else(|| GraphError::param("The cursor's object is no longer in this list (sandbox wording)"))
    };
    let (from, to) = match (&asked.after, &asked.before) {
        (Some(after), _) => {
            let from = position(after)? + 1;
            (from, (from + asked.limit).min(items.len()))
        }
        (None, Some(before)) => {
            let to = position(before)?;
            (to.saturating_sub(asked.limit), to)
        }
        (None, None) => (0, asked.limit.min(items.len())),
    };
    let chosen: Vec<&T> = items[from..to].to_vec();
    let (Some(first), Some(last)) = (chosen.first(), chosen.last()) else {
        return Ok((chosen, None));
    };
    let (first, last) = (encode(id(first)), encode(id(last)));
    let mut paging = json!({ "cursors": { "before": first, "after": last } });
    if from > 0 {
        paging["previous"] = json!(url(req, link, asked, "before", &first));
    }
    if to < items.len() {
        paging["next"] = json!(url(req, link, asked, "after", &last));
    }
    Ok((chosen, Some(paging)))
}

/// The request's URL again, with `cursor` as `name` in place of the old cursors.
fn url(req: &GraphRequest, link: &Link<'_>, asked: &Asked, name: &str, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in req.params.pairs() {
        if !matches!(k.as_str(), "after" | "before" | "limit") {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("limit", &asked.limit.to_string());
    query.append_pair(name, cursor);
    format!("{}{}?{}", link.base_url, link.path, query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facebook::params::Params;
    use axum::http::HeaderMap;

    fn req(query: &str) -> GraphRequest {
        GraphRequest {
            params: Params::parse(Some(query), &HeaderMap::new(), b"").unwrap(),
            token: None,
        }
    }

    #[test]
    fn times_read_as_unix_or_iso_and_limits_above_100_are_refused() {
        let asked = Asked::read(&req("since=1700000000&until=2023-11-15")).unwrap();
        assert_eq!((asked.since, asked.until), (Some(1_700_000_000), Some(1_700_006_400)));
        for t in [
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20%2B0000",
            "2023-11-14T23:13:20%2B01:00",
        ] {
            assert_eq!(
                Asked::read(&req(&format!("since={t}"))).unwrap().since,
                Some(1_700_000_000),
                "{t}"
            );
        }
        assert_eq!(Asked::read(&req("")).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(Asked::read(&req("limit=100")).unwrap().limit, 100);
        for bad in ["limit=101", "limit=x", "since=yesterday", "after=%%%", "before=!"] {
            assert_eq!(Asked::read(&req(bad)).unwrap_err().code(), 100, "{bad}");
        }
    }

    #[test]
    fn pages_walk_forward_and_back_with_links_that_keep_the_request() {
        let ids: Vec<String> = (0..7).map(|n| format!("p_{n}")).collect();
        let items: Vec<&String> = ids.iter().collect();
        let link = Link {
            base_url: "http://127.0.0.1:9",
            path: "/v21.0/p/feed".into(),
        };
        let first = req("fields=id&limit=3&access_token=T");
        let asked = Asked::read(&first).unwrap();
        let (page1, paging) = page(&items, |s| s.as_str(), &asked, &first, &link).unwrap();
        assert_eq!(page1, [&ids[0], &ids[1], &ids[2]]);
        let paging = paging.unwrap();
        assert!(paging.get("previous").is_none(), "the first page has no previous");
        let next = paging["next"].as_str().unwrap();
        assert!(next.starts_with("http://127.0.0.1:9/v21.0/p/feed?"), "{next}");
        assert!(next.contains("fields=id") && next.contains("access_token=T") && next.contains("limit=3"));
        let second = req(next.split_once('?').unwrap().1);
        let (page2, paging) = page(&items, |s| s.as_str(), &Asked::read(&second).unwrap(), &second, &link).unwrap();
        assert_eq!(page2, [&ids[3], &ids[4], &ids[5]]);
        let back = paging.unwrap()["previous"].as_str().unwrap().to_string();
        let back = req(back.split_once('?').unwrap().1);
        let (again, _) = page(&items, |s| s.as_str(), &Asked::read(&back).unwrap(), &back, &link).unwrap();
        assert_eq!(again, page1);
        let gone = req(&format!("after={}", encode("p_99")));
        assert!(page(&items, |s| s.as_str(), &Asked::read(&gone).unwrap(), &gone, &link).is_err());
    }
}
