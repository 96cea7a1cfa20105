//! The read endpoints page and answer as X documents, checked with a plain HTTP client (none of
//! the worker's code): every post of a long timeline exactly once, newest first; the time and id
//! filters; the lookup's `data` and `errors`; X's 400s for bad parameters.

use super::app::StoredTweet;
use super::tests::{alice, Http, TOKEN, USER_ID};
use super::{XSandbox, XSandboxLimits, XSandboxOptions};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

async fn start() -> XSandbox {
    XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![alice()],
        limits: XSandboxLimits {
            tweets_per_window: 10_000,
            ..XSandboxLimits::default()
        },
    })
    .await
    .unwrap()
}

/// Posts `n` posts a second apart ("post 0" first); their ids, oldest first.
async fn post_many(http: &Http, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let (status, _, body) = http
            .call(
                Method::POST,
                "/2/tweets",
                Some(TOKEN),
                Some(json!({ "text": format!("post {i}") })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["data"]["id"].as_str().unwrap().to_string());
        tokio::time::advance(Duration::from_secs(1)).await;
    }
    ids
}

async fn get(http: &Http, path: &str) -> (u16, Value) {
    let (status, _, body) = http.call(Method::GET, path, Some(TOKEN), None).await;
    (status, body)
}

fn ids_of(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .map(|d| d.iter().map(|t| t["id"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn a_timeline_of_250_posts_pages_through_each_exactly_once_newest_first_and_back() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let mut posted = post_many(&http, 250).await;
    posted.reverse();
    let base = format!("/2/users/{USER_ID}/tweets?max_results=100&tweet.fields=created_at");
    let (mut seen, mut pages, mut token): (Vec<String>, Vec<Value>, Option<String>) = (vec![], vec![], None);
    loop {
        let path = match &token {
            Some(t) => format!("{base}&pagination_token={t}"),
            None => base.clone(),
        };
        let (status, page) = get(&http, &path).await;
        assert_eq!(status, 200, "{page}");
        let ids = ids_of(&page);
        let meta = &page["meta"];
        assert_eq!(meta["result_count"], json!(ids.len()));
        assert_eq!(meta["newest_id"], json!(ids[0]));
        assert_eq!(meta["oldest_id"], json!(ids[ids.len() - 1]));
        assert_eq!(meta.get("previous_token").is_some(), !pages.is_empty(), "{meta}");
        assert!(page["data"][0]["created_at"].as_str().unwrap().ends_with('Z'));
        seen.extend(ids);
        token = meta["next_token"].as_str().map(str::to_string);
        pages.push(page);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, posted, "every post once, newest first");
    let sizes: Vec<usize> = pages.iter().map(|p| ids_of(p).len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    let back = pages[2]["meta"]["previous_token"].as_str().unwrap();
    let (_, previous) = get(&http, &format!("{base}&pagination_token={back}")).await;
    assert_eq!(
        ids_of(&previous),
        ids_of(&pages[1]),
        "previous_token gives the page before"
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn times_and_ids_filter_the_timeline_and_the_ids_win_over_the_times() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let start_time = sandbox.app.clock.now() + chrono::Duration::seconds(10);
    let posted = post_many(&http, 30).await;
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let path = format!(
        "/2/users/{USER_ID}/tweets?max_results=100&start_time={}&end_time={}",
        at(start_time),
        at(start_time + chrono::Duration::seconds(5))
    );
    let (_, page) = get(&http, &path).await;
    let mut wanted: Vec<String> = posted[10..15].to_vec();
    wanted.reverse();
    assert_eq!(ids_of(&page), wanted, "start inclusive, end exclusive");
    let path = format!(
        "/2/users/{USER_ID}/tweets?since_id={}&until_id={}&start_time={}",
        posted[3],
        posted[7],
        at(start_time)
    );
    let (_, page) = get(&http, &path).await;
    let mut wanted: Vec<String> = posted[4..7].to_vec();
    wanted.reverse();
    assert_eq!(ids_of(&page), wanted, "both ids exclusive; since_id beats start_time");
    let (_, none) = get(&http, &format!("/2/users/{USER_ID}/tweets?since_id={}", posted[29])).await;
    assert_eq!(none, json!({ "meta": { "result_count": 0 } }));
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn only_the_3200_most_recent_posts_are_served() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    {
        let mut inner = sandbox.app.lock();
        let now = sandbox.app.clock.now();
        for i in 0..3201 {
            let id = inner.next_id(now);
            inner.tweets.push(StoredTweet {
                id,
                author_id: USER_ID.into(),
                text: format!("old {i}"),
                submitted: format!("old {i}"),
                media_ids: vec![],
                created_at: now,
            });
        }
    }
    let oldest = sandbox.app.lock().tweets[0].id.clone();
    let (mut count, mut token) = (0, None::<String>);
    loop {
        let mut path = format!("/2/users/{USER_ID}/tweets?max_results=100");
        if let Some(t) = &token {
            path.push_str(&format!("&pagination_token={t}"));
        }
        let (_, page) = get(&http, &path).await;
        assert!(!ids_of(&page).contains(&oldest));
        count += ids_of(&page).len();
        token = page["meta"]["next_token"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(count, 3200);
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn bad_timeline_parameters_get_x_s_400() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let cases = [
        (
            "max_results=4",
            "The `max_results` query parameter value [4] is not between 5 and 100",
        ),
        (
            "max_results=101",
            "The `max_results` query parameter value [101] is not between 5 and 100",
        ),
        (
            "pagination_token=zz!",
            "The `pagination_token` query parameter value is not valid",
        ),
        (
            "since_id=12a",
            "The `since_id` query parameter value [12a] does not match ^[0-9]{1,19}$",
        ),
        (
            "start_time=yesterday",
            "Invalid 'start_time':'yesterday'. 'start_time' must be a date-time",
        ),
        ("count=5", "The query parameter [count] is not one of"),
        (
            "tweet.fields=likes",
            "The `tweet.fields` query parameter value [likes] is not one of [article,",
        ),
    ];
    for (query, message) in cases {
        let (status, body) = get(&http, &format!("/2/users/{USER_ID}/tweets?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["title"], "Invalid Request", "{body}");
        assert_eq!(body["type"], "https://api.x.com/2/problems/invalid-request");
        let got = body["errors"][0]["message"].as_str().unwrap();
        assert!(got.starts_with(message), "{query}: {got}");
    }
    let (status, body) = get(&http, "/2/users/42/tweets").await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["title"], "Not Found Error");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_lookup_answers_found_posts_in_data_and_missing_ones_in_errors() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let ids = post_many(&http, 3).await;
    let missing = "1000000000000000000";
    let path = format!(
        "/2/tweets?ids={},{missing},{},{}&tweet.fields=author_id",
        ids[2], ids[0], ids[2]
    );
    let (status, body) = get(&http, &path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        ids_of(&body),
        [ids[2].clone(), ids[0].clone()],
        "in the order asked, once each"
    );
    assert_eq!(body["data"][0]["author_id"], USER_ID);
    assert_eq!(
        body["errors"],
        json!([{
            "value": missing,
            "detail": format!("Could not find tweet with ids: [{missing}]."),
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "ids",
            "resource_id": missing,
            "type": "https://api.x.com/2/problems/resource-not-found",
        }])
    );
    let (_, only_missing) = get(&http, &format!("/2/tweets?ids={missing}")).await;
    assert!(only_missing.get("data").is_none() && only_missing["errors"].is_array());
    let (_, one) = get(&http, &format!("/2/tweets/{}", ids[1])).await;
    assert_eq!(one["data"]["text"], "post 1");
    let (status, gone) = get(&http, &format!("/2/tweets/{missing}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        gone["errors"][0]["detail"],
        format!("Could not find tweet with id: [{missing}].")
    );
    assert_eq!(gone["errors"][0]["parameter"], "id");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn too_many_or_bad_ids_get_x_s_400() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let many: Vec<String> = (1..=101).map(|n| n.to_string()).collect();
    let (status, body) = get(&http, &format!("/2/tweets?ids={}", many.join(","))).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["message"],
        "The number of values in the `ids` query parameter list [101] is not between 1 and 100"
    );
    let (status, body) = get(&http, "/2/tweets?ids=47998559,foo").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0],
        json!({
            "parameters": { "ids": ["47998559,foo"] },
            "message": "The `ids` query parameter value [foo] does not match ^[0-9]{1,19}$",
        })
    );
    let (status, body) = get(&http, "/2/tweets").await;
    assert_eq!(
        (status, &body["errors"][0]["message"]),
        (400, &json!("The `ids` query parameter can not be empty"))
    );
    let (status, body) = get(&http, "/2/tweets/3.4").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["message"],
        "The `id` query parameter value [3.4] does not match ^[0-9]{1,19}$"
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn public_metrics_carry_x_s_six_counts_and_grow_with_the_post_s_age() {
    let sandbox = start().await;
    let http = Http::new(&sandbox);
    let ids = post_many(&http, 1).await;
    let path = format!("/2/tweets?ids={}&tweet.fields=public_metrics", ids[0]);
    let (_, young) = get(&http, &path).await;
    let metrics = &young["data"][0]["public_metrics"];
    let mut names: Vec<&str> = metrics.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bookmark_count",
            "impression_count",
            "like_count",
            "quote_count",
            "reply_count",
            "retweet_count"
        ]
    );
    tokio::time::advance(Duration::from_secs(2 * 24 * 3600)).await;
    let (_, older) = get(&http, &path).await;
    let (_, again) = get(&http, &path).await;
    let later = &older["data"][0]["public_metrics"];
    assert_eq!(later, &again["data"][0]["public_metrics"], "the same at the same time");
    for name in names {
        assert!(later[name].as_u64() >= metrics[name].as_u64(), "{name}");
    }
    assert!(later["impression_count"].as_u64().unwrap() > 1000, "{later}");
    assert!(later["like_count"].as_u64().unwrap() > 0, "{later}");
    sandbox.shutdown().await;
}
