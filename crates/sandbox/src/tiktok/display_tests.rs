//! The Display API's video reads as TikTok documents them, checked with a plain HTTP client
//! (none of the worker's code): `video/list` pages through every public video exactly once,
//! newest first, by its millisecond cursor; `video/query` answers the creator's ids; what is not
//! public is not listed; `video.list` is needed; bad bodies get `invalid_params`.

use super::{TikTokSandbox, TikTokSandboxCreator, TikTokSandboxLimits, TikTokSandboxOptions};
use serde_json::{json, Value};
use std::time::Duration;

const TOKEN: &str = "act.display-token";
const OPEN_ID: &str = "open-display";
const FIELDS: &str = "id,create_time,title,video_description,duration,width,height,share_url,like_count,comment_count,share_count,view_count";

async fn start() -> TikTokSandbox {
    TikTokSandbox::start(TikTokSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        creators: vec![TikTokSandboxCreator::new(TOKEN, OPEN_ID, "display")],
        limits: TikTokSandboxLimits {
            init_per_minute: 10_000,
            status_per_minute: 10_000,
            daily_posts: 10_000,
            ..TikTokSandboxLimits::default()
        },
    })
    .await
    .unwrap()
}

async fn post(sandbox: &TikTokSandbox, path: &str, body: Value) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.url()))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// A direct post of a 720x1280, 7 s video pulled from the sandbox: its publish_id.
async fn video(sandbox: &TikTokSandbox, caption: &str, privacy: &str) -> String {
    let body = json!({
        "post_info": { "title": caption, "privacy_level": privacy },
        "source_info": {
            "source": "PULL_FROM_URL",
            "video_url": sandbox.file_url("video-720x1280-7s.mp4"),
        },
    });
    let (status, answer) = post(sandbox, "/v2/post/publish/video/init/", body).await;
    assert_eq!(status, 200, "{answer}");
    answer["data"]["publish_id"].as_str().unwrap().to_string()
}

async fn list(sandbox: &TikTokSandbox, body: Value) -> (u16, Value) {
    post(sandbox, &format!("/v2/video/list/?fields={FIELDS}"), body).await
}

fn ids_of(answer: &Value) -> Vec<String> {
    answer["data"]["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn video_list_pages_through_250_videos_each_once_newest_first() {
    let sandbox = start().await;
    for i in 0..250 {
        video(&sandbox, &format!("video {i}"), "PUBLIC_TO_EVERYONE").await;
        if i % 3 != 0 {
            tokio::time::advance(Duration::from_millis(400)).await;
        }
    }
    tokio::time::advance(Duration::from_secs(60)).await;
    let mut posted: Vec<String> = sandbox
        .published(OPEN_ID)
        .into_iter()
        .map(|p| p.post_id.expect("moderated by now"))
        .collect();
    posted.reverse();
    let (mut seen, mut cursor, mut pages, mut times) = (Vec::new(), None::<i64>, 0, Vec::new());
    loop {
        let body = match cursor {
            Some(c) => json!({ "cursor": c, "max_count": 20 }),
            None => json!({ "max_count": 20 }),
        };
        let (status, answer) = list(&sandbox, body).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["error"]["code"], "ok");
        pages += 1;
        seen.extend(ids_of(&answer));
        times.extend(
            answer["data"]["videos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["create_time"].as_i64().unwrap()),
        );
        cursor = answer["data"]["cursor"].as_i64();
        if !answer["data"]["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(pages, 13, "20 a page");
    assert_eq!(seen.len(), 250);
    assert_eq!(seen, posted, "every video once, newest first");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "by create_time, descending");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn only_public_direct_posts_that_completed_are_listed_even_before_their_id_is_given() {
    let sandbox = start().await;
    video(&sandbox, "private", "SELF_ONLY").await;
    let inbox = json!({
        "source_info": { "source": "PULL_FROM_URL", "video_url": sandbox.file_url("video-720x1280-7s.mp4") },
    });
    assert_eq!(post(&sandbox, "/v2/post/publish/inbox/video/init/", inbox).await.0, 200);
    let public = video(&sandbox, "Spring is here #garden", "PUBLIC_TO_EVERYONE").await;
    let (_, processing) = list(&sandbox, json!({})).await;
    assert_eq!(ids_of(&processing), Vec::<String>::new(), "not while processing");
    tokio::time::advance(Duration::from_secs(6)).await;
    let (_, status) = post(
        &sandbox,
        "/v2/post/publish/status/fetch/",
        json!({ "publish_id": public }),
    )
    .await;
    assert_eq!(status["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(
        status["data"]["publicaly_available_post_id"],
        json!([]),
        "moderation not over"
    );
    let (_, listed) = list(&sandbox, json!({})).await;
    let videos = listed["data"]["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 1, "{listed}");
    let v = &videos[0];
    assert_eq!(
        (&v["title"], &v["video_description"]),
        (&json!("Spring is here #garden"), &json!("Spring is here #garden"))
    );
    assert_eq!(
        (&v["duration"], &v["width"], &v["height"]),
        (&json!(7), &json!(720), &json!(1280))
    );
    let id = v["id"].as_str().unwrap();
    assert_eq!(v["share_url"], format!("https://www.tiktok.com/@display/video/{id}"));
    assert!(
        (v["create_time"].as_i64().unwrap() - sandbox.now().timestamp()).abs() < 5,
        "{v}"
    );
    tokio::time::advance(Duration::from_secs(40)).await;
    let (_, status) = post(
        &sandbox,
        "/v2/post/publish/status/fetch/",
        json!({ "publish_id": public }),
    )
    .await;
    assert_eq!(
        status["data"]["publicaly_available_post_id"][0].to_string(),
        id,
        "the same id"
    );
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn video_query_answers_the_creator_s_videos_asked_with_counts_that_grow() {
    let sandbox = start().await;
    video(&sandbox, "one", "PUBLIC_TO_EVERYONE").await;
    video(&sandbox, "two", "PUBLIC_TO_EVERYONE").await;
    tokio::time::advance(Duration::from_secs(6)).await;
    let (_, listed) = list(&sandbox, json!({})).await;
    let ids = ids_of(&listed);
    let asked = json!({ "filters": { "video_ids": [ids[1], "7000000000000000001", ids[0]] } });
    let path = "/v2/video/query/?fields=id,like_count,comment_count,share_count,view_count";
    let (status, young) = post(&sandbox, path, asked.clone()).await;
    assert_eq!(status, 200, "{young}");
    assert_eq!(
        ids_of(&young),
        [ids[1].clone(), ids[0].clone()],
        "the creator's, in the order asked"
    );
    tokio::time::advance(Duration::from_secs(3 * 24 * 3600)).await;
    let (_, old) = post(&sandbox, path, asked).await;
    let (a, b) = (&young["data"]["videos"][0], &old["data"]["videos"][0]);
    for name in ["like_count", "comment_count", "share_count", "view_count"] {
        assert!(b[name].as_u64() >= a[name].as_u64(), "{name}");
    }
    assert!(b["view_count"].as_u64().unwrap() > 1000, "{b}");
    assert_eq!(b.as_object().unwrap().len(), 5, "only the fields asked: {b}");
    sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn bad_bodies_get_invalid_params_and_a_missing_scope_gets_scope_not_authorized() {
    let sandbox = start().await;
    let too_many: Vec<String> = (0..21).map(|n| n.to_string()).collect();
    let cases = [
        (format!("/v2/video/list/?fields={FIELDS}"), json!({ "max_count": 21 })),
        (format!("/v2/video/list/?fields={FIELDS}"), json!({ "max_count": 0 })),
        ("/v2/video/list/".to_string(), json!({})),
        ("/v2/video/list/?fields=fps".to_string(), json!({})),
        ("/v2/video/query/?fields=id".to_string(), json!({})),
        (
            "/v2/video/query/?fields=id".to_string(),
            json!({ "filters": { "video_ids": too_many } }),
        ),
    ];
    for (path, body) in cases {
        let (status, answer) = post(&sandbox, &path, body.clone()).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (400, &json!("invalid_params")),
            "{path} {body}: {answer}"
        );
    }
    let (status, _) = list(&sandbox, json!({ "max_count": 20 })).await;
    assert_eq!(status, 200);
    sandbox
        .set_scopes(OPEN_ID, &["user.info.basic", "video.publish"])
        .unwrap();
    let (status, answer) = list(&sandbox, json!({})).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (401, &json!("scope_not_authorized")),
        "{answer}"
    );
    let (status, _) = post(&sandbox, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!(status, 200, "video.publish still granted");
    sandbox.set_scopes(OPEN_ID, &["video.list"]).unwrap();
    let (status, answer) = post(&sandbox, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (401, &json!("scope_not_authorized"))
    );
    assert!(sandbox.set_scopes(OPEN_ID, &["video.everything"]).is_err());
    sandbox.shutdown().await;
}
