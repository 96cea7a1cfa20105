//! How Meta's rules name files, durations and sizes in messages, shared by the Facebook and
//! Instagram rules: "video 1 (clip.mp4) lasts 17 min 4 s", "8.0 MB", "1.91:1".

use crate::platforms::MediaRef;

/// "video 1 (clip.mp4)", "image 2": the kind, its place in the post, and the file's name when
/// its URL has one.
pub(crate) fn label(n: usize, media: &MediaRef) -> String {
    let name = url::Url::parse(&media.url).ok().and_then(|u| {
        u.path_segments()
            .and_then(|mut s| s.next_back().map(str::to_string))
            .filter(|s| !s.is_empty())
    });
    match name {
        Some(name) => format!("{} {n} ({name})", media.kind),
        None => format!("{} {n}", media.kind),
    }
}

/// "17 min 4 s", "15 min", "90 s", "2.5 s".
pub(crate) fn duration(secs: f64) -> String {
    if secs >= 120.0 || (secs >= 60.0 && secs.fract() == 0.0 && secs % 60.0 == 0.0) {
        let total = secs.round() as u64;
        let (m, s) = (total / 60, total % 60);
        return if s == 0 {
            format!("{m} min")
        } else {
            format!("{m} min {s} s")
        };
    }
    number(secs, 1) + " s"
}

/// "4.0 MB", "1.0 GB" (binary units, as Meta counts them).
pub(crate) fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1024.0 {
        return format!("{:.1} GB", mb / 1024.0);
    }
    format!("{mb:.1} MB")
}

/// A ratio as people write it: "0.8", "1.91", "0.56".
pub(crate) fn ratio(r: f64) -> String {
    number(r, 2)
}

/// A number with at most `decimals` decimals, without trailing zeros: 3 -> "3", 2.50 -> "2.5".
pub(crate) fn number(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Whether `s` is an http(s) URL with a host (what Meta downloads).
pub(crate) fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Whether a format (lower case, as `MediaInfo` gives it) is one of `allowed`, ignoring case.
pub(crate) fn allowed(format: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(format))
}

/// "MP4, MOV": a list of formats for people.
pub(crate) fn formats(list: &[String]) -> String {
    list.iter()
        .map(|f| f.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::MediaKind;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(1024.0), "17 min 4 s");
        assert_eq!(duration(900.0), "15 min");
        assert_eq!(duration(90.0), "90 s");
        assert_eq!(duration(60.0), "1 min");
        assert_eq!(duration(2.5), "2.5 s");
        assert_eq!(duration(3.0), "3 s");
    }

    #[test]
    fn labels_name_the_file_when_the_url_has_one() {
        let m = MediaRef::new("https://cdn.example/v/clip.mp4?x=1", MediaKind::Video);
        assert_eq!(label(1, &m), "video 1 (clip.mp4)");
        let m = MediaRef::new("https://cdn.example/", MediaKind::Image);
        assert_eq!(label(2, &m), "image 2");
    }

    #[test]
    fn numbers_lose_their_trailing_zeros() {
        assert_eq!(ratio(0.8), "0.8");
        assert_eq!(ratio(1.91), "1.91");
        assert_eq!(ratio(16.0 / 9.0), "1.78");
        assert_eq!(megabytes(8 * 1024 * 1024), "8.0 MB");
    }
}
