//! The policy's decisions, without the network (the attacks over HTTP are in
//! `tests/security/media.rs`).

use super::*;

fn policy(listed: &[&str]) -> MediaPolicy {
    let delivery = Url::parse("https://res.cloudinary.com").unwrap();
    let x = Url::parse("http://127.0.0.1:8791").unwrap();
    let listed = listed.iter().map(|h| MediaHost::parse(h).unwrap()).collect();
    MediaPolicy::new(&delivery, listed, &[&x])
}

fn verdict(p: &MediaPolicy, url: &str) -> Result<(), String> {
    p.check(&Url::parse(url).unwrap()).map_err(|r| r.0)
}

#[test]
fn media_comes_from_the_delivery_host_the_listed_ones_and_the_sandboxes() {
    let p = policy(&["media.example.com", "cdn.example.org:8443"]);
    assert_eq!(
        verdict(&p, "https://res.cloudinary.com/demo/image/upload/a.jpg"),
        Ok(())
    );
    assert_eq!(verdict(&p, "https://RES.cloudinary.com./demo/a.jpg"), Ok(()));
    assert_eq!(verdict(&p, "https://media.example.com/a.jpg"), Ok(()));
    assert_eq!(verdict(&p, "https://cdn.example.org:8443/a.jpg"), Ok(()));
    assert_eq!(verdict(&p, "http://127.0.0.1:8791/_sandbox/files/a.jpg"), Ok(()));
}

#[test]
fn anything_else_is_refused_with_the_reason() {
    let p = policy(&["media.example.com", "10.0.0.5"]);
    let other = verdict(&p, "https://evil.example.net/a.jpg").unwrap_err();
    assert!(other.contains("evil.example.net:443 is not a media host"), "{other}");
    assert!(
        other.contains("res.cloudinary.com:443") && other.contains("SCHEDULO_MEDIA_HOSTS"),
        "{other}"
    );
    assert!(
        verdict(&p, "https://cdn.example.org/a.jpg").is_err(),
        "an unlisted port"
    );
    assert!(
        verdict(&p, "http://media.example.com/a.jpg").is_err(),
        "port 80 is not the listed 443"
    );
    let port = verdict(&p, "http://127.0.0.1:8787/status").unwrap_err();
    assert!(port.contains("127.0.0.1:8787 is not a media host"), "{port}");
    let metadata = verdict(&p, "http://169.254.169.254/latest/meta-data/").unwrap_err();
    assert!(metadata.contains("not a media host"), "{metadata}");
    let private = verdict(&p, "https://10.0.0.5/a.jpg").unwrap_err();
    assert!(
        private.contains("10.0.0.5 is a private network address"),
        "even listed: {private}"
    );
    let scheme = verdict(&p, "file:///etc/passwd").unwrap_err();
    assert!(scheme.contains("scheme is file"), "{scheme}");
}

#[test]
fn listed_hosts_read_as_an_operator_writes_them() {
    assert_eq!(
        MediaHost::parse("https://Media.Example.com").unwrap(),
        MediaHost {
            host: "media.example.com".into(),
            port: 443
        }
    );
    assert_eq!(MediaHost::parse("http://a.example:8080").unwrap().port, 8080);
    assert_eq!(MediaHost::parse("[2606:4700::1]:8443").unwrap().host, "2606:4700::1");
    assert!(MediaHost::parse("https://a.example/path")
        .unwrap_err()
        .contains("without a path"));
    assert!(MediaHost::parse("not a host").is_err());
}
