//! `schedulo usage`: this month's Airtable calls per base against the plan's quota.

use crate::airtable::usage::{month_key, UsageCounter};
use crate::config::Config;
use std::process::ExitCode;

pub fn usage(config: Config) -> anyhow::Result<ExitCode> {
    let path = config.data_dir.join("airtable-usage.json");
    let counter = UsageCounter::open(Some(path.clone()))?;
    let month = month_key(chrono::Utc::now());
    let quota = config.plan.monthly_calls();
    println!(
        "Airtable calls in {month} (plan: {}, {}):",
        config.plan,
        quota.map_or("unlimited".to_string(), |q| format!("{q} calls a month per workspace"))
    );
    let snapshot = counter.snapshot();
    if snapshot.is_empty() {
        println!("  none recorded in {}", path.display());
    }
    for (base, months) in snapshot {
        let calls = months.get(&month).copied().unwrap_or(0);
        match quota {
            Some(q) => println!(
                "  {base}: {calls} ({:.1} % of the quota)",
                calls as f64 * 100.0 / q as f64
            ),
            None => println!("  {base}: {calls}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
