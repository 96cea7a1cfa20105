//! Transformation strings: written back from the parsed steps the Admin API shows
//! (`GET /transformations/{name}` → `info: [{"aspect_ratio":"1:1","crop":"fill",...}]`), and put in
//! one canonical form (parameters of a step sorted by name, as the SDKs write them) to compare.

use serde_json::Value;

/// The URL abbreviation of each parameter name the Admin API spells out
/// (cloudinary.com/documentation/transformation_reference).
pub(crate) const ABBREVIATIONS: &[(&str, &str)] = &[
    ("angle", "a"),
    ("aspect_ratio", "ar"),
    ("audio_codec", "ac"),
    ("background", "b"),
    ("bit_rate", "br"),
    ("border", "bo"),
    ("color", "co"),
    ("crop", "c"),
    ("default_image", "d"),
    ("delay", "dl"),
    ("density", "dn"),
    ("dpr", "dpr"),
    ("duration", "du"),
    ("effect", "e"),
    ("end_offset", "eo"),
    ("fetch_format", "f"),
    ("flags", "fl"),
    ("fps", "fps"),
    ("gravity", "g"),
    ("height", "h"),
    ("named", "t"),
    ("transformation", "t"),
    ("opacity", "o"),
    ("overlay", "l"),
    ("page", "pg"),
    ("quality", "q"),
    ("radius", "r"),
    ("start_offset", "so"),
    ("streaming_profile", "sp"),
    ("underlay", "u"),
    ("video_codec", "vc"),
    ("width", "w"),
    ("x", "x"),
    ("y", "y"),
    ("zoom", "z"),
];

/// The string of the Admin API's `info`: a string as is, or steps of named parameters.
pub fn from_info(info: &Value) -> Option<String> {
    match info {
        Value::String(s) if !s.is_empty() => Some(canonical(s)),
        Value::Array(steps) if !steps.is_empty() => {
            let steps: Option<Vec<String>> = steps.iter().map(step_text).collect();
            steps.map(|s| canonical(&s.join("/")))
        }
        Value::Object(_) => step_text(info).map(|s| canonical(&s)),
        _ => None,
    }
}

fn step_text(step: &Value) -> Option<String> {
    let Value::Object(params) = step else {
        return step.as_str().map(str::to_string);
    };
    let mut parts = Vec::new();
    for (name, value) in params {
        let key = ABBREVIATIONS
            .iter()
            .find(|(long, _)| long == name)
            .map(|(_, short)| *short)
            .unwrap_or(name.as_str());
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            // `video_codec: {"codec": "h264"}`.
            Value::Object(o) => o.get("codec").and_then(Value::as_str)?.to_string(),
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("."),
            Value::Null => continue,
        };
        parts.push(format!("{key}_{value}"));
    }
    Some(parts.join(","))
}

/// The same transformation, with each step's parameters sorted by name.
pub fn canonical(s: &str) -> String {
    s.trim_matches('/')
        .split('/')
        .map(|step| {
            let mut params: Vec<&str> = step.split(',').filter(|p| !p.is_empty()).collect();
            params.sort();
            params.join(",")
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parsed_steps_are_written_back_as_the_canonical_string() {
        let info = json!([{"aspect_ratio": "4:5", "crop": "fill", "gravity": "auto", "width": 1080}]);
        assert_eq!(from_info(&info).as_deref(), Some("ar_4:5,c_fill,g_auto,w_1080"));
        let info = json!([{"width": 1080, "crop": "fill", "aspect_ratio": "9:16", "video_codec": {"codec": "h264"}}]);
        assert_eq!(from_info(&info).as_deref(), Some("ar_9:16,c_fill,vc_h264,w_1080"));
        assert_eq!(from_info(&json!("w_1200,c_fill")).as_deref(), Some("c_fill,w_1200"));
        assert_eq!(from_info(&json!(null)), None);
        assert_eq!(canonical("w_1,c_fill/q_auto"), "c_fill,w_1/q_auto");
    }
}
