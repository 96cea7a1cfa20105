//! `schedulo usage`: this month's Airtable calls against the plan's quota.

use crate::airtable::usage::{month_key, UsageCounter};
use crate::config::Config;
use std::process::ExitCode;

pub fn usage(config: Config) -> anyhow::Result<ExitCode> {
    let path = config.usage_file();
    let counter = UsageCounter::open(Some(path.clone()))?;
    let month = month_key(chrono::Utc::now());
    let quota = config.plan.monthly_calls();
    let quota_text = quota.map_or("unlimited".to_string(), |q| format!("{q} calls a month per workspace"));
    println!(
        "Airtable calls in {month} (plan: {}, {quota_text}), counted in {}:",
        config.plan,
        path.display()
    );
    let per_base: Vec<(String, u64)> = counter
        .snapshot()
        .into_iter()
        .map(|(base, months)| (base, months.get(&month).copied().unwrap_or(0)))
        .filter(|(_, calls)| *calls > 0)
        .collect();
    if per_base.is_empty() {
        println!("  none");
        return Ok(ExitCode::SUCCESS);
    }
    for (base, calls) in &per_base {
        println!("  {base}: {calls}");
    }
    // The quota is the workspace's: bases of one workspace add up.
    let total: u64 = per_base.iter().map(|(_, c)| c).sum();
    match quota {
        Some(q) => println!(
            "  all bases: {total} ({:.1} % of the quota)",
            total as f64 * 100.0 / q as f64
        ),
        None => println!("  all bases: {total}"),
    }
    Ok(ExitCode::SUCCESS)
}
