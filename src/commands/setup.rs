//! `schedulo setup cloudinary`: the seed's Cloudinary set-up (folders, the upload preset, the
//! platforms' named transformations), idempotent.

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
    let client = CloudinaryClient::new(super::run::cloudinary_options(cloudinary, Clock::system()))
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
