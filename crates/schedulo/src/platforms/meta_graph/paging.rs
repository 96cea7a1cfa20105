//! Reading a Graph list a page at a time: the `data` of each page and the `paging.next` URL that
//! Meta gives for the following one (developers.facebook.com/docs/graph-api/results, "Cursor-based
//! Pagination": `next` is absent on the last page; Meta advises stopping when it is, not when a
//! page is short).
//!
//! The next page is asked at Meta's URL as it is (it repeats the query with the `after` cursor),
//! with the token in the header as always; [`super::client::Graph::trusts`] decides first whether
//! the token may go there (Meta's hosts over https, or the Graph API's own origin).

use super::client::{Call, Graph};
use crate::error_class::ErrorClass;
use crate::platforms::{Account, PublishError};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// One page of a Graph list.
#[derive(Debug, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub(crate) struct Page<T> {
    #[serde(default)]
    pub data: Vec<T>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Debug, Default, Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

/// How a walk through a list ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// Every page was read.
    Ended,
    /// `max_pages` were read and more remain.
    Bounded,
}

/// Reads `first`, then each `paging.next`, at most `max_pages` pages; `look` sees each page's
/// `data` in order (and keeps what it finds: an older match on a later page may replace one).
pub(crate) async fn walk<T>(
    graph: &Graph,
    account: &Account,
    first: Call<'_>,
    max_pages: usize,
    mut look: impl FnMut(Vec<T>),
) -> Result<Walk, PublishError>
where
    T: DeserializeOwned,
{
    let what = first.what.clone();
    let mut call = first;
    for _ in 0..max_pages {
        let value: Value = graph.call(account, call).await?;
        let page: Page<T> = serde_json::from_value(value).map_err(|_| PublishError {
            class: ErrorClass::Transient,
            message: format!("{}'s answer to {what} could not be read", graph.vendor.name),
            retry_at: None,
        })?;
        look(page.data);
        let Some(next) = page.paging.and_then(|p| p.next).filter(|n| !n.is_empty()) else {
            return Ok(Walk::Ended);
        };
        let at = Url::parse(&next).map_err(|_| PublishError {
            class: ErrorClass::Transient,
            message: format!("{} gave a next page of {what} that is not a URL", graph.vendor.name),
            retry_at: None,
        })?;
        call = Call {
            at: Some(at),
            ..Call::get(["", ""], Vec::new(), what.clone())
        };
    }
    Ok(Walk::Bounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_its_data_and_its_next_link() {
        let page: Page<Value> = serde_json::from_value(serde_json::json!({
            "data": [{"id": "1"}],
            "paging": {"cursors": {"before": "a", "after": "b"}, "next": "https://graph.facebook.com/v21.0/1/feed?after=b"},
        }))
        .unwrap();
        assert_eq!(page.data.len(), 1);
        assert!(page.paging.unwrap().next.unwrap().ends_with("after=b"));
        let last: Page<Value> = serde_json::from_value(serde_json::json!({ "data": [] })).unwrap();
        assert!(last.paging.is_none());
    }
}
