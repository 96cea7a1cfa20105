//! `schedulo setup cloudinary`: the seed's Cloudinary set-up (folders, the upload preset, the
//! platforms' named transformations), idempotent. `schedulo setup airtable --remove`: deletes the
//! Airtable webhook the worker keeps.

use crate::clock::Clock;
use crate::cloudinary::setup::{FolderMode, SetupPlan};
use crate::cloudinary::CloudinaryClient;
use crate::config::Config;
use anyhow::Context;
use std::process::ExitCode;

pub async fn cloudinary(config: Config, fix: bool, fixed_folders: bool) -> anyhow::Result<ExitCode> {
    let cloudinary = config.cloudinary.as_ref().context(
        "CLOUDINARY_URL is not set: set it to cloudinary://<api_key>:<api_secret>@<cloud_name> from the Cloudinary console (see .env.example)",
    )?;
    let client = CloudinaryClient::new(crate::app::cloudinary_options(cloudinary, Clock::system()))
        .context("Failed to set up the Cloudinary client")?;
    let plan = SetupPlan {
        backup: cloudinary.paid,
        fix,
        folder_mode: if fixed_folders {
            FolderMode::Fixed
        } else {
            FolderMode::Dynamic
        },
    };
    let report = crate::cloudinary::setup::setup(&client, &plan).await.with_context(|| {
        format!(
            "Failed to set up Cloudinary product environment {}",
            client.cloud_name()
        )
    })?;
    print!("{report}");
    Ok(if report.has_unfixed_differences() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn airtable(config: Config, remove: bool) -> anyhow::Result<ExitCode> {
    if !remove {
        println!(
            "The worker makes, checks and refreshes its Airtable webhook by itself at start when SCHEDULO_PUBLIC_URL is set.\n\
             `schedulo setup airtable --remove` deletes it from the base and the journal."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let base = super::configured_base(&config)?;
    let path = config.journal_file();
    let journal = crate::journal::Journal::open(&path)
        .await
        .with_context(|| format!("Failed to open the journal {}", path.display()))?;
    let url = config
        .public_url
        .as_ref()
        .map(crate::scenarios::airtable_webhook::AirtableWebhook::url_for);
    let deleted = crate::scenarios::airtable_webhook::remove(&base, &journal, url.as_ref()).await?;
    if deleted.is_empty() {
        println!("No webhook of this worker's was on base {}.", base.id());
    } else {
        println!("Deleted from base {}: {}.", base.id(), deleted.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
