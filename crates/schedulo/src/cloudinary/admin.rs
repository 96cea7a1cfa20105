//! Admin API calls (Basic auth `api_key:api_secret`, counted against the hourly limit) and the
//! signed `destroy` of the Upload API. Paths and bodies as in Cloudinary's OpenAPI files
//! (cloudinary/api-schemas) and `shared/reference/cloudinary.md`.

use super::client::CloudinaryClient;
use super::error::{CallContext, CloudinaryError};
use super::transformation_text::{canonical, from_info};
use super::types::{Created, Destroyed, ResourceInfo, Usage};
use super::variants::Resource;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// An upload preset to create or update (`POST /upload_presets`, `PUT /upload_presets/{name}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadPreset {
    pub name: String,
    /// Unsigned presets let anyone upload; ours are signed.
    pub unsigned: bool,
    pub asset_folder: Option<String>,
    /// The legacy fixed-folder parameter.
    pub folder: Option<String>,
    pub tags: Vec<String>,
    /// Eager transformations separated by `|`.
    pub eager: Option<String>,
    pub eager_async: bool,
    /// `Some(true)`: keep a backup of each upload through the preset.
    pub backup: Option<bool>,
}

impl UploadPreset {
    /// The settings as sent (form fields), without `name`.
    pub fn settings(&self) -> Vec<(String, String)> {
        let mut out = vec![("unsigned".to_string(), self.unsigned.to_string())];
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                out.push((k.to_string(), v));
            }
        };
        put("asset_folder", self.asset_folder.clone());
        put("folder", self.folder.clone());
        put("tags", Some(self.tags.join(",")));
        put("eager", self.eager.clone());
        put("eager_async", self.eager_async.then(|| "true".to_string()));
        put("backup", self.backup.map(|b| b.to_string()));
        out
    }
}

/// `GET /upload_presets/{name}`: `{"name","unsigned","settings":{...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UploadPresetInfo {
    pub name: String,
    #[serde(default)]
    pub unsigned: bool,
    /// The settings as Cloudinary shows them (strings, booleans, arrays: read with [`Self::setting`]).
    #[serde(default)]
    pub settings: Map<String, Value>,
}

impl UploadPresetInfo {
    /// A setting as text: booleans `true`/`false`, arrays joined by commas; `eager` as its
    /// transformations in canonical form joined by `|` (see [`eager_text`]). `None` when absent
    /// or null.
    pub fn setting(&self, key: &str) -> Option<String> {
        let value = self.settings.get(key)?;
        if key == "eager" {
            return eager_text(value);
        }
        as_text(value, ",")
    }
}

/// A preset's `eager` as canonical transformation strings joined by `|`. Cloudinary shows it in
/// several shapes, all read here: api-schemas' `upload_preset_detail` has an array of
/// transformations, each an array of steps of named parameters
/// (`[[{"width":1080,"crop":"fill","aspect_ratio":"1:1","gravity":"auto"}]]`); an item may also be
/// a string (`"ar_1:1,c_fill,g_auto,w_1080"`), one step object, or an object holding the string
/// in `raw_transformation` or `transformation`; and the whole may be one `|`-separated string.
pub fn eager_text(value: &Value) -> Option<String> {
    let items: Vec<String> = match value {
        Value::Null => return None,
        Value::String(s) => s.split('|').filter_map(transformation_text).collect(),
        Value::Array(items) => items.iter().filter_map(eager_item).collect(),
        other => eager_item(other).into_iter().collect(),
    };
    Some(items.join("|"))
}

/// One eager transformation in canonical form.
fn eager_item(item: &Value) -> Option<String> {
    match item {
        Value::String(s) => transformation_text(s),
        Value::Object(o) => {
            let wrapped = ["raw_transformation", "transformation"]
                .iter()
                .find_map(|k| o.get(*k).filter(|v| v.is_string() || v.is_array()));
            from_info(wrapped.unwrap_or(item))
        }
        other => from_info(other),
    }
}

fn transformation_text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| canonical(s))
}

fn as_text(v: &Value, sep: &str) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| as_text(i, ","))
                .collect::<Vec<_>>()
                .join(sep),
        ),
        // No setting compared here is an object: shown as JSON, so a difference is visible.
        Value::Object(_) => Some(v.to_string()),
    }
}

#[derive(Deserialize)]
struct FolderList {
    #[serde(default)]
    folders: Vec<FolderEntry>,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct FolderEntry {
    path: String,
}

#[derive(Deserialize)]
struct TransformationBody {
    #[serde(default)]
    info: Value,
    #[serde(default)]
    transformation: Option<String>,
}

#[derive(Deserialize)]
struct DestroyBody {
    result: String,
}

impl CloudinaryClient {
    async fn admin_json(
        &self,
        context: &CallContext,
        method: Method,
        segments: &[&str],
        body: AdminBody<'_>,
    ) -> Result<bytes::Bytes, CloudinaryError> {
        let (method, body) = (&method, &body);
        self.run(true, move || async move {
            let mut request = self.admin_request(method.clone(), segments);
            request = match body {
                AdminBody::None => request,
                AdminBody::Form(pairs) => request.form(pairs),
                AdminBody::Json(v) => request.json(v),
                AdminBody::Query(pairs) => request.query(pairs),
            };
            self.exchange(context, true, request, &[]).await
        })
        .await
    }

    /// `POST /upload_presets` (form: `name`, `unsigned`, settings). `Existed` on 409.
    pub async fn create_upload_preset(&self, preset: &UploadPreset) -> Result<Created, CloudinaryError> {
        let context = CallContext::new("create upload preset", &preset.name);
        let mut form = vec![("name".to_string(), preset.name.clone())];
        form.extend(preset.settings());
        created(
            self.admin_json(&context, Method::POST, &["upload_presets"], AdminBody::Form(&form))
                .await,
        )
    }

    /// `GET /upload_presets/{name}`; `None` when there is no such preset.
    pub async fn upload_preset(&self, name: &str) -> Result<Option<UploadPresetInfo>, CloudinaryError> {
        let context = CallContext::new("read upload preset", name);
        let got = self
            .admin_json(&context, Method::GET, &["upload_presets", name], AdminBody::None)
            .await;
        found(got)?.map(|b| self.decode(&context, &b)).transpose()
    }

    /// `PUT /upload_presets/{name}` with the preset's settings.
    pub async fn update_upload_preset(&self, preset: &UploadPreset) -> Result<(), CloudinaryError> {
        let context = CallContext::new("update upload preset", &preset.name);
        let form = preset.settings();
        self.admin_json(
            &context,
            Method::PUT,
            &["upload_presets", &preset.name],
            AdminBody::Form(&form),
        )
        .await
        .map(|_| ())
    }

    /// `POST /folders/{path}` (no leading slash).
    pub async fn create_folder(&self, path: &str) -> Result<Created, CloudinaryError> {
        let path = path.trim_matches('/');
        let context = CallContext::new("create folder", path);
        let mut segments = vec!["folders"];
        segments.extend(path.split('/'));
        created(
            self.admin_json(&context, Method::POST, &segments, AdminBody::None)
                .await,
        )
    }

    /// `GET /folders`: the root folders' paths (every page).
    pub async fn folders(&self) -> Result<Vec<String>, CloudinaryError> {
        let context = CallContext::bare("list folders");
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query: Vec<(String, String)> = cursor.iter().map(|c| ("next_cursor".to_string(), c.clone())).collect();
            let body = self
                .admin_json(&context, Method::GET, &["folders"], AdminBody::Query(&query))
                .await?;
            let page: FolderList = self.decode(&context, &body)?;
            out.extend(page.folders.into_iter().map(|f| f.path));
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// `POST /transformations/{name}` body `{"transformation": ...}`. `Existed` on 409.
    pub async fn create_transformation(&self, name: &str, transformation: &str) -> Result<Created, CloudinaryError> {
        let context = CallContext::new("create named transformation", name);
        let body = json!({ "transformation": transformation });
        created(
            self.admin_json(
                &context,
                Method::POST,
                &["transformations", name],
                AdminBody::Json(&body),
            )
            .await,
        )
    }

    /// `PUT /transformations/{name}` body `{"unsafe_update": ...}`: changes a named transformation.
    pub async fn update_transformation(&self, name: &str, transformation: &str) -> Result<(), CloudinaryError> {
        let context = CallContext::new("update named transformation", name);
        let body = json!({ "unsafe_update": transformation });
        self.admin_json(
            &context,
            Method::PUT,
            &["transformations", name],
            AdminBody::Json(&body),
        )
        .await
        .map(|_| ())
    }

    /// `GET /transformations/{name}`: its string, `None` when there is none. Cloudinary answers
    /// `info` as the string or as the parsed steps (`[{"crop":"fill","width":1080}]`), which are
    /// written back as a string (parameters sorted by name).
    pub async fn transformation(&self, name: &str) -> Result<Option<String>, CloudinaryError> {
        let context = CallContext::new("read named transformation", name);
        let got = self
            .admin_json(&context, Method::GET, &["transformations", name], AdminBody::None)
            .await;
        let Some(body) = found(got)? else {
            return Ok(None);
        };
        let t: TransformationBody = self.decode(&context, &body)?;
        let text = t
            .transformation
            .filter(|s| !s.is_empty())
            .or_else(|| super::transformation_text::from_info(&t.info));
        text.map(Some).ok_or_else(|| CloudinaryError::Unreadable {
            context,
            detail: "neither `info` nor `transformation` holds the transformation".into(),
        })
    }

    /// `GET /usage`.
    pub async fn usage(&self) -> Result<Usage, CloudinaryError> {
        let context = CallContext::bare("read usage");
        let body = self
            .admin_json(&context, Method::GET, &["usage"], AdminBody::None)
            .await?;
        self.decode(&context, &body)
    }

    /// `GET /resources/{rt}/upload/{public_id}`; `None` when there is no such asset.
    pub async fn resource(&self, resource: Resource, public_id: &str) -> Result<Option<ResourceInfo>, CloudinaryError> {
        let context = CallContext::new("read asset", public_id);
        let mut segments = vec!["resources", resource.as_str(), "upload"];
        segments.extend(public_id.split('/'));
        let got = self.admin_json(&context, Method::GET, &segments, AdminBody::None).await;
        found(got)?.map(|b| self.decode(&context, &b)).transpose()
    }

    /// `POST /{rt}/destroy` (Upload API, signed): deletes an asset. "not found" is not an error.
    pub async fn destroy(&self, resource: Resource, public_id: &str) -> Result<Destroyed, CloudinaryError> {
        let context = CallContext::new("delete asset", public_id);
        let mut params = vec![
            ("public_id".to_string(), public_id.to_string()),
            ("timestamp".to_string(), self.clock().now().timestamp().to_string()),
        ];
        let signature = self.sign(&params);
        params.push(("api_key".into(), self.options().api_key.clone()));
        params.push(("signature".into(), signature.clone()));
        let (params, context_ref, sig) = (&params, &context, signature.as_str());
        let body = self
            .run(true, move || async move {
                let request = self
                    .http()
                    .post(self.endpoint(&[resource.as_str(), "destroy"]))
                    .form(params);
                self.exchange(context_ref, false, request, &[sig]).await
            })
            .await?;
        let answer: DestroyBody = self.decode(&context, &body)?;
        match answer.result.as_str() {
            "ok" => Ok(Destroyed::Ok),
            "not found" => Ok(Destroyed::NotFound),
            other => Err(CloudinaryError::Unreadable {
                context,
                detail: format!("unknown destroy result {other:?}"),
            }),
        }
    }
}

enum AdminBody<'a> {
    None,
    Form(&'a [(String, String)]),
    Json(&'a Value),
    Query(&'a [(String, String)]),
}

/// 2xx → `New`, already exists → `Existed`.
fn created(result: Result<bytes::Bytes, CloudinaryError>) -> Result<Created, CloudinaryError> {
    match result {
        Ok(_) => Ok(Created::New),
        Err(CloudinaryError::AlreadyExists { .. }) => Ok(Created::Existed),
        Err(e) => Err(e),
    }
}

/// 404 → `None`.
fn found(result: Result<bytes::Bytes, CloudinaryError>) -> Result<Option<bytes::Bytes>, CloudinaryError> {
    match result {
        Ok(b) => Ok(Some(b)),
        Err(CloudinaryError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
