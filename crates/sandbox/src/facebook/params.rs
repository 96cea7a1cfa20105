//! A request's parameters, as the Graph API takes them: from the query string, a form body or a
//! JSON body (the body's win). Values may be strings or JSON (`attached_media` as an array, or
//! as a JSON string, or as `attached_media[0]`, `attached_media[1]`, ... keys).

use super::errors::GraphError;
use axum::http::{header::CONTENT_TYPE, HeaderMap};
use serde_json::{Map, Value};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Params {
    map: Map<String, Value>,
}

impl Params {
    pub fn parse(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Params, GraphError> {
        let mut map = Map::new();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        let json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
        if json && !body.is_empty() {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(fields)) => map.extend(fields),
                _ => {
                    return Err(GraphError::param(
                        "The request body is not a JSON object (sandbox wording)",
                    ))
                }
            }
        } else {
            for (k, v) in form_urlencoded::parse(body) {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
        Ok(Params { map })
    }

    /// A parameter as text (numbers and booleans as written); empty text counts as absent.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.map.get(name)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Every parameter that has a text value, as (name, text), for links that repeat a request.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.map
            .keys()
            .filter_map(|k| self.text(k).map(|v| (k.clone(), v)))
            .collect()
    }

    /// A parameter given as a JSON array (`children: ["1","2"]`), as text items.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let items = self.map.get(name)?.as_array()?;
        Some(
            items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
        )
    }

    /// A boolean parameter (`true`/`false`/`1`/`0`); `default` when absent, an error when unreadable.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, GraphError> {
        match self.text(name).as_deref() {
            None => Ok(default),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(_) => Err(GraphError::param(&format!("Param {name} must be a boolean"))),
        }
    }

    /// The `media_fbid`s of `attached_media`, in order.
    pub fn attached_media(&self) -> Result<Vec<String>, GraphError> {
        let mut items: Vec<Value> = match self.map.get("attached_media") {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::String(s)) => match serde_json::from_str(s) {
                Ok(Value::Array(a)) => a,
                _ => return Err(bad_media()),
            },
            Some(_) => return Err(bad_media()),
            None => Vec::new(),
        };
        let mut indexed: Vec<(usize, Value)> = Vec::new();
        for (key, value) in &self.map {
            let Some(index) = key
                .strip_prefix("attached_media[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
            else {
                continue;
            };
            let value = match value {
                Value::String(s) => serde_json::from_str(s).map_err(|_| bad_media())?,
                other => other.clone(),
            };
            indexed.push((index, value));
        }
        indexed.sort_by_key(|(i, _)| *i);
        items.extend(indexed.into_iter().map(|(_, v)| v));
        items
            .iter()
            .map(|item| match item.get("media_fbid") {
                Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                _ => Err(bad_media()),
            })
            .collect()
    }
}

fn bad_media() -> GraphError {
    GraphError::param("param attached_media must be an array of objects with a media_fbid (sandbox wording)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h
    }

    #[test]
    fn json_and_form_and_indexed_media_all_read_the_same() {
        let body = br#"{"message":"hi","attached_media":[{"media_fbid":"11"},{"media_fbid":22}]}"#;
        let p = Params::parse(None, &json_headers(), body).unwrap();
        assert_eq!(p.text("message").as_deref(), Some("hi"));
        assert_eq!(p.attached_media().unwrap(), ["11", "22"]);
        let form = b"message=hi&attached_media%5B1%5D=%7B%22media_fbid%22%3A%2222%22%7D&attached_media%5B0%5D=%7B%22media_fbid%22%3A%2211%22%7D";
        let p = Params::parse(None, &HeaderMap::new(), form).unwrap();
        assert_eq!(p.attached_media().unwrap(), ["11", "22"]);
        let p = Params::parse(
            Some("attached_media=%5B%7B%22media_fbid%22%3A%2211%22%7D%5D"),
            &HeaderMap::new(),
            b"",
        )
        .unwrap();
        assert_eq!(p.attached_media().unwrap(), ["11"]);
    }

    #[test]
    fn bad_input_is_a_graph_error_not_a_panic() {
        assert!(Params::parse(None, &json_headers(), b"[1,2]").is_err());
        assert!(Params::parse(None, &json_headers(), b"{").is_err());
        let p = Params::parse(Some("attached_media=nope&published=maybe"), &HeaderMap::new(), b"").unwrap();
        assert_eq!(p.attached_media().unwrap_err().code(), 100);
        assert_eq!(p.flag("published", true).unwrap_err().code(), 100);
        let p = Params::parse(
            None,
            &json_headers(),
            br#"{"attached_media":[{"id":"1"}],"published":false}"#,
        )
        .unwrap();
        assert!(p.attached_media().is_err());
        assert!(!p.flag("published", true).unwrap());
    }
}
