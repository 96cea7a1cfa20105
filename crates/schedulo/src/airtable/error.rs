//! Airtable's documented error types, and their classes.
//!
//! Source: airtable.com/developers/web/api/errors, summarised in `shared/reference/airtable.md`.
//! Error bodies are `{"error":{"type":"...","message":"..."}}`, sometimes a bare `{"error":"NOT_FOUND"}`.

use crate::error_class::ErrorClass;
use serde::Deserialize;
use std::fmt;

/// One of Airtable's documented error types (the `type` of an error body), or what a status alone says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorType {
    /// 400: the body is not valid JSON.
    InvalidJson,
    /// 401.
    AuthenticationRequired,
    /// 403: the token lacks a scope or access to the base.
    InvalidPermissions,
    /// 403: no access, or the base/table/field does not exist.
    InvalidPermissionsOrModelNotFound,
    /// 404.
    NotFound,
    /// 404: the table named does not exist.
    TableNotFound,
    /// 413.
    RequestTooLarge,
    /// 422.
    InvalidRequestUnknown,
    /// 422: `filterByFormula` does not parse or names an unknown field.
    InvalidFilterByFormula,
    /// 422.
    UnknownFieldName,
    /// 422: a value does not fit its field.
    InvalidValueForColumn,
    /// 422: a select choice that does not exist (and `typecast` was not set).
    InvalidMultipleChoiceOptions,
    /// 422: a paged listing timed out; start it again.
    ListRecordsIteratorNotAvailable,
    /// 422: the records array is malformed (more than 10, missing ids...).
    InvalidRecords,
    /// 429: wait 30 s.
    RateLimitReached,
    /// 500 or 502.
    ServerError,
    /// 503: safe to retry.
    RetriableError,
    /// A type this client does not know, with its status.
    Other { status: u16, kind: String },
}

impl ApiErrorType {
    /// Reads the type from a status and the `type` of the body (if the body had one).
    pub fn from_response(status: u16, kind: Option<&str>) -> ApiErrorType {
        match (status, kind) {
            (_, Some("AUTHENTICATION_REQUIRED")) => ApiErrorType::AuthenticationRequired,
            (_, Some("INVALID_PERMISSIONS")) => ApiErrorType::InvalidPermissions,
            (_, Some("INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND")) => ApiErrorType::InvalidPermissionsOrModelNotFound,
            (_, Some("NOT_FOUND")) => ApiErrorType::NotFound,
            (_, Some("TABLE_NOT_FOUND")) => ApiErrorType::TableNotFound,
            (_, Some("INVALID_REQUEST_UNKNOWN")) => ApiErrorType::InvalidRequestUnknown,
            (_, Some("INVALID_FILTER_BY_FORMULA")) => ApiErrorType::InvalidFilterByFormula,
            (_, Some("UNKNOWN_FIELD_NAME")) => ApiErrorType::UnknownFieldName,
            (_, Some("INVALID_VALUE_FOR_COLUMN")) => ApiErrorType::InvalidValueForColumn,
            (_, Some("INVALID_MULTIPLE_CHOICE_OPTIONS")) => ApiErrorType::InvalidMultipleChoiceOptions,
            (_, Some("LIST_RECORDS_ITERATOR_NOT_AVAILABLE")) => ApiErrorType::ListRecordsIteratorNotAvailable,
            (_, Some("INVALID_RECORDS")) => ApiErrorType::InvalidRecords,
            (_, Some("RATE_LIMIT_REACHED")) | (429, _) => ApiErrorType::RateLimitReached,
            (_, Some("RETRIABLE_ERROR")) | (503, _) => ApiErrorType::RetriableError,
            (500 | 502, _) => ApiErrorType::ServerError,
            (400, None) => ApiErrorType::InvalidJson,
            (401, None) => ApiErrorType::AuthenticationRequired,
            (403, None) => ApiErrorType::InvalidPermissions,
            (404, None) => ApiErrorType::NotFound,
            (413, None) => ApiErrorType::RequestTooLarge,
            (status, kind) => ApiErrorType::Other {
                status,
                kind: kind.unwrap_or("").to_string(),
            },
        }
    }

    /// What the worker does about it. Exhaustive on purpose: a new type must be classified here.
    pub fn class(&self) -> ErrorClass {
        match self {
            ApiErrorType::AuthenticationRequired
            | ApiErrorType::InvalidPermissions
            | ApiErrorType::InvalidPermissionsOrModelNotFound => ErrorClass::Auth,
            ApiErrorType::RateLimitReached => ErrorClass::RateLimited,
            ApiErrorType::ServerError
            | ApiErrorType::RetriableError
            | ApiErrorType::ListRecordsIteratorNotAvailable => ErrorClass::Transient,
            ApiErrorType::InvalidJson
            | ApiErrorType::NotFound
            | ApiErrorType::TableNotFound
            | ApiErrorType::RequestTooLarge
            | ApiErrorType::InvalidRequestUnknown
            | ApiErrorType::InvalidFilterByFormula
            | ApiErrorType::UnknownFieldName
            | ApiErrorType::InvalidValueForColumn
            | ApiErrorType::InvalidMultipleChoiceOptions
            | ApiErrorType::InvalidRecords => ErrorClass::Permanent,
            ApiErrorType::Other { status, .. } => match status {
                401 | 403 => ErrorClass::Auth,
                429 => ErrorClass::RateLimited,
                500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Permanent,
            },
        }
    }

    /// Airtable's name for the type.
    pub fn name(&self) -> &str {
        match self {
            ApiErrorType::InvalidJson => "INVALID_REQUEST_BODY",
            ApiErrorType::AuthenticationRequired => "AUTHENTICATION_REQUIRED",
            ApiErrorType::InvalidPermissions => "INVALID_PERMISSIONS",
            ApiErrorType::InvalidPermissionsOrModelNotFound => "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
            ApiErrorType::NotFound => "NOT_FOUND",
            ApiErrorType::TableNotFound => "TABLE_NOT_FOUND",
            ApiErrorType::RequestTooLarge => "REQUEST_TOO_LARGE",
            ApiErrorType::InvalidRequestUnknown => "INVALID_REQUEST_UNKNOWN",
            ApiErrorType::InvalidFilterByFormula => "INVALID_FILTER_BY_FORMULA",
            ApiErrorType::UnknownFieldName => "UNKNOWN_FIELD_NAME",
            ApiErrorType::InvalidValueForColumn => "INVALID_VALUE_FOR_COLUMN",
            ApiErrorType::InvalidMultipleChoiceOptions => "INVALID_MULTIPLE_CHOICE_OPTIONS",
            ApiErrorType::ListRecordsIteratorNotAvailable => "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
            ApiErrorType::InvalidRecords => "INVALID_RECORDS",
            ApiErrorType::RateLimitReached => "RATE_LIMIT_REACHED",
            ApiErrorType::ServerError => "SERVER_ERROR",
            ApiErrorType::RetriableError => "RETRIABLE_ERROR",
            ApiErrorType::Other { kind, .. } if !kind.is_empty() => kind,
            ApiErrorType::Other { .. } => "UNKNOWN_ERROR",
        }
    }
}

/// What a call was about, so every error names base, table and records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallContext {
    /// "list records", "update records", ...
    pub action: &'static str,
    pub base: String,
    /// Table name or id, if the call concerns one.
    pub table: Option<String>,
    /// Ids of the records the call concerns (the first few).
    pub records: Vec<String>,
}

impl fmt::Display for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.action)?;
        if !self.records.is_empty() {
            let shown: Vec<&str> = self.records.iter().take(3).map(String::as_str).collect();
            write!(f, " {}", shown.join(", "))?;
            if self.records.len() > 3 {
                write!(f, " and {} more", self.records.len() - 3)?;
            }
        }
        if let Some(table) = &self.table {
            write!(f, " in table {table}")?;
        }
        write!(f, " of base {}", self.base)
    }
}

/// An Airtable call that failed. Never contains the token.
#[derive(Debug, thiserror::Error)]
pub enum AirtableError {
    /// Airtable answered with an error status.
    #[error("Airtable refused to {context}: {} ({status}): {message}", kind.name())]
    Api {
        context: CallContext,
        status: u16,
        kind: ApiErrorType,
        message: String,
        /// The answer's `Retry-After`, if any.
        retry_after: Option<std::time::Duration>,
    },
    /// No answer: connection refused, reset or timed out.
    #[error("could not reach Airtable to {context}: {detail}")]
    Network {
        context: CallContext,
        detail: String,
        /// The request may have reached Airtable (a timeout or reset after sending).
        maybe_sent: bool,
    },
    /// Airtable answered 2xx with a body this client cannot read.
    #[error("Airtable's answer to {context} is malformed: {detail}")]
    MalformedResponse { context: CallContext, detail: String },
    /// A call that is not safe to repeat (a create) failed after it may have been applied.
    #[error("Airtable may or may not have done {context} (check before repeating it): {detail}")]
    OutcomeUnknown { context: CallContext, detail: String },
    /// The caller asked for something Airtable cannot do (caught before any call).
    #[error("cannot {context}: {detail}")]
    InvalidRequest { context: CallContext, detail: String },
}

impl AirtableError {
    /// What the worker does about it.
    pub fn class(&self) -> ErrorClass {
        match self {
            AirtableError::Api { kind, .. } => kind.class(),
            AirtableError::Network { .. } => ErrorClass::Transient,
            AirtableError::MalformedResponse { .. } => ErrorClass::Transient,
            AirtableError::InvalidRequest { .. } => ErrorClass::Permanent,
            AirtableError::OutcomeUnknown { .. } => ErrorClass::OutcomeUnknown,
        }
    }

    /// How long the answer asked us to wait before retrying.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            AirtableError::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn api_type(&self) -> Option<&ApiErrorType> {
        match self {
            AirtableError::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }

    pub fn context(&self) -> &CallContext {
        match self {
            AirtableError::Api { context, .. }
            | AirtableError::Network { context, .. }
            | AirtableError::MalformedResponse { context, .. }
            | AirtableError::InvalidRequest { context, .. }
            | AirtableError::OutcomeUnknown { context, .. } => context,
        }
    }
}

/// An error body in either of Airtable's two shapes.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorPayload,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorPayload {
    Full {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        message: Option<String>,
    },
    Bare(String),
}

/// Reads an error answer: its type and message, whatever the body holds.
pub fn parse_error_body(status: u16, body: &[u8]) -> (ApiErrorType, String) {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            error: ErrorPayload::Full { kind, message },
        }) => {
            let t = ApiErrorType::from_response(status, Some(&kind));
            (t, message.unwrap_or_else(|| kind.clone()))
        }
        Ok(ErrorBody {
            error: ErrorPayload::Bare(kind),
        }) => (ApiErrorType::from_response(status, Some(&kind)), kind),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.chars().take(200).collect();
            let message = if snippet.trim().is_empty() {
                format!("HTTP {status} with an empty body")
            } else {
                format!("HTTP {status}: {snippet}")
            };
            (ApiErrorType::from_response(status, None), message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_body_shapes_are_read() {
        let (t, m) = parse_error_body(
            429,
            br#"{"error":{"type":"RATE_LIMIT_REACHED","message":"Rate limit exceeded. Please try again later"}}"#,
        );
        assert_eq!(t, ApiErrorType::RateLimitReached);
        assert!(m.starts_with("Rate limit"));
        let (t, _) = parse_error_body(404, br#"{"error":"NOT_FOUND"}"#);
        assert_eq!(t, ApiErrorType::NotFound);
    }

    #[test]
    fn a_body_that_is_not_json_still_gives_a_class_and_a_message() {
        let (t, m) = parse_error_body(502, b"<html>Bad gateway</html>");
        assert_eq!(t.class(), ErrorClass::Transient);
        assert!(m.contains("Bad gateway"), "{m}");
    }

    #[test]
    fn the_message_names_action_table_records_and_base() {
        let e = AirtableError::Api {
            context: CallContext {
                action: "update records",
                base: "appX".into(),
                table: Some("ScheduledPosts".into()),
                records: vec!["rec1".into()],
            },
            status: 422,
            kind: ApiErrorType::UnknownFieldName,
            message: "Unknown field name: \"Nope\"".into(),
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "Airtable refused to update records rec1 in table ScheduledPosts of base appX: \
             UNKNOWN_FIELD_NAME (422): Unknown field name: \"Nope\""
        );
        assert_eq!(e.class(), ErrorClass::Permanent);
    }
}
