//! The Cloudinary section: `CLOUDINARY_URL`, its companions, the client's timeouts and chunking.

use super::*;
use crate::cloudinary::options as o;

#[test]
fn cloudinary_url_is_read_and_its_errors_never_show_the_secret() {
    let c = Config::from_vars(vars(&[(
        "CLOUDINARY_URL",
        "cloudinary://123456:s3cr3tV4lue@demo-cloud",
    )]))
    .unwrap();
    let cld = c.cloudinary.unwrap();
    assert_eq!(
        (cld.cloud_name.as_str(), cld.api_key.as_str()),
        ("demo-cloud", "123456")
    );
    assert_eq!(cld.api_url.as_str(), "https://api.cloudinary.com/");
    assert!(!format!("{cld:?}").contains("s3cr3t"));
    for bad in [
        "https://123456:s3cr3tV4lue@demo",
        "cloudinary://123456@demo",
        "cloudinary://123456:s3cr3tV4lue@",
        "not a url s3cr3tV4lue",
    ] {
        let err = Config::from_vars(vars(&[("CLOUDINARY_URL", bad)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("CLOUDINARY_URL is not valid"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
    }
    let err = Config::from_vars(vars(&[
        ("CLOUDINARY_URL", "cloudinary://1:2@c"),
        ("CLOUDINARY_SIGNATURE_ALGORITHM", "md5"),
    ]))
    .unwrap_err();
    assert_eq!(err.variable, "CLOUDINARY_SIGNATURE_ALGORITHM");
}

#[test]
fn the_algorithm_the_plan_and_the_urls_are_read_and_checked_even_without_cloudinary_url() {
    let cld = Config::from_vars(vars(&[
        ("CLOUDINARY_URL", "cloudinary://1:2@c"),
        ("CLOUDINARY_SIGNATURE_ALGORITHM", "SHA256"),
        ("CLOUDINARY_PLAN", "paid"),
        ("CLOUDINARY_API_URL", "http://127.0.0.1:9000"),
    ]))
    .unwrap()
    .cloudinary
    .unwrap();
    assert_eq!(cld.algorithm, crate::cloudinary::signer::Algorithm::Sha256);
    assert!(cld.paid);
    assert_eq!(cld.api_url.as_str(), "http://127.0.0.1:9000/");
    assert_eq!(cld.delivery_url.as_str(), "https://res.cloudinary.com/");
    for (variable, bad) in [
        ("CLOUDINARY_SIGNATURE_ALGORITHM", "md5"),
        ("CLOUDINARY_PLAN", "gold"),
        ("CLOUDINARY_DELIVERY_URL", "https://res.cloudinary.com/demo"),
    ] {
        let err = Config::from_vars(vars(&[(variable, bad)])).unwrap_err();
        assert_eq!(err.variable, variable);
    }
}

#[test]
fn cloudinary_timeout_and_chunking_default_to_the_clients_and_bad_values_name_the_variable() {
    let url = ("CLOUDINARY_URL", "cloudinary://1:2@c");
    let cld = Config::from_vars(vars(&[url])).unwrap().cloudinary.unwrap();
    assert_eq!(cld.timeout, o::DEFAULT_TIMEOUT);
    assert_eq!(cld.chunk_size, o::DEFAULT_CHUNK_SIZE);
    assert_eq!(cld.chunk_threshold, o::DEFAULT_CHUNK_THRESHOLD);
    assert_eq!(cld.min_upload_bytes_per_sec, o::DEFAULT_MIN_UPLOAD_BYTES_PER_SEC);
    let cld = Config::from_vars(vars(&[
        url,
        ("CLOUDINARY_TIMEOUT_SECS", "300"),
        ("CLOUDINARY_CHUNK_BYTES", "6000000"),
        ("CLOUDINARY_CHUNK_THRESHOLD_BYTES", "50000000"),
        ("CLOUDINARY_MIN_UPLOAD_RATE", "65536"),
    ]))
    .unwrap()
    .cloudinary
    .unwrap();
    assert_eq!(cld.timeout, Duration::from_secs(300));
    assert_eq!(
        (cld.chunk_size, cld.chunk_threshold, cld.min_upload_bytes_per_sec),
        (6_000_000, 50_000_000, 65_536)
    );
    for (variable, bad, problem) in [
        ("CLOUDINARY_TIMEOUT_SECS", "2m", "does not parse"),
        ("CLOUDINARY_TIMEOUT_SECS", "0", "out of range"),
        ("CLOUDINARY_CHUNK_BYTES", "1000000", "out of range"),
        ("CLOUDINARY_CHUNK_THRESHOLD_BYTES", "200000000", "out of range"),
        ("CLOUDINARY_MIN_UPLOAD_RATE", "0", "out of range"),
        ("CLOUDINARY_MIN_UPLOAD_RATE", "fast", "does not parse"),
    ] {
        let err = Config::from_vars(vars(&[url, (variable, bad)])).unwrap_err();
        assert_eq!(err.variable, variable);
        let text = err.to_string();
        assert!(text.contains(problem) && text.contains("expected"), "{text}");
        let err = Config::from_vars(vars(&[(variable, bad)])).unwrap_err();
        assert_eq!(err.variable, variable, "checked without CLOUDINARY_URL too");
    }
}
