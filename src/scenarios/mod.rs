//! Scenario definitions, one TOML file each under `scenarios/` (built into the binary; a file of
//! the same name in `SCHEDULO_SCENARIO_DIR` would override it in a later version).

use serde::Deserialize;
use std::time::Duration;

/// `scenarios/post-scheduler.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostScheduler {
    pub trigger: Trigger,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub resync_every_secs: u64,
    pub horizon_secs: u64,
}

impl Trigger {
    pub fn resync_every(&self) -> Duration {
        Duration::from_secs(self.resync_every_secs.max(1))
    }
    pub fn horizon(&self) -> Duration {
        Duration::from_secs(self.horizon_secs)
    }
}

const POST_SCHEDULER: &str = include_str!("../../scenarios/post-scheduler.toml");

impl PostScheduler {
    pub fn builtin() -> PostScheduler {
        toml::from_str(POST_SCHEDULER).expect("scenarios/post-scheduler.toml is valid")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_post_scheduler_parses() {
        assert_eq!(super::PostScheduler::builtin().trigger.resync_every_secs, 300);
    }
}
