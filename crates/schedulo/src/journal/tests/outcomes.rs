//! Recording outcomes: each allowed transition, and each refused one.

use super::{at, journal, post};
use crate::journal::{Journal, JournalError, PostState};

/// A journal with `recA` claimed (in Intent).
async fn claimed() -> Journal {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j
}

/// A journal with `recA` in Unknown.
async fn unknown() -> Journal {
    let j = claimed().await;
    j.record_unknown("recA", "timed out after 30 s", at(1)).await.unwrap();
    j
}

async fn state_of(j: &Journal, record_id: &str) -> PostState {
    j.get(record_id).await.unwrap().unwrap().state
}

/// The refusal's text, and that the post is still in `state`.
async fn refused(j: &Journal, result: Result<(), JournalError>, state: PostState) -> String {
    let err = result.unwrap_err();
    assert!(matches!(err, JournalError::IllegalTransition { .. }), "{err:?}");
    assert_eq!(state_of(j, "recA").await, state);
    err.to_string()
}

#[tokio::test]
async fn an_intent_is_recorded_published_with_its_id_and_url() {
    let j = claimed().await;
    j.record_published("recA", "ig1", "https://ig/p/1", at(1))
        .await
        .unwrap();
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!(row.state, PostState::Published);
    assert_eq!(
        (row.platform_post_id.as_deref(), row.url.as_deref()),
        (Some("ig1"), Some("https://ig/p/1"))
    );
    assert_eq!((row.published_at, row.updated_at), (Some(at(1)), at(1)));
}

#[tokio::test]
async fn an_unknown_outcome_is_reconciled_to_published() {
    let j = unknown().await;
    assert_eq!(
        j.get("recA").await.unwrap().unwrap().last_error.as_deref(),
        Some("timed out after 30 s")
    );
    j.record_unknown("recA", "status check failed", at(2)).await.unwrap();
    j.record_published("recA", "ig1", "https://ig/p/1", at(3))
        .await
        .unwrap();
    assert_eq!(state_of(&j, "recA").await, PostState::Published);
}

#[tokio::test]
async fn recording_the_same_publication_twice_is_accepted_and_another_id_is_refused() {
    let j = claimed().await;
    j.record_published("recA", "ig1", "https://ig/p/1", at(1))
        .await
        .unwrap();
    j.record_published("recA", "ig1", "https://ig/p/1", at(2))
        .await
        .unwrap();
    let text = refused(
        &j,
        j.record_published("recA", "ig2", "u", at(3)).await,
        PostState::Published,
    )
    .await;
    assert_eq!(
        text,
        "cannot record it published for recA: it is Published, not Intent or Unknown"
    );
}

#[tokio::test]
async fn an_unknown_outcome_goes_to_review_or_failed() {
    let j = unknown().await;
    j.record_review("recA", "X has no status endpoint; check the account", at(2))
        .await
        .unwrap();
    assert_eq!(state_of(&j, "recA").await, PostState::Review);
    let j = unknown().await;
    j.record_failed("recA", "TikTok says FAILED: video too long", at(2))
        .await
        .unwrap();
    assert_eq!(state_of(&j, "recA").await, PostState::Failed);
}

#[tokio::test]
async fn an_intent_found_at_start_can_go_straight_to_review() {
    let j = claimed().await;
    j.record_review("recA", "worker stopped during the call", at(5))
        .await
        .unwrap();
    assert_eq!(state_of(&j, "recA").await, PostState::Review);
}

#[tokio::test]
async fn a_retry_releases_the_intent() {
    let j = claimed().await;
    j.record_retry("recA", at(5), "media upload refused with 503")
        .await
        .unwrap();
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.next_attempt_at, row.intent_at),
        (PostState::Retrying, Some(at(5)), None)
    );
    assert_eq!(row.last_error.as_deref(), Some("media upload refused with 503"));
}

/// An unknown outcome goes back to Retrying only through a retry recorded after reconciliation
/// showed the post did not go out (the scheduler's decision); a wait for a rate limit cannot.
#[tokio::test]
async fn an_unknown_outcome_is_retried_only_after_reconciliation_and_never_waits() {
    let j = unknown().await;
    let text = refused(&j, j.record_wait("recA", at(5), "rate limit").await, PostState::Unknown).await;
    assert_eq!(
        text,
        "cannot record a wait for a rate limit for recA: it is Unknown, not Intent"
    );
    j.record_retry("recA", at(5), "the platform shows no such post")
        .await
        .unwrap();
    assert_eq!(state_of(&j, "recA").await, PostState::Retrying);
}

/// A wait for a rate limit gives the attempt back.
#[tokio::test]
async fn a_wait_for_a_rate_limit_does_not_use_up_an_attempt() {
    let j = claimed().await;
    assert_eq!(j.get("recA").await.unwrap().unwrap().attempts, 1);
    j.record_wait("recA", at(60), "X's limit resets at 10:15")
        .await
        .unwrap();
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (PostState::Retrying, 0));
}

#[tokio::test]
async fn a_waiting_post_has_no_outcome_but_failure() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    let s = PostState::Scheduled;
    refused(&j, j.record_published("recA", "ig1", "u", at(1)).await, s).await;
    refused(&j, j.record_unknown("recA", "?", at(1)).await, s).await;
    refused(&j, j.record_retry("recA", at(1), "?").await, s).await;
    refused(&j, j.record_review("recA", "?", at(1)).await, s).await;
    j.record_failed("recA", "caption too long", at(1)).await.unwrap();
}

#[tokio::test]
async fn a_published_post_refuses_every_other_outcome() {
    let j = claimed().await;
    j.record_published("recA", "ig1", "u", at(1)).await.unwrap();
    let p = PostState::Published;
    refused(&j, j.record_unknown("recA", "?", at(2)).await, p).await;
    refused(&j, j.record_retry("recA", at(2), "?").await, p).await;
    refused(&j, j.record_review("recA", "?", at(2)).await, p).await;
    let text = refused(&j, j.record_failed("recA", "?", at(2)).await, p).await;
    assert_eq!(
        text,
        "cannot record it failed for recA: it is Published, not Scheduled, Retrying, Intent or Unknown"
    );
}

#[tokio::test]
async fn review_and_failed_are_final() {
    let j = unknown().await;
    j.record_review("recA", "unclear", at(2)).await.unwrap();
    refused(
        &j,
        j.record_published("recA", "ig1", "u", at(3)).await,
        PostState::Review,
    )
    .await;
    refused(&j, j.record_failed("recA", "?", at(3)).await, PostState::Review).await;
    let j = claimed().await;
    j.record_failed("recA", "refused", at(2)).await.unwrap();
    refused(
        &j,
        j.record_published("recA", "ig1", "u", at(3)).await,
        PostState::Failed,
    )
    .await;
    refused(&j, j.record_review("recA", "?", at(3)).await, PostState::Failed).await;
}

#[tokio::test]
async fn an_outcome_for_an_unknown_record_says_so() {
    let j = journal().await;
    let err = j.record_published("recNone", "ig1", "u", at(1)).await.unwrap_err();
    assert!(matches!(err, JournalError::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot record it published for post recNone: the journal has no such row"
    );
}

#[tokio::test]
async fn unresolved_intents_are_the_intents_and_unknowns() {
    let j = journal().await;
    for id in ["recI", "recU", "recP", "recS"] {
        j.observe(&post(id, 0)).await.unwrap();
    }
    for id in ["recI", "recU", "recP"] {
        j.claim_intent(id, "w1", at(0)).await.unwrap().unwrap();
    }
    j.record_unknown("recU", "timeout", at(1)).await.unwrap();
    j.record_published("recP", "x1", "u", at(1)).await.unwrap();
    let ids: Vec<String> = j
        .unresolved_intents()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.record_id)
        .collect();
    assert_eq!(ids, ["recI", "recU"]);
}
