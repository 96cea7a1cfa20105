//! `GET /{version}/{id}?fields=...` for a post (`id, message, created_time, permalink_url, link,
//! attachments`), a Page (`id, name`), a video ([`super::videos`]), or an Instagram container,
//! media or account ([`super::instagram::publish`]). The token must be the owner's.

use super::app::SharedApp;
use super::errors::GraphError;
use super::feed::{fields, render};
use super::graph::GraphRequest;
use axum::Json;
use serde_json::{json, Map, Value};

pub fn get(app: &SharedApp, id: &str, req: &GraphRequest) -> Result<Json<Value>, GraphError> {
    if let Some(answer) = super::instagram::publish::get(app, id, req) {
        return answer;
    }
    if let Some(answer) = super::videos::get(app, id, req) {
        return answer;
    }
    let inner = app.lock();
    if let Some((p, i)) = inner.find_post(id) {
        let page_id = inner.pages[p].page.id.clone();
        inner.authorize(req.token.as_deref(), &page_id, "get")?;
        let fields = fields(req, "created_time,message,id")?;
        return Ok(Json(render(&inner.pages[p].posts[i], &fields, &app.url)));
    }
    if inner.page_index(id).is_some() {
        let p = inner.authorize(req.token.as_deref(), id, "get")?;
        let page = &inner.pages[p].page;
        let asked = req.params.text("fields").unwrap_or_else(|| "id,name".into());
        let mut out = Map::new();
        for f in asked.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let v = match f {
                "id" => json!(page.id),
                "name" => json!(page.name),
                other => return Err(GraphError::nonexisting_field(other, "Page")),
            };
            out.insert(f.to_string(), v);
        }
        out.insert("id".into(), json!(page.id));
        return Ok(Json(Value::Object(out)));
    }
    // Meta checks the token before it says whether the object exists.
    Err(inner.unknown_object(req.token.as_deref(), "get", id))
}
