//! Uploads: signatures, timestamps, presets, overwrite, what is not media.

use super::*;
use serde_json::json;

/// A signed multipart upload stores the image and answers Cloudinary's result body.
#[tokio::test]
async fn a_signed_upload_stores_the_file_and_answers_its_properties() {
    let sb = start().await;
    let fields = signed(
        &sb,
        &[("public_id", "posts/p1"), ("asset_folder", "posts"), ("tags", "a,b")],
    );
    let (status, body) = upload(&sb, "image", sample("image-640x480.jpg"), "p1.jpg", fields).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["public_id"], "posts/p1");
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(640), Some(480))
    );
    assert_eq!(
        (body["format"].as_str(), body["resource_type"].as_str()),
        (Some("jpg"), Some("image"))
    );
    assert_eq!(
        (body["type"].as_str(), body["existing"].as_bool()),
        (Some("upload"), Some(false))
    );
    assert_eq!(
        (body["asset_folder"].as_str(), body["display_name"].as_str()),
        (Some("posts"), Some("p1"))
    );
    assert_eq!(body["tags"], json!(["a", "b"]));
    let version = body["version"].as_i64().unwrap();
    let expected = signature::sign(
        &[
            ("public_id".into(), "posts/p1".into()),
            ("version".into(), version.to_string()),
        ],
        &secret(),
        Algorithm::Sha1,
    );
    assert_eq!(body["signature"], expected.as_str());
    let url = body["secure_url"].as_str().unwrap();
    assert_eq!(url, format!("{}/demo/image/upload/v{version}/posts/p1.jpg", sb.url()));
    let served = reqwest::get(url).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap().to_vec(), sample("image-640x480.jpg"));
    assert_eq!(sb.counters().cloud(CLOUD).uploads, 1);
    sb.shutdown().await;
}

/// A wrong signature is 401 with the string Cloudinary signed, so the caller can compare.
#[tokio::test]
async fn a_bad_signature_is_401_with_the_string_to_sign() {
    let sb = start().await;
    let ts = sb.now().timestamp().to_string();
    let fields = vec![
        ("public_id".to_string(), "x".to_string()),
        ("timestamp".into(), ts.clone()),
        ("signature".into(), "deadbeef".into()),
        ("api_key".into(), KEY.into()),
    ];
    let (status, body) = upload(&sb, "image", sample("sample.jpg"), "x.jpg", fields).await;
    assert_eq!(status, 401);
    assert_eq!(
        message(&body),
        format!("Invalid Signature deadbeef. String to sign - 'public_id=x&timestamp={ts}'.")
    );
    assert!(sb.assets().is_empty());
}

/// A signed upload with an array (`tags[]` twice), `&` in a value, `context`, a boolean and a
/// signed `upload_preset` is accepted when signed by the documented rules, and refused when `&`
/// is not escaped.
#[tokio::test]
async fn signatures_follow_the_documented_rules() {
    let sb = start().await;
    let preset = json!({"name": "signed_one", "unsigned": false, "asset_folder": "p"});
    let (status, _) = answer(admin(&sb, reqwest::Method::POST, "upload_presets", Some(preset)).await).await;
    assert_eq!(status, 200);
    let ts = sb.now().timestamp().to_string();
    let signed_as: Vec<(String, String)> = [
        ("context", "caption=cats & dogs|alt=x"),
        ("overwrite", "true"),
        ("public_id", "a&b"),
        ("tags", "one,two"),
        ("timestamp", ts.as_str()),
        ("upload_preset", "signed_one"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let sig = signature::sign(&signed_as, &secret(), Algorithm::Sha1);
    let mut sent: Vec<(String, String)> = signed_as.iter().filter(|(k, _)| k != "tags").cloned().collect();
    sent.push(("tags[]".into(), "one".into()));
    sent.push(("tags[]".into(), "two".into()));
    sent.push(("signature".into(), sig));
    sent.push(("api_key".into(), KEY.into()));
    let (status, body) = upload(&sb, "image", sample("sample.jpg"), "x.jpg", sent.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["tags"].clone(), body["asset_folder"].clone()),
        (json!(["one", "two"]), json!("p"))
    );
    // Without the `%26` escaping, the same request is refused.
    let unescaped = format!(
        "context=caption=cats & dogs|alt=x&overwrite=true&public_id=a&b&tags=one,two&timestamp={ts}&upload_preset=signed_one{SECRET}"
    );
    let wrong = super::super::signature::digest(Algorithm::Sha1, &[unescaped.as_bytes()]);
    let mut bad = sent.clone();
    bad.iter_mut().find(|(k, _)| k == "signature").unwrap().1 = wrong;
    let (status, _) = upload(&sb, "image", sample("sample.jpg"), "x.jpg", bad).await;
    assert_eq!(status, 401);
    sb.shutdown().await;
}

/// A signed request more than an hour old is refused as stale (time paused and advanced).
#[tokio::test(start_paused = true)]
async fn a_timestamp_older_than_an_hour_is_stale() {
    let sb = start().await;
    let fields = signed(&sb, &[("public_id", "late")]);
    tokio::time::advance(Duration::from_secs(3601)).await;
    let (status, body) = upload(&sb, "image", sample("sample.jpg"), "x.jpg", fields).await;
    assert_eq!(status, 400);
    assert!(
        message(&body).starts_with("Stale request - reported time is "),
        "{body}"
    );
    assert!(message(&body).ends_with("which is more than 1 hour ago"), "{body}");
}

/// An unsigned upload works with an unsigned preset, whose parameters apply; a signed preset is refused.
#[tokio::test]
async fn an_unsigned_upload_needs_an_unsigned_preset_whose_parameters_apply() {
    let sb = start().await;
    for (name, unsigned) in [("open", true), ("closed", false)] {
        let r = admin(
            &sb,
            reqwest::Method::POST,
            "upload_presets",
            Some(json!({"name": name, "unsigned": unsigned, "asset_folder": "inbox", "tags": "from_preset"})),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    let fields = vec![("upload_preset".to_string(), "open".to_string())];
    let (status, body) = upload(&sb, "auto", sample("sample.png"), "s.png", fields).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["asset_folder"].as_str(), body["format"].as_str()),
        (Some("inbox"), Some("png"))
    );
    assert_eq!(body["tags"], json!(["from_preset"]));
    let fields = vec![("upload_preset".to_string(), "closed".to_string())];
    let (status, body) = upload(&sb, "image", sample("sample.png"), "s.png", fields).await;
    assert_eq!(
        (status, message(&body)),
        (400, "Upload preset must be whitelisted for unsigned uploads")
    );
    let (status, body) = upload(&sb, "image", sample("sample.png"), "s.png", vec![]).await;
    assert_eq!(
        (status, message(&body)),
        (400, "Upload preset must be specified when using unsigned upload")
    );
}

/// With `overwrite=false`, an existing public id answers the stored asset, `existing: true`,
/// and nothing new is stored or counted.
#[tokio::test]
async fn overwrite_false_returns_the_existing_asset() {
    let sb = start().await;
    let first = upload(
        &sb,
        "image",
        sample("image-64x48.jpg"),
        "a.jpg",
        signed(&sb, &[("public_id", "same")]),
    )
    .await;
    assert_eq!(first.0, 200);
    let fields = signed(&sb, &[("public_id", "same"), ("overwrite", "false")]);
    let (status, body) = upload(&sb, "image", sample("image-100x100.jpg"), "b.jpg", fields).await;
    assert_eq!(status, 200);
    assert_eq!(body["existing"], true);
    assert_eq!(
        (body["width"].as_u64(), body["version"].clone()),
        (Some(64), first.1["version"].clone())
    );
    assert_eq!(sb.counters().cloud(CLOUD).uploads, 1);
}

/// Text uploaded as an image, a truncated image and a truncated video are 400.
#[tokio::test]
async fn files_that_are_not_whole_media_are_400() {
    let sb = start().await;
    let (status, body) = upload(&sb, "image", b"not an image\n".to_vec(), "n.txt", signed(&sb, &[])).await;
    assert_eq!((status, message(&body)), (400, "Invalid image file"));
    let mut jpeg = sample("image-640x480.jpg");
    jpeg.truncate(jpeg.len() / 2);
    let (status, _) = upload(&sb, "image", jpeg, "t.jpg", signed(&sb, &[])).await;
    assert_eq!(status, 400);
    let mut mp4 = sample("video-320x240-2s.mp4");
    mp4.truncate(40);
    let (status, body) = upload(&sb, "video", mp4, "t.mp4", signed(&sb, &[])).await;
    assert_eq!((status, message(&body)), (400, "Invalid video file"));
    let (status, body) = upload(&sb, "auto", b"plain text".to_vec(), "notes.txt", signed(&sb, &[])).await;
    assert_eq!((status, body["resource_type"].as_str()), (200, Some("raw")));
    assert!(body["public_id"].as_str().unwrap().ends_with(".txt"));
}

/// A remote URL is fetched; one that 404s is 400 naming the URL; a data URI works too.
#[tokio::test]
async fn remote_urls_and_data_uris_are_fetched() {
    let sb = start().await;
    let mut fields = signed(&sb, &[("public_id", "remote")]);
    fields.push(("file".into(), sb.file_url("image-320x200.jpg")));
    let (status, body) = upload_form(&sb, "image", fields).await;
    assert_eq!((status, body["width"].as_u64()), (200, Some(320)), "{body}");
    let missing = sb.file_url("nope.jpg");
    let mut fields = signed(&sb, &[]);
    fields.push(("file".into(), missing.clone()));
    let (status, body) = upload_form(&sb, "image", fields).await;
    assert_eq!(
        (status, message(&body).to_string()),
        (400, format!("Resource not found - {missing}"))
    );
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(sample("sample.png"));
    let mut fields = signed(&sb, &[]);
    fields.push(("file".into(), format!("data:image/png;base64,{data}")));
    let (status, body) = upload_form(&sb, "image", fields).await;
    assert_eq!((status, body["format"].as_str()), (200, Some("png")));
}

/// The plan's size limit is Cloudinary's message.
#[tokio::test]
async fn an_image_over_the_plan_s_limit_is_too_large() {
    let sb = start().await;
    let mut big = sample("image-64x64.jpg");
    let eoi = big.split_off(big.len() - 2);
    big.extend(std::iter::repeat_n(0u8, 10_000_001));
    big.extend(eoi);
    let len = big.len();
    let (status, body) = upload(&sb, "image", big, "big.jpg", signed(&sb, &[])).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&body),
        format!("File size too large. Got {len}. Maximum is 10000000.")
    );
}

/// Destroy is signed and answers ok, then not found.
#[tokio::test]
async fn destroy_removes_the_asset() {
    let sb = start().await;
    upload(
        &sb,
        "image",
        sample("sample.jpg"),
        "a.jpg",
        signed(&sb, &[("public_id", "gone")]),
    )
    .await;
    for expected in ["ok", "not found"] {
        let r = reqwest::Client::new()
            .post(format!("{}/v1_1/{CLOUD}/image/destroy", sb.url()))
            .form(&signed(&sb, &[("public_id", "gone")]))
            .send()
            .await
            .unwrap();
        let (status, body) = answer(r).await;
        assert_eq!((status, body["result"].as_str()), (200, Some(expected)));
    }
    assert!(sb.asset(CLOUD, "gone").is_none());
}

/// Delivery streams the file from disk: a 12 MB video comes whole and in ranges, byte for byte,
/// and the bandwidth counter counts what was sent.
#[tokio::test]
async fn delivery_streams_whole_files_and_ranges() {
    let sb = start().await;
    let video = sample("video-640x360-12s-12mb.mp4");
    let (status, body) = upload(&sb, "video", video.clone(), "v.mp4", signed(&sb, &[("public_id", "v")])).await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().unwrap().to_string();
    let whole = reqwest::get(&url).await.unwrap();
    assert_eq!(whole.headers()["content-length"], video.len().to_string().as_str());
    assert_eq!(whole.bytes().await.unwrap().to_vec(), video);
    let part = reqwest::Client::new()
        .get(&url)
        .header("Range", "bytes=1000000-1999999")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(
        part.bytes().await.unwrap().to_vec(),
        video[1_000_000..2_000_000].to_vec()
    );
    assert_eq!(sb.counters().cloud(CLOUD).bandwidth, video.len() as u64 + 1_000_000);
    sb.shutdown().await;
}

/// A cloud set to SHA-256 only accepts a SHA-256 signature and refuses a SHA-1 one.
#[tokio::test]
async fn a_sha256_cloud_checks_sha256_signatures() {
    let mut cloud = SandboxCloud::new(CLOUD, KEY, SECRET);
    cloud.signatures = super::super::Accepted::Sha256Only;
    let sb = CloudinarySandbox::start(CloudinarySandboxOptions {
        data_dir: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        clouds: vec![cloud],
        limits: CloudinarySandboxLimits::default(),
        notify_timeout: Duration::from_secs(10),
    })
    .await
    .unwrap();
    let ts = sb.now().timestamp().to_string();
    let params = vec![("public_id".to_string(), "s256".to_string()), ("timestamp".into(), ts)];
    for (algorithm, expected) in [(Algorithm::Sha1, 401), (Algorithm::Sha256, 200)] {
        let mut fields = params.clone();
        fields.push(("signature".into(), signature::sign(&params, &secret(), algorithm)));
        fields.push(("api_key".into(), KEY.into()));
        let (status, body) = upload(&sb, "image", sample("sample.jpg"), "x.jpg", fields).await;
        assert_eq!(status, expected, "{body}");
    }
    sb.shutdown().await;
}
