//! X's weighted length of a post's text, as twitter-text's v3 configuration counts it
//! (github.com/twitter/twitter-text, `config/v3.json`; docs.x.com `fundamentals/counting-characters`):
//!
//! - the text is NFC-normalised first;
//! - each URL counts [`TextWeights::url_weight`] (23: t.co wraps every link);
//! - an emoji counts 2, a whole sequence (skin tone, ZWJ family, flag, keycap) as one emoji;
//! - any other code point counts 1 in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037,
//!   and 2 everywhere else (CJK among them).
//!
//! # Simplifications (against twitter-text)
//! - URLs: `http://` / `https://` followed by a host with a dot, and bare domains whose last label
//!   is in a short list of common TLDs ([`BARE_TLDS`]); twitter-text knows every TLD and more edge
//!   cases (an unknown bare domain is counted by its characters here).
//! - Emoji are recognised by code point blocks (pictographs, dingbats, symbols, arrows, regional
//!   indicators, keycaps), not by Unicode's emoji data; a sequence is a base followed by variation
//!   selectors, skin tones, tags or a keycap mark, and ZWJ-joined bases. `©`/`®`/digits count as an
//!   emoji only with U+FE0F (or a keycap mark) after them.

use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// The numbers of twitter-text's v3 configuration that callers may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextWeights {
    /// What one URL counts (`transformedURLLength`).
    pub url_weight: usize,
    /// What a code point outside the light ranges counts, and an emoji (`defaultWeight` / `scale`).
    pub heavy_weight: usize,
}

impl Default for TextWeights {
    fn default() -> Self {
        TextWeights {
            url_weight: 23,
            heavy_weight: 2,
        }
    }
}

/// Code point ranges that weigh 1 (v3's `ranges` with weight 100 of scale 100).
const LIGHT: [(u32, u32); 4] = [(0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037)];

/// Top-level domains recognised in bare domains (`example.com/path`).
pub const BARE_TLDS: &[&str] = &[
    "com", "org", "net", "io", "co", "dev", "app", "ai", "me", "ly", "gg", "tv", "xyz", "info", "biz", "edu", "gov",
    "blog", "news", "shop", "store", "site", "online", "tech", "uk", "us", "ca", "de", "fr", "es", "it", "nl", "eu",
    "jp", "in", "au", "br", "ch", "se", "no", "pl", "be", "at", "ie", "nz",
];

/// X's weighted length of `text`.
pub fn weighted_length(text: &str, weights: &TextWeights) -> usize {
    let text: String = text.nfc().collect();
    let mut total = 0;
    let mut last = 0;
    for url in find_urls(&text) {
        total += plain_length(&text[last..url.start], weights) + weights.url_weight;
        last = url.end;
    }
    total + plain_length(&text[last..], weights)
}

/// The weighted length of text without URLs.
fn plain_length(text: &str, weights: &TextWeights) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut total = 0;
    while i < chars.len() {
        if let Some(len) = emoji_len(&chars[i..]) {
            total += weights.heavy_weight;
            i += len;
        } else {
            let c = chars[i] as u32;
            total += if LIGHT.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) {
                1
            } else {
                weights.heavy_weight
            };
            i += 1;
        }
    }
    total
}

fn is_pictograph(c: u32) -> bool {
    matches!(c,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0x2190..=0x21FF
        | 0x2900..=0x297F | 0x25A0..=0x25FF | 0x2100..=0x214F | 0x203C | 0x2049 | 0x24C2
        | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

fn is_regional_indicator(c: u32) -> bool {
    (0x1F1E6..=0x1F1FF).contains(&c)
}

/// Marks that extend the emoji before them: variation selectors, skin tones, tags, keycap mark.
fn is_emoji_mark(c: u32) -> bool {
    matches!(c, 0xFE0E | 0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0x20E3)
}

/// The number of chars of the emoji starting `chars[0]`, if one does.
fn emoji_len(chars: &[char]) -> Option<usize> {
    let code = |i: usize| chars.get(i).map(|c| *c as u32);
    let first = code(0)?;
    if is_regional_indicator(first) {
        return Some(if code(1).is_some_and(is_regional_indicator) {
            2
        } else {
            1
        });
    }
    let light_base = matches!(first, 0x30..=0x39 | 0x23 | 0x2A | 0xA9 | 0xAE);
    if light_base && !code(1).is_some_and(|c| c == 0xFE0F || c == 0x20E3) {
        return None;
    }
    if !light_base && !is_pictograph(first) {
        return None;
    }
    let mut i = 1;
    loop {
        while code(i).is_some_and(is_emoji_mark) {
            i += 1;
        }
        if code(i) == Some(0x200D) && code(i + 1).is_some_and(is_pictograph) {
            i += 2;
        } else {
            return Some(i);
        }
    }
}

/// Byte ranges of the URLs in `text`, in order.
pub fn find_urls(text: &str) -> Vec<Range<usize>> {
    let mut urls = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let boundary = text[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | '/' | '#' | '$')));
        let found = if boundary { url_at(rest) } else { None };
        match found {
            Some(len) => {
                urls.push(pos..pos + len);
                pos += len;
            }
            None => pos += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    urls
}

/// The length in bytes of a URL starting at the beginning of `s`, if one does.
fn url_at(s: &str) -> Option<usize> {
    let lower: String = s.chars().take(8).map(|c| c.to_ascii_lowercase()).collect();
    let scheme = ["https://", "http://"].into_iter().find(|p| lower.starts_with(p));
    let start = scheme.map_or(0, str::len);
    let host_len = s[start..]
        .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(s.len() - start);
    let host = s[start..start + host_len].trim_end_matches(['.', '-']);
    let tld = host.rsplit_once('.').map(|(_, t)| t)?;
    let tld_ok = if scheme.is_some() {
        tld.len() >= 2 && tld.chars().all(char::is_alphabetic)
    } else {
        BARE_TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld)) && host.is_ascii()
    };
    if !tld_ok || host.starts_with(['.', '-']) || host.contains("..") || !dns_labels_fit(host) {
        return None;
    }
    let mut end = start + host.len();
    if s[end..].starts_with([':', '/', '?', '#']) {
        end += s[end..].find(ends_url).unwrap_or(s.len() - end);
        end = trim_url_end(s, start, end);
    }
    Some(end)
}

/// Whether every label of `host`, punycode-encoded, has 1 to 63 characters: twitter-text counts
/// a longer one as text, not as a URL (`js/src/lib/idna.js`, `MAX_DOMAIN_LABEL_LENGTH`).
fn dns_labels_fit(host: &str) -> bool {
    let ascii = url::quirks::domain_to_ascii(host);
    !ascii.is_empty() && ascii.split('.').all(|label| (1..=63).contains(&label.len()))
}

/// Characters that end a URL's path: spaces, and the directional marks and invalid characters
/// twitter-text never takes into a URL (`regexp/directionalMarkersGroup.js`, `invalidCharsGroup.js`).
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
                | '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}'
        )
}

/// Leaves out trailing punctuation, and a closing bracket that has no opening one in the URL.
fn trim_url_end(s: &str, start: usize, mut end: usize) -> usize {
    loop {
        let Some(last) = s[..end].chars().next_back() else {
            return end;
        };
        let unbalanced = |open: char| s[start..end].matches(open).count() < s[start..end].matches(last).count();
        let drop = match last {
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '"' | '…' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            '}' => unbalanced('{'),
            _ => false,
        };
        if !drop || end <= start + 1 {
            return end;
        }
        end -= last.len_utf8();
    }
}

/// `text` with every URL replaced by `placeholder`.
pub fn replace_urls(text: &str, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for url in find_urls(text) {
        out.push_str(&text[last..url.start]);
        out.push_str(placeholder);
        last = url.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(s: &str) -> usize {
        weighted_length(s, &TextWeights::default())
    }

    fn urls(s: &str) -> Vec<&str> {
        find_urls(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn ascii_counts_one_per_character_and_280_is_the_edge() {
        assert_eq!(len("Hello, world!"), 13);
        assert_eq!(len(&"a".repeat(280)), 280);
        assert_eq!(len(&"a".repeat(281)), 281);
    }

    #[test]
    fn cjk_counts_two_and_latin_extensions_one() {
        assert_eq!(len("日本語"), 6);
        assert_eq!(len("한국어"), 6);
        assert_eq!(len("Ελληνικά ру"), 11);
        assert_eq!(len(&"字".repeat(140)), 280);
    }

    #[test]
    fn the_general_punctuation_ranges_weigh_one() {
        // U+2014 em dash and U+2026 ellipsis: the first in a light range, the second not.
        assert_eq!(len("\u{2014}"), 1);
        assert_eq!(len("\u{2026}"), 2);
        assert_eq!(len("\u{2032}"), 1);
    }

    #[test]
    fn text_is_nfc_normalised_before_counting() {
        assert_eq!(len("cafe\u{301}"), 4);
        assert_eq!(len("café"), 4);
    }

    #[test]
    fn an_emoji_counts_two_whatever_its_sequence() {
        assert_eq!(len("Hello, world! 👋"), 16, "docs.x.com's example");
        assert_eq!(len("👾"), 2);
        assert_eq!(len("🙋🏽"), 2, "skin tone");
        assert_eq!(len("👨‍🎤"), 2, "ZWJ");
        assert_eq!(len("👨‍👩‍👧‍👦"), 2, "family");
        assert_eq!(len("❤️"), 2, "variation selector");
        assert_eq!(len("🇫🇷"), 2, "flag");
        assert_eq!(len("1️⃣"), 2, "keycap");
        assert_eq!(len("🏴󠁧󠁢󠁳󠁣󠁴󠁿"), 2, "tag sequence");
        assert_eq!(len("©"), 1, "text presentation");
        assert_eq!(len(&"😀".repeat(140)), 280);
        assert_eq!(len("a\u{200D}b"), 3, "a lone ZWJ is light");
    }

    #[test]
    fn every_url_counts_twenty_three() {
        assert_eq!(len("https://example.com"), 23);
        assert_eq!(len("https://example.com/a/very/long/path/that/goes/on/and/on?q=1"), 23);
        assert_eq!(len("see http://a.io and example.com/x."), 4 + 23 + 5 + 23 + 1);
        assert_eq!(len("x.com"), 23);
        assert_eq!(len("e.g. the end"), 12, "not a domain");
        assert_eq!(len(&format!("{} https://t.co/abc", "a".repeat(256))), 280);
    }

    #[test]
    fn urls_are_found_with_their_paths_and_without_trailing_punctuation() {
        assert_eq!(
            urls("Read https://ex.com/a_(b) now, (or https://ex.com/c). And www.site.org!"),
            vec!["https://ex.com/a_(b)", "https://ex.com/c", "www.site.org"]
        );
        assert_eq!(urls("mail me@example.com"), Vec::<&str>::new());
        assert_eq!(urls("HTTPS://EXAMPLE.COM/X"), vec!["HTTPS://EXAMPLE.COM/X"]);
        assert_eq!(urls("https://localhost/x"), Vec::<&str>::new());
        assert_eq!(urls("日本https://例え.jp/パス です"), vec!["https://例え.jp/パス"]);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in [
            "",
            "https://",
            "http://.",
            ".com",
            "a..com",
            "https://-.x",
            "\u{200D}",
            "🇫",
            "#️",
            "x.co\u{301}",
        ] {
            let _ = len(s);
            let _ = replace_urls(s, "_");
        }
    }

    #[test]
    fn urls_are_replaced_by_a_placeholder() {
        assert_eq!(replace_urls("a https://t.co/x b example.com", "<u>"), "a <u> b <u>");
    }
}
