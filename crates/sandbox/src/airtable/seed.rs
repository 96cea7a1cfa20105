//! A base created with tables already in it ([`super::AirtableSandbox::create_base_with`], and
//! `POST /_sandbox/bases` with `tables`): each [`TableSpec`] goes through the same code as
//! Airtable's `POST /v0/meta/bases/{baseId}/tables`, so the result is what a client creating the
//! tables one by one would get (ids, primary field, link inverses, default formats).
//!
//! Order: tables in the given order; a link field is created with its table when the table it
//! links to exists by then, otherwise once every table exists (as a client must do too). Its
//! `linkedTableId` may be a table's id or, in a seed only, the name of a table of the seed.

use super::app::{server_error, App};
use super::errors::ApiError;
use super::fields::FieldRequest;
use super::meta::{add_field, add_table, TableRequest};
use super::model::{FieldSpec, FieldType, TableSpec};
use super::store::Base;

/// Creates a base named `name` holding `tables`, keeps and saves it; returns its id. Nothing is
/// kept when a table or field is refused.
pub fn create_seeded(app: &App, name: &str, tables: &[TableSpec]) -> Result<String, ApiError> {
    let mut base = Base::empty(name);
    seed(&mut base, tables, &app.tables)?;
    let id = base.id.clone();
    app.lock().store.replace(base).map_err(server_error)?;
    Ok(id)
}

/// Adds `tables` to `base`; `views` are the sandbox's hand-made views.
pub fn seed(base: &mut Base, tables: &[TableSpec], views: &[TableSpec]) -> Result<(), ApiError> {
    let mut later: Vec<(&str, &FieldSpec)> = Vec::new();
    for spec in tables {
        let mut fields = Vec::with_capacity(spec.fields.len());
        for (i, field) in spec.fields.iter().enumerate() {
            if i == 0 || link_target_exists(base, field) {
                fields.push(request(base, field));
            } else {
                later.push((&spec.name, field));
            }
        }
        let req = TableRequest {
            name: spec.name.clone(),
            description: spec.description.clone(),
            fields,
        };
        add_table(base, req, views)?;
    }
    for (table, field) in later {
        let t = base.table_index(table).ok_or_else(ApiError::not_found)?;
        let req = request(base, field);
        add_field(base, t, &req)?;
    }
    Ok(())
}

/// Whether `field` is no link, or a link whose table is already in the base.
fn link_target_exists(base: &Base, field: &FieldSpec) -> bool {
    if field.field_type != FieldType::MultipleRecordLinks {
        return true;
    }
    let linked = field.options.as_ref().and_then(|o| o.linked_table_id.as_deref());
    linked.is_some_and(|l| base.table_index(l).is_some())
}

/// The create-field request of `field`, its `linkedTableId` made a table id when it names a
/// table of the base.
fn request(base: &Base, field: &FieldSpec) -> FieldRequest {
    let mut options = field.options.clone();
    if let Some(linked) = options.as_mut().and_then(|o| o.linked_table_id.as_mut()) {
        if base.table_by_id(linked).is_none() {
            if let Some(t) = base.table_index(linked) {
                *linked = base.tables[t].id.clone();
            }
        }
    }
    FieldRequest {
        name: field.name.clone(),
        kind: field.field_type.api_name().to_string(),
        description: field.description.clone(),
        options: options.map(|o| serde_json::to_value(o).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: serde_json::Value) -> Vec<TableSpec> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn links_by_table_name_become_ids_and_get_their_inverse() {
        let tables = spec(json!([
            {"name": "Posts", "fields": [
                {"name": "Title", "type": "singleLineText"},
                {"name": "Author", "type": "multipleRecordLinks", "options": {"linkedTableId": "People"}},
            ]},
            {"name": "People", "fields": [{"name": "Name", "type": "singleLineText"}]},
        ]));
        let mut base = Base::empty("Seed");
        seed(&mut base, &tables, &[]).unwrap();
        let people = base.tables[1].id.clone();
        let author = base.tables[0].field("Author").unwrap();
        assert_eq!(author.link().map(|(l, _)| l), Some(people.as_str()));
        let inverse = base.tables[1].field("Posts").unwrap();
        assert_eq!(inverse.link().map(|(l, _)| l), Some(base.tables[0].id.as_str()));
    }

    #[test]
    fn a_refused_field_fails_the_seed() {
        let tables = spec(json!([{"name": "T", "fields": [
            {"name": "A", "type": "singleLineText"},
            {"name": "N", "type": "number"},
        ]}]));
        let err = seed(&mut Base::empty("Seed"), &tables, &[]).unwrap_err();
        assert_eq!(err.kind(), "INVALID_FIELD_TYPE_OPTIONS");
    }
}
