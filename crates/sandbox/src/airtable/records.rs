//! Record routes: list (GET and `POST .../listRecords`), get one, create, update (PATCH/PUT,
//! with upsert), delete.

use super::app::{parse_body, table_index, SharedApp};
use super::errors::ApiError;
use super::listing::{self, ListContext};
use super::query::{self, ListParams};
use super::render::{record_json, Shape};
use super::store::Base;
use super::writes::{self, UpsertInput, WriteOptions};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

type Answer = Result<Json<Value>, ApiError>;

pub async fn list_get(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let params = query::from_query(q.as_deref().unwrap_or(""))?;
    list(&app, &base_id, &table, &params)
}

pub async fn list_post(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Answer {
    let params = query::from_query(q.as_deref().unwrap_or(""))?;
    let body: Value = parse_body(&body)?;
    let params = query::from_body(body, params)?;
    list(&app, &base_id, &table, &params)
}

fn list(app: &SharedApp, base_id: &str, table: &str, params: &ListParams) -> Answer {
    let mut inner = app.lock();
    let inner = &mut *inner;
    let base = inner.store.base(base_id).ok_or_else(ApiError::model_not_found)?;
    let t = table_index(base, table)?;
    let ctx = ListContext {
        tables: &app.tables,
        iterators: &mut inner.iterators,
        now: tokio::time::Instant::now(),
        wall: inner.clock.now(),
    };
    listing::list(base, &base.tables[t], params, ctx).map(Json)
}

pub async fn get_one(
    State(app): State<SharedApp>,
    Path((base_id, table, record)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let params = query::from_query(q.as_deref().unwrap_or(""))?;
    let inner = app.lock();
    let base = inner.base(&base_id)?;
    let t = &base.tables[table_index(base, &table)?];
    let r = t.record(&record).ok_or_else(ApiError::not_found)?;
    Ok(Json(record_json(t, r, &shape(params.by_field_id))))
}

fn shape(by_field_id: bool) -> Shape {
    Shape {
        by_field_id,
        ..Shape::default()
    }
}

/// The body of create and update requests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WriteBody {
    records: Option<Vec<RecordInput>>,
    fields: Option<Map<String, Value>>,
    typecast: Option<bool>,
    return_fields_by_field_id: Option<bool>,
    perform_upsert: Option<Upsert>,
}

/// One record of a request. `createdTime` and `commentCount` are accepted and ignored, so that
/// a record read from the API can be sent back as it is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RecordInput {
    id: Option<String>,
    #[serde(default)]
    fields: Map<String, Value>,
    #[allow(dead_code)]
    created_time: Option<Value>,
    #[allow(dead_code)]
    comment_count: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Upsert {
    fields_to_merge_on: Vec<String>,
}

impl WriteBody {
    fn options(&self, now: chrono::DateTime<chrono::Utc>) -> WriteOptions {
        WriteOptions {
            typecast: self.typecast.unwrap_or(false),
            now,
        }
    }

    fn shape(&self) -> Shape {
        shape(self.return_fields_by_field_id.unwrap_or(false))
    }
}

fn render(base: &Base, t: usize, ids: &[String], shape: &Shape) -> Vec<Value> {
    let table = &base.tables[t];
    ids.iter()
        .filter_map(|id| table.record(id))
        .map(|r| record_json(table, r, shape))
        .collect()
}

pub async fn create(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let body: WriteBody = parse_body(&body)?;
    let (opts, shape) = (body.options(app.now()), body.shape());
    let single = match (&body.records, &body.fields) {
        (Some(_), None) => false,
        (None, Some(_)) => true,
        _ => return Err(ApiError::invalid_request("give either records or fields")),
    };
    let inputs: Vec<Map<String, Value>> = match body.records {
        Some(records) => records.into_iter().map(|r| r.fields).collect(),
        None => vec![body.fields.unwrap_or_default()],
    };
    writes::check_batch(inputs.len(), "created")?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_index(base, &table)?;
        let ids = writes::create(base, t, &inputs, opts)?;
        let mut records = render(base, t, &ids, &shape);
        Ok(Json(if single {
            records.remove(0)
        } else {
            json!({ "records": records })
        }))
    })
}

pub async fn update(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    update_many(&app, &base_id, &table, &body, false)
}

pub async fn replace(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    update_many(&app, &base_id, &table, &body, true)
}

fn update_many(app: &SharedApp, base_id: &str, table: &str, body: &[u8], replace: bool) -> Answer {
    let body: WriteBody = parse_body(body)?;
    let (opts, shape) = (body.options(app.now()), body.shape());
    let records = body
        .records
        .ok_or_else(|| ApiError::invalid_request("records is required"))?;
    if body.fields.is_some() {
        return Err(ApiError::invalid_request("fields belongs inside each record"));
    }
    writes::check_batch(records.len(), "updated")?;
    let mut inner = app.lock();
    match body.perform_upsert {
        Some(upsert) => {
            let inputs: Vec<UpsertInput> = records
                .into_iter()
                .map(|r| UpsertInput {
                    id: r.id,
                    fields: r.fields,
                })
                .collect();
            inner.change_base(base_id, |base| {
                let t = table_index(base, table)?;
                let out = writes::upsert(base, t, &inputs, &upsert.fields_to_merge_on, replace, opts)?;
                let records = render(base, t, &out.ids, &shape);
                Ok(Json(
                    json!({ "records": records, "createdRecords": out.created, "updatedRecords": out.updated }),
                ))
            })
        }
        None => {
            let inputs = records
                .into_iter()
                .map(|r| {
                    r.id.map(|id| (id, r.fields))
                        .ok_or_else(|| ApiError::invalid_request("every record needs an id"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            inner.change_base(base_id, |base| {
                let t = table_index(base, table)?;
                let ids = writes::update(base, t, &inputs, replace, opts)?;
                Ok(Json(json!({ "records": render(base, t, &ids, &shape) })))
            })
        }
    }
}

pub async fn update_one(
    State(app): State<SharedApp>,
    Path((base_id, table, record)): Path<(String, String, String)>,
    body: Bytes,
) -> Answer {
    update_single(&app, &base_id, &table, &record, &body, false)
}

pub async fn replace_one(
    State(app): State<SharedApp>,
    Path((base_id, table, record)): Path<(String, String, String)>,
    body: Bytes,
) -> Answer {
    update_single(&app, &base_id, &table, &record, &body, true)
}

fn update_single(app: &SharedApp, base_id: &str, table: &str, record: &str, body: &[u8], replace: bool) -> Answer {
    let body: WriteBody = parse_body(body)?;
    let (opts, shape) = (body.options(app.now()), body.shape());
    if body.records.is_some() || body.perform_upsert.is_some() {
        return Err(ApiError::invalid_request("a single-record update takes fields only"));
    }
    let fields = body.fields.unwrap_or_default();
    let mut inner = app.lock();
    inner.change_base(base_id, |base| {
        let t = table_index(base, table)?;
        base.tables[t].record(record).ok_or_else(ApiError::not_found)?;
        writes::update(base, t, &[(record.to_string(), fields)], replace, opts)?;
        Ok(Json(render(base, t, &[record.to_string()], &shape).remove(0)))
    })
}

pub async fn delete_many(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let mut ids = Vec::new();
    for (key, value) in form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()) {
        let is_records = key == "records" || key.strip_prefix("records[").is_some_and(|r| r.ends_with(']'));
        if !is_records {
            return Err(ApiError::invalid_request(format!("unknown parameter {key:?}")));
        }
        ids.push(value.into_owned());
    }
    writes::check_batch(ids.len(), "deleted")?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_index(base, &table)?;
        writes::delete(base, t, &ids)?;
        let records: Vec<Value> = ids.iter().map(|id| json!({ "id": id, "deleted": true })).collect();
        Ok(Json(json!({ "records": records })))
    })
}

pub async fn delete_one(
    State(app): State<SharedApp>,
    Path((base_id, table, record)): Path<(String, String, String)>,
) -> Answer {
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_index(base, &table)?;
        writes::delete(base, t, std::slice::from_ref(&record))?;
        Ok(Json(json!({ "id": record, "deleted": true })))
    })
}
