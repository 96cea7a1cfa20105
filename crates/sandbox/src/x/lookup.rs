//! Post lookup: `GET /2/tweets?ids=` and `GET /2/tweets/{id}` (docs.x.com `x-api/posts/lookup`;
//! X's OpenAPI `getPostsByIds`, `getPostsById`), with `tweet.fields` as [`super::reads`] fills them.
//!
//! - `ids`: 1 to 100 comma-separated ids of 1 to 19 digits. More, or none, is 400 "The number of
//!   values in the `ids` query parameter list [N] is not between 1 and 100"; a bad id is 400 "The
//!   `ids` query parameter value [x] does not match ^[0-9]{1,19}$" (X's wording, as clients quote
//!   its answers).
//! - Found posts are in `data`, in the order asked (an id asked twice comes once); each missing
//!   one is an item of `errors` in X's "Not Found Error" shape (`Could not find tweet with ids:
//!   [id].`, `resource_type` `tweet`, `parameter` `ids`), beside `data` when some were found.
//! - `GET /2/tweets/{id}`: `{"data":{...}}`, or a 200 with the not-found item (`parameter` `id`).
//!
//! Every post of the sandbox is public: any user's token reads any post.

use super::app::SharedApp;
use super::problems::{invalid, post_not_found, Problem};
use super::reads::{parse_id, render, Query};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde_json::{json, Value};

/// The most ids one lookup takes.
pub const MAX_IDS: usize = 100;

/// `GET /2/tweets?ids=`.
pub async fn many(State(app): State<SharedApp>, RawQuery(raw): RawQuery) -> Result<Json<Value>, Problem> {
    let query = Query::parse(raw.as_deref(), &["ids"])?;
    let given = query.get("ids").unwrap_or("");
    if given.is_empty() {
        return Err(invalid(Some(("ids", "")), "The `ids` query parameter can not be empty"));
    }
    let values: Vec<&str> = given.split(',').collect();
    if values.len() > MAX_IDS {
        return Err(invalid(
            Some(("ids", given)),
            format!(
                "The number of values in the `ids` query parameter list [{}] is not between 1 and {MAX_IDS}",
                values.len()
            ),
        ));
    }
    let mut ids: Vec<u64> = Vec::new();
    for value in values {
        let id = parse_id("ids", value, given)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let fields = query.tweet_fields()?;
    let now = app.clock.now();
    let inner = app.lock();
    let (mut data, mut errors) = (Vec::new(), Vec::new());
    for id in ids {
        let id = id.to_string();
        match inner.tweets.iter().find(|t| t.id == id) {
            Some(t) => data.push(render(t, &fields, now)),
            None => errors.push(post_not_found(&id, "ids")),
        }
    }
    let mut body = json!({});
    if !data.is_empty() {
        body["data"] = json!(data);
    }
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    Ok(Json(body))
}

/// `GET /2/tweets/{id}`.
pub async fn one(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let query = Query::parse(raw.as_deref(), &["id"])?;
    let id = parse_id("id", &id, &id)?.to_string();
    let fields = query.tweet_fields()?;
    let now = app.clock.now();
    let inner = app.lock();
    Ok(Json(match inner.tweets.iter().find(|t| t.id == id) {
        Some(t) => json!({ "data": render(t, &fields, now) }),
        None => json!({ "errors": [post_not_found(&id, "id")] }),
    }))
}
