//! Records: listing (paged, restarted when the iterator expires, POSTed when the URL is too long),
//! reading one, and writes chunked into requests of at most 10 records.

use super::{AirtableError, Base, Call, CallContext, Formula};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The order of a listing's sort (`sort[0][direction]`: `asc` or `desc`); also how
/// `schema/base.toml` writes a view's sort, which [`crate::schema`] reads with it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

/// A record's fields as Airtable sends them: empty values are absent.
pub type Fields = serde_json::Map<String, Value>;

/// Airtable's page size limit (and default).
pub const MAX_PAGE_SIZE: u32 = 100;
/// Airtable's limit of records per write request.
pub const MAX_RECORDS_PER_WRITE: usize = 10;
/// Past this URL length a listing is sent as `POST .../listRecords` (Airtable refuses URLs of 16,000
/// characters; airtable.js switches at 15,000).
pub const MAX_URL_LEN: usize = 15_000;
/// How many times a listing restarts after `LIST_RECORDS_ITERATOR_NOT_AVAILABLE`.
const MAX_LISTING_RESTARTS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// Absent only in odd answers; a record without it is still read.
    #[serde(rename = "createdTime", default)]
    pub created_time: String,
    #[serde(default)]
    pub fields: Fields,
}

/// What to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Only these fields (all when empty).
    pub fields: Vec<String>,
    pub sort: Vec<(String, SortDirection)>,
    pub view: Option<String>,
    pub filter: Option<Formula>,
    /// Records per page (at most 100; 100 when unset).
    pub page_size: Option<u32>,
    pub max_records: Option<u32>,
}

impl ListQuery {
    pub fn filtered(filter: Formula) -> ListQuery {
        ListQuery {
            filter: Some(filter),
            ..ListQuery::default()
        }
    }

    /// The query as Airtable's URL parameters.
    fn to_params(&self, offset: Option<&str>) -> Vec<(String, String)> {
        let mut params = Vec::new();
        for f in &self.fields {
            params.push(("fields[]".to_string(), f.clone()));
        }
        for (i, (field, dir)) in self.sort.iter().enumerate() {
            params.push((format!("sort[{i}][field]"), field.clone()));
            params.push((format!("sort[{i}][direction]"), direction(*dir).to_string()));
        }
        if let Some(view) = &self.view {
            params.push(("view".into(), view.clone()));
        }
        if let Some(filter) = &self.filter {
            params.push(("filterByFormula".into(), filter.to_string()));
        }
        params.push(("pageSize".into(), self.page_size().to_string()));
        if let Some(max) = self.max_records {
            params.push(("maxRecords".into(), max.to_string()));
        }
        if let Some(offset) = offset {
            params.push(("offset".into(), offset.to_string()));
        }
        params
    }

    /// The query as the JSON body of `POST .../listRecords`.
    fn to_body(&self, offset: Option<&str>) -> Value {
        let mut body = serde_json::Map::new();
        if !self.fields.is_empty() {
            body.insert("fields".into(), json!(self.fields));
        }
        if !self.sort.is_empty() {
            let sort: Vec<Value> = self
                .sort
                .iter()
                .map(|(f, d)| json!({"field": f, "direction": direction(*d)}))
                .collect();
            body.insert("sort".into(), Value::Array(sort));
        }
        if let Some(view) = &self.view {
            body.insert("view".into(), json!(view));
        }
        if let Some(filter) = &self.filter {
            body.insert("filterByFormula".into(), json!(filter.as_str()));
        }
        body.insert("pageSize".into(), json!(self.page_size()));
        if let Some(max) = self.max_records {
            body.insert("maxRecords".into(), json!(max));
        }
        if let Some(offset) = offset {
            body.insert("offset".into(), json!(offset));
        }
        Value::Object(body)
    }

    fn page_size(&self) -> u32 {
        self.page_size.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
    }
}

fn direction(d: SortDirection) -> &'static str {
    match d {
        SortDirection::Asc => "asc",
        SortDirection::Desc => "desc",
    }
}

/// One page of a listing.
#[derive(Debug, Deserialize)]
pub struct Page {
    pub records: Vec<Record>,
    #[serde(default)]
    pub offset: Option<String>,
}

/// What an upsert did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpsertResult {
    pub records: Vec<Record>,
    pub created: Vec<String>,
    pub updated: Vec<String>,
}

#[derive(Deserialize)]
struct RecordsBody {
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct UpsertBody {
    records: Vec<Record>,
    #[serde(rename = "createdRecords", default)]
    created: Vec<String>,
    #[serde(rename = "updatedRecords", default)]
    updated: Vec<String>,
}

#[derive(Deserialize)]
struct DeletedBody {
    records: Vec<Deleted>,
}

#[derive(Deserialize)]
struct Deleted {
    id: String,
    #[serde(default)]
    deleted: bool,
}

impl Base {
    fn records_call(&self, method: Method, table: &str, context: CallContext) -> Call {
        Call {
            idempotent: method != Method::POST,
            method,
            segments: vec!["v0".into(), self.id().to_string(), table.to_string()],
            query: Vec::new(),
            body: None,
            context,
        }
    }

    /// Every record the query selects, following pages; a listing whose iterator expired is
    /// started again (at most 3 times).
    pub async fn list(&self, table: &str, query: &ListQuery) -> Result<Vec<Record>, AirtableError> {
        let mut restarts = 0;
        'listing: loop {
            let mut records = Vec::new();
            let mut offset: Option<String> = None;
            loop {
                match self.list_page(table, query, offset.as_deref()).await {
                    Ok(page) => {
                        records.extend(page.records);
                        if page.offset.is_some() && page.offset == offset {
                            return Err(AirtableError::MalformedResponse {
                                context: self.context("list records", Some(table)),
                                detail: "the same offset came back twice; stopping instead of looping".into(),
                            });
                        }
                        offset = page.offset;
                        let done = query.max_records.is_some_and(|m| records.len() >= m as usize);
                        if offset.is_none() || done {
                            return Ok(records);
                        }
                    }
                    Err(e) if is_expired_iterator(&e) && restarts < MAX_LISTING_RESTARTS => {
                        restarts += 1;
                        tracing::info!(
                            message = "Airtable listing iterator expired; starting the listing again.",
                            table,
                            restarts
                        );
                        continue 'listing;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// One page of a listing, from `offset` (the first page when `None`).
    pub async fn list_page(&self, table: &str, query: &ListQuery, offset: Option<&str>) -> Result<Page, AirtableError> {
        let context = self.context("list records", Some(table));
        let mut call = self.records_call(Method::GET, table, context);
        call.query = query.to_params(offset);
        let url_len = self.client().url_for(&call.segments, &call.query).as_str().len();
        if url_len > MAX_URL_LEN {
            call.method = Method::POST;
            call.idempotent = true;
            call.segments.push("listRecords".into());
            call.query.clear();
            call.body = Some(query.to_body(offset));
        }
        self.request(&call).await
    }

    /// One record by id.
    pub async fn get(&self, table: &str, record_id: &str) -> Result<Record, AirtableError> {
        let mut context = self.context("read record", Some(table));
        context.records = vec![record_id.to_string()];
        let mut call = self.records_call(Method::GET, table, context);
        call.segments.push(record_id.to_string());
        self.request(&call).await
    }

    /// Creates records, 10 per request, in order. Creating is not idempotent: a request that may
    /// have been applied is not repeated (its error is outcome-unknown).
    pub async fn create(
        &self,
        table: &str,
        records: Vec<Fields>,
        typecast: bool,
    ) -> Result<Vec<Record>, BatchError<Vec<Record>>> {
        let call_for = |chunk: &[Fields]| {
            let mut call = self.records_call(Method::POST, table, self.context("create records", Some(table)));
            let items: Vec<Value> = chunk.iter().map(|f| json!({"fields": f})).collect();
            call.body = Some(json!({"records": items, "typecast": typecast}));
            call
        };
        self.write_in_chunks(&records, call_for, |done: &mut Vec<Record>, body: RecordsBody| {
            done.extend(body.records)
        })
        .await
    }

    /// Changes the given fields of records (PATCH: others are left alone), 10 per request.
    pub async fn update(
        &self,
        table: &str,
        changes: Vec<(String, Fields)>,
        typecast: bool,
    ) -> Result<Vec<Record>, BatchError<Vec<Record>>> {
        let call_for = |chunk: &[(String, Fields)]| {
            let mut context = self.context("update records", Some(table));
            context.records = chunk.iter().map(|(id, _)| id.clone()).collect();
            let mut call = self.records_call(Method::PATCH, table, context);
            let items: Vec<Value> = chunk.iter().map(|(id, f)| json!({"id": id, "fields": f})).collect();
            call.body = Some(json!({"records": items, "typecast": typecast}));
            call
        };
        self.write_in_chunks(&changes, call_for, |done: &mut Vec<Record>, body: RecordsBody| {
            done.extend(body.records)
        })
        .await
    }

    /// Creates or updates records matched on `merge_on` (1 to 3 fields), 10 per request.
    pub async fn upsert(
        &self,
        table: &str,
        merge_on: &[&str],
        records: Vec<Fields>,
        typecast: bool,
    ) -> Result<UpsertResult, BatchError<UpsertResult>> {
        if merge_on.is_empty() || merge_on.len() > 3 {
            return Err(BatchError {
                done: UpsertResult::default(),
                written: 0,
                total: records.len(),
                error: AirtableError::InvalidRequest {
                    context: self.context("upsert records", Some(table)),
                    detail: format!("an upsert merges on 1 to 3 fields, not {}", merge_on.len()),
                },
            });
        }
        let call_for = |chunk: &[Fields]| {
            let mut call = self.records_call(Method::PATCH, table, self.context("upsert records", Some(table)));
            let items: Vec<Value> = chunk.iter().map(|f| json!({"fields": f})).collect();
            call.body =
                Some(json!({"performUpsert": {"fieldsToMergeOn": merge_on}, "records": items, "typecast": typecast}));
            call
        };
        let merge = |done: &mut UpsertResult, body: UpsertBody| {
            done.records.extend(body.records);
            done.created.extend(body.created);
            done.updated.extend(body.updated);
        };
        self.write_in_chunks(&records, call_for, merge).await
    }

    /// Deletes records by id, 10 per request; returns the ids Airtable confirmed. A record that is
    /// already gone (deleted by a person, or by an attempt whose answer was lost) is not an error.
    pub async fn delete(&self, table: &str, ids: &[String]) -> Result<Vec<String>, BatchError<Vec<String>>> {
        let mut deleted = Vec::with_capacity(ids.len());
        for (n, chunk) in ids.chunks(MAX_RECORDS_PER_WRITE).enumerate() {
            let written = n * MAX_RECORDS_PER_WRITE;
            match self.delete_chunk(table, chunk).await {
                Ok(done) => deleted.extend(done),
                // One missing id fails its whole request: delete the others one by one.
                Err(e) if is_gone(&e) && chunk.len() > 1 => {
                    for id in chunk {
                        match self.delete_chunk(table, std::slice::from_ref(id)).await {
                            Ok(done) => deleted.extend(done),
                            Err(e) if is_gone(&e) => {}
                            Err(error) => {
                                return Err(BatchError {
                                    done: deleted,
                                    written,
                                    total: ids.len(),
                                    error,
                                })
                            }
                        }
                    }
                }
                Err(e) if is_gone(&e) => {}
                Err(error) => {
                    return Err(BatchError {
                        done: deleted,
                        written,
                        total: ids.len(),
                        error,
                    })
                }
            }
        }
        Ok(deleted)
    }

    async fn delete_chunk(&self, table: &str, chunk: &[String]) -> Result<Vec<String>, AirtableError> {
        let mut context = self.context("delete records", Some(table));
        context.records = chunk.to_vec();
        let mut call = self.records_call(Method::DELETE, table, context);
        call.query = chunk.iter().map(|id| ("records[]".to_string(), id.clone())).collect();
        let body: DeletedBody = self.request(&call).await?;
        Ok(body.records.into_iter().filter(|d| d.deleted).map(|d| d.id).collect())
    }

    /// Sends `items` 10 per request, in order; on a failure, returns what the earlier requests did.
    async fn write_in_chunks<I, D: Default, R: DeserializeOwned>(
        &self,
        items: &[I],
        call_for: impl Fn(&[I]) -> Call,
        mut merge: impl FnMut(&mut D, R),
    ) -> Result<D, BatchError<D>> {
        let mut done = D::default();
        for (n, chunk) in items.chunks(MAX_RECORDS_PER_WRITE).enumerate() {
            match self.request::<R>(&call_for(chunk)).await {
                Ok(body) => merge(&mut done, body),
                Err(error) => {
                    let written = n * MAX_RECORDS_PER_WRITE;
                    return Err(BatchError {
                        done,
                        written,
                        total: items.len(),
                        error,
                    });
                }
            }
        }
        Ok(done)
    }

    /// Sends a call and reads its JSON answer.
    pub(crate) async fn request<T: DeserializeOwned>(&self, call: &Call) -> Result<T, AirtableError> {
        self.client().execute(call).await
    }
}

/// Whether an error says the record is not there (Airtable: 404 `NOT_FOUND`, or 422
/// `ROW_DOES_NOT_EXIST` on writes naming a missing id).
fn is_gone(e: &AirtableError) -> bool {
    match e.api_type() {
        Some(super::ApiErrorType::NotFound) => true,
        Some(super::ApiErrorType::Other { kind, .. }) => kind == "ROW_DOES_NOT_EXIST",
        _ => false,
    }
}

/// A batch write that stopped part-way: what the requests before the failing one did, and why it
/// stopped. Nothing after the failing request was sent.
#[derive(Debug)]
pub struct BatchError<D> {
    /// What the successful requests returned.
    pub done: D,
    /// How many of the items were in successful requests.
    pub written: usize,
    pub total: usize,
    pub error: AirtableError,
}

impl<D> BatchError<D> {
    pub fn class(&self) -> crate::error_class::ErrorClass {
        self.error.class()
    }

    pub fn api_type(&self) -> Option<&super::ApiErrorType> {
        self.error.api_type()
    }
}

impl<D> std::fmt::Display for BatchError<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        if self.written > 0 {
            write!(f, " (after {} of {} records were written)", self.written, self.total)?;
        }
        Ok(())
    }
}

impl<D: std::fmt::Debug> std::error::Error for BatchError<D> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// For callers that only need the cause (what was written is dropped).
impl<D> From<BatchError<D>> for AirtableError {
    fn from(e: BatchError<D>) -> Self {
        e.error
    }
}

fn is_expired_iterator(e: &AirtableError) -> bool {
    matches!(e.api_type(), Some(super::ApiErrorType::ListRecordsIteratorNotAvailable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_use_airtables_bracket_names() {
        let q = ListQuery {
            fields: vec!["Status".into(), "PostID".into()],
            sort: vec![("ScheduledTime".into(), SortDirection::Desc)],
            filter: Some(Formula::field_is("Status", "Scheduled")),
            ..ListQuery::default()
        };
        let p = q.to_params(Some("itr1/rec1"));
        let names: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "fields[]",
                "fields[]",
                "sort[0][field]",
                "sort[0][direction]",
                "filterByFormula",
                "pageSize",
                "offset"
            ]
        );
    }

    #[test]
    fn page_size_is_kept_within_airtables_bounds() {
        let q = ListQuery {
            page_size: Some(500),
            ..ListQuery::default()
        };
        assert_eq!(q.page_size(), 100);
    }
}
