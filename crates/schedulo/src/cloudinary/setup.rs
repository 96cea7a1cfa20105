//! `setup cloudinary`: makes the product environment what the worker expects, idempotently.
//! The seed's folders (`users`, `templates`, `system`), the signed upload preset
//! `schedulo-user-media`, and one named transformation `schedulo_<variant>` per variant, each with
//! its canonical string. It reads before it creates where that saves a failed POST (each call
//! counts against the Admin API's hourly limit), reports what it created, what was already there,
//! and what is there but differs, which it changes only when asked to (`SetupPlan::fix`).

use super::admin::{UploadPreset, UploadPresetInfo};
use super::client::CloudinaryClient;
use super::error::CloudinaryError;
use super::transformation_text::canonical;
use super::types::Created;
use super::variants::{self, Resource};
use std::fmt;

/// The folders of the seed.
pub const FOLDERS: [&str; 3] = ["users", "templates", "system"];
/// The upload preset the worker and Bubble's uploader use.
pub const PRESET: &str = "schedulo-user-media";
/// The folder user media goes in.
pub const USER_FOLDER: &str = "users";
/// The tag on every upload through the preset.
pub const TAG: &str = "schedulo";

/// Which folder parameter the account takes (cloudinary.com/documentation/folder_modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FolderMode {
    /// `asset_folder` (accounts made after June 2024).
    #[default]
    Dynamic,
    /// The legacy `folder` (which also prefixes public_ids).
    Fixed,
}

/// What setup should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetupPlan {
    /// Keep a backup of each upload through the preset (`backup=true`; a paid feature on some plans).
    pub backup: bool,
    /// Change what exists but differs (preset settings, named transformations) instead of reporting it.
    pub fix: bool,
    pub folder_mode: FolderMode,
}

/// One thing setup manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Folder(String),
    UploadPreset(String),
    Transformation(String),
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Folder(p) => write!(f, "folder {p}"),
            Item::UploadPreset(n) => write!(f, "upload preset {n}"),
            Item::Transformation(n) => write!(f, "named transformation {n}"),
        }
    }
}

/// Something that exists but differs from what the worker expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub item: Item,
    /// Which setting (`eager`, `transformation`...).
    pub setting: String,
    pub expected: String,
    /// What is there (`None`: not set).
    pub found: Option<String>,
    /// Whether setup changed it (`SetupPlan::fix`).
    pub fixed: bool,
}

/// What setup did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupReport {
    pub created: Vec<Item>,
    pub existed: Vec<Item>,
    pub differs: Vec<Difference>,
}

impl SetupReport {
    /// Whether anything still differs (found and not fixed).
    pub fn has_unfixed_differences(&self) -> bool {
        self.differs.iter().any(|d| !d.fixed)
    }
}

impl fmt::Display for SetupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Cloudinary setup: {} created, {} already there, {} different",
            self.created.len(),
            self.existed.len(),
            self.differs.len()
        )?;
        for item in &self.created {
            writeln!(f, "  created  {item}")?;
        }
        for item in &self.existed {
            writeln!(f, "  exists   {item}")?;
        }
        for d in &self.differs {
            let found = d.found.as_deref().unwrap_or("(not set)");
            let what = if d.fixed { "fixed   " } else { "DIFFERS " };
            writeln!(
                f,
                "  {what} {}: {} is {found:?}, expected {:?}",
                d.item, d.setting, d.expected
            )?;
        }
        if self.has_unfixed_differences() {
            writeln!(f, "  (run again with --fix to change what differs)")?;
        }
        Ok(())
    }
}

/// The preset the plan asks for.
pub fn preset(plan: &SetupPlan) -> UploadPreset {
    let (asset_folder, folder) = match plan.folder_mode {
        FolderMode::Dynamic => (Some(USER_FOLDER.to_string()), None),
        FolderMode::Fixed => (None, Some(USER_FOLDER.to_string())),
    };
    UploadPreset {
        name: PRESET.to_string(),
        unsigned: false,
        asset_folder,
        folder,
        tags: vec![TAG.to_string()],
        eager: Some(variants::eager(Resource::Image)),
        eager_async: true,
        backup: plan.backup.then_some(true),
    }
}

/// Makes folders, preset and named transformations exist; creates nothing that is already there.
pub async fn setup(client: &CloudinaryClient, plan: &SetupPlan) -> Result<SetupReport, CloudinaryError> {
    let mut report = SetupReport::default();
    folders(client, &mut report).await?;
    upload_preset(client, plan, &mut report).await?;
    transformations(client, plan, &mut report).await?;
    tracing::info!(
        message = "Cloudinary setup done.",
        created = report.created.len(),
        existed = report.existed.len(),
        differs = report.differs.len()
    );
    Ok(report)
}

fn note(report: &mut SetupReport, item: Item, created: Created) {
    match created {
        Created::New => report.created.push(item),
        Created::Existed => report.existed.push(item),
    }
}

async fn folders(client: &CloudinaryClient, report: &mut SetupReport) -> Result<(), CloudinaryError> {
    let there = client.folders().await?;
    for folder in FOLDERS {
        let item = Item::Folder(folder.to_string());
        if there.iter().any(|p| p == folder) {
            report.existed.push(item);
        } else {
            note(report, item, client.create_folder(folder).await?);
        }
    }
    Ok(())
}

async fn upload_preset(
    client: &CloudinaryClient,
    plan: &SetupPlan,
    report: &mut SetupReport,
) -> Result<(), CloudinaryError> {
    let wanted = preset(plan);
    let item = Item::UploadPreset(wanted.name.clone());
    let Some(info) = client.upload_preset(&wanted.name).await? else {
        note(report, item, client.create_upload_preset(&wanted).await?);
        return Ok(());
    };
    report.existed.push(item.clone());
    let differences = preset_differences(&wanted, &info);
    if differences.is_empty() {
        return Ok(());
    }
    if plan.fix {
        client.update_upload_preset(&wanted).await?;
    }
    for (setting, expected, found) in differences {
        report.differs.push(Difference {
            item: item.clone(),
            setting,
            expected,
            found,
            fixed: plan.fix,
        });
    }
    Ok(())
}

/// The settings of `wanted` that `info` lacks or holds otherwise: (setting, expected, found).
pub fn preset_differences(wanted: &UploadPreset, info: &UploadPresetInfo) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    let found_unsigned = info.setting("unsigned").unwrap_or_else(|| info.unsigned.to_string());
    if found_unsigned != wanted.unsigned.to_string() {
        out.push(("unsigned".into(), wanted.unsigned.to_string(), Some(found_unsigned)));
    }
    for (key, expected) in wanted.settings() {
        if key == "unsigned" {
            continue;
        }
        let found = info.setting(&key);
        let same = match (key.as_str(), &found) {
            ("eager", Some(f)) => split_canonical(f, '|') == split_canonical(&expected, '|'),
            ("tags", Some(f)) => split_sorted(f) == split_sorted(&expected),
            (_, Some(f)) => *f == expected,
            (_, None) => false,
        };
        if !same {
            out.push((key, expected, found));
        }
    }
    out
}

fn split_canonical(s: &str, sep: char) -> Vec<String> {
    let mut v: Vec<String> = s.split(sep).filter(|p| !p.is_empty()).map(canonical).collect();
    v.sort();
    v
}

fn split_sorted(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    v.sort();
    v
}

async fn transformations(
    client: &CloudinaryClient,
    plan: &SetupPlan,
    report: &mut SetupReport,
) -> Result<(), CloudinaryError> {
    for variant in variants::VARIANTS {
        let name = variant.transformation_name();
        let item = Item::Transformation(name.clone());
        match client.transformation(&name).await? {
            None => note(
                report,
                item,
                client.create_transformation(&name, variant.transformation).await?,
            ),
            Some(found) if canonical(&found) == canonical(variant.transformation) => report.existed.push(item),
            Some(found) => {
                if plan.fix {
                    client.update_transformation(&name, variant.transformation).await?;
                }
                report.existed.push(item.clone());
                report.differs.push(Difference {
                    item,
                    setting: "transformation".into(),
                    expected: variant.transformation.to_string(),
                    found: Some(found),
                    fixed: plan.fix,
                });
            }
        }
    }
    Ok(())
}
