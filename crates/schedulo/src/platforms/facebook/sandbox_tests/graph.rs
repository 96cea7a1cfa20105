//! The sandbox over raw HTTP: Meta's shapes, headers, rules and the admin path.

use super::*;
use serde_json::json;

/// An unknown token: 400, Meta's exact 190 body, with a trace id and an OAuth challenge.
#[tokio::test(start_paused = true)]
async fn an_unknown_token_gets_meta_s_190_body() {
    let env = start().await;
    let res = reqwest::Client::new()
        .post(format!("{}/v21.0/{PAGE}/feed", env.sandbox.url()))
        .bearer_auth("nope")
        .json(&json!({"message": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert!(res.headers().contains_key("www-authenticate"));
    assert!(res.headers().contains_key("x-app-usage"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], 190);
    assert_eq!(body["error"]["type"], "OAuthException");
    assert_eq!(
        body["error"]["message"],
        "Invalid OAuth access token - Cannot parse access token"
    );
    assert!(body["error"]["fbtrace_id"].as_str().is_some_and(|t| !t.is_empty()));
    env.shutdown().await;
}

/// `X-App-Usage` and `X-Business-Use-Case-Usage` rise with the calls of the hour.
#[tokio::test(start_paused = true)]
async fn usage_headers_rise_with_calls() {
    let env = start_with(|o, _| o.calls_per_hour = 10).await;
    let mut counts = Vec::new();
    for _ in 0..3 {
        let res = reqwest::Client::new()
            .get(format!("{}/v21.0/{PAGE}?fields=id,name", env.sandbox.url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let app: Value = serde_json::from_str(res.headers()["x-app-usage"].to_str().unwrap()).unwrap();
        let buc: Value = serde_json::from_str(res.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
        assert_eq!(buc[PAGE][0]["call_count"], app["call_count"]);
        counts.push(app["call_count"].as_u64().unwrap());
        assert_eq!(
            res.json::<Value>().await.unwrap(),
            json!({"id": PAGE, "name": "Schedulo Bakery"})
        );
    }
    assert_eq!(counts, [10, 20, 30]);
    env.shutdown().await;
}

/// At 100 % the sandbox refuses with Meta's 80001 and counts the refusal.
#[tokio::test(start_paused = true)]
async fn at_one_hundred_percent_calls_are_refused_with_80001() {
    let env = start().await;
    env.sandbox.set_app_usage(100);
    let (status, body) = env
        .call(Method::GET, &format!("/v21.0/{PAGE}?access_token={TOKEN}"), None)
        .await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(80001)));
    let (_, body) = env.call(Method::GET, &format!("/v21.0/{PAGE}"), None).await;
    assert_eq!(body["error"]["code"], 4, "no Page token: the app's limit");
    assert_eq!(env.counters().await["throttled"], 2);
    env.shutdown().await;
}

/// A form body with `access_token` works as JSON with a bearer header does; photos of another
/// Page, unknown ids, and photos already in a post cannot be attached.
#[tokio::test(start_paused = true)]
async fn attached_media_must_be_this_page_s_unused_unpublished_photos() {
    let env = start().await;
    let client = reqwest::Client::new();
    let url = env.sandbox.url();
    let photo = |token: &'static str, page: &'static str| {
        let body = format!(
            "url={}&published=false&access_token={token}",
            env.photo_url(1).replace('&', "%26")
        );
        client
            .post(format!("{url}/v21.0/{page}/photos"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let mine: Value = photo(TOKEN, PAGE).await.unwrap().json().await.unwrap();
    let theirs: Value = photo(OTHER_TOKEN, OTHER_PAGE).await.unwrap().json().await.unwrap();
    let feed = |media: Value| {
        client
            .post(format!("{url}/v21.0/{PAGE}/feed"))
            .bearer_auth(TOKEN)
            .json(&json!({"message": format!("{media}"), "attached_media": media}))
            .send()
    };
    let r = feed(json!([{"media_fbid": theirs["id"]}])).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = feed(json!([{"media_fbid": "424242"}])).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = feed(json!([{"media_fbid": mine["id"]}])).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = feed(json!([{"media_fbid": mine["id"]}, {"media_fbid": mine["id"]}]))
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["error_user_msg"], "These photos were already posted.");
    env.shutdown().await;
}

/// Photo URLs must be http(s); a post needs something; unknown edges and fields are Meta's 100.
#[tokio::test(start_paused = true)]
async fn bad_requests_get_meta_s_errors() {
    let env = start().await;
    let post = |path: String, body: Value| {
        reqwest::Client::new()
            .post(format!("{}{path}", env.sandbox.url()))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
    };
    let code = |r: reqwest::Response| async move { r.json::<Value>().await.unwrap()["error"]["code"].clone() };
    let r = post(
        format!("/v21.0/{PAGE}/photos"),
        json!({"url": "ftp://x/y.png", "published": false}),
    );
    assert_eq!(code(r.await.unwrap()).await, 100);
    let r = post(format!("/v21.0/{PAGE}/photos"), json!({"published": false}));
    assert_eq!(code(r.await.unwrap()).await, 324);
    let r = post(format!("/v21.0/{PAGE}/feed"), json!({}));
    assert_eq!(code(r.await.unwrap()).await, 100);
    let r = post(format!("/v21.0/{PAGE}/albums"), json!({}));
    assert_eq!(code(r.await.unwrap()).await, 100);
    let r = post("/v21.0/404404/feed".to_string(), json!({"message": "x"}));
    let body: Value = r.await.unwrap().json().await.unwrap();
    assert_eq!(
        (body["error"]["code"].as_i64(), body["error"]["error_subcode"].as_i64()),
        (Some(100), Some(33))
    );
    let r = post(format!("/v99.0/{PAGE}/feed"), json!({"message": "x"}));
    assert_eq!(code(r.await.unwrap()).await, 2500);
    let (_, body) = env
        .call(
            Method::GET,
            &format!("/v21.0/{PAGE}/feed?access_token={TOKEN}&fields=nope"),
            None,
        )
        .await;
    assert_eq!(
        body["error"]["message"],
        "(#100) Tried accessing nonexisting field (nope) on node type (PagePost)"
    );
    env.shutdown().await;
}

/// The feed lists the newest first, honours `since`, `limit` and `fields`, and carries cursors.
#[tokio::test(start_paused = true)]
async fn the_feed_lists_newest_first_with_since_limit_and_fields() {
    let env = start().await;
    for text in ["one", "two", "three"] {
        env.publish(&text_post(text)).await.unwrap();
    }
    let path = format!("/v21.0/{PAGE}/feed?access_token={TOKEN}&limit=2&fields=message,permalink_url");
    let (status, body) = env.call(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(
        (data[0]["message"].as_str(), data[1]["message"].as_str()),
        (Some("three"), Some("two"))
    );
    assert!(data[0]["id"].is_string() && data[0]["permalink_url"].is_string());
    assert!(
        data[0].get("created_time").is_none(),
        "only the fields asked for, and id"
    );
    assert!(body["paging"]["cursors"]["after"].is_string());
    let future = chrono::Utc::now().timestamp() + 3600;
    let (_, body) = env
        .call(
            Method::GET,
            &format!("/v21.0/{PAGE}/feed?access_token={TOKEN}&since={future}"),
            None,
        )
        .await;
    assert_eq!(body, json!({"data": []}));
    env.shutdown().await;
}

/// Pages are added over the admin path (and refused when their id or token is taken).
#[tokio::test(start_paused = true)]
async fn pages_are_added_over_the_admin_path() {
    let env = start().await;
    let page = json!({"token": "EAAGthird", "id": "555", "name": "Third"});
    assert_eq!(
        env.call(Method::POST, "/_sandbox/pages", Some(page.clone())).await.0,
        200
    );
    assert_eq!(env.call(Method::POST, "/_sandbox/pages", Some(page)).await.0, 400);
    let (_, pages) = env.call(Method::GET, "/_sandbox/pages", None).await;
    assert_eq!(pages["pages"].as_array().unwrap().len(), 3);
    assert!(!pages.to_string().contains("EAAG"), "tokens are not listed");
    assert!(env
        .sandbox
        .add_page(FacebookSandboxPage {
            token: TOKEN.into(),
            id: "777".into(),
            name: "Dup token".into()
        })
        .is_err());
    env.shutdown().await;
}
