//! Keeping the webhook: find it, make it, turn its pings back on, refresh it, remove it.

use super::{Active, AirtableWebhook};
use crate::airtable::{ApiErrorType, Base, Specification, WebhookInfo};
use crate::journal::{Journal, KeptWebhook};
use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};

/// What a turn of the keeper found.
#[derive(Debug, Default)]
pub(super) struct Kept {
    /// A new webhook was made.
    pub created: bool,
    /// Why its pings may not be arriving, if Airtable says so.
    pub problem: Option<String>,
}

/// The vault's associated data for the secret of a base's webhook: a sealed secret copied to
/// another base's row does not open.
fn sealed_for(base_id: &str) -> String {
    format!("airtable-webhook:{base_id}")
}

fn is_gone(error: &crate::airtable::AirtableError) -> bool {
    matches!(error.api_type(), Some(ApiErrorType::NotFound))
}

impl AirtableWebhook {
    /// Makes sure the base has our webhook, pinging our URL, with pings on and days to live.
    pub(super) async fn keep(&self) -> anyhow::Result<Kept> {
        let listed = self
            .base
            .list_webhooks()
            .await
            .context("Failed to list the base's webhooks")?;
        let kept = self.journal.webhook(self.base.id()).await?;
        let url = self.url.as_str();
        let now = self.clock.now();
        // An expired webhook may stay listed, disabled (it records and pings nothing): make a new one.
        let usable = |w: &WebhookInfo| w.is_hook_enabled && w.expiration_time.is_none_or(|at| at > now);
        let current = kept.as_ref().filter(|k| k.notification_url == url).and_then(|k| {
            listed
                .iter()
                .find(|w| w.id == k.webhook_id && usable(w))
                .map(|w| (k, w))
        });
        for hook in &listed {
            let is_current = current.is_some_and(|(k, _)| k.webhook_id == hook.id);
            let ours_moved = kept.as_ref().is_some_and(|k| k.webhook_id == hook.id) && !is_current;
            let stray = hook.notification_url.as_deref() == Some(url) && !is_current;
            if ours_moved || stray {
                tracing::info!(message = "Deleting a webhook of this worker's that is not the one in use.", webhook = %hook.id, url = ?hook.notification_url);
                match self.base.delete_webhook(&hook.id).await {
                    Ok(()) => {}
                    Err(e) if is_gone(&e) => {}
                    Err(e) => return Err(e).context("Failed to delete an old webhook of this worker's"),
                }
            }
        }
        match current {
            Some((kept, info)) => match self.open(kept) {
                Ok(active) => {
                    *self.active.lock().expect("webhook lock") = Some(active);
                    self.tend(kept, info).await
                }
                Err(error) => {
                    tracing::warn!(message = "The kept webhook's secret does not open with SCHEDULO_VAULT_KEYS; making a new webhook.", %error);
                    let _ = self.base.delete_webhook(&kept.webhook_id).await;
                    self.create().await
                }
            },
            None => {
                if let Some(k) = &kept {
                    if k.notification_url == url {
                        tracing::warn!(message = "Airtable no longer has this worker's webhook (expired or deleted); making a new one.", webhook = %k.webhook_id);
                    } else {
                        tracing::info!(
                            message = "The worker's URL changed; making a webhook for the new one.",
                            url
                        );
                    }
                }
                self.create().await
            }
        }
    }

    /// Turns pings back on and refreshes the webhook when its expiry is near.
    async fn tend(&self, kept: &KeptWebhook, info: &WebhookInfo) -> anyhow::Result<Kept> {
        let mut problem = None;
        if let Some(result) = info.last_notification_result.as_ref().filter(|r| !r.success) {
            let message = result.error.as_ref().map_or("", |e| e.message.as_str());
            problem = Some(format!("Airtable's last ping of {} failed: {message}", self.url));
        }
        if !info.are_notifications_enabled {
            tracing::warn!(message = "Airtable had turned the webhook's pings off (after failed pings); turning them on.", webhook = %info.id);
            self.base
                .enable_webhook_notifications(&info.id, true)
                .await
                .context("Failed to turn the webhook's notifications on")?;
            problem.get_or_insert_with(|| "Airtable had turned the webhook's pings off".to_string());
        }
        let expiry = info.expiration_time.or(kept.expires_at);
        if expiry.is_some_and(|at| at - self.clock.now() < self.timing.refresh_below) {
            let expires = self
                .base
                .refresh_webhook(&info.id)
                .await
                .context("Failed to refresh the webhook")?;
            self.journal.webhook_expires(self.base.id(), &info.id, expires).await?;
            tracing::info!(message = "Airtable webhook refreshed.", webhook = %info.id, expires = ?expires);
        }
        Ok(Kept {
            created: false,
            problem,
        })
    }

    /// Makes a new webhook, keeps it (secret sealed, cursor at its start) and uses it. What
    /// changed since the last payload read is unknown: the schedule is read again.
    async fn create(&self) -> anyhow::Result<Kept> {
        *self.active.lock().expect("webhook lock") = None;
        let created = self
            .base
            .create_webhook(&self.url, &Specification::base_records())
            .await
            .context("Failed to create the Airtable webhook")?;
        let kept = KeptWebhook {
            base_id: self.base.id().to_string(),
            webhook_id: created.id.clone(),
            notification_url: self.url.to_string(),
            sealed_secret: self
                .vault
                .encrypt(&sealed_for(self.base.id()), &created.mac_secret_base64),
            expires_at: created.expiration_time,
            cursor: 1,
        };
        let active = self.open(&kept)?;
        self.journal.webhook_put(&kept).await?;
        *self.active.lock().expect("webhook lock") = Some(active);
        tracing::info!(message = "Airtable webhook created.", webhook = %created.id, url = %self.url, expires = ?created.expiration_time);
        self.scheduler.nudge_all();
        Ok(Kept {
            created: true,
            problem: None,
        })
    }

    /// Opens a kept webhook's secret.
    fn open(&self, kept: &KeptWebhook) -> anyhow::Result<Active> {
        let secret = self
            .vault
            .decrypt(&sealed_for(&kept.base_id), &kept.sealed_secret)
            .context("the kept webhook's MAC secret")?;
        let key = decode_key(&secret).context("the webhook's MAC secret is not base64")?;
        Ok(Active {
            id: kept.webhook_id.clone(),
            key: key.into(),
        })
    }
}

fn decode_key(secret: &SecretString) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(secret.expose_secret().trim())
}

/// `schedulo setup airtable --remove`: deletes the worker's webhook from the base (and any other
/// pinging `url`, when given) and forgets it. Returns the ids deleted.
pub async fn remove(base: &Base, journal: &Journal, url: Option<&url::Url>) -> anyhow::Result<Vec<String>> {
    let kept = journal.webhook(base.id()).await?;
    let listed = base
        .list_webhooks()
        .await
        .context("Failed to list the base's webhooks")?;
    let mut deleted = Vec::new();
    for hook in &listed {
        let is_kept = kept.as_ref().is_some_and(|k| k.webhook_id == hook.id);
        let pings_us = url.is_some_and(|u| hook.notification_url.as_deref() == Some(u.as_str()));
        if is_kept || pings_us {
            match base.delete_webhook(&hook.id).await {
                Ok(()) => deleted.push(hook.id.clone()),
                Err(e) if is_gone(&e) => {}
                Err(e) => return Err(e).context("Failed to delete the webhook"),
            }
        }
    }
    if let Some(k) = kept {
        journal.webhook_forget(base.id(), &k.webhook_id).await?;
    }
    Ok(deleted)
}
