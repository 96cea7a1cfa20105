//! The one place that knows the base's table and field names. `schema/base.toml` defines them;
//! a test checks that every name here is in it.

pub mod users {
    pub const TABLE: &str = "Users";
    pub const USER_ID: &str = "UserID";
    pub const EMAIL: &str = "Email";
    pub const NAME: &str = "Name";
    pub const SIGNUP_DATE: &str = "SignupDate";
    pub const PLAN: &str = "Subscription Plan";
    pub const STATUS: &str = "Status";
    pub const TIME_ZONE: &str = "TimeZone";
    pub const ALL: &[&str] = &[USER_ID, EMAIL, NAME, SIGNUP_DATE, PLAN, STATUS, TIME_ZONE];
}

pub mod accounts {
    pub const TABLE: &str = "SocialAccounts";
    pub const ACCOUNT_ID: &str = "AccountID";
    pub const USER: &str = "UserID";
    pub const PLATFORM: &str = "Platform";
    pub const ACCOUNT_NAME: &str = "AccountName";
    pub const ACCESS_TOKEN: &str = "AccessToken";
    pub const REFRESH_TOKEN: &str = "RefreshToken";
    pub const TOKEN_EXPIRY: &str = "TokenExpiry";
    pub const STATUS: &str = "Status";
    pub const ALL: &[&str] = &[
        ACCOUNT_ID,
        USER,
        PLATFORM,
        ACCOUNT_NAME,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        TOKEN_EXPIRY,
        STATUS,
    ];
}

pub mod media {
    pub const TABLE: &str = "MediaLibrary";
    pub const MEDIA_ID: &str = "MediaID";
    pub const USER: &str = "UserID";
    pub const MEDIA_TYPE: &str = "MediaType";
    pub const CLOUDINARY_URL: &str = "CloudinaryURL";
    pub const UPLOAD_DATE: &str = "UploadDate";
    pub const CAPTION: &str = "Caption";
    pub const HASHTAGS: &str = "Hashtags";
    pub const STATUS: &str = "Status";
    pub const SOURCE_URL: &str = "SourceURL";
    pub const ERROR_MESSAGE: &str = "ErrorMessage";
    pub const VALID_FOR: &str = "ValidFor";
    pub const ALL: &[&str] = &[
        MEDIA_ID,
        USER,
        MEDIA_TYPE,
        CLOUDINARY_URL,
        UPLOAD_DATE,
        CAPTION,
        HASHTAGS,
        STATUS,
        SOURCE_URL,
        ERROR_MESSAGE,
        VALID_FOR,
    ];
}

pub mod posts {
    pub const TABLE: &str = "ScheduledPosts";
    pub const POST_ID: &str = "PostID";
    pub const USER: &str = "UserID";
    pub const ACCOUNT: &str = "SocialAccountID";
    pub const MEDIA: &str = "MediaID";
    pub const SCHEDULED_TIME: &str = "ScheduledTime";
    pub const CAPTION: &str = "Caption";
    pub const HASHTAGS: &str = "Hashtags";
    pub const STATUS: &str = "Status";
    pub const ERROR_MESSAGE: &str = "ErrorMessage";
    pub const POST_URL: &str = "PostURL";
    pub const FORMAT: &str = "Format";
    pub const ALL: &[&str] = &[
        POST_ID,
        USER,
        ACCOUNT,
        MEDIA,
        SCHEDULED_TIME,
        CAPTION,
        HASHTAGS,
        STATUS,
        ERROR_MESSAGE,
        POST_URL,
        FORMAT,
    ];
    /// What decides whether, when and what a post publishes: the confirm read asks for these
    /// only (not the worker's own outcome fields, which it writes and never needs back).
    pub const DECIDING: &[&str] = &[
        POST_ID,
        USER,
        ACCOUNT,
        MEDIA,
        SCHEDULED_TIME,
        CAPTION,
        HASHTAGS,
        STATUS,
        FORMAT,
    ];
}

pub mod analytics {
    pub const TABLE: &str = "PostAnalytics";
    pub const ANALYTICS_ID: &str = "AnalyticsID";
    pub const POST: &str = "PostID";
    pub const LIKES: &str = "Likes";
    pub const COMMENTS: &str = "Comments";
    pub const SHARES: &str = "Shares";
    pub const IMPRESSIONS: &str = "Impressions";
    pub const REACH: &str = "Reach";
    pub const ENGAGEMENT: &str = "Engagement";
    pub const LAST_UPDATED: &str = "LastUpdated";
    pub const ALL: &[&str] = &[
        ANALYTICS_ID,
        POST,
        LIKES,
        COMMENTS,
        SHARES,
        IMPRESSIONS,
        REACH,
        ENGAGEMENT,
        LAST_UPDATED,
    ];
}

pub mod error_log {
    pub const TABLE: &str = "ErrorLog";
    pub const ERROR_ID: &str = "ErrorID";
    pub const TIMESTAMP: &str = "Timestamp";
    pub const SCENARIO: &str = "Scenario";
    pub const SEVERITY: &str = "Severity";
    pub const MESSAGE: &str = "Message";
    pub const DETAILS: &str = "Details";
    pub const RECORD_ID: &str = "RecordID";
    pub const RESOLVED: &str = "Resolved";
    pub const ALL: &[&str] = &[
        ERROR_ID, TIMESTAMP, SCENARIO, SEVERITY, MESSAGE, DETAILS, RECORD_ID, RESOLVED,
    ];
}

/// Every table with its fields, in schema order.
pub const TABLES: &[(&str, &[&str])] = &[
    (users::TABLE, users::ALL),
    (accounts::TABLE, accounts::ALL),
    (media::TABLE, media::ALL),
    (posts::TABLE, posts::ALL),
    (analytics::TABLE, analytics::ALL),
    (error_log::TABLE, error_log::ALL),
];

#[cfg(test)]
mod tests {
    use crate::schema::Schema;

    #[test]
    fn every_name_here_is_in_the_schema_file_and_the_other_way_round() {
        let schema = Schema::builtin();
        assert_eq!(schema.tables.len(), super::TABLES.len());
        for (table, fields) in super::TABLES {
            let spec = schema
                .table(table)
                .unwrap_or_else(|| panic!("table {table} missing from schema"));
            let in_schema: Vec<&str> = spec.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(&in_schema, fields, "fields of {table}");
        }
    }
}
