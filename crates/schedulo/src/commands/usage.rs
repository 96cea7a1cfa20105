//! `schedulo usage`: this month's Airtable calls against the plan's quota, with what idle re-reads
//! of the schedule will spend a month and where the month is heading at the current pace.

use crate::airtable::usage::{month_key, UsageCounter};
use crate::config::Config;
use crate::scenarios::post_scheduler::cadence::{self, thousands};
use crate::scenarios::PostScheduler as Spec;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use std::process::ExitCode;

pub fn usage(config: Config) -> anyhow::Result<ExitCode> {
    let path = config.usage_file();
    let counter = UsageCounter::open(Some(path.clone()))?;
    let now = Utc::now();
    let month = month_key(now);
    let quota = config.plan.monthly_calls();
    let quota_text = quota.map_or("unlimited".to_string(), |q| {
        format!("{} calls a month per workspace", thousands(q))
    });
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
    }
    for (base, calls) in &per_base {
        println!("  {base}: {calls}");
    }
    // The quota is the workspace's: bases of one workspace add up.
    let total: u64 = per_base.iter().map(|(_, c)| c).sum();
    let of_quota = |calls: u64| quota.map_or(String::new(), |q| format!(" ({:.1} % of the quota)", percent(calls, q)));
    if !per_base.is_empty() {
        println!("  all bases: {total}{}", of_quota(total));
    }
    let forecast = month_forecast(total, now);
    println!(
        "  at this pace, by the end of {month}: {}{}",
        thousands(forecast),
        of_quota(forecast)
    );

    let cadence = crate::app::read_cadence(&config, &Spec::load(&config.scenario_dir)?);
    println!(
        "Idle re-reads of the schedule (planned at {} calls a read; a read that finds nothing due costs 1):",
        cadence::calls_a_read()
    );
    println!(
        "  every {} ({}): {} calls a month{}",
        cadence::human(cadence.polled),
        cadence.origin(),
        thousands(cadence.polled_calls_a_month()),
        of_quota(cadence.polled_calls_a_month())
    );
    println!(
        "  every {} while Airtable's webhook is live: {} calls a month{}",
        cadence::human(cadence.safety),
        thousands(cadence.safety_calls_a_month()),
        of_quota(cadence.safety_calls_a_month())
    );
    if let Some(budget) = cadence.budget() {
        println!(
            "  allowed by AIRTABLE_READ_SHARE={} %: {} calls a month{}",
            config.read_share.percent(),
            thousands(budget),
            if cadence.over_budget() {
                "; the fixed trigger.resync_every_secs spends more"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn percent(calls: u64, quota: u64) -> f64 {
    calls as f64 * 100.0 / quota as f64
}

/// The calls the month will end with if it goes on as it went so far (`spent` by `now`).
pub fn month_forecast(spent: u64, now: DateTime<Utc>) -> u64 {
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .expect("the first of a month exists");
    let (year, month) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    let end = Utc
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .expect("the first of a month exists");
    // At least a minute elapsed, so that a call in the month's first second is not a month's flood.
    let elapsed = (now - start).num_seconds().max(60) as f64;
    let length = (end - start).num_seconds() as f64;
    (spent as f64 * length / elapsed).round() as u64
}

#[cfg(test)]
mod tests {
    use super::month_forecast;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_forecast_carries_the_pace_so_far_to_the_end_of_the_month() {
        let mid_april = Utc.with_ymd_and_hms(2026, 4, 16, 0, 0, 0).unwrap();
        assert_eq!(month_forecast(1_000, mid_april), 2_000, "half of 30 days gone");
        let end_of_december = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
        assert_eq!(month_forecast(300, end_of_december), 310, "30 of 31 days gone");
        let first_second = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 1).unwrap();
        assert_eq!(month_forecast(0, first_second), 0);
        assert_eq!(
            month_forecast(1, first_second),
            40_320,
            "a minute's pace, not a second's"
        );
    }
}
