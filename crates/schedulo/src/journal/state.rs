//! Each scenario's small durable values (cursors, last runs, throttles) and counters
//! (operations spent, errors in a row), keyed by scenario name.

use super::{system_now_ms, Journal, JournalError};

const STATE_GET: &str = include_str!("sql/state_get.sql");
const STATE_SET: &str = include_str!("sql/state_set.sql");
const COUNTER_ADD: &str = include_str!("sql/counter_add.sql");
const COUNTER_GET: &str = include_str!("sql/counter_get.sql");

impl Journal {
    pub(super) async fn state_get_direct(
        &self,
        scenario: &str,
        key: &str,
    ) -> Result<Option<serde_json::Value>, JournalError> {
        let subject = format!("state {scenario}/{key}");
        let text: Option<String> = sqlx::query_scalar(STATE_GET)
            .bind(scenario)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", &subject))?;
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|e| JournalError::Corrupt {
                subject,
                detail: format!("not JSON: {e}"),
            })
    }

    pub(super) async fn state_set_direct(
        &self,
        scenario: &str,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), JournalError> {
        sqlx::query(STATE_SET)
            .bind(scenario)
            .bind(key)
            .bind(value.to_string())
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("write", format!("state {scenario}/{key}")))?;
        Ok(())
    }

    pub(super) async fn counter_add_direct(&self, scenario: &str, name: &str, by: i64) -> Result<i64, JournalError> {
        let subject = format!("counter {scenario}/{name}");
        let value: Option<i64> = sqlx::query_scalar(COUNTER_ADD)
            .bind(scenario)
            .bind(name)
            .bind(by)
            .bind(system_now_ms())
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("add to", &subject))?;
        value.ok_or_else(|| JournalError::Conflict {
            op: "add to",
            subject,
            detail: format!("adding {by} would overflow it"),
        })
    }

    pub(super) async fn counter_reset_direct(&self, scenario: &str, name: &str) -> Result<(), JournalError> {
        sqlx::query(include_str!("sql/counter_reset.sql"))
            .bind(scenario)
            .bind(name)
            .bind(system_now_ms())
            .execute(&self.pool)
            .await
            .map_err(JournalError::db("reset", format!("counter {scenario}/{name}")))?;
        Ok(())
    }

    pub(super) async fn counter_get_direct(&self, scenario: &str, name: &str) -> Result<i64, JournalError> {
        let value: Option<i64> = sqlx::query_scalar(COUNTER_GET)
            .bind(scenario)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(JournalError::db("read", format!("counter {scenario}/{name}")))?;
        Ok(value.unwrap_or(0))
    }
}

impl Journal {
    pub(super) async fn publish_lags_ms_direct(&self) -> Result<Vec<i64>, JournalError> {
        sqlx::query_scalar(include_str!("sql/posts_publish_lags.sql"))
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("read", "publish lags"))
    }

    pub(super) async fn publish_lags_ms_on_direct(&self, platform: &str) -> Result<Vec<i64>, JournalError> {
        sqlx::query_scalar(include_str!("sql/posts_publish_lags_on.sql"))
            .bind(platform)
            .fetch_all(&self.pool)
            .await
            .map_err(JournalError::db("read", format!("publish lags on {platform}")))
    }
}
