//! The read edges page as Graph documents, checked with a plain HTTP client (none of the
//! worker's code): a Page's `published_posts` and `feed`, an Instagram account's `media`, each
//! walked through `paging.next` (absolute URLs on the sandbox) with every post exactly once,
//! newest first, and back through `paging.previous`; `since`/`until`; Meta's code 100 for bad
//! parameters.

use super::limits::GRAPH_VERSION as V;
use super::{FacebookSandbox, FacebookSandboxOptions, FacebookSandboxPage, InstagramSandboxUser};
use serde_json::Value;
use std::time::Duration;

const PAGE: &str = "1000000000088";
const PAGE_TOKEN: &str = "EAAGreadsPage";
const IG: &str = "17841400000000088";
const IG_TOKEN: &str = "IGreadsToken88";

async fn start() -> FacebookSandbox {
    FacebookSandbox::start(FacebookSandboxOptions {
        calls_per_hour: 100_000,
        container_processing_secs: 0.0,
        quota_total: 1000,
        max_containers_per_day: 1000,
        instagram_users: vec![InstagramSandboxUser {
            token: IG_TOKEN.into(),
            id: IG.into(),
            username: "reads".into(),
        }],
        ..FacebookSandboxOptions::new(vec![FacebookSandboxPage {
            token: PAGE_TOKEN.into(),
            id: PAGE.into(),
            name: "Reads".into(),
        }])
    })
    .await
    .unwrap()
}

async fn call(method: reqwest::Method, url: &str, token: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn get(url: &str, token: &str) -> (u16, Value) {
    call(reqwest::Method::GET, url, token, &[]).await
}

/// Posts `n` messages on the Page, a second apart; their ids, oldest first.
async fn post_many(sb: &FacebookSandbox, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let url = format!("{}/{V}/{PAGE}/feed", sb.url());
        let message = format!("post {i}");
        let (status, body) = call(reqwest::Method::POST, &url, PAGE_TOKEN, &[("message", &message)]).await;
        assert_eq!(status, 200, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
        tokio::time::advance(Duration::from_secs(1)).await;
    }
    ids
}

fn ids_of(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

/// Walks `first` and every `paging.next`: each page's body.
async fn walk(first: String, token: &str) -> Vec<Value> {
    let (mut pages, mut url) = (Vec::new(), Some(first));
    while let Some(u) = url {
        let (status, page) = get(&u, token).await;
        assert_eq!(status, 200, "{page}");
        url = page["paging"]["next"].as_str().map(str::to_string);
        pages.push(page);
        assert!(pages.len() < 50, "paging never ends");
    }
    pages
}

#[tokio::test(start_paused = true)]
async fn published_posts_page_through_250_posts_each_once_newest_first_and_back() {
    let sb = start().await;
    let mut posted = post_many(&sb, 250).await;
    posted.reverse();
    let first = format!(
        "{}/{V}/{PAGE}/published_posts?fields=id,message,created_time,permalink_url&limit=100",
        sb.url()
    );
    let pages = walk(first, PAGE_TOKEN).await;
    let seen: Vec<String> = pages.iter().flat_map(ids_of).collect();
    assert_eq!(seen, posted, "every post once, newest first");
    let sizes: Vec<usize> = pages.iter().map(|p| ids_of(p).len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert!(pages[0]["paging"].get("previous").is_none(), "the first page has none");
    let next = pages[0]["paging"]["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/{V}/{PAGE}/published_posts?", sb.url())),
        "{next}"
    );
    assert!(
        !next.contains(PAGE_TOKEN),
        "a token sent in a header is not copied: {next}"
    );
    let post = &pages[0]["data"][0];
    assert_eq!(post["message"], "post 249");
    assert!(post["created_time"].as_str().unwrap().ends_with("+0000"), "{post}");
    assert!(post["permalink_url"].as_str().unwrap().starts_with("http"), "{post}");
    let cursors = &pages[1]["paging"]["cursors"];
    assert!(cursors["before"].is_string() && cursors["after"].is_string());
    let back = pages[2]["paging"]["previous"].as_str().unwrap();
    let (_, previous) = get(back, PAGE_TOKEN).await;
    assert_eq!(ids_of(&previous), ids_of(&pages[1]));
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_feed_has_visitors_posts_and_published_posts_only_the_page_s() {
    let sb = start().await;
    let own = post_many(&sb, 3).await;
    let http = reqwest::Client::new();
    let visitor: Value = http
        .post(format!("{}/_sandbox/pages/{PAGE}/visitor_posts", sb.url()))
        .json(&serde_json::json!({ "message": "post 1" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let visitor = visitor["id"].as_str().unwrap().to_string();
    let (_, feed) = get(&format!("{}/{V}/{PAGE}/feed", sb.url()), PAGE_TOKEN).await;
    assert_eq!(ids_of(&feed), [visitor, own[2].clone(), own[1].clone(), own[0].clone()]);
    let (_, published) = get(&format!("{}/{V}/{PAGE}/published_posts", sb.url()), PAGE_TOKEN).await;
    assert_eq!(ids_of(&published), [own[2].clone(), own[1].clone(), own[0].clone()]);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn since_and_until_take_unix_times_and_iso_dates_and_carry_into_the_next_link() {
    let sb = start().await;
    let t0 = sb.app.clock.now().timestamp();
    let ids = post_many(&sb, 20).await;
    let iso = chrono::DateTime::from_timestamp(t0 + 14, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let url = format!(
        "{}/{V}/{PAGE}/published_posts?since={}&until={iso}&limit=2",
        sb.url(),
        t0 + 5
    );
    let seen: Vec<String> = walk(url, PAGE_TOKEN).await.iter().flat_map(ids_of).collect();
    let mut wanted = ids[5..=14].to_vec();
    wanted.reverse();
    assert_eq!(seen, wanted, "both ends inclusive, on every page");
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn bad_paging_parameters_get_meta_s_code_100() {
    let sb = start().await;
    post_many(&sb, 2).await;
    for query in [
        "limit=101",
        "limit=many",
        "after=bm9wZQ",
        "before=%%",
        "since=soon",
        "fields=id,likes",
    ] {
        let url = format!("{}/{V}/{PAGE}/published_posts?{query}", sb.url());
        let (status, body) = get(&url, PAGE_TOKEN).await;
        assert_eq!(
            (status, body["error"]["code"].as_i64()),
            (400, Some(100)),
            "{query}: {body}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn instagram_media_pages_through_250_posts_with_their_fields() {
    let sb = start().await;
    let image = format!("{}/_sandbox/files/image-1080x1080.jpg", sb.url());
    let mut published = Vec::new();
    for i in 0..250 {
        let caption = format!("caption {i}");
        let url = format!("{}/{V}/{IG}/media", sb.url());
        let form = [("image_url", image.as_str()), ("caption", caption.as_str())];
        let (_, container) = call(reqwest::Method::POST, &url, IG_TOKEN, &form).await;
        let creation = container["id"].as_str().unwrap().to_string();
        let url = format!("{}/{V}/{IG}/media_publish", sb.url());
        let (status, media) = call(reqwest::Method::POST, &url, IG_TOKEN, &[("creation_id", &creation)]).await;
        assert_eq!(status, 200, "{media}");
        published.push(media["id"].as_str().unwrap().to_string());
        tokio::time::advance(Duration::from_secs(60)).await;
    }
    published.reverse();
    let fields = "id,caption,media_type,media_url,permalink,timestamp,like_count,comments_count";
    let first = format!("{}/{V}/{IG}/media?fields={fields}&limit=100", sb.url());
    let pages = walk(first, IG_TOKEN).await;
    let seen: Vec<String> = pages.iter().flat_map(ids_of).collect();
    assert_eq!(seen, published, "every post once, newest first");
    let newest = &pages[0]["data"][0];
    let oldest = &pages[2]["data"][49];
    assert_eq!(newest["caption"], "caption 249");
    assert_eq!(newest["media_type"], "IMAGE");
    assert_eq!(newest["media_url"], image.as_str());
    assert!(newest["timestamp"].as_str().unwrap().ends_with("+0000"));
    assert!(oldest["like_count"].as_u64().unwrap() > newest["like_count"].as_u64().unwrap());
    assert!(oldest["comments_count"].is_u64(), "{oldest}");
    sb.shutdown().await;
}
