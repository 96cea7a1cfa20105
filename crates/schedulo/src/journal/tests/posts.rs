//! Observing, editing, cancelling, finding what is due and claiming.

use super::{at, journal, post};
use crate::journal::{Journal, Observation, PostState, FORGOTTEN_REASON};
use std::collections::HashSet;

async fn state_of(j: &Journal, record_id: &str) -> PostState {
    j.get(record_id).await.unwrap().unwrap().state
}

#[tokio::test]
async fn a_new_post_is_scheduled_and_due_at_its_time() {
    let j = journal().await;
    assert_eq!(j.observe(&post("recA", 10)).await.unwrap(), Observation::New);
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!(row.state, PostState::Scheduled);
    assert_eq!((row.attempts, row.due_at, row.intent_at), (0, at(10), None));
    assert_eq!(row.post_id.as_deref(), Some("P-recA"));
    assert_eq!(j.next_due().await.unwrap(), Some(("recA".to_string(), at(10))));
}

#[tokio::test]
async fn the_same_post_observed_again_is_unchanged() {
    let j = journal().await;
    j.observe(&post("recA", 10)).await.unwrap();
    assert_eq!(j.observe(&post("recA", 10)).await.unwrap(), Observation::Unchanged);
}

#[tokio::test]
async fn a_reschedule_before_the_intent_moves_the_due_time() {
    let j = journal().await;
    j.observe(&post("recA", 10)).await.unwrap();
    j.observe(&post("recB", 20)).await.unwrap();
    assert_eq!(j.observe(&post("recA", 30)).await.unwrap(), Observation::Changed);
    assert_eq!(j.next_due().await.unwrap(), Some(("recB".to_string(), at(20))));
    assert!(j.due(at(25), 10).await.unwrap().iter().all(|r| r.record_id == "recB"));
}

#[tokio::test]
async fn an_edit_after_a_retry_is_honoured_and_resets_attempts() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j.record_retry("recA", at(5), "media not ready").await.unwrap();
    let mut edited = post("recA", 0);
    edited.fingerprint = "fp2".into();
    assert_eq!(j.observe(&edited).await.unwrap(), Observation::Changed);
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.attempts, row.fingerprint.as_str()),
        (PostState::Scheduled, 0, "fp2")
    );
    assert_eq!((row.next_attempt_at, row.due_at, row.last_error), (None, at(0), None));
}

#[tokio::test]
async fn observe_never_touches_a_post_past_the_intent() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    let mut edited = post("recA", 60);
    edited.fingerprint = "fp2".into();
    let seen = j.observe(&edited).await.unwrap();
    assert_eq!(seen, Observation::AlreadyFinal(PostState::Intent));
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.scheduled_at, row.fingerprint.as_str()),
        (PostState::Intent, at(0), "fp1")
    );
}

#[tokio::test]
async fn a_published_post_observed_again_stays_published() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j.record_published("recA", "ig1", "https://ig/p/1", at(1))
        .await
        .unwrap();
    let seen = j.observe(&post("recA", 0)).await.unwrap();
    assert_eq!(seen, Observation::AlreadyFinal(PostState::Published));
}

#[tokio::test]
async fn cancel_works_before_the_intent_and_not_after() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.observe(&post("recB", 0)).await.unwrap();
    assert!(j.cancel("recA", "deleted by the user").await.unwrap());
    assert_eq!(state_of(&j, "recA").await, PostState::Cancelled);
    assert_eq!(
        j.get("recA").await.unwrap().unwrap().last_error.as_deref(),
        Some("deleted by the user")
    );
    assert!(j.claim_intent("recA", "w1", at(0)).await.unwrap().is_none());
    j.claim_intent("recB", "w1", at(0)).await.unwrap().unwrap();
    assert!(!j.cancel("recB", "too late").await.unwrap());
    assert!(!j.cancel("recNone", "never seen").await.unwrap());
    assert_eq!(state_of(&j, "recB").await, PostState::Intent);
}

#[tokio::test]
async fn forget_missing_cancels_only_unseen_waiting_posts_in_the_window() {
    let j = journal().await;
    for (id, minutes) in [("recSeen", 10), ("recGone", 20), ("recLater", 90), ("recClaimed", 0)] {
        j.observe(&post(id, minutes)).await.unwrap();
    }
    j.claim_intent("recClaimed", "w1", at(0)).await.unwrap().unwrap();
    let gone = j.forget_missing(&["recSeen".to_string()], at(0), at(60)).await.unwrap();
    assert_eq!(gone, vec!["recGone".to_string()]);
    let gone_row = j.get("recGone").await.unwrap().unwrap();
    assert_eq!(
        (gone_row.state, gone_row.last_error.as_deref()),
        (PostState::Cancelled, Some(FORGOTTEN_REASON))
    );
    assert_eq!(state_of(&j, "recSeen").await, PostState::Scheduled);
    assert_eq!(state_of(&j, "recLater").await, PostState::Scheduled);
    assert_eq!(state_of(&j, "recClaimed").await, PostState::Intent);
}

#[tokio::test]
async fn the_window_of_forget_missing_is_half_open() {
    let j = journal().await;
    j.observe(&post("recStart", 0)).await.unwrap();
    j.observe(&post("recEnd", 60)).await.unwrap();
    let gone = j.forget_missing(&[], at(0), at(60)).await.unwrap();
    assert_eq!(gone, vec!["recStart".to_string()]);
}

#[tokio::test]
async fn a_cancelled_post_scheduled_again_is_revived() {
    let j = journal().await;
    j.observe(&post("recA", 10)).await.unwrap();
    j.forget_missing(&[], at(0), at(60)).await.unwrap();
    assert_eq!(j.observe(&post("recA", 10)).await.unwrap(), Observation::Revived);
    let row = j.get("recA").await.unwrap().unwrap();
    assert_eq!((row.state, row.last_error), (PostState::Scheduled, None));
}

#[tokio::test]
async fn a_post_failed_before_any_intent_is_revived_only_when_edited() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.record_failed("recA", "X allows 4 images; this post has 5", at(0))
        .await
        .unwrap();
    let seen = j.observe(&post("recA", 0)).await.unwrap();
    assert_eq!(seen, Observation::AlreadyFinal(PostState::Failed));
    let mut fixed = post("recA", 0);
    fixed.fingerprint = "fp-4-images".into();
    assert_eq!(j.observe(&fixed).await.unwrap(), Observation::Revived);
    assert_eq!(state_of(&j, "recA").await, PostState::Scheduled);
}

#[tokio::test]
async fn a_post_failed_after_its_intent_is_never_revived() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j.record_failed("recA", "caption refused", at(1)).await.unwrap();
    let mut edited = post("recA", 0);
    edited.fingerprint = "fp2".into();
    let seen = j.observe(&edited).await.unwrap();
    assert_eq!(seen, Observation::AlreadyFinal(PostState::Failed));
}

#[tokio::test]
async fn due_lists_waiting_posts_in_due_order_up_to_the_limit() {
    let j = journal().await;
    for (id, minutes) in [("recC", 3), ("recA", 1), ("recB", 2), ("recLate", 50)] {
        j.observe(&post(id, minutes)).await.unwrap();
    }
    let ids = |rows: Vec<crate::journal::PostRow>| rows.into_iter().map(|r| r.record_id).collect::<Vec<_>>();
    assert_eq!(ids(j.due(at(10), 10).await.unwrap()), ["recA", "recB", "recC"]);
    assert_eq!(ids(j.due(at(10), 2).await.unwrap()), ["recA", "recB"]);
    assert!(j.due(at(0), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_retrying_post_is_due_at_the_later_of_its_time_and_its_next_attempt() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    j.record_retry("recA", at(5), "upload timed out").await.unwrap();
    assert_eq!(j.next_due().await.unwrap(), Some(("recA".to_string(), at(5))));
    assert!(j.claim_intent("recA", "w1", at(4)).await.unwrap().is_none());
    let row = j.claim_intent("recA", "w1", at(5)).await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.attempts, row.intent_at),
        (PostState::Intent, 2, Some(at(5)))
    );
}

#[tokio::test]
async fn a_second_claim_gets_nothing() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    let row = j.claim_intent("recA", "w1", at(0)).await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.attempts, row.intent_owner.as_deref()),
        (PostState::Intent, 1, Some("w1"))
    );
    assert!(j.claim_intent("recA", "w2", at(1)).await.unwrap().is_none());
    assert!(j.claim_intent("recNone", "w1", at(1)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_post_is_not_claimed_before_it_is_due() {
    let j = journal().await;
    j.observe(&post("recA", 10)).await.unwrap();
    assert!(j.claim_intent("recA", "w1", at(9)).await.unwrap().is_none());
    assert_eq!(state_of(&j, "recA").await, PostState::Scheduled);
}

/// Many tasks on two journals opened on one file (two workers, several connections each) race
/// for the same posts: each post is claimed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_claims_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).await.unwrap();
    let other = Journal::open(&path).await.unwrap();
    let ids: Vec<String> = (0..10).map(|i| format!("rec{i}")).collect();
    for id in &ids {
        j.observe(&post(id, 0)).await.unwrap();
    }
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let j = if worker % 2 == 0 { j.clone() } else { other.clone() };
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            let mut won = Vec::new();
            for id in ids {
                if j.claim_intent(&id, &format!("w{worker}"), at(0))
                    .await
                    .unwrap()
                    .is_some()
                {
                    won.push(id);
                }
            }
            won
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        winners.extend(task.await.unwrap());
    }
    assert_eq!(winners.len(), ids.len(), "{winners:?}");
    assert_eq!(winners.iter().collect::<HashSet<_>>().len(), ids.len());
    for id in &ids {
        assert_eq!(j.get(id).await.unwrap().unwrap().attempts, 1);
    }
}

#[tokio::test]
async fn counts_by_state_lists_every_state() {
    let j = journal().await;
    j.observe(&post("recA", 0)).await.unwrap();
    j.observe(&post("recB", 0)).await.unwrap();
    j.claim_intent("recB", "w1", at(0)).await.unwrap().unwrap();
    let counts = j.counts_by_state().await.unwrap();
    assert_eq!(counts.len(), PostState::ALL.len());
    assert!(counts.contains(&(PostState::Scheduled, 1)));
    assert!(counts.contains(&(PostState::Intent, 1)));
    assert!(counts.contains(&(PostState::Published, 0)));
}
