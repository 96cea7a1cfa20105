//! What one read of the schedule yields: the due posts, their accounts and media, and the records
//! that cannot be read. One paged read of posts, then (only when there are posts) one read of their
//! accounts and one of their media: ceil(posts / 100) + 2 calls; accounts and media already held
//! ([`Known`]) are not read again.

use crate::airtable::SortDirection;
use crate::airtable::{AirtableError, Base, Formula, ListQuery, Record};
use crate::base::names::{accounts, media, posts};
use crate::base::{read_all, MediaItem, MediaType, PostFormat, RecordError, ScheduledPost, SocialAccount};
use crate::platforms::{MediaKind, MediaRef, PostContent, PostFormat as Format};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};

/// The schedule as read.
#[derive(Debug, Default)]
pub struct Catalog {
    pub posts: Vec<ScheduledPost>,
    pub accounts: HashMap<String, SocialAccount>,
    pub media: HashMap<String, MediaItem>,
    /// Records that cannot be read (posts, or the accounts and media they link to).
    pub malformed: Vec<RecordError>,
}

/// The filter of the schedule: `Scheduled` posts due before `until`, and those without a time (so
/// that they fail with their own error instead of waiting unseen).
pub fn schedule_filter(until: DateTime<Utc>) -> Formula {
    Formula::and([
        Formula::field_is(posts::STATUS, "Scheduled"),
        Formula::or([
            Formula::field(posts::SCHEDULED_TIME).is_before(Formula::datetime(until)),
            Formula::field(posts::SCHEDULED_TIME).eq(Formula::blank()),
        ]),
    ])
}

/// Reads the schedule up to `until`, its accounts and media in full.
pub async fn read(base: &Base, until: DateTime<Utc>) -> Result<Catalog, AirtableError> {
    read_with(base, until, &Known::default()).await
}

/// Reads the schedule up to `until`, taking from `known` the accounts and media it holds.
pub async fn read_with(base: &Base, until: DateTime<Utc>, known: &Known) -> Result<Catalog, AirtableError> {
    let query = ListQuery {
        fields: ScheduledPost::READ_FIELDS.iter().map(|s| s.to_string()).collect(),
        sort: vec![(posts::SCHEDULED_TIME.to_string(), SortDirection::Asc)],
        filter: Some(schedule_filter(until)),
        ..ListQuery::default()
    };
    let records = base.list(posts::TABLE, &query).await?;
    let (posts, malformed) = read_all(&records, ScheduledPost::from_record);
    let mut catalog = Catalog {
        posts,
        malformed,
        ..Catalog::default()
    };
    complete_from(base, &mut catalog, known).await?;
    Ok(catalog)
}

/// Reads one post by record id (a nudge that names it, or a post known to the journal after a
/// restart), without its account and media: [`complete`] reads those once the post is known to
/// be still scheduled.
pub async fn read_one(base: &Base, record_id: &str) -> Result<Catalog, AirtableError> {
    let record = base.get(posts::TABLE, record_id).await?;
    let (posts, malformed) = read_all(std::slice::from_ref(&record), ScheduledPost::from_record);
    Ok(Catalog {
        posts,
        malformed,
        ..Catalog::default()
    })
}

/// Reads posts by record id, 100 at most (one call): the confirm read. Records that are gone are
/// simply not in the answer.
pub async fn read_by_ids(base: &Base, ids: &[String]) -> Result<Vec<Record>, AirtableError> {
    debug_assert!(ids.len() <= 100, "one confirm read covers at most 100 posts");
    let query = ListQuery {
        fields: posts::DECIDING.iter().map(|s| s.to_string()).collect(),
        filter: Some(Formula::record_id_in(ids.iter().map(String::as_str))),
        ..ListQuery::default()
    };
    base.list(posts::TABLE, &query).await
}

/// Reads the accounts and media the posts link to (one call each, none when nothing links).
pub async fn complete(base: &Base, catalog: &mut Catalog) -> Result<(), AirtableError> {
    complete_from(base, catalog, &Known::default()).await
}

/// Accounts and media already read, by record id: [`complete_from`] reads only the others.
#[derive(Debug, Default)]
pub struct Known {
    pub accounts: HashMap<String, SocialAccount>,
    pub media: HashMap<String, MediaItem>,
}

/// Like [`complete`], taking from `known` what it holds: a confirm read whose posts still link
/// to the same account and media costs no read of those.
pub async fn complete_from(base: &Base, catalog: &mut Catalog, known: &Known) -> Result<(), AirtableError> {
    let account_ids: BTreeSet<&str> = catalog.posts.iter().map(|p| p.account.as_str()).collect();
    let media_ids: BTreeSet<&str> = catalog.posts.iter().filter_map(|p| p.media.as_deref()).collect();
    let (account_ids, held): (BTreeSet<&str>, Vec<&str>) = split_known(account_ids, &known.accounts);
    catalog.accounts = held
        .iter()
        .map(|id| (id.to_string(), known.accounts[*id].clone()))
        .collect();
    let (media_ids, held): (BTreeSet<&str>, Vec<&str>) = split_known(media_ids, &known.media);
    catalog.media = held
        .iter()
        .map(|id| (id.to_string(), known.media[*id].clone()))
        .collect();
    let accounts = by_ids(base, accounts::TABLE, &account_ids).await?;
    let (good, bad) = read_all(&accounts, SocialAccount::from_record);
    catalog
        .accounts
        .extend(good.into_iter().map(|a| (a.record_id.clone(), a)));
    catalog.malformed.extend(bad);
    let media = by_ids(base, media::TABLE, &media_ids).await?;
    let (good, bad) = read_all(&media, MediaItem::from_record);
    catalog.media.extend(good.into_iter().map(|m| (m.record_id.clone(), m)));
    catalog.malformed.extend(bad);
    Ok(())
}

/// The ids to read, and those `known` already holds.
fn split_known<'a, T>(ids: BTreeSet<&'a str>, known: &HashMap<String, T>) -> (BTreeSet<&'a str>, Vec<&'a str>) {
    let (held, unknown): (Vec<&str>, Vec<&str>) = ids.into_iter().partition(|id| known.contains_key(*id));
    (unknown.into_iter().collect(), held)
}

async fn by_ids(base: &Base, table: &str, ids: &BTreeSet<&str>) -> Result<Vec<Record>, AirtableError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    base.list(table, &ListQuery::filtered(Formula::record_id_in(ids.iter().copied())))
        .await
}

/// The post as it will be published: the caption, the hashtags on a line of their own, the media.
pub fn content(post: &ScheduledPost, media: Option<&MediaItem>) -> PostContent {
    let caption = post.caption.as_deref().unwrap_or("").trim();
    let hashtags = post.hashtags.as_deref().unwrap_or("").trim();
    let text = match (caption.is_empty(), hashtags.is_empty()) {
        (false, false) => format!("{caption}\n\n{hashtags}"),
        (false, true) => caption.to_string(),
        (true, false) => hashtags.to_string(),
        (true, true) => String::new(),
    };
    PostContent {
        record_id: post.record_id.clone(),
        text,
        link: None,
        media: media.map(media_refs).unwrap_or_default(),
        format: match post.format {
            None | Some(PostFormat::Post) => Format::Post,
            Some(PostFormat::Reel) => Format::Reel,
            Some(PostFormat::Story) => Format::Story,
        },
    }
}

/// The first http(s) URL in a text, for Facebook link posts (the seed has no link field: a Facebook
/// post without media whose caption holds a URL is published as a link post, with its preview).
pub fn first_url(text: &str) -> Option<String> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let url: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let url = url.trim_end_matches(['.', ',', ')', '!', '?', ';', ':']);
    (url.len() > "https://".len()).then(|| url.to_string())
}

/// The files of a media record ([`MediaItem::cloudinary_urls`]).
fn media_refs(item: &MediaItem) -> Vec<MediaRef> {
    let kind = match item.media_type {
        MediaType::Image | MediaType::Carousel => MediaKind::Image,
        MediaType::Video => MediaKind::Video,
    };
    item.cloudinary_urls()
        .into_iter()
        .map(|url| MediaRef::new(url, kind))
        .collect()
}

/// A digest of everything that decides what gets published and when: an edit changes it.
pub fn fingerprint(post: &ScheduledPost, account: &SocialAccount, content: &PostContent) -> String {
    let mut h = Sha256::new();
    for part in [
        account.record_id.as_str(),
        account.platform.to_string().as_str(),
        &content.text,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for m in &content.media {
        h.update(m.url.as_bytes());
        h.update([0]);
    }
    h.update(content.format.to_string().as_bytes());
    h.update(post.scheduled_time.timestamp_millis().to_be_bytes());
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::first_url;

    #[test]
    fn the_first_url_of_a_caption_is_found_without_trailing_punctuation() {
        assert_eq!(
            first_url("Read https://example.com/a?b=1. Thanks").as_deref(),
            Some("https://example.com/a?b=1")
        );
        assert_eq!(first_url("see (http://x.io)").as_deref(), Some("http://x.io"));
        assert_eq!(first_url("no link here"), None);
        assert_eq!(first_url("https:// broken"), None);
    }
}
