//! Uploads: signed as Cloudinary checks, on the right path, chunked and streamed above the threshold.

use super::*;
use crate::cloudinary::signer;
use crate::cloudinary::{UploadParams, UploadResource, UploadSource};
use std::io::Write;
use std::time::Duration;

/// Recomputes the signature of what the stub received, as Cloudinary would.
fn assert_signed(seen: &Seen) {
    let fields = seen.text_fields();
    let sent = seen.text("signature").expect("a signature");
    let expected = signer::sign(&fields, &SecretString::from(SECRET), signer::Algorithm::Sha1);
    assert_eq!(sent, expected, "signature of {fields:?}");
    assert_eq!(seen.text("api_key").as_deref(), Some(KEY));
    let ts: i64 = seen.text("timestamp").unwrap().parse().unwrap();
    assert!(
        (ts - chrono::Utc::now().timestamp()).abs() < 120,
        "Unix seconds, not milliseconds: {ts}"
    );
    assert!(
        !String::from_utf8_lossy(&seen.body).contains(SECRET),
        "the secret is never sent"
    );
}

fn params() -> UploadParams {
    UploadParams {
        public_id: Some("users/rec1/photo".into()),
        asset_folder: Some("users".into()),
        tags: vec!["schedulo".into(), "rec1".into()],
        context: vec![("alt".into(), "a=b|c".into())],
        eager: Some("ar_1:1,c_fill,g_auto,w_1080|ar_4:5,c_fill,g_auto,w_1080".into()),
        eager_async: true,
        overwrite: Some(false),
        ..UploadParams::default()
    }
}

#[tokio::test]
async fn an_upload_from_a_url_is_a_signed_form_with_file_set_to_the_url() {
    let stub = Stub::start().await;
    let client = stub.client();
    let up = client
        .upload(
            UploadResource::Image,
            UploadSource::Url("https://example.com/a.jpg".into()),
            &params(),
        )
        .await
        .unwrap();
    assert_eq!(up.public_id, "users/rec1/photo");
    let seen = stub.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1_1/demo/image/upload");
    assert_eq!(seen[0].text("file").as_deref(), Some("https://example.com/a.jpg"));
    assert_eq!(seen[0].text("tags").as_deref(), Some("schedulo,rec1"));
    assert_eq!(seen[0].text("context").as_deref(), Some("alt=a\\=b\\|c"));
    assert_eq!(seen[0].text("eager_async").as_deref(), Some("true"));
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "the Upload API is signed, not Basic"
    );
    assert_signed(&seen[0]);
}

#[tokio::test]
async fn a_small_file_goes_in_one_signed_multipart_request() {
    let stub = Stub::start().await;
    let client = stub.client();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"\xff\xd8\xff fake jpeg").unwrap();
    client
        .upload(UploadResource::Video, UploadSource::File(file.path().into()), &params())
        .await
        .unwrap();
    let seen = stub.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1_1/demo/video/upload");
    assert!(seen[0]
        .header("content-type")
        .unwrap()
        .starts_with("multipart/form-data"));
    assert_eq!(seen[0].field("file").unwrap(), b"\xff\xd8\xff fake jpeg");
    assert_eq!(seen[0].header("content-range"), None);
    assert_signed(&seen[0]);
}

#[tokio::test]
async fn a_large_file_goes_in_chunks_with_one_upload_id_and_each_range() {
    let stub = Stub::start().await;
    let mut options = stub.options();
    let mib = 1024 * 1024;
    options.chunk_size = 5 * mib;
    options.chunk_threshold = 6 * mib;
    let client = CloudinaryClient::new(options).unwrap();
    let content: Vec<u8> = (0..12 * mib).map(|i| (i % 251) as u8).collect();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&content).unwrap();
    let up = client
        .upload(UploadResource::Video, UploadSource::File(file.path().into()), &params())
        .await
        .unwrap();
    assert_eq!(
        up.public_id, "users/rec1/photo",
        "the last chunk's answer is the result"
    );
    let seen = stub.seen();
    let total = 12 * mib;
    let ranges: Vec<String> = seen.iter().map(|s| s.header("content-range").unwrap()).collect();
    assert_eq!(
        ranges,
        vec![
            format!("bytes 0-{}/{total}", 5 * mib - 1),
            format!("bytes {}-{}/{total}", 5 * mib, 10 * mib - 1),
            format!("bytes {}-{}/{total}", 10 * mib, total - 1),
        ]
    );
    let ids: Vec<String> = seen.iter().map(|s| s.header("x-unique-upload-id").unwrap()).collect();
    assert!(ids.iter().all(|id| id == &ids[0] && !id.is_empty()), "{ids:?}");
    let mut rebuilt = Vec::new();
    for s in &seen {
        assert_eq!(s.path, "/v1_1/demo/video/upload");
        assert_signed(s);
        let part = s.field("file").unwrap();
        assert!(
            part.len() as u64 <= 5 * mib,
            "each request carries one chunk, not the file"
        );
        rebuilt.extend(part);
    }
    assert!(rebuilt == content, "the chunks are the file, in order");
}

#[tokio::test]
async fn signed_params_for_bubble_carry_key_timestamp_and_signature_but_not_the_secret() {
    let stub = Stub::start().await;
    let client = stub.client();
    let p = UploadParams {
        upload_preset: Some("schedulo-user-media".into()),
        public_id: Some("sample_image".into()),
        ..UploadParams::default()
    };
    let signed = client.signed_params(&p, 1315060510);
    let get = |k: &str| signed.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("timestamp").as_deref(), Some("1315060510"));
    assert_eq!(get("api_key").as_deref(), Some(KEY));
    let text = "public_id=sample_image&timestamp=1315060510&upload_preset=schedulo-user-media";
    assert_eq!(
        get("signature").unwrap(),
        signer::Algorithm::Sha1.hex(&[text.as_bytes(), SECRET.as_bytes()])
    );
    assert!(signed.iter().all(|(_, v)| !v.contains(SECRET)));
    assert_eq!(
        client.upload_url(UploadResource::Auto).as_str(),
        format!("{}/v1_1/demo/auto/upload", stub.url)
    );
}

#[tokio::test]
async fn delivery_urls_have_cloudinarys_form() {
    let stub = Stub::start().await;
    let mut o = stub.options();
    o.delivery_url = "https://res.cloudinary.com".parse().unwrap();
    let client = CloudinaryClient::new(o).unwrap();
    use crate::cloudinary::variants::Resource;
    assert_eq!(
        client.delivery_url(
            Resource::Image,
            Some("ar_4:5,c_fill,g_auto,w_1080"),
            1709898830,
            "users/rec1/photo",
            "jpg"
        ),
        "https://res.cloudinary.com/demo/image/upload/ar_4:5,c_fill,g_auto,w_1080/v1709898830/users/rec1/photo.jpg"
    );
    assert_eq!(
        client.delivery_url(Resource::Video, None, 7, "clip", "mp4"),
        "https://res.cloudinary.com/demo/video/upload/v7/clip.mp4"
    );
    assert_eq!(
        client.delivery_url(Resource::Image, None, 7, "users/rec 1/é+x?#%&_.-:y", "jpg"),
        "https://res.cloudinary.com/demo/image/upload/v7/users/rec%201/%C3%A9%2Bx%3F%23%25%26_.-:y.jpg",
        "each segment percent-encoded as the SDKs do; / and : kept"
    );
}

/// A client for 12 MiB files in chunks of 5 MiB.
fn chunking(stub: &Stub, tune: impl FnOnce(&mut CloudinaryOptions)) -> (CloudinaryClient, tempfile::NamedTempFile) {
    let mut options = stub.options();
    let mib = 1024 * 1024;
    options.chunk_size = 5 * mib;
    options.chunk_threshold = 6 * mib;
    tune(&mut options);
    let content: Vec<u8> = (0..12 * mib).map(|i| (i % 251) as u8).collect();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&content).unwrap();
    (CloudinaryClient::new(options).unwrap(), file)
}

fn timestamp(seen: &Seen) -> i64 {
    seen.text("timestamp").unwrap().parse().unwrap()
}

fn upload_ids(seen: &[Seen]) -> Vec<String> {
    seen.iter().map(|s| s.header("x-unique-upload-id").unwrap()).collect()
}

/// Proves the chunk loop signs each chunk with the clock's time: after an answer that took more
/// than an hour, the next chunk's timestamp is new (Cloudinary would refuse the first one as
/// "Stale request") and its signature is valid for its own parameters.
#[tokio::test(start_paused = true)]
async fn each_chunk_is_signed_afresh_so_an_upload_longer_than_an_hour_is_not_stale() {
    let stub = Stub::start().await;
    let (client, file) = chunking(&stub, |o| o.timeout = Duration::from_secs(3 * 3600));
    stub.script_after(Duration::from_secs(3700), 200, vec![], r#"{"done":false}"#);
    let up = client
        .upload(UploadResource::Video, UploadSource::File(file.path().into()), &params())
        .await
        .unwrap();
    assert_eq!(up.public_id, "users/rec1/photo");
    let seen = stub.seen();
    assert_eq!(seen.len(), 3);
    for s in &seen {
        let sent = s.text("signature").unwrap();
        let expected = signer::sign(&s.text_fields(), &SecretString::from(SECRET), signer::Algorithm::Sha1);
        assert_eq!(sent, expected, "each chunk's signature is of its own parameters");
    }
    let (first, second, third) = (timestamp(&seen[0]), timestamp(&seen[1]), timestamp(&seen[2]));
    assert!(second - first >= 3700, "signed when sent: {first} then {second}");
    assert!(third >= second);
    assert!(client.options().clock.now().timestamp() - third < 60, "fresh");
    assert_ne!(seen[0].text("signature"), seen[1].text("signature"));
    let ids = upload_ids(&seen);
    assert!(ids.iter().all(|id| id == &ids[0]), "one upload id: {ids:?}");
}

#[test]
fn an_uploads_timeout_grows_with_its_bytes_at_the_slowest_rate_allowed() {
    let o = CloudinaryOptions::new(CLOUD, KEY, SecretString::from(SECRET));
    assert_eq!(o.min_upload_bytes_per_sec, 262_144);
    assert_eq!(o.upload_timeout(0), Duration::from_secs(120));
    assert_eq!(o.upload_timeout(262_144 * 10), Duration::from_secs(130));
    let chunk = o.upload_timeout(20_000_000);
    assert!(
        chunk > Duration::from_secs(196) && chunk < Duration::from_secs(197),
        "{chunk:?}"
    );
}

/// Proves the per-request timeout overrides the client-wide one: a file that takes longer than
/// `timeout` (but less than `timeout + bytes / rate`) to be answered is not cut off.
#[tokio::test(start_paused = true)]
async fn a_file_upload_gets_time_for_its_bytes_beyond_the_timeout() {
    let stub = Stub::start().await;
    let mut o = stub.options();
    o.timeout = Duration::from_secs(5);
    o.min_upload_bytes_per_sec = 32 * 1024;
    let client = CloudinaryClient::new(o).unwrap();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&vec![7u8; 1024 * 1024]).unwrap();
    stub.script_after(
        Duration::from_secs(20),
        200,
        vec![],
        &fixture("upload_image_eager.json"),
    );
    let started = tokio::time::Instant::now();
    client
        .upload(UploadResource::Image, UploadSource::File(file.path().into()), &params())
        .await
        .unwrap();
    assert_eq!(
        stub.seen().len(),
        1,
        "answered within 5 s + 32 s, not timed out after 5 s"
    );
    assert!(started.elapsed() >= Duration::from_secs(20));
}

/// Proves a lost answer to the last chunk of an upload safe to repeat restarts the whole upload
/// under a new upload id instead of resending the last chunk of a finished one.
#[tokio::test(start_paused = true)]
async fn a_lost_answer_to_the_last_chunk_restarts_the_whole_upload_under_a_new_upload_id() {
    let stub = Stub::start().await;
    let (client, file) = chunking(&stub, |_| {});
    stub.script_last_chunk(Duration::from_secs(10_000), 200, "{}");
    let up = client
        .upload(UploadResource::Video, UploadSource::File(file.path().into()), &params())
        .await
        .unwrap();
    assert_eq!(up.public_id, "users/rec1/photo");
    let seen = stub.seen();
    let ranges: Vec<String> = seen.iter().map(|s| s.header("content-range").unwrap()).collect();
    assert_eq!(seen.len(), 6, "the whole upload twice: {ranges:?}");
    assert_eq!(ranges[..3], ranges[3..], "from the first chunk again");
    let ids = upload_ids(&seen);
    assert!(ids[..3].iter().all(|id| id == &ids[0]), "{ids:?}");
    assert!(ids[3..].iter().all(|id| id == &ids[3]), "{ids:?}");
    assert_ne!(ids[0], ids[3], "a new upload id");
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_to_the_last_chunk_of_an_upload_that_could_overwrite_is_outcome_unknown() {
    let stub = Stub::start().await;
    let (client, file) = chunking(&stub, |_| {});
    stub.script_last_chunk(Duration::ZERO, 500, r#"{"error":{"message":"General Error"}}"#);
    let p = UploadParams {
        overwrite: None,
        ..params()
    };
    let e = client
        .upload(UploadResource::Video, UploadSource::File(file.path().into()), &p)
        .await
        .unwrap_err();
    assert_eq!(e.class(), crate::error_class::ErrorClass::OutcomeUnknown, "{e}");
    assert_eq!(stub.seen().len(), 3, "neither the chunk nor the upload repeated");
}

/// Proves a file that cannot be read while a chunk is being sent fails as a `File` error (that
/// chunk was not whole, so Cloudinary cannot have applied it), not as outcome-unknown.
#[tokio::test(start_paused = true)]
async fn a_file_that_ends_early_while_a_chunk_is_sent_is_a_file_error() {
    let stub = Stub::start().await;
    let (client, file) = chunking(&stub, |_| {});
    let path = file.path().to_path_buf();
    stub.state.lock().unwrap().on_request = Some(Box::new(move |_| {
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(5 * 1024 * 1024 + 100).unwrap();
    }));
    let p = UploadParams {
        overwrite: None,
        ..params()
    };
    let e = client
        .upload(UploadResource::Video, UploadSource::File(file.path().into()), &p)
        .await
        .unwrap_err();
    assert!(matches!(e, crate::cloudinary::CloudinaryError::File { .. }), "{e:?}");
    assert!(e.to_string().contains("ended"), "{e}");
    assert_eq!(e.class(), crate::error_class::ErrorClass::Permanent);
}

#[test]
fn upload_answers_are_read_into_media_info_with_pending_eager_variants() {
    let up: crate::cloudinary::Uploaded = serde_json::from_str(&fixture("upload_video_eager_async.json")).unwrap();
    assert_eq!(up.video_codec.as_deref(), Some("h264"));
    assert_eq!(up.duration, Some(24.0));
    let info = up.media_info();
    assert_eq!(
        (info.width, info.height, info.bytes),
        (Some(1920), Some(1080), Some(14375183))
    );
    assert_eq!(info.format.as_deref(), Some("mp4"));
    let d = &up.eager[0];
    assert!(d.pending());
    assert!(d.batch_id.is_some());
    assert_eq!(
        d.transformation_string().as_deref(),
        Some("ar_9:16,c_fill,vc_h264,w_1080")
    );
    let vi = d.media_info(up.duration);
    assert_eq!(
        (vi.video_codec.as_deref(), vi.duration_secs),
        (Some("h264"), Some(24.0))
    );

    let up: crate::cloudinary::Uploaded = serde_json::from_str(&fixture("upload_image_eager.json")).unwrap();
    assert_eq!(up.media_info().format.as_deref(), Some("jpeg"));
    assert!(!up.eager[0].pending());
    assert_eq!(up.eager[0].media_info(None).width, Some(1080));
}
