//! `schedulo schema check` and `schedulo schema apply`.

use super::configured_base;
use crate::cli::{SchemaArgs, SchemaCommand};
use crate::config::Config;
use crate::schema::{self, Schema};
use anyhow::Context;
use std::process::ExitCode;

pub async fn schema(cmd: SchemaCommand, config: Config) -> anyhow::Result<ExitCode> {
    match cmd {
        SchemaCommand::Check(args) => check(&args, &config).await,
        SchemaCommand::Apply { args, yes } => apply(&args, &config, yes).await,
    }
}

/// The schema file named on the command line, else in config (`SCHEDULO_SCHEMA_FILE`), else the built-in one.
pub(crate) fn load_schema(file: Option<&std::path::PathBuf>, config: &Config) -> anyhow::Result<Schema> {
    match file {
        Some(path) => Ok(Schema::load(path)?),
        None => crate::app::configured_schema(config),
    }
}

async fn check(args: &SchemaArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let schema = load_schema(args.file.as_ref(), config)?;
    let base = configured_base(config)?;
    let tables = base.tables().await.context("Failed to read the base's schema")?;
    let comparison = schema::compare(&schema, &tables);
    print!("{}", render_check(&comparison));
    Ok(if comparison.breaks_worker() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The report `check` prints.
pub fn render_check(c: &schema::Comparison) -> String {
    let mut out = String::new();
    let (breaking, other): (Vec<_>, Vec<_>) = c.differences.iter().partition(|d| d.breaks_worker());
    if breaking.is_empty() && other.is_empty() {
        out.push_str("The base has every table, field and choice of the schema.\n");
    }
    if !breaking.is_empty() {
        out.push_str("The worker cannot run on this base until these are mended (`schedulo schema apply --yes` creates what is missing):\n");
        breaking.iter().for_each(|d| out.push_str(&format!("  - {d}\n")));
    }
    if !other.is_empty() {
        out.push_str("Other differences (the worker runs all the same):\n");
        other.iter().for_each(|d| out.push_str(&format!("  - {d}\n")));
    }
    if !c.missing_views.is_empty() {
        out.push_str("Views to create by hand (Airtable's API cannot create views):\n");
        c.missing_views.iter().for_each(|v| out.push_str(&format!("  - {v}\n")));
    }
    out
}

async fn apply(args: &SchemaArgs, config: &Config, yes: bool) -> anyhow::Result<ExitCode> {
    let schema = load_schema(args.file.as_ref(), config)?;
    let base = configured_base(config)?;
    let tables = base.tables().await.context("Failed to read the base's schema")?;
    let plan = schema::plan(&schema, &tables);
    for d in &plan.manual {
        println!("cannot mend through the API: {d}");
    }
    if plan.is_empty() {
        println!("The base already has every table, field and choice of the schema: nothing to do.");
        return Ok(ExitCode::SUCCESS);
    }
    println!("Plan for base {}:", base.id());
    for action in &plan.actions {
        println!("  - {action}");
    }
    if !yes {
        println!("Nothing changed. Run again with --yes to carry out this plan.");
        return Ok(ExitCode::SUCCESS);
    }
    let done = schema::apply::execute(&base, &plan)
        .await
        .context("Failed to apply the schema")?;
    println!("Done: {} change(s).", done.len());
    Ok(ExitCode::SUCCESS)
}
