//! Posts that go out: text, link, photos; and reconcile when nothing went out.

use super::*;
use crate::platforms::Attempt;
use chrono::{Duration, Utc};

/// A text post is one feed call plus the permalink read, and the sandbox holds it.
#[tokio::test(start_paused = true)]
async fn a_text_post_goes_out_with_its_permalink() {
    let env = start().await;
    let published = env.publish(&text_post("Fresh bread at 7!")).await.unwrap();
    assert!(published.platform_id.starts_with(&format!("{PAGE}_")));
    assert_eq!(
        published.url,
        format!("{}/_sandbox/posts/{}", env.sandbox.url(), published.platform_id)
    );
    assert_eq!(
        env.sandbox.posts(PAGE),
        vec![(published.platform_id.clone(), "Fresh bread at 7!".to_string(), vec![])]
    );
    assert_eq!(env.requests().await, 2, "feed POST + permalink GET");
    let (status, shown) = env
        .call(Method::GET, &format!("/_sandbox/posts/{}", published.platform_id), None)
        .await;
    assert_eq!((status, shown["page"]["name"].as_str()), (200, Some("Schedulo Bakery")));
    env.shutdown().await;
}

/// A link post carries its link, and may have no text.
#[tokio::test(start_paused = true)]
async fn a_link_post_goes_out_with_its_link() {
    let env = start().await;
    let mut post = text_post("Our spring menu");
    post.link = Some("https://bakery.example/spring".into());
    let published = env.publish(&post).await.unwrap();
    let (_, shown) = env
        .call(Method::GET, &format!("/_sandbox/posts/{}", published.platform_id), None)
        .await;
    assert_eq!(shown["link"], "https://bakery.example/spring");
    assert_eq!(shown["message"], "Our spring menu");
    let mut bare = text_post("");
    bare.link = Some("https://bakery.example/other".into());
    assert!(env.publish(&bare).await.is_ok());
    env.shutdown().await;
}

/// Three photos: three unpublished uploads (fetched by the sandbox from its own files), then one
/// post that attaches them in order.
#[tokio::test(start_paused = true)]
async fn a_three_photo_post_attaches_three_unpublished_photos_in_order() {
    let env = start().await;
    let post = photo_post("Three loaves", (1..=3).map(|n| env.photo_url(n)).collect());
    let prepared = env.publisher.prepare(&env.account(), &post).await.unwrap();
    assert_eq!(prepared.media_ids.len(), 3);
    assert!(env.sandbox.posts(PAGE).is_empty(), "unpublished photos are not posts");
    let published = env
        .publisher
        .publish(&env.account(), &post, &prepared, &crate::platforms::Receipts::discard())
        .await
        .unwrap()
        .into_published()
        .unwrap();
    let posts = env.sandbox.posts(PAGE);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].0, published.platform_id);
    assert_eq!(posts[0].2, prepared.media_ids);
    let counters = env.counters().await;
    assert_eq!(
        (counters["photos_created"].as_u64(), counters["posts_created"].as_u64()),
        (Some(3), Some(1))
    );
    env.shutdown().await;
}

/// Preparing twice is harmless: the first photos stay unpublished and invisible.
#[tokio::test(start_paused = true)]
async fn preparing_again_leaves_no_visible_trace() {
    let env = start().await;
    let post = photo_post("Again", vec![env.photo_url(1)]);
    let first = env.publisher.prepare(&env.account(), &post).await.unwrap();
    let second = env.publisher.prepare(&env.account(), &post).await.unwrap();
    assert_ne!(first, second);
    env.publisher
        .publish(&env.account(), &post, &second, &crate::platforms::Receipts::discard())
        .await
        .unwrap();
    assert_eq!(env.sandbox.posts(PAGE).len(), 1);
    env.shutdown().await;
}

/// Nothing posted since the intent: reconcile says so; a post from the other Page does not count.
#[tokio::test(start_paused = true)]
async fn reconcile_finds_nothing_when_nothing_went_out() {
    let env = start().await;
    let since = Utc::now() - Duration::minutes(1);
    let other = FacebookPublisher::new({
        let mut o = FacebookOptions::new(env.sandbox.url().parse().unwrap());
        o.version = crate::platforms::meta_graph::DEFAULT_VERSION.into();
        o
    })
    .unwrap();
    let mut other_account = account_with(OTHER_TOKEN);
    other_account.external_id = OTHER_PAGE.into();
    let post = text_post("Only on the other Page");
    let prepared = other.prepare(&other_account, &post).await.unwrap();
    other
        .publish(&other_account, &post, &prepared, &crate::platforms::Receipts::discard())
        .await
        .unwrap();
    assert_eq!(
        env.publisher
            .reconcile(&env.account(), &post, Attempt::since(since))
            .await
            .unwrap()
            .into_published(),
        None
    );
    env.publish(&text_post("Something else")).await.unwrap();
    assert_eq!(
        env.publisher
            .reconcile(&env.account(), &post, Attempt::since(since))
            .await
            .unwrap()
            .into_published(),
        None
    );
    env.shutdown().await;
}
