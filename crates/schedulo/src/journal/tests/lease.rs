//! The lease on a base.

use super::{at, journal};
use std::time::Duration;

const TTL: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_held_lease_is_refused_to_others_and_renewed_for_its_owner() {
    let j = journal().await;
    assert!(j.acquire_lease("appB", "w1", at(0), TTL).await.unwrap());
    assert!(!j.acquire_lease("appB", "w2", at(0), TTL).await.unwrap());
    assert!(j.acquire_lease("appB", "w1", at(0) + TTL / 2, TTL).await.unwrap());
    let lease = j.lease("appB").await.unwrap().unwrap();
    assert_eq!(
        (lease.owner.as_str(), lease.acquired_at, lease.expires_at),
        ("w1", at(0), at(0) + TTL / 2 + TTL)
    );
    assert!(j.acquire_lease("appOther", "w2", at(0), TTL).await.unwrap());
}

#[tokio::test]
async fn an_expired_lease_is_taken_over() {
    let j = journal().await;
    assert!(j.acquire_lease("appB", "w1", at(0), TTL).await.unwrap());
    assert!(!j
        .acquire_lease("appB", "w2", at(0) + TTL - Duration::from_millis(1), TTL)
        .await
        .unwrap());
    assert!(j.acquire_lease("appB", "w2", at(0) + TTL, TTL).await.unwrap());
    assert!(!j.acquire_lease("appB", "w1", at(0) + TTL, TTL).await.unwrap());
    assert_eq!(j.lease("appB").await.unwrap().unwrap().acquired_at, at(0) + TTL);
}

#[tokio::test]
async fn a_released_lease_is_free_and_only_its_owner_releases_it() {
    let j = journal().await;
    j.acquire_lease("appB", "w1", at(0), TTL).await.unwrap();
    j.release_lease("appB", "w2").await.unwrap();
    assert!(!j.acquire_lease("appB", "w2", at(0), TTL).await.unwrap());
    j.release_lease("appB", "w1").await.unwrap();
    assert!(j.acquire_lease("appB", "w2", at(0), TTL).await.unwrap());
}

#[tokio::test]
async fn a_huge_ttl_saturates_instead_of_failing() {
    let j = journal().await;
    assert!(j.acquire_lease("appB", "w1", at(0), Duration::MAX).await.unwrap());
    assert!(!j.acquire_lease("appB", "w2", at(0) + TTL, TTL).await.unwrap());
}
