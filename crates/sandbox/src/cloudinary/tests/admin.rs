//! The Admin API: auth, presets, folders, named transformations, usage, resources, the hourly limit.

use super::*;
use reqwest::Method;
use serde_json::json;

/// Creating a preset twice is 409; it can be read, updated and deleted.
#[tokio::test]
async fn presets_are_created_once_then_read_updated_and_deleted() {
    let sb = start().await;
    let body = json!({"name": "schedulo", "unsigned": false, "eager": "w_100", "eager_async": true});
    let (status, v) = answer(admin(&sb, Method::POST, "upload_presets", Some(body.clone())).await).await;
    assert_eq!((status, v), (200, json!({"message": "created", "name": "schedulo"})));
    let (status, v) = answer(admin(&sb, Method::POST, "upload_presets", Some(body)).await).await;
    assert_eq!(status, 409, "{v}");
    let (_, v) = answer(admin(&sb, Method::GET, "upload_presets/schedulo", None).await).await;
    // Cloudinary's shape: `eager` parsed into step objects.
    assert_eq!(
        (v["settings"]["eager"].clone(), v["settings"]["eager_async"].as_bool()),
        (json!([[{"width": 100}]]), Some(true))
    );
    let (status, _) =
        answer(admin(&sb, Method::PUT, "upload_presets/schedulo", Some(json!({"tags": "x"}))).await).await;
    assert_eq!(status, 200);
    let (_, v) = answer(admin(&sb, Method::GET, "upload_presets", None).await).await;
    assert_eq!(v["presets"][0]["settings"]["tags"], json!(["x"]));
    let (status, _) = answer(admin(&sb, Method::DELETE, "upload_presets/schedulo", None).await).await;
    assert_eq!(status, 200);
    let (status, _) = answer(admin(&sb, Method::GET, "upload_presets/schedulo", None).await).await;
    assert_eq!(status, 404);
}

/// Wrong credentials are 401 in Cloudinary's shape.
#[tokio::test]
async fn wrong_credentials_are_401() {
    let sb = start().await;
    let r = reqwest::Client::new()
        .get(format!("{}/v1_1/{CLOUD}/usage", sb.url()))
        .basic_auth("999", Some(SECRET))
        .send()
        .await
        .unwrap();
    let (status, v) = answer(r).await;
    assert_eq!((status, message(&v)), (401, "Invalid api_key 999"));
}

/// The Basic-auth secret is compared exactly: one differing only in case is 401.
#[tokio::test]
async fn a_secret_differing_only_in_case_is_401() {
    let sb = start().await;
    let r = reqwest::Client::new()
        .get(format!("{}/v1_1/{CLOUD}/usage", sb.url()))
        .basic_auth(KEY, Some(SECRET.to_uppercase()))
        .send()
        .await
        .unwrap();
    let (status, v) = answer(r).await;
    assert_eq!((status, message(&v)), (401, "api_secret mismatch"));
    let (status, _) = answer(admin(&sb, Method::GET, "usage", None).await).await;
    assert_eq!(status, 200);
}

/// Over the hourly limit the Admin API answers 420 with the rate-limit headers; an hour later it
/// answers again. The Upload API is not limited.
#[tokio::test(start_paused = true)]
async fn the_hourly_limit_gives_420_with_its_headers() {
    let limits = CloudinarySandboxLimits {
        admin_per_hour_free: 3,
        ..CloudinarySandboxLimits::default()
    };
    let sb = start_with(Plan::Free, limits).await;
    for left in ["2", "1", "0"] {
        let r = admin(&sb, Method::GET, "folders", None).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-featureratelimit-limit"], "3");
        assert_eq!(r.headers()["x-featureratelimit-remaining"], left);
    }
    let r = admin(&sb, Method::GET, "usage", None).await;
    assert_eq!(r.status().as_u16(), 420);
    let reset = r.headers()["x-featureratelimit-reset"].to_str().unwrap().to_string();
    assert!(reset.ends_with(" GMT"), "{reset}");
    assert_eq!(answer(r).await.1, json!({"error": {"message": "Rate Limit Exceeded"}}));
    let (status, _) = upload(&sb, "image", sample("sample.jpg"), "a.jpg", signed(&sb, &[])).await;
    assert_eq!(status, 200);
    tokio::time::advance(Duration::from_secs(3600)).await;
    assert_eq!(admin(&sb, Method::GET, "usage", None).await.status(), 200);
    assert_eq!(sb.counters().cloud(CLOUD).rate_limited, 1);
}

/// Folders, named transformations (used on delivery as `t_name`), usage and one resource.
#[tokio::test]
async fn folders_transformations_usage_and_resources() {
    let sb = start().await;
    let (_, v) = answer(admin(&sb, Method::POST, "folders/a/b", None).await).await;
    assert_eq!(
        v,
        json!({"success": true, "path": "a/b", "name": "b", "external_id": v["external_id"]})
    );
    let (_, v) = answer(admin(&sb, Method::GET, "folders", None).await).await;
    assert_eq!(v["folders"][0]["path"], "a");
    let (status, _) = answer(
        admin(
            &sb,
            Method::POST,
            "transformations/square",
            Some(json!({"transformation": "ar_1:1,c_fill,w_50"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = answer(
        admin(
            &sb,
            Method::POST,
            "transformations",
            Some(json!({"name": "bad", "transformation": "oops_1"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    let (_, up) = upload(
        &sb,
        "image",
        sample("image-200x100.jpg"),
        "a.jpg",
        signed(&sb, &[("public_id", "pic")]),
    )
    .await;
    let r = reqwest::get(format!("{}/demo/image/upload/t_square/pic.jpg", sb.url()))
        .await
        .unwrap();
    assert_eq!(image::load_from_memory(&r.bytes().await.unwrap()).unwrap().width(), 50);
    let (_, v) = answer(admin(&sb, Method::GET, "transformations/square", None).await).await;
    assert_eq!(
        (v["name"].as_str(), v["named"].as_bool(), v["used"].as_bool()),
        (Some("t_square"), Some(true), Some(true))
    );
    assert_eq!(v["info"], json!([{"aspect_ratio": "1:1", "crop": "fill", "width": 50}]));
    let (_, v) = answer(admin(&sb, Method::GET, "usage", None).await).await;
    assert_eq!(v["plan"], "Free");
    assert_eq!(v["media_limits"]["image_max_size_bytes"], 10_000_000);
    assert_eq!(v["media_limits"]["video_max_size_bytes"], 100_000_000);
    assert_eq!(v["objects"]["usage"], 1.0);
    let (status, v) = answer(admin(&sb, Method::GET, "resources/image/upload/pic", None).await).await;
    assert_eq!((status, v["version"].clone()), (200, up["version"].clone()));
    assert_eq!(v["derived"][0]["transformation"], "t_square");
    let (status, _) = answer(admin(&sb, Method::GET, "resources/image/upload/nope", None).await).await;
    assert_eq!(status, 404);
}

/// With `parsed_preset_settings`, a preset's `eager` is answered as api-schemas'
/// `upload_preset_detail` gives it: an array of transformations, each an array of step objects.
#[tokio::test]
async fn a_preset_s_eager_is_answered_as_step_objects() {
    let limits = CloudinarySandboxLimits {
        parsed_preset_settings: true,
        ..CloudinarySandboxLimits::default()
    };
    let sb = start_with(Plan::Free, limits).await;
    let body = json!({"name": "social", "eager": "ar_1:1,c_fill,g_auto,w_1080|w_200/jpg", "tags": "a,b"});
    let (status, _) = answer(admin(&sb, Method::POST, "upload_presets", Some(body)).await).await;
    assert_eq!(status, 200);
    let (_, v) = answer(admin(&sb, Method::GET, "upload_presets/social", None).await).await;
    assert_eq!(
        v["settings"]["eager"],
        json!([
            [{"width": 1080, "crop": "fill", "aspect_ratio": "1:1", "gravity": "auto"}],
            [{"width": 200, "format": "jpg"}]
        ])
    );
    assert_eq!(v["settings"]["tags"], json!(["a", "b"]));
}

/// Named transformations are updated (`unsafe_update`, `allowed_for_strict`; JSON or form; by
/// path or `?transformation=`) and deleted; an unknown one is 404 in Cloudinary's shape.
#[tokio::test]
async fn named_transformations_are_updated_and_deleted() {
    let sb = start().await;
    let t = json!({"transformation": "w_100,h_100,c_fill"});
    let (status, _) = answer(admin(&sb, Method::POST, "transformations/square", Some(t)).await).await;
    assert_eq!(status, 200);
    let update = json!({"unsafe_update": "w_200,h_200,c_fill", "allowed_for_strict": true});
    let (status, v) = answer(admin(&sb, Method::PUT, "transformations/square", Some(update)).await).await;
    assert_eq!((status, v), (200, json!({"message": "updated"})));
    let (_, v) = answer(admin(&sb, Method::GET, "transformations/t_square", None).await).await;
    assert_eq!(
        (v["allowed_for_strict"].as_bool(), v["info"][0]["width"].as_u64()),
        (Some(true), Some(200))
    );
    let r = reqwest::Client::new()
        .put(format!(
            "{}/v1_1/{CLOUD}/transformations?transformation=square",
            sb.url()
        ))
        .basic_auth(KEY, Some(SECRET))
        .form(&[("allowed_for_strict", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer(r).await.0, 200);
    let (_, v) = answer(admin(&sb, Method::GET, "transformations?transformation=square", None).await).await;
    assert_eq!(v["allowed_for_strict"], false);
    let (status, v) = answer(admin(&sb, Method::DELETE, "transformations/square", None).await).await;
    assert_eq!((status, v), (200, json!({"message": "deleted"})));
    let (status, v) = answer(admin(&sb, Method::DELETE, "transformations/square", None).await).await;
    assert_eq!(
        (status, v),
        (404, json!({"error": {"message": "Transformation square not found"}}))
    );
    let (status, _) =
        answer(admin(&sb, Method::PUT, "transformations?transformation=nope", Some(json!({}))).await).await;
    assert_eq!(status, 404);
    let t = json!({"name": "again", "transformation": "w_10"});
    answer(admin(&sb, Method::POST, "transformations", Some(t)).await).await;
    let (status, _) = answer(admin(&sb, Method::DELETE, "transformations?transformation=t_again", None).await).await;
    assert_eq!(status, 200);
    let (status, _) = answer(admin(&sb, Method::GET, "transformations/again", None).await).await;
    assert_eq!(status, 404);
}
