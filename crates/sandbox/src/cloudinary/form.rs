//! A request's parameters, whatever its encoding: multipart (the `file` part streamed to a file on
//! disk, so memory does not grow with the upload), urlencoded, or JSON. `k[]` parameters (how the
//! SDKs send arrays) become one `k` with the items joined by commas, as they are signed.

use super::app::App;
use super::errors::CldError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// How much of a small `file` part is looked at to tell a URL or data URI from file bytes.
const TEXT_FILE_MAX: u64 = 64 * 1024;

/// The `file` parameter.
pub enum FileParam {
    None,
    /// Bytes, on disk; the part's file name when it had one.
    Disk {
        file: tempfile::NamedTempFile,
        filename: Option<String>,
        bytes: u64,
    },
    /// A URL or a data URI.
    Text(String),
}

/// A request's parameters and file.
pub struct Form {
    pub params: Vec<(String, String)>,
    pub file: FileParam,
}

impl Form {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn push(&mut self, key: String, value: String) {
        if key == "file" {
            self.file = FileParam::Text(value);
            return;
        }
        let key = key.strip_suffix("[]").map(str::to_string).unwrap_or(key);
        match self.params.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => {
                v.push(',');
                v.push_str(&value);
            }
            None => self.params.push((key, value)),
        }
    }
}

/// A JSON value as an upload parameter's text (`true`, `12`, arrays joined by commas).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(","),
        Value::Object(_) => v.to_string(),
    }
}

/// Reads a request's parameters (and query string).
pub async fn read(app: &App, req: Request) -> Result<Form, CldError> {
    let mut form = Form {
        params: Vec::new(),
        file: FileParam::None,
    };
    if let Some(q) = req.uri().query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            form.push(k.into_owned(), v.into_owned());
        }
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        read_multipart(app, req, &mut form).await?;
    } else {
        let body = axum::body::to_bytes(req.into_body(), super::MAX_BODY_BYTES)
            .await
            .map_err(|e| CldError::bad_request(format!("The request body could not be read: {e}")))?;
        if content_type.starts_with("application/json") {
            let value: Value = serde_json::from_slice(&body)
                .map_err(|e| CldError::bad_request(format!("The JSON body could not be read: {e}")))?;
            let Value::Object(map) = value else {
                return Err(CldError::bad_request("The JSON body must be an object"));
            };
            for (k, v) in map {
                form.push(k, value_text(&v));
            }
        } else {
            for (k, v) in form_urlencoded::parse(&body) {
                form.push(k.into_owned(), v.into_owned());
            }
        }
    }
    Ok(form)
}

async fn read_multipart(app: &App, req: Request, form: &mut Form) -> Result<(), CldError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        CldError::bad_request(format!("The multipart body could not be read: {}", e.body_text()))
    };
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| CldError::bad_request(format!("The multipart body could not be read: {}", e.body_text())))?;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name != "file" {
            let text = field.text().await.map_err(unreadable)?;
            form.push(name, text);
            continue;
        }
        let filename = field.file_name().map(str::to_string);
        let file = app.temp_file()?;
        let write_error = |e: std::io::Error| CldError::internal(format!("The sandbox could not write the file: {e}"));
        // Written with tokio's file (its blocking writes run off the async workers).
        let mut out = tokio::fs::File::from_std(file.as_file().try_clone().map_err(write_error)?);
        let mut bytes = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            bytes += chunk.len() as u64;
            out.write_all(&chunk).await.map_err(write_error)?;
        }
        out.flush().await.map_err(write_error)?;
        drop(out);
        if filename.is_none() && bytes <= TEXT_FILE_MAX {
            let text = tokio::fs::read(file.path()).await.unwrap_or_default();
            if let Ok(text) = String::from_utf8(text) {
                let t = text.trim();
                if t.starts_with("http://") || t.starts_with("https://") || t.starts_with("data:") {
                    form.file = FileParam::Text(t.to_string());
                    continue;
                }
            }
        }
        form.file = FileParam::Disk { file, filename, bytes };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_the_sdks_sign_them() {
        assert_eq!(value_text(&json!(true)), "true");
        assert_eq!(value_text(&json!(["a", "b"])), "a,b");
        assert_eq!(value_text(&json!(3)), "3");
        let mut form = Form {
            params: Vec::new(),
            file: FileParam::None,
        };
        form.push("tags[]".into(), "a".into());
        form.push("tags[]".into(), "b".into());
        form.push("file".into(), "https://x".into());
        assert_eq!(form.get("tags"), Some("a,b"));
        assert!(matches!(form.file, FileParam::Text(ref t) if t == "https://x"));
    }
}
