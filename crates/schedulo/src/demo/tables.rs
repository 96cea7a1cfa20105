//! The worker's schema file as the sandbox Airtable's tables.
//!
//! Each field becomes the create-field body that `schedulo schema apply` sends
//! ([`crate::schema::apply::field_body`]), so a sandbox base seeded with these tables has the
//! fields, options and formats the worker would have created itself. Links name their table (a
//! seed resolves names to ids); views keep their filter and sort (grouping is for people only).
//! Worker-only settings (`required_by_worker`) have no place in a base and are left out.

use crate::schema::{self, Schema};
use schedulo_sandbox::airtable::model::{self, FieldSpec, SortDirection};
use std::collections::HashMap;

/// The tables of `schema`, in its order, as the sandbox's model describes a base.
pub fn sandbox_tables(schema: &Schema) -> Vec<model::TableSpec> {
    let names: HashMap<String, String> = schema
        .tables
        .iter()
        .map(|t| (t.name.to_lowercase(), t.name.clone()))
        .collect();
    schema.tables.iter().map(|t| table(t, &names)).collect()
}

fn table(spec: &schema::TableSpec, names: &HashMap<String, String>) -> model::TableSpec {
    model::TableSpec {
        name: spec.name.clone(),
        description: spec.description.clone(),
        fields: spec.fields.iter().map(|f| field(f, names)).collect(),
        views: spec.views.iter().map(view).collect(),
    }
}

/// The field as `schema apply` would create it; `names` maps lower-cased table names to names,
/// standing in for the table ids `field_body` looks links up in.
fn field(spec: &schema::FieldSpec, names: &HashMap<String, String>) -> FieldSpec {
    let body = schema::apply::field_body(spec, names);
    serde_json::from_value(body).expect("schema apply's create-field body is a sandbox FieldSpec")
}

fn view(spec: &schema::ViewSpec) -> model::ViewSpec {
    model::ViewSpec {
        name: spec.name.clone(),
        filter: spec.filter.clone(),
        sort: spec
            .sort
            .iter()
            .map(|s| model::SortSpec {
                field: s.field.clone(),
                direction: match s.direction {
                    schema::SortDirection::Asc => SortDirection::Asc,
                    schema::SortDirection::Desc => SortDirection::Desc,
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schedulo_sandbox::airtable::model::FieldType;
    use schedulo_sandbox::airtable::{AirtableSandbox, SandboxLimits, SandboxOptions};
    use serde_json::Value;

    /// Every table and field of the built-in schema comes over with its type, choices, link and
    /// precision, and every view with its filter and sort.
    #[test]
    fn the_builtin_schema_converts_table_by_table_and_field_by_field() {
        let schema = Schema::builtin();
        let tables = sandbox_tables(&schema);
        assert_eq!(tables.len(), schema.tables.len());
        for (want, got) in schema.tables.iter().zip(&tables) {
            assert_eq!(got.name, want.name);
            assert_eq!(got.description, want.description);
            let fields: Vec<&str> = got.fields.iter().map(|f| f.name.as_str()).collect();
            let expected: Vec<&str> = want.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(fields, expected, "fields of {}", want.name);
            for (w, g) in want.fields.iter().zip(&got.fields) {
                let at = format!("{}.{}", want.name, w.name);
                assert_eq!(g.field_type.api_name(), w.kind.api_name(), "{at}");
                assert_eq!(g.description, w.description, "{at}");
                let options = g.options.clone().unwrap_or_default();
                let choices: Vec<String> = options.choices.iter().flatten().map(|c| c.name.clone()).collect();
                assert_eq!(choices, w.choices, "{at}");
                assert_eq!(options.linked_table_id, w.links_to, "{at}");
                if g.field_type == FieldType::Number {
                    assert_eq!(options.precision, Some(w.precision.unwrap_or(0)), "{at}");
                }
            }
            let views: Vec<(&str, Option<&str>, usize)> = got
                .views
                .iter()
                .map(|v| (v.name.as_str(), v.filter.as_deref(), v.sort.len()))
                .collect();
            let expected: Vec<(&str, Option<&str>, usize)> = want
                .views
                .iter()
                .map(|v| (v.name.as_str(), v.filter.as_deref(), v.sort.len()))
                .collect();
            assert_eq!(views, expected, "views of {}", want.name);
        }
    }

    /// A sandbox base seeded with the converted tables answers `GET /v0/meta/bases/{id}/tables`
    /// with the built-in schema's tables, field types, choices and links (plus the inverse link
    /// fields Airtable adds), its views after "Grid view", and nothing `schema check` would flag.
    #[tokio::test]
    async fn a_sandbox_seeded_with_the_builtin_schema_answers_the_metadata_api_with_it() {
        let schema = Schema::builtin();
        let tables = sandbox_tables(&schema);
        let sandbox = AirtableSandbox::start(SandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: None,
            tokens: vec!["patDemoTables".into()],
            tables: tables.clone(),
            limits: SandboxLimits::default(),
        })
        .await
        .unwrap();
        let base = sandbox.create_base_with("Demo", &tables).unwrap();
        let res = reqwest::Client::new()
            .get(format!("{}/v0/meta/bases/{base}/tables", sandbox.url()))
            .bearer_auth("patDemoTables")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        let answered = body["tables"].as_array().unwrap();
        let names: Vec<&str> = answered.iter().map(|t| t["name"].as_str().unwrap()).collect();
        let expected: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, expected);
        let id_of = |name: &str| answered.iter().find(|t| t["name"] == name).map(|t| t["id"].clone());
        for (want, got) in schema.tables.iter().zip(answered) {
            assert_eq!(got["primaryFieldId"], got["fields"][0]["id"], "{}", want.name);
            assert_eq!(got["fields"][0]["name"], want.fields[0].name.as_str());
            for w in &want.fields {
                let at = format!("{}.{}", want.name, w.name);
                let fields = got["fields"].as_array().unwrap();
                let g = fields.iter().find(|f| f["name"] == w.name.as_str()).expect(&at);
                assert_eq!(g["type"], w.kind.api_name(), "{at}");
                let choices: Vec<&str> = g["options"]["choices"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| c["name"].as_str().unwrap())
                    .collect();
                assert_eq!(choices, w.choices, "{at}");
                if let Some(to) = &w.links_to {
                    assert_eq!(Some(g["options"]["linkedTableId"].clone()), id_of(to), "{at}");
                }
            }
            let views: Vec<&str> = got["views"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].as_str().unwrap())
                .collect();
            let mut expected = vec!["Grid view"];
            expected.extend(want.views.iter().map(|v| v.name.as_str()));
            assert_eq!(views, expected, "views of {}", want.name);
        }
        let options = crate::airtable::ClientOptions::new(
            sandbox.url().parse().unwrap(),
            secrecy::SecretString::from("patDemoTables"),
        );
        let client = crate::airtable::AirtableClient::new(options).unwrap();
        let metas = client.base(&base).tables().await.unwrap();
        let comparison = schema::compare(&schema, &metas);
        let flagged: Vec<String> = comparison
            .differences
            .iter()
            .filter(|d| !matches!(d, schema::Difference::ExtraField { .. }))
            .map(|d| d.to_string())
            .collect();
        assert!(flagged.is_empty(), "{flagged:?}");
        assert!(comparison.missing_views.is_empty(), "{:?}", comparison.missing_views);
        sandbox.shutdown().await;
    }
}
