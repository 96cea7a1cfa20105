//! Airtable's webhooks API: create, list, refresh, delete a webhook, turn its notifications back
//! on, and read its payloads.
//!
//! Source: airtable.com/developers/web/api/webhooks-overview, create-a-webhook, list-webhooks,
//! refresh-a-webhook, delete-a-webhook, enable-disable-webhook-notifications,
//! list-webhook-payloads; summarised in `shared/reference/airtable.md`. Limits:
//! - at most 10 webhooks per base; a webhook made with a personal access token expires 7 days
//!   after it was made or last refreshed (refreshing, or listing its payloads, pushes that back);
//! - the MAC secret (`macSecretBase64`) is returned once, by the create call;
//! - a ping (`{"base":{"id"},"webhook":{"id"},"timestamp"}`, signed with
//!   `X-Airtable-Content-MAC: hmac-sha256=<hex>`) says only that payloads are waiting; the
//!   payloads are read with a cursor (an integer, 1 for a new webhook), at most 50 a page,
//!   `mightHaveMore` saying whether to ask again; they are kept 7 days;
//! - after repeated failed pings Airtable turns the webhook's notifications off
//!   (`areNotificationsEnabled: false`) until they are turned on again.
//!
//! Every call goes through the base's request path: paced, counted, retried like the others. A
//! create is not repeated blindly (a second one would make a second webhook): a create that may
//! have been applied is `OutcomeUnknown`, and the caller lists the base's webhooks to find out.

use super::{AirtableError, Base, Call};
use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The most payloads Airtable returns in one page.
pub const MAX_PAYLOADS_PER_PAGE: u32 = 50;

/// What a webhook watches (`specification`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Specification {
    pub options: SpecOptions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecOptions {
    pub filters: Filters,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub includes: Option<Includes>,
}

/// `specification.options.filters`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    /// `tableData` (records), `tableFields`, `tableMetadata`.
    pub data_types: Vec<String>,
    /// One table or view id: only its records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_change_scope: Option<String>,
    /// Only changes to these fields (needs `record_change_scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_data_in_field_ids: Option<Vec<String>>,
    /// `add`, `remove`, `update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_types: Option<Vec<String>>,
    /// `client`, `publicApi`, `formSubmission`, `automation`, `system`, `sync`, `anonymousUser`, `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_sources: Option<Vec<String>>,
}

/// `specification.options.includes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Includes {
    /// Cell values to include even when unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_cell_values_in_field_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_previous_cell_values: Option<bool>,
}

impl Specification {
    /// Every record change in the whole base (one webhook, one ping and one payload read for a
    /// change that touches several tables).
    pub fn base_records() -> Specification {
        Specification {
            options: SpecOptions {
                filters: Filters {
                    data_types: vec!["tableData".into()],
                    ..Filters::default()
                },
                includes: None,
            },
        }
    }
}

/// The answer to a create: the secret is shown this once.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    pub id: String,
    /// The base64 MAC key of the pings.
    pub mac_secret_base64: SecretString,
    /// `None` for webhooks that do not expire (made through OAuth integrations).
    #[serde(default)]
    pub expiration_time: Option<DateTime<Utc>>,
}

/// One webhook as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookInfo {
    pub id: String,
    #[serde(default)]
    pub notification_url: Option<String>,
    pub are_notifications_enabled: bool,
    #[serde(default = "enabled")]
    pub is_hook_enabled: bool,
    /// The cursor the next payload will have.
    pub cursor_for_next_payload: u64,
    #[serde(default)]
    pub expiration_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_successful_notification_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_notification_result: Option<NotificationResult>,
    #[serde(default)]
    pub specification: Option<Value>,
}

fn enabled() -> bool {
    true
}

/// How Airtable's last ping went.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationResult {
    pub success: bool,
    #[serde(default)]
    pub error: Option<NotificationError>,
    #[serde(default)]
    pub completion_timestamp: Option<DateTime<Utc>>,
    #[serde(default)]
    pub retry_number: Option<u32>,
    #[serde(default)]
    pub will_be_retried: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NotificationError {
    #[serde(default)]
    pub message: String,
}

/// One page of payloads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadPage {
    /// The cursor to ask from next.
    pub cursor: u64,
    pub might_have_more: bool,
    pub payloads: Vec<Payload>,
}

/// One transaction's changes (`payloadFormat` v0). Schema changes are not read (the worker's
/// webhook watches `tableData` only).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    pub timestamp: DateTime<Utc>,
    #[serde(default)]
    pub base_transaction_number: u64,
    #[serde(default)]
    pub action_metadata: Option<ActionMetadata>,
    #[serde(default)]
    pub changed_tables_by_id: BTreeMap<String, TableChanges>,
    #[serde(default)]
    pub created_tables_by_id: BTreeMap<String, Value>,
    #[serde(default)]
    pub destroyed_table_ids: Vec<String>,
    /// An error payload: Airtable could not compute the changes (e.g. `INVALID_FILTERS`).
    #[serde(default)]
    pub error: bool,
    #[serde(default)]
    pub code: Option<String>,
}

/// Who made a change: `client` (a person in Airtable), `publicApi`, `automation`, ...
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ActionMetadata {
    pub source: String,
}

/// The record changes in one table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableChanges {
    #[serde(default)]
    pub created_records_by_id: BTreeMap<String, Value>,
    #[serde(default)]
    pub changed_records_by_id: BTreeMap<String, ChangedRecord>,
    #[serde(default)]
    pub destroyed_record_ids: Vec<String>,
}

/// A changed record: `current` holds the new values of the fields that changed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ChangedRecord {
    #[serde(default)]
    pub current: CellValues,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellValues {
    #[serde(default)]
    pub cell_values_by_field_id: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct WebhooksBody {
    webhooks: Vec<WebhookInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshBody {
    #[serde(default)]
    expiration_time: Option<DateTime<Utc>>,
}

impl Base {
    fn webhook_call(&self, method: Method, action: &'static str, tail: &[&str]) -> Call {
        let mut segments = vec![
            "v0".to_string(),
            "bases".into(),
            self.id().to_string(),
            "webhooks".into(),
        ];
        segments.extend(tail.iter().map(|s| s.to_string()));
        Call {
            // Everything but a create may be sent twice without harm.
            idempotent: true,
            method,
            segments,
            query: Vec::new(),
            body: None,
            context: self.context(action, None),
        }
    }

    /// Creates a webhook that pings `notification_url`.
    pub async fn create_webhook(
        &self,
        notification_url: &url::Url,
        specification: &Specification,
    ) -> Result<CreatedWebhook, AirtableError> {
        let mut call = self.webhook_call(Method::POST, "create a webhook", &[]);
        call.idempotent = false;
        call.body = Some(json!({
            "notificationUrl": notification_url.as_str(),
            "specification": specification,
        }));
        self.request(&call).await
    }

    /// The base's webhooks (those this token's owner may see).
    pub async fn list_webhooks(&self) -> Result<Vec<WebhookInfo>, AirtableError> {
        let call = self.webhook_call(Method::GET, "list webhooks", &[]);
        let body: WebhooksBody = self.request(&call).await?;
        Ok(body.webhooks)
    }

    /// Pushes the webhook's expiry back (7 days from now); returns the new expiry.
    pub async fn refresh_webhook(&self, webhook_id: &str) -> Result<Option<DateTime<Utc>>, AirtableError> {
        let call = self.webhook_call(Method::POST, "refresh a webhook", &[webhook_id, "refresh"]);
        let body: RefreshBody = self.request(&call).await?;
        Ok(body.expiration_time)
    }

    /// Deletes a webhook.
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<(), AirtableError> {
        let call = self.webhook_call(Method::DELETE, "delete a webhook", &[webhook_id]);
        let _: serde::de::IgnoredAny = self.request(&call).await?;
        Ok(())
    }

    /// Turns a webhook's pings on (Airtable turns them off after repeated failures) or off.
    pub async fn enable_webhook_notifications(&self, webhook_id: &str, enable: bool) -> Result<(), AirtableError> {
        let mut call = self.webhook_call(
            Method::POST,
            "turn on a webhook's notifications",
            &[webhook_id, "enableNotifications"],
        );
        call.body = Some(json!({ "enable": enable }));
        let _: serde::de::IgnoredAny = self.request(&call).await?;
        Ok(())
    }

    /// One page of payloads from `cursor` (the first one kept when `None`); `limit` is kept
    /// within 1..=50.
    pub async fn webhook_payloads(
        &self,
        webhook_id: &str,
        cursor: Option<u64>,
        limit: u32,
    ) -> Result<PayloadPage, AirtableError> {
        let mut call = self.webhook_call(Method::GET, "read a webhook's payloads", &[webhook_id, "payloads"]);
        if let Some(cursor) = cursor {
            call.query.push(("cursor".into(), cursor.to_string()));
        }
        let limit = limit.clamp(1, MAX_PAYLOADS_PER_PAGE);
        call.query.push(("limit".into(), limit.to_string()));
        self.request(&call).await
    }

    /// Every payload from `cursor`, following `mightHaveMore` (at most `max_pages` pages): the
    /// payloads and the cursor to ask from next. For callers that need not persist the cursor
    /// page by page.
    pub async fn webhook_payloads_since(
        &self,
        webhook_id: &str,
        mut cursor: u64,
        max_pages: usize,
    ) -> Result<(Vec<Payload>, u64), AirtableError> {
        let mut payloads = Vec::new();
        for _ in 0..max_pages.max(1) {
            let page = self
                .webhook_payloads(webhook_id, Some(cursor), MAX_PAYLOADS_PER_PAGE)
                .await?;
            cursor = page.cursor;
            payloads.extend(page.payloads);
            if !page.might_have_more {
                break;
            }
        }
        Ok((payloads, cursor))
    }
}

#[cfg(test)]
#[path = "webhooks_tests.rs"]
mod tests;
