//! The metadata (schema) API: list tables, create a table, create a field.
//!
//! Source: airtable.com/developers/web/api/get-base-schema, create-table, create-field. Views,
//! deletions and type changes are not possible through the API.

use super::{AirtableError, Base, Call};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableMeta {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub primary_field_id: String,
    pub fields: Vec<FieldMeta>,
    #[serde(default)]
    pub views: Vec<ViewMeta>,
}

impl TableMeta {
    /// A field by name, matched case-insensitively as Airtable does.
    pub fn field(&self, name: &str) -> Option<&FieldMeta> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMeta {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub options: Option<Value>,
}

impl FieldMeta {
    /// Names of a select field's choices.
    pub fn choices(&self) -> Vec<String> {
        self.options
            .as_ref()
            .and_then(|o| o.get("choices"))
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The table a link field points to.
    pub fn linked_table_id(&self) -> Option<&str> {
        self.options.as_ref()?.get("linkedTableId")?.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewMeta {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Deserialize)]
struct TablesBody {
    tables: Vec<TableMeta>,
}

impl Base {
    fn meta_call(&self, method: Method, action: &'static str, table: Option<&str>, tail: &[&str]) -> Call {
        let mut segments = vec![
            "v0".to_string(),
            "meta".into(),
            "bases".into(),
            self.id().to_string(),
            "tables".into(),
        ];
        segments.extend(tail.iter().map(|s| s.to_string()));
        Call {
            idempotent: method == Method::GET,
            method,
            segments,
            query: Vec::new(),
            body: None,
            context: self.context(action, table),
        }
    }

    /// The base's tables with their fields and views.
    pub async fn tables(&self) -> Result<Vec<TableMeta>, AirtableError> {
        let call = self.meta_call(Method::GET, "read the schema", None, &[]);
        let body: TablesBody = self.request(&call).await?;
        Ok(body.tables)
    }

    /// Creates a table; its first field becomes the primary field.
    pub async fn create_table(
        &self,
        name: &str,
        description: Option<&str>,
        fields: Vec<Value>,
    ) -> Result<TableMeta, AirtableError> {
        let mut call = self.meta_call(Method::POST, "create table", Some(name), &[]);
        let mut body = json!({"name": name, "fields": fields});
        if let Some(d) = description {
            body["description"] = json!(d);
        }
        call.body = Some(body);
        self.request(&call).await
    }

    /// Renames a field (the metadata API changes only names and descriptions).
    pub async fn rename_field(
        &self,
        table_id: &str,
        table_name: &str,
        field_id: &str,
        name: &str,
    ) -> Result<FieldMeta, AirtableError> {
        let mut call = self.meta_call(
            Method::PATCH,
            "rename field",
            Some(table_name),
            &[table_id, "fields", field_id],
        );
        call.idempotent = true;
        call.body = Some(json!({ "name": name }));
        self.request(&call).await
    }

    /// Creates one field in a table (by table id).
    pub async fn create_field(
        &self,
        table_id: &str,
        table_name: &str,
        field: Value,
    ) -> Result<FieldMeta, AirtableError> {
        let mut call = self.meta_call(Method::POST, "create field", Some(table_name), &[table_id, "fields"]);
        call.body = Some(field);
        self.request(&call).await
    }
}
