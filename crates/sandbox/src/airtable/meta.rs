//! Metadata (schema) routes: list and create tables, create fields, rename and describe tables
//! and fields (airtable.com/developers/web/api: get-base-schema, create-table, create-field,
//! update-table, update-field). Creating a link field also creates its inverse in the linked
//! table, named after the source table (" 2", " 3"... when taken), as Airtable does.

use super::app::{parse_body, table_index, SharedApp};
use super::errors::ApiError;
use super::fields::{build_field, Field, FieldOptions, FieldRequest};
use super::ids::{new_id, IdKind};
use super::model::{FieldType, TableSpec};
use super::store::{same_name, Base, Table};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

type Answer = Result<Json<Value>, ApiError>;

/// A table in the metadata API's JSON; `visible_field_ids` adds them to each view
/// (`include=visibleFieldIds`).
pub fn table_json(table: &Table, visible_field_ids: bool) -> Value {
    let field_ids: Vec<&str> = table.fields.iter().map(|f| f.id.as_str()).collect();
    let views: Vec<Value> = table
        .views
        .iter()
        .map(|v| {
            let mut view = json!({ "id": v.id, "name": v.name, "type": "grid" });
            if visible_field_ids {
                view["visibleFieldIds"] = json!(field_ids);
            }
            view
        })
        .collect();
    let mut out = json!({
        "id": table.id,
        "name": table.name,
        "primaryFieldId": table.primary_field_id,
        "fields": table.fields.iter().map(Field::to_json).collect::<Vec<_>>(),
        "views": views,
    });
    if let Some(d) = &table.description {
        out["description"] = json!(d);
    }
    out
}

pub async fn list_bases(State(app): State<SharedApp>) -> Json<Value> {
    let bases: Vec<Value> = app
        .lock()
        .store
        .list()
        .into_iter()
        .map(|(id, name)| json!({ "id": id, "name": name, "permissionLevel": "create" }))
        .collect();
    Json(json!({ "bases": bases }))
}

pub async fn whoami() -> Json<Value> {
    Json(
        json!({ "id": "usrSandboxUser001", "scopes": ["data.records:read", "data.records:write", "schema.bases:read", "schema.bases:write"] }),
    )
}

pub async fn list_tables(State(app): State<SharedApp>, Path(base_id): Path<String>, RawQuery(q): RawQuery) -> Answer {
    let mut visible = false;
    for (key, value) in form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()) {
        match (key.as_ref(), value.as_ref()) {
            ("include" | "include[]", "visibleFieldIds") => visible = true,
            _ => return Err(ApiError::invalid_request(format!("unknown parameter {key:?}"))),
        }
    }
    let inner = app.lock();
    let base = inner.base(&base_id)?;
    let tables: Vec<Value> = base.tables.iter().map(|t| table_json(t, visible)).collect();
    Ok(Json(json!({ "tables": tables })))
}

/// A create-table request (`{name, description?, fields}`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRequest {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub fields: Vec<FieldRequest>,
}

pub async fn create_table(State(app): State<SharedApp>, Path(base_id): Path<String>, body: Bytes) -> Answer {
    let req: TableRequest = parse_body(&body)?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = add_table(base, req, &app.tables)?;
        Ok(Json(table_json(&base.tables[t], false)))
    })
}

/// Creates a table (and the inverse of each of its links) as `POST .../tables` does; `views`
/// gives its hand-made views. Returns its index.
pub fn add_table(base: &mut Base, req: TableRequest, views: &[TableSpec]) -> Result<usize, ApiError> {
    let name = req.name.trim().to_string();
    check_table_name(base, &name, None)?;
    let mut fields: Vec<Field> = Vec::with_capacity(req.fields.len());
    for fr in &req.fields {
        let field = build_field(fr)?;
        check_field_name(&fields, &field.name, None)?;
        check_link_target(base, &field)?;
        fields.push(field);
    }
    let primary = fields
        .first()
        .ok_or_else(|| ApiError::invalid_request("a table needs at least one field"))?;
    if matches!(
        primary.kind,
        FieldType::MultipleRecordLinks | FieldType::MultipleAttachments | FieldType::Checkbox
    ) {
        return Err(ApiError::meta(
            // Type name unverified; Airtable refuses these primary field types.
            "INVALID_PRIMARY_FIELD_TYPE",
            format!(
                "A field of type {} cannot be the primary field",
                primary.kind.api_name()
            ),
        ));
    }
    let mut table = Table {
        id: new_id(IdKind::Table),
        name,
        description: req.description.filter(|d| !d.is_empty()),
        primary_field_id: primary.id.clone(),
        fields,
        views: Vec::new(),
        records: Vec::new(),
    };
    table.sync_views(views);
    base.tables.push(table);
    let t = base.tables.len() - 1;
    for fi in 0..base.tables[t].fields.len() {
        add_inverse(base, t, fi);
    }
    Ok(t)
}

/// Duplicate names: `DUPLICATE_TABLE_NAME` and `DUPLICATE_OR_EMPTY_FIELD_NAME` are the types
/// clients match on; the messages are the sandbox's own (Airtable's exact wording unverified).
fn check_table_name(base: &Base, name: &str, except: Option<&str>) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid_request("a table needs a name"));
    }
    let taken = base
        .tables
        .iter()
        .any(|t| Some(t.id.as_str()) != except && same_name(&t.name, name));
    if taken {
        return Err(ApiError::meta(
            "DUPLICATE_TABLE_NAME",
            format!("A table named {name:?} already exists"),
        ));
    }
    Ok(())
}

fn check_field_name(fields: &[Field], name: &str, except: Option<&str>) -> Result<(), ApiError> {
    let lower = name.to_lowercase();
    let taken = fields
        .iter()
        .any(|f| Some(f.id.as_str()) != except && f.name.to_lowercase() == lower);
    if name.is_empty() || taken {
        return Err(ApiError::meta(
            "DUPLICATE_OR_EMPTY_FIELD_NAME",
            format!("Field name {name:?} is empty or already exists in this table"),
        ));
    }
    Ok(())
}

fn check_link_target(base: &Base, field: &Field) -> Result<(), ApiError> {
    match field.link() {
        Some((linked, _)) if base.table_by_id(linked).is_none() => Err(ApiError::meta(
            "INVALID_FIELD_TYPE_OPTIONS",
            format!("linkedTableId {linked:?} is not a table of this base"),
        )),
        _ => Ok(()),
    }
}

/// For a link field to another table, creates the inverse link field there.
fn add_inverse(base: &mut Base, t: usize, fi: usize) {
    let source = &base.tables[t];
    let Some((linked_id, None)) = source.fields[fi].link() else {
        return;
    };
    if linked_id == source.id {
        return;
    }
    let (source_id, source_name, field_id) = (source.id.clone(), source.name.clone(), source.fields[fi].id.clone());
    let Some(lt) = base.tables.iter().position(|x| x.id == linked_id) else {
        return;
    };
    let name = unique_name(&base.tables[lt].fields, &source_name);
    let inverse = Field {
        id: new_id(IdKind::Field),
        name,
        kind: FieldType::MultipleRecordLinks,
        description: None,
        options: FieldOptions::Link {
            linked_table_id: source_id,
            inverse_link_field_id: Some(field_id),
        },
    };
    let inverse_id = inverse.id.clone();
    base.tables[lt].fields.push(inverse);
    if let FieldOptions::Link {
        inverse_link_field_id, ..
    } = &mut base.tables[t].fields[fi].options
    {
        *inverse_link_field_id = Some(inverse_id);
    }
}

fn unique_name(fields: &[Field], wanted: &str) -> String {
    let free = |n: &str| fields.iter().all(|f| !same_name(&f.name, n));
    if free(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|i| format!("{wanted} {i}"))
        .find(|n| free(n))
        .unwrap_or_default()
}

pub async fn create_field(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let req: FieldRequest = parse_body(&body)?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_by_id(base, &table)?;
        let fi = add_field(base, t, &req)?;
        Ok(Json(base.tables[t].fields[fi].to_json()))
    })
}

/// Adds a field to table `t` (and its inverse, for a link) as `POST .../fields` does; returns
/// its index.
pub fn add_field(base: &mut Base, t: usize, req: &FieldRequest) -> Result<usize, ApiError> {
    let field = build_field(req)?;
    check_field_name(&base.tables[t].fields, &field.name, None)?;
    check_link_target(base, &field)?;
    base.tables[t].fields.push(field);
    let fi = base.tables[t].fields.len() - 1;
    add_inverse(base, t, fi);
    Ok(fi)
}

/// The metadata API names tables by id (names are accepted too, as the sandbox is lenient here).
fn table_by_id(base: &Base, table: &str) -> Result<usize, ApiError> {
    table_index(base, table).map_err(|_| ApiError::not_found())
}

/// `PATCH` of a table or field: only its name and description can change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: Option<String>,
    description: Option<String>,
}

pub async fn update_table(
    State(app): State<SharedApp>,
    Path((base_id, table)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let req: Rename = parse_body(&body)?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_by_id(base, &table)?;
        if let Some(name) = &req.name {
            let name = name.trim();
            check_table_name(base, name, Some(&base.tables[t].id.clone()))?;
            base.tables[t].name = name.to_string();
            base.tables[t].sync_views(&app.tables);
        }
        if let Some(d) = req.description {
            base.tables[t].description = Some(d).filter(|d| !d.is_empty());
        }
        Ok(Json(table_json(&base.tables[t], false)))
    })
}

pub async fn update_field(
    State(app): State<SharedApp>,
    Path((base_id, table, field)): Path<(String, String, String)>,
    body: Bytes,
) -> Answer {
    let req: Rename = parse_body(&body)?;
    let mut inner = app.lock();
    inner.change_base(&base_id, |base| {
        let t = table_by_id(base, &table)?;
        let fi = base.tables[t]
            .fields
            .iter()
            .position(|f| f.id == field)
            .ok_or_else(ApiError::not_found)?;
        if let Some(name) = &req.name {
            let name = name.trim();
            let id = base.tables[t].fields[fi].id.clone();
            check_field_name(&base.tables[t].fields, name, Some(&id))?;
            base.tables[t].fields[fi].name = name.to_string();
        }
        if let Some(d) = req.description {
            base.tables[t].fields[fi].description = Some(d).filter(|d| !d.is_empty());
        }
        Ok(Json(base.tables[t].fields[fi].to_json()))
    })
}
