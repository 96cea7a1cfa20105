//! The parameters of "list records", from a query string (`GET`) or a JSON body
//! (`POST .../listRecords`), into one [`ListParams`].
//!
//! Query strings use bracketed keys (`fields[]=A&sort[0][field]=B&sort[0][direction]=desc`), which
//! axum's `Query` cannot read, so the raw query is parsed with `form_urlencoded` (which also
//! decodes `fields%5B%5D`). Unknown parameters are refused with 422, as Airtable does.

use super::errors::ApiError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Airtable's largest page.
pub const MAX_PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub page_size: usize,
    pub max_records: Option<usize>,
    pub offset: Option<String>,
    pub view: Option<String>,
    pub sort: Vec<SortParam>,
    /// Field names or ids to return; `None`: all.
    pub fields: Option<Vec<String>>,
    pub filter: Option<String>,
    pub by_field_id: bool,
    /// `recordMetadata[]=commentCount` asks for `commentCount` on each record.
    pub comment_count: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortParam {
    pub field: String,
    pub desc: bool,
}

impl Default for ListParams {
    fn default() -> Self {
        ListParams {
            page_size: MAX_PAGE_SIZE,
            max_records: None,
            offset: None,
            view: None,
            sort: Vec::new(),
            fields: None,
            filter: None,
            by_field_id: false,
            comment_count: false,
        }
    }
}

fn invalid(detail: String) -> ApiError {
    ApiError::invalid_request(detail)
}

/// Parses a raw query string (without the `?`).
pub fn from_query(raw: &str) -> Result<ListParams, ApiError> {
    let mut p = ListParams::default();
    let mut sorts: BTreeMap<usize, (Option<String>, Option<String>)> = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let (key, value) = (key.as_ref(), value.into_owned());
        match key {
            "pageSize" | "limit" => set_page_size(&mut p, &value)?,
            "maxRecords" => p.max_records = parse_count("maxRecords", &value)?,
            "offset" => p.offset = Some(value).filter(|v| !v.is_empty()),
            "view" => p.view = Some(value).filter(|v| !v.is_empty()),
            "filterByFormula" => p.filter = Some(value).filter(|v| !v.trim().is_empty()),
            "returnFieldsByFieldId" => p.by_field_id = parse_bool(&value)?,
            "cellFormat" => check_cell_format(&value)?,
            "timeZone" | "userLocale" => {}
            "fields" | "fields[]" => p.fields.get_or_insert_with(Vec::new).push(value),
            "recordMetadata" | "recordMetadata[]" => p.comment_count |= check_metadata(&value)?,
            _ => {
                if indexed(key, "fields").is_some() {
                    p.fields.get_or_insert_with(Vec::new).push(value);
                } else if let Some((i, part)) = sort_key(key) {
                    let entry = sorts.entry(i).or_default();
                    match part {
                        "field" => entry.0 = Some(value),
                        _ => entry.1 = Some(value),
                    }
                } else {
                    return Err(invalid(format!("unknown parameter {key:?}")));
                }
            }
        }
    }
    for (_, (field, direction)) in sorts {
        let field = field.ok_or_else(|| invalid("every sort needs a field".into()))?;
        p.sort.push(SortParam {
            field,
            desc: parse_direction(direction.as_deref())?,
        });
    }
    Ok(p)
}

/// `fields[3]` -> 3.
fn indexed(key: &str, name: &str) -> Option<usize> {
    key.strip_prefix(name)?
        .strip_prefix('[')?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// `sort[0][field]` -> (0, "field"); `sort[0][direction]` -> (0, "direction").
fn sort_key(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix("sort[")?;
    let (index, rest) = rest.split_once(']')?;
    let part = rest.strip_prefix('[')?.strip_suffix(']')?;
    matches!(part, "field" | "direction").then_some(())?;
    Some((index.parse().ok()?, part))
}

/// `pageSize` outside 1..=100 is refused with 422 (Airtable documents the maximum; whether it
/// refuses or clamps is unverified, and refusing catches the client's bug).
fn set_page_size(p: &mut ListParams, value: &str) -> Result<(), ApiError> {
    if value.is_empty() {
        return Ok(());
    }
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => {
            p.page_size = n;
            Ok(())
        }
        _ => Err(invalid(format!(
            "pageSize must be a number from 1 to {MAX_PAGE_SIZE}, not {value:?}"
        ))),
    }
}

fn parse_count(name: &str, value: &str) -> Result<Option<usize>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<usize>()
        .map(Some)
        .map_err(|_| invalid(format!("{name} must be a non-negative number, not {value:?}")))
}

fn parse_bool(value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" | "" => Ok(false),
        _ => Err(invalid(format!("expected true or false, not {value:?}"))),
    }
}

fn parse_direction(direction: Option<&str>) -> Result<bool, ApiError> {
    match direction {
        None | Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(other) => Err(invalid(format!("sort direction must be asc or desc, not {other:?}"))),
    }
}

fn check_cell_format(value: &str) -> Result<(), ApiError> {
    match value {
        "json" | "" => Ok(()),
        "string" => Err(invalid("the sandbox supports cellFormat=json only".into())),
        other => Err(invalid(format!("cellFormat must be json or string, not {other:?}"))),
    }
}

fn check_metadata(value: &str) -> Result<bool, ApiError> {
    match value {
        "commentCount" => Ok(true),
        other => Err(invalid(format!("unknown recordMetadata {other:?}"))),
    }
}

/// The JSON body of `POST .../listRecords`. `method` is accepted (and ignored) because airtable.js
/// sends it when told to list with POST.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListBody {
    page_size: Option<u64>,
    max_records: Option<u64>,
    offset: Option<String>,
    view: Option<String>,
    sort: Option<Vec<SortBody>>,
    fields: Option<Vec<String>>,
    filter_by_formula: Option<String>,
    return_fields_by_field_id: Option<bool>,
    cell_format: Option<String>,
    time_zone: Option<String>,
    user_locale: Option<String>,
    record_metadata: Option<Vec<String>>,
    #[allow(dead_code)]
    method: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SortBody {
    field: String,
    direction: Option<String>,
}

/// Parses a `listRecords` body; `from_query` has already read the query string (where clients put
/// `timeZone` and `userLocale`), and the body's values win.
pub fn from_body(body: serde_json::Value, mut p: ListParams) -> Result<ListParams, ApiError> {
    let b: ListBody = serde_json::from_value(body).map_err(|e| invalid(e.to_string()))?;
    if let Some(n) = b.page_size {
        set_page_size(&mut p, &n.to_string())?;
    }
    p.max_records = b.max_records.map(|n| n as usize).or(p.max_records);
    p.offset = b.offset.filter(|o| !o.is_empty()).or(p.offset);
    p.view = b.view.or(p.view);
    p.filter = b.filter_by_formula.filter(|f| !f.trim().is_empty()).or(p.filter);
    p.fields = b.fields.or(p.fields);
    p.by_field_id = b.return_fields_by_field_id.unwrap_or(p.by_field_id);
    if let Some(f) = b.cell_format {
        check_cell_format(&f)?;
    }
    let _ = (b.time_zone, b.user_locale);
    for m in b.record_metadata.unwrap_or_default() {
        p.comment_count |= check_metadata(&m)?;
    }
    if let Some(sort) = b.sort {
        p.sort = sort
            .into_iter()
            .map(|s| {
                Ok(SortParam {
                    field: s.field,
                    desc: parse_direction(s.direction.as_deref())?,
                })
            })
            .collect::<Result<_, ApiError>>()?;
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bracketed_keys_are_read_in_both_encodings() {
        let p = from_query(
            "fields%5B%5D=Name&fields[]=Status&sort[1][field]=B&sort[0][field]=A&sort[0][direction]=desc&pageSize=10",
        )
        .unwrap();
        assert_eq!(p.fields, Some(vec!["Name".to_string(), "Status".to_string()]));
        assert_eq!(
            p.sort,
            vec![
                SortParam {
                    field: "A".into(),
                    desc: true
                },
                SortParam {
                    field: "B".into(),
                    desc: false
                }
            ]
        );
        assert_eq!(p.page_size, 10);
    }

    #[test]
    fn a_formula_with_plus_and_percent_signs_is_decoded() {
        let p = from_query("filterByFormula=%7BStatus%7D+%3D+%27Scheduled%27").unwrap();
        assert_eq!(p.filter.as_deref(), Some("{Status} = 'Scheduled'"));
    }

    #[test]
    fn unknown_parameters_and_bad_values_are_422() {
        for q in [
            "foo=1",
            "pageSize=101",
            "pageSize=-1",
            "pageSize=99999999999999999999999",
            "sort[0][direction]=up&sort[0][field]=A",
            "sort[0][direction]=asc",
            "cellFormat=string",
            "maxRecords=x",
        ] {
            let err = from_query(q).unwrap_err();
            assert_eq!(err.kind(), "INVALID_REQUEST_UNKNOWN", "{q}");
        }
    }

    #[test]
    fn empty_values_as_airtable_js_sends_them_are_ignored() {
        let p = from_query("offset=&limit=").unwrap();
        assert_eq!(p, ListParams::default());
    }

    #[test]
    fn a_list_records_body_gives_the_same_params() {
        let p = from_body(
            json!({"pageSize": 5, "fields": ["A"], "sort": [{"field": "A", "direction": "desc"}], "filterByFormula": "1", "returnFieldsByFieldId": false}),
            ListParams::default(),
        )
        .unwrap();
        assert_eq!(p.page_size, 5);
        assert_eq!(
            p.sort,
            vec![SortParam {
                field: "A".into(),
                desc: true
            }]
        );
        assert_eq!(
            from_body(json!({"nope": 1}), ListParams::default()).unwrap_err().kind(),
            "INVALID_REQUEST_UNKNOWN"
        );
        assert_eq!(
            from_body(json!({"pageSize": "x"}), ListParams::default())
                .unwrap_err()
                .kind(),
            "INVALID_REQUEST_UNKNOWN"
        );
    }
}
