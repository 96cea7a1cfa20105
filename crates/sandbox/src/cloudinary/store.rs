//! What a cloud holds: assets (the original file on disk, its properties, its derived files),
//! upload presets, folders, named transformations and its Admin API window; and the bodies
//! Cloudinary answers for an asset.

use super::app::Inner;
use super::SandboxCloud;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use tokio::time::Instant;

/// A resource type, as Cloudinary names it in paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rt {
    Image,
    Video,
    Raw,
}

impl Rt {
    pub fn parse(s: &str) -> Option<Rt> {
        match s {
            "image" => Some(Rt::Image),
            "video" => Some(Rt::Video),
            "raw" => Some(Rt::Raw),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rt::Image => "image",
            Rt::Video => "video",
            Rt::Raw => "raw",
        }
    }
}

/// A derived file: one transformation (and extension) of an asset.
#[derive(Debug, Clone)]
pub struct Derived {
    /// The transformation string as asked for (`ar_4:5,c_fill,g_auto,w_1080`, `t_name`).
    pub transformation: String,
    /// The format (file extension) it is in: `jpg`, `png`, `mp4`.
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub duration: Option<f64>,
    /// The rendered file (images); `None` for video, which is served from the original.
    pub path: Option<PathBuf>,
    pub id: String,
}

/// A stored asset.
#[derive(Debug, Clone)]
pub struct Asset {
    pub public_id: String,
    pub rt: Rt,
    pub asset_id: String,
    pub version: i64,
    /// The format as Cloudinary names it (`jpg`, `png`, `gif`, `webp`, `mp4`, `mov`); `None` for raw.
    pub format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
    pub duration: Option<f64>,
    pub frame_rate: Option<f64>,
    pub codec: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub asset_folder: String,
    pub tags: Vec<String>,
    pub context: Option<String>,
    pub backup: bool,
    pub original_filename: Option<String>,
    /// `signature` of the upload result: the signed `public_id` and `version`.
    pub signature: String,
    pub path: PathBuf,
    pub derived: Vec<Derived>,
}

impl Asset {
    pub fn display_name(&self) -> &str {
        self.public_id.rsplit('/').next().unwrap_or(&self.public_id)
    }

    /// The delivery URL, with an optional transformation and format.
    pub fn url(&self, base: &str, cloud: &str, transformation: Option<&str>, format: Option<&str>) -> String {
        let t = transformation.map(|t| format!("{t}/")).unwrap_or_default();
        let ext = format
            .or(self.format.as_deref())
            .map(|f| format!(".{f}"))
            .unwrap_or_default();
        format!(
            "{base}/{cloud}/{}/upload/{t}v{}/{}{ext}",
            self.rt.as_str(),
            self.version,
            self.public_id
        )
    }

    /// The eager item of a derived file, as the upload answer and notifications list it.
    pub fn eager_item(&self, base: &str, cloud: &str, d: &Derived) -> Value {
        let url = self.url(base, cloud, Some(&d.transformation), Some(&d.format));
        let mut item = json!({
            "transformation": d.transformation,
            "width": d.width,
            "height": d.height,
            "bytes": d.bytes,
            "format": d.format,
            "url": url,
            "secure_url": url,
        });
        if let Some(duration) = d.duration {
            item["duration"] = json!(duration);
        }
        item
    }

    /// The upload result (and the Admin API's resource body, without `derived`).
    pub fn body(&self, base: &str, cloud: &str) -> Value {
        let url = self.url(base, cloud, None, None);
        let mut body = json!({
            "asset_id": self.asset_id,
            "public_id": self.public_id,
            "version": self.version,
            "version_id": format!("{:032x}", self.version as u64 ^ 0x5eed),
            "signature": self.signature,
            "resource_type": self.rt.as_str(),
            "created_at": self.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "tags": self.tags,
            "bytes": self.bytes,
            "type": "upload",
            "placeholder": false,
            "url": url,
            "secure_url": url,
            "asset_folder": self.asset_folder,
            "display_name": self.display_name(),
            "backup": self.backup,
        });
        let obj = body.as_object_mut().expect("an object");
        put(obj, "format", self.format.clone().map(Value::from));
        put(obj, "width", self.width.map(Value::from));
        put(obj, "height", self.height.map(Value::from));
        put(
            obj,
            "original_filename",
            self.original_filename.clone().map(Value::from),
        );
        if let Some(context) = &self.context {
            obj.insert("context".into(), context_value(context));
        }
        if self.rt == Rt::Video {
            let duration = self.duration.unwrap_or(0.0);
            let bit_rate = if duration > 0.0 {
                (self.bytes as f64 * 8.0 / duration).round() as u64
            } else {
                0
            };
            obj.insert("duration".into(), json!(duration));
            obj.insert("frame_rate".into(), json!(self.frame_rate.unwrap_or(0.0)));
            obj.insert("bit_rate".into(), json!(bit_rate));
            obj.insert(
                "video".into(),
                json!({ "codec": self.codec.clone().unwrap_or_default(), "bit_rate": bit_rate.to_string() }),
            );
            obj.insert("is_audio".into(), json!(false));
        }
        body
    }
}

fn put(obj: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        obj.insert(key.into(), v);
    }
}

/// `alt=a|caption=b` as Cloudinary answers it: `{"custom":{"alt":"a","caption":"b"}}`.
fn context_value(context: &str) -> Value {
    let custom: Map<String, Value> = context
        .split('|')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    json!({ "custom": custom })
}

/// An upload preset: its name, whether unsigned uploads may use it, and its upload parameters.
#[derive(Debug, Clone)]
pub struct Preset {
    pub unsigned: bool,
    /// Upload parameters, as given (strings, booleans, numbers).
    pub settings: Map<String, Value>,
}

impl Preset {
    /// The preset as `GET /upload_presets/{name}` answers it. With `parsed`, as Cloudinary does
    /// (cloudinary/api-schemas, environment-config `upload_preset_detail`): `eager` an array of
    /// transformations, each an array of step objects (`[[{"width":1080,"crop":"fill"}]]`), and
    /// `tags` an array; else the settings as given.
    pub fn body(&self, name: &str, parsed: bool) -> Value {
        let mut settings = self.settings.clone();
        if !parsed {
            return json!({ "name": name, "unsigned": self.unsigned, "settings": settings });
        }
        if let Some(eager) = settings.get("eager").map(super::form::value_text) {
            settings.insert("eager".into(), parsed_eager(&eager));
        }
        if let Some(Value::String(tags)) = settings.get("tags") {
            let tags: Vec<Value> = tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(Value::from)
                .collect();
            settings.insert("tags".into(), Value::Array(tags));
        }
        json!({ "name": name, "unsigned": self.unsigned, "settings": settings })
    }

    /// Its parameters as an upload's (`true`/`false`, arrays joined by commas).
    pub fn params(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .map(|(k, v)| (k.clone(), super::form::value_text(v)))
            .collect()
    }
}

/// Eager transformations (`w_100,c_fill|ar_1:1,c_fill/jpg`) as step objects; a transformation
/// the parser cannot read without the cloud's named transformations (`t_name`) stays a string.
fn parsed_eager(eager: &str) -> Value {
    let items = eager
        .split('|')
        .filter(|t| !t.is_empty())
        .map(|t| match super::transform::parse(t, &|_| None) {
            Ok(chain) => {
                let mut steps: Vec<Map<String, Value>> = chain.steps.into_iter().map(|s| s.info).collect();
                if let (Some(format), Some(last)) = (chain.format, steps.last_mut()) {
                    last.insert("format".into(), Value::from(format));
                }
                Value::Array(steps.into_iter().map(Value::Object).collect())
            }
            Err(_) => Value::from(t),
        });
    Value::Array(items.collect())
}

/// Admin API calls in the current hour.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub started: Instant,
    pub used: u32,
}

/// Everything one cloud holds.
pub struct CloudState {
    pub config: SandboxCloud,
    /// (resource type, public id) -> asset.
    pub assets: BTreeMap<(Rt, String), Asset>,
    pub presets: BTreeMap<String, Preset>,
    pub folders: BTreeSet<String>,
    /// Named transformation (without `t_`) -> its string.
    pub named: BTreeMap<String, String>,
    /// Named transformations marked `allowed_for_strict`.
    pub strict: BTreeSet<String>,
    pub window: Option<Window>,
}

impl CloudState {
    pub fn new(config: SandboxCloud) -> CloudState {
        CloudState {
            config,
            assets: BTreeMap::new(),
            presets: BTreeMap::new(),
            folders: BTreeSet::new(),
            named: BTreeMap::new(),
            strict: BTreeSet::new(),
            window: None,
        }
    }

    /// Adds a folder and its parents (`a/b/c` adds `a`, `a/b`, `a/b/c`).
    pub fn add_folder(&mut self, path: &str) {
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            self.folders.insert(at.clone());
        }
    }

    pub fn stored_bytes(&self) -> u64 {
        self.assets
            .values()
            .map(|a| a.bytes + a.derived.iter().map(|d| d.bytes).sum::<u64>())
            .sum()
    }
}

/// An asset as tests and `GET /_sandbox/assets` see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetView {
    pub cloud: String,
    pub public_id: String,
    pub resource_type: Rt,
    pub version: i64,
    pub format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
    pub duration: Option<f64>,
    pub asset_folder: String,
    pub tags: Vec<String>,
    pub backup: bool,
    pub url: String,
    pub derived: Vec<DerivedView>,
}

/// A derived file as tests see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedView {
    pub transformation: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub url: String,
}

impl Inner {
    pub fn asset_views(&self, base: &str) -> Vec<AssetView> {
        let mut views = Vec::new();
        for (cloud, state) in &self.clouds {
            for a in state.assets.values() {
                views.push(AssetView {
                    cloud: cloud.clone(),
                    public_id: a.public_id.clone(),
                    resource_type: a.rt,
                    version: a.version,
                    format: a.format.clone(),
                    width: a.width,
                    height: a.height,
                    bytes: a.bytes,
                    duration: a.duration,
                    asset_folder: a.asset_folder.clone(),
                    tags: a.tags.clone(),
                    backup: a.backup,
                    url: a.url(base, cloud, None, None),
                    derived: a
                        .derived
                        .iter()
                        .map(|d| DerivedView {
                            transformation: d.transformation.clone(),
                            format: d.format.clone(),
                            width: d.width,
                            height: d.height,
                            bytes: d.bytes,
                            url: a.url(base, cloud, Some(&d.transformation), Some(&d.format)),
                        })
                        .collect(),
                });
            }
        }
        views
    }
}
