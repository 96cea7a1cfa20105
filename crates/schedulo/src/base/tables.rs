//! The six tables as Rust types: reading a record (`from_record`) and, where the worker writes,
//! the fields to write.

use super::names::{accounts, analytics, error_log, media, posts, users};
use super::read::{choice, Reader, RecordError};
use crate::airtable::{Fields, Record};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use secrecy::SecretString;
use serde_json::json;

choice!(SubscriptionPlan { Free => "Free", Basic => "Basic", Pro => "Pro", Enterprise => "Enterprise" });
choice!(UserStatus { Active => "Active", Inactive => "Inactive", Trial => "Trial" });
/// The seed names X "Twitter"; the schema keeps the seed's name. The enum, its names and the
/// list of platforms are [`crate::platforms::Platform`]'s.
pub use crate::platforms::Platform;

impl super::read::Choice for Platform {
    const ALL: &'static [Self] = &Platform::ALL;
    fn name(self) -> &'static str {
        self.choice_name()
    }
}

choice!(AccountStatus { Connected => "Connected", Disconnected => "Disconnected", Error => "Error" });
choice!(MediaType { Image => "Image", Video => "Video", Carousel => "Carousel" });
choice!(MediaStatus { Ready => "Ready", Processing => "Processing", Error => "Error" });
choice!(PostStatus { Scheduled => "Scheduled", Posted => "Posted", Failed => "Failed", Deleted => "Deleted" });
choice!(PostFormat { Post => "Post", Reel => "Reel", Story => "Story" });
choice!(Scenario {
    Authentication => "Social Media Authentication",
    PostScheduler => "Post Scheduler",
    MediaProcessor => "Media Processor",
    AnalyticsCollector => "Analytics Collector",
    ErrorNotifier => "Error Notifier",
    Backup => "Backup",
    Bubble => "Bubble",
});
choice!(Severity { Info => "Info", Warning => "Warning", Error => "Error", Critical => "Critical" });

/// A record of `Users`.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub record_id: String,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub signup_date: Option<NaiveDate>,
    pub plan: Option<SubscriptionPlan>,
    pub status: Option<UserStatus>,
    /// IANA name; for display and reports only (times are UTC everywhere else).
    pub time_zone: Option<String>,
}

impl User {
    pub fn from_record(record: &Record) -> Result<User, RecordError> {
        let r = Reader::new(users::TABLE, record);
        Ok(User {
            record_id: record.id.clone(),
            user_id: r.text(users::USER_ID)?,
            email: r.text(users::EMAIL)?,
            name: r.text(users::NAME)?,
            signup_date: r.date(users::SIGNUP_DATE)?,
            plan: r.choice(users::PLAN)?,
            status: r.choice(users::STATUS)?,
            time_zone: r.text(users::TIME_ZONE)?,
        })
    }
}

/// A record of `SocialAccounts`. The tokens are ciphertext, kept secret all the same.
#[derive(Debug, Clone)]
pub struct SocialAccount {
    pub record_id: String,
    pub account_id: Option<String>,
    pub user: Option<String>,
    pub platform: Platform,
    pub account_name: Option<String>,
    pub access_token: Option<SecretString>,
    pub refresh_token: Option<SecretString>,
    pub token_expiry: Option<DateTime<Utc>>,
    pub status: Option<AccountStatus>,
}

impl SocialAccount {
    pub fn from_record(record: &Record) -> Result<SocialAccount, RecordError> {
        let r = Reader::new(accounts::TABLE, record);
        Ok(SocialAccount {
            record_id: record.id.clone(),
            account_id: r.text(accounts::ACCOUNT_ID)?,
            user: r.link(accounts::USER)?,
            platform: r.required_choice(accounts::PLATFORM)?,
            account_name: r.text(accounts::ACCOUNT_NAME)?,
            access_token: r.text(accounts::ACCESS_TOKEN)?.map(SecretString::from),
            refresh_token: r.text(accounts::REFRESH_TOKEN)?.map(SecretString::from),
            token_expiry: r.datetime(accounts::TOKEN_EXPIRY)?,
            status: r.choice(accounts::STATUS)?,
        })
    }
}

/// A record of `MediaLibrary`.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaItem {
    pub record_id: String,
    pub media_id: Option<String>,
    pub user: Option<String>,
    pub media_type: MediaType,
    pub cloudinary_url: Option<String>,
    pub upload_date: Option<NaiveDate>,
    pub caption: Option<String>,
    pub hashtags: Option<String>,
    pub status: Option<MediaStatus>,
    /// Where the file is before processing (a carousel's URLs separated by spaces or commas).
    pub source_url: Option<String>,
    pub error_message: Option<String>,
}

impl MediaItem {
    pub fn from_record(record: &Record) -> Result<MediaItem, RecordError> {
        let r = Reader::new(media::TABLE, record);
        Ok(MediaItem {
            record_id: record.id.clone(),
            media_id: r.text(media::MEDIA_ID)?,
            user: r.link(media::USER)?,
            media_type: r.required_choice(media::MEDIA_TYPE)?,
            cloudinary_url: r.text(media::CLOUDINARY_URL)?,
            upload_date: r.date(media::UPLOAD_DATE)?,
            caption: r.text(media::CAPTION)?,
            hashtags: r.text(media::HASHTAGS)?,
            status: r.choice(media::STATUS)?,
            source_url: r.text(media::SOURCE_URL)?,
            error_message: r.text(media::ERROR_MESSAGE)?,
        })
    }

    /// The files of `CloudinaryURL` (a carousel's are separated by spaces, commas or new lines: the
    /// seed has one URL field for all media types).
    pub fn cloudinary_urls(&self) -> Vec<&str> {
        split_urls(self.cloudinary_url.as_deref())
    }

    /// The files of `SourceURL`, written as `CloudinaryURL` is.
    pub fn source_urls(&self) -> Vec<&str> {
        split_urls(self.source_url.as_deref())
    }

    /// The fields the Media Processor writes when it is done: `Status`, `CloudinaryURL` (when
    /// known), `ErrorMessage` (or empty) and `ValidFor`.
    pub fn outcome_fields(
        status: MediaStatus,
        cloudinary_url: Option<&str>,
        error: Option<&str>,
        valid_for: &[Platform],
    ) -> Fields {
        let mut f = Fields::new();
        f.insert(media::STATUS.into(), json!(status.to_string()));
        if let Some(url) = cloudinary_url {
            f.insert(media::CLOUDINARY_URL.into(), json!(url));
        }
        f.insert(
            media::ERROR_MESSAGE.into(),
            error.map_or(serde_json::Value::Null, |e| json!(e)),
        );
        let names: Vec<String> = valid_for.iter().map(|p| p.to_string()).collect();
        f.insert(media::VALID_FOR.into(), json!(names));
        f
    }
}

/// URLs in one field, separated by spaces, commas or new lines.
fn split_urls(text: Option<&str>) -> Vec<&str> {
    text.unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|u| !u.is_empty())
        .collect()
}

/// A record of `ScheduledPosts`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledPost {
    pub record_id: String,
    pub post_id: Option<String>,
    pub user: Option<String>,
    /// The account to publish with: exactly one is required.
    pub account: String,
    pub media: Option<String>,
    pub scheduled_time: DateTime<Utc>,
    pub caption: Option<String>,
    pub hashtags: Option<String>,
    pub status: PostStatus,
    pub error_message: Option<String>,
    pub post_url: Option<String>,
    /// Where the post goes on its platform; empty: a feed post.
    pub format: Option<PostFormat>,
}

impl ScheduledPost {
    /// The fields the worker reads (so listings ask for no more).
    pub const READ_FIELDS: &'static [&'static str] = posts::ALL;

    pub fn from_record(record: &Record) -> Result<ScheduledPost, RecordError> {
        let r = Reader::new(posts::TABLE, record);
        Ok(ScheduledPost {
            record_id: record.id.clone(),
            post_id: r.text(posts::POST_ID)?,
            user: r.link(posts::USER)?,
            account: r.required_link(posts::ACCOUNT)?,
            media: r.link(posts::MEDIA)?,
            scheduled_time: r.required_datetime(posts::SCHEDULED_TIME)?,
            caption: r.text(posts::CAPTION)?,
            hashtags: r.text(posts::HASHTAGS)?,
            status: r.required_choice(posts::STATUS)?,
            error_message: r.text(posts::ERROR_MESSAGE)?,
            post_url: r.text(posts::POST_URL)?,
            format: r.choice(posts::FORMAT)?,
        })
    }

    /// The fields that report an outcome: status, URL (or empty) and error message (or empty).
    pub fn outcome_fields(status: PostStatus, url: Option<&str>, error: Option<&str>) -> Fields {
        let mut f = Fields::new();
        f.insert(posts::STATUS.into(), json!(status.to_string()));
        f.insert(
            posts::POST_URL.into(),
            url.map_or(serde_json::Value::Null, |u| json!(u)),
        );
        f.insert(
            posts::ERROR_MESSAGE.into(),
            error.map_or(serde_json::Value::Null, |e| json!(e)),
        );
        f
    }
}

/// A record of `PostAnalytics`.
#[derive(Debug, Clone, PartialEq)]
pub struct PostAnalytics {
    pub record_id: String,
    pub analytics_id: Option<String>,
    pub post: Option<String>,
    pub likes: Option<f64>,
    pub comments: Option<f64>,
    pub shares: Option<f64>,
    pub impressions: Option<f64>,
    pub reach: Option<f64>,
    pub engagement: Option<f64>,
    pub last_updated: Option<DateTime<Utc>>,
}

impl PostAnalytics {
    pub fn from_record(record: &Record) -> Result<PostAnalytics, RecordError> {
        let r = Reader::new(analytics::TABLE, record);
        Ok(PostAnalytics {
            record_id: record.id.clone(),
            analytics_id: r.text(analytics::ANALYTICS_ID)?,
            post: r.link(analytics::POST)?,
            likes: r.number(analytics::LIKES)?,
            comments: r.number(analytics::COMMENTS)?,
            shares: r.number(analytics::SHARES)?,
            impressions: r.number(analytics::IMPRESSIONS)?,
            reach: r.number(analytics::REACH)?,
            engagement: r.number(analytics::ENGAGEMENT)?,
            last_updated: r.datetime(analytics::LAST_UPDATED)?,
        })
    }
}

/// A row of `ErrorLog`, as the worker writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorLogEntry {
    pub error_id: String,
    pub timestamp: DateTime<Utc>,
    pub scenario: Scenario,
    pub severity: Severity,
    pub message: String,
    pub details: Option<String>,
    pub record_id: Option<String>,
}

impl ErrorLogEntry {
    pub fn to_fields(&self) -> Fields {
        let mut f = Fields::new();
        f.insert(error_log::ERROR_ID.into(), json!(self.error_id));
        f.insert(
            error_log::TIMESTAMP.into(),
            json!(self.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true)),
        );
        f.insert(error_log::SCENARIO.into(), json!(self.scenario.to_string()));
        f.insert(error_log::SEVERITY.into(), json!(self.severity.to_string()));
        f.insert(error_log::MESSAGE.into(), json!(self.message));
        if let Some(d) = &self.details {
            f.insert(error_log::DETAILS.into(), json!(d));
        }
        if let Some(r) = &self.record_id {
            f.insert(error_log::RECORD_ID.into(), json!(r));
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::read::read_all;
    use crate::schema::Schema;

    fn record(id: &str, fields: serde_json::Value) -> Record {
        Record {
            id: id.into(),
            created_time: "2026-11-25T10:00:00.000Z".into(),
            fields: fields.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn a_page_with_malformed_records_yields_their_errors_and_the_good_records() {
        let page = vec![
            record(
                "recGood0000000001",
                json!({"SocialAccountID": ["recAcc"], "ScheduledTime": "2026-11-25T10:00:00.000Z", "Status": "Scheduled"}),
            ),
            record(
                "recBadTime0000001",
                json!({"SocialAccountID": ["recAcc"], "ScheduledTime": "tomorrow", "Status": "Scheduled"}),
            ),
            record(
                "recBadStatus00001",
                json!({"SocialAccountID": ["recAcc"], "ScheduledTime": "2026-11-25T10:00:00.000Z", "Status": "Pending"}),
            ),
            record(
                "recNoAccount00001",
                json!({"ScheduledTime": "2026-11-25T10:00:00.000Z", "Status": "Scheduled"}),
            ),
            record(
                "recGood0000000002",
                json!({"SocialAccountID": ["recAcc"], "ScheduledTime": "2026-11-26T10:00:00.000Z", "Status": "Scheduled"}),
            ),
        ];
        let (good, bad) = read_all(&page, ScheduledPost::from_record);
        assert_eq!(
            good.iter().map(|p| p.record_id.as_str()).collect::<Vec<_>>(),
            ["recGood0000000001", "recGood0000000002"]
        );
        let messages: Vec<String> = bad.iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, [
            "ScheduledPosts record recBadTime0000001, field ScheduledTime: \"tomorrow\" is not a date and time (expected ISO 8601 like 2026-11-25T10:00:00.000Z)",
            "ScheduledPosts record recBadStatus00001, field Status: \"Pending\" is not one of the schema's choices (Scheduled, Posted, Failed, Deleted)",
            "ScheduledPosts record recNoAccount00001, field SocialAccountID: links to nothing; one linked record is required",
        ]);
    }

    #[test]
    fn every_choice_enum_matches_the_schema_file() {
        use crate::base::read::Choice;
        fn names<C: Choice>() -> Vec<String> {
            C::ALL.iter().map(|c| c.name().to_string()).collect()
        }
        let schema = Schema::builtin();
        let choices = |t: &str, f: &str| {
            schema
                .table(t)
                .unwrap()
                .fields
                .iter()
                .find(|x| x.name == f)
                .unwrap()
                .choices
                .clone()
        };
        assert_eq!(choices(users::TABLE, users::PLAN), names::<SubscriptionPlan>());
        assert_eq!(choices(users::TABLE, users::STATUS), names::<UserStatus>());
        assert_eq!(choices(accounts::TABLE, accounts::PLATFORM), names::<Platform>());
        assert_eq!(choices(accounts::TABLE, accounts::STATUS), names::<AccountStatus>());
        assert_eq!(choices(media::TABLE, media::MEDIA_TYPE), names::<MediaType>());
        assert_eq!(choices(media::TABLE, media::STATUS), names::<MediaStatus>());
        assert_eq!(choices(posts::TABLE, posts::STATUS), names::<PostStatus>());
        assert_eq!(choices(error_log::TABLE, error_log::SCENARIO), names::<Scenario>());
        assert_eq!(choices(error_log::TABLE, error_log::SEVERITY), names::<Severity>());
    }

    #[test]
    fn account_tokens_never_show_in_debug_output() {
        let r = record(
            "recAcc00000000001",
            json!({"Platform": "Twitter", "AccessToken": "v1:key1:cipher-secret"}),
        );
        let a = SocialAccount::from_record(&r).unwrap();
        assert!(!format!("{a:?}").contains("cipher-secret"));
    }
}
