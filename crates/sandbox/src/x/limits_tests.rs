//! The sandbox X judges by X's documented rules ([`super::limits`], [`super::text`]), not the
//! worker's: checked with twitter-text's conformance cases, and over HTTP with a plain client that
//! makes none of the worker's checks.

use super::text::{self, V2, V3};
use super::{XSandbox, XSandboxLimits, XSandboxOptions, XSandboxUser};
use serde::Deserialize;
use serde_json::{json, Value};

const TOKEN: &str = "x-limits-token";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Case {
    pub config: String,
    pub description: String,
    pub text: String,
    pub weighted_length: usize,
    pub valid: bool,
}

/// twitter-text's weighted-length conformance cases (`fixtures/x/twitter_text_conformance.json`).
pub fn conformance_cases() -> Vec<Case> {
    let fixture: Value =
        serde_json::from_str(include_str!("../../../../fixtures/x/twitter_text_conformance.json")).unwrap();
    serde_json::from_value(fixture["cases"].clone()).unwrap()
}

/// Every case, under the configuration its section uses (v2 for `WeightedTweetsCounterTest`, v3
/// for the others), gives twitter-text's weighted length and validity.
#[test]
fn the_sandbox_counts_every_twitter_text_conformance_case_as_twitter_text_does() {
    let cases = conformance_cases();
    assert!(cases.len() >= 40, "{}", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let config = if case.config == "v2" { V2 } else { V3 };
            let got = text::parse(&case.text, &config);
            let wanted = (case.weighted_length, case.valid);
            ((got.weighted_length, got.valid) != wanted).then(|| {
                format!(
                    "{} {}: {:?}, wanted {wanted:?}",
                    case.config,
                    case.description,
                    (got.weighted_length, got.valid)
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

async fn start() -> XSandbox {
    XSandbox::start(XSandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![XSandboxUser {
            token: TOKEN.into(),
            id: "1000000000000000009".into(),
            username: "limits".into(),
        }],
        limits: XSandboxLimits::default(),
    })
    .await
    .unwrap()
}

async fn post(sandbox: &XSandbox, text: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/2/tweets", sandbox.url()))
        .bearer_auth(TOKEN)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// 258 characters, a space and a URL that counts 23 make 282 raw characters' worth of text but 281
/// weighted: refused with X's body; one character less (280) is accepted.
#[tokio::test]
async fn a_post_of_281_weighted_characters_is_refused_with_xs_body_and_280_is_accepted() {
    let sandbox = start().await;
    let url = "https://example.com/a/long/path/that/counts/twenty-three";
    let over = format!("{} {url}", "a".repeat(257));
    assert_eq!(text::weighted_length(&over), 281);
    let (status, body) = post(&sandbox, &over).await;
    assert_eq!(status, 400, "{body}");
    let documented: Value = serde_json::from_str(include_str!(
        "../../../../fixtures/x/error_invalid_request_text_too_long.json"
    ))
    .unwrap();
    assert_eq!(body["errors"][0]["message"], documented["errors"][0]["message"]);
    assert_eq!(body["title"], documented["title"]);
    let edge = format!("{} {url}", "a".repeat(256));
    assert_eq!(text::weighted_length(&edge), 280);
    let (status, body) = post(&sandbox, &edge).await;
    assert_eq!(status, 201, "{body}");
    sandbox.shutdown().await;
}

/// Emoji sequences count 2 each (v3): 140 family emoji (980 code points) are exactly 280.
#[tokio::test]
async fn a_post_of_140_family_emoji_is_accepted_and_one_more_character_is_refused() {
    let sandbox = start().await;
    let families = "👨‍👩‍👧‍👦".repeat(140);
    assert_eq!(post(&sandbox, &families).await.0, 201);
    assert_eq!(post(&sandbox, &format!("{families}a")).await.0, 400);
    sandbox.shutdown().await;
}
