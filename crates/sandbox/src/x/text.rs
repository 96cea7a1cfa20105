//! The sandbox's own count of a post's text, as X counts it: twitter-text's `parseTweet`
//! (github.com/twitter/twitter-text, `js/src/parseTweet.js`, configuration `config/v3.json`;
//! docs.x.com `fundamentals/counting-characters`). Written for the sandbox from those documents,
//! not from the worker's counter, so that a mistake in one is caught by the other.
//!
//! # The count (configuration v3, [`V3`])
//! - The text is NFC-normalised first.
//! - Every URL ([`find_urls`]) weighs `transformedURLLength` (23).
//! - With `emojiParsingEnabled`, every emoji sequence weighs `defaultWeight` (200) once, whatever
//!   its code points (skin tones, ZWJ families, flags, keycaps, tag sequences).
//! - Any other code point weighs 100 in the ranges 0-4351, 8192-8205, 8208-8223, 8242-8247 and
//!   200 elsewhere; the sum divided by `scale` (100) is the weighted length.
//! - Valid: no invalid character (U+FFFE, U+FEFF, U+FFFF), a length above 0 and at most
//!   `maxWeightedTweetLength` (280).
//!
//! # URLs (`js/src/extractUrlsWithIndices.js`, `js/src/regexp/`)
//! An optional `http://` / `https://`, then a domain whose last label is a known TLD
//! (`tlds.txt`, from twitter-text's `conformance/tld_lib.yml`) or punycode (`xn--...`), an
//! optional `:port`, path and query. The character before it must not be a letter, a digit, `@`,
//! `$`, `#` (or their full-width forms); without a protocol not `-`, `_`, `.` or `/` either, and
//! the domain must be ASCII (or Latin accented letters). Every label, punycode-encoded, has 1 to 63
//! characters; otherwise the match is no URL and is counted character by character.
//!
//! # Simplifications
//! - Emoji are recognised by code point blocks (Unicode's pictographic blocks) and the sequence
//!   grammar of UTS #51, not by twemoji's generated regular expression.
//! - A domain without a protocol that mixes ASCII and other labels is not a URL here (twitter-text
//!   extracts its ASCII part).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// A twitter-text configuration (`config/v2.json`, `config/v3.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub max_weighted_length: usize,
    pub scale: u32,
    pub default_weight: u32,
    /// `(start, end, weight)`, both ends included.
    pub ranges: &'static [(u32, u32, u32)],
    pub transformed_url_length: u32,
    pub emoji_parsing: bool,
}

const RANGES: &[(u32, u32, u32)] = &[(0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100)];

/// `config/v3.json`: the configuration X counts with.
pub const V3: Config = Config {
    max_weighted_length: 280,
    scale: 100,
    default_weight: 200,
    ranges: RANGES,
    transformed_url_length: 23,
    emoji_parsing: true,
};

/// `config/v2.json`: as v3, without emoji parsing (conformance tests only).
pub const V2: Config = Config {
    emoji_parsing: false,
    ..V3
};

/// What `parseTweet` says of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub weighted_length: usize,
    pub valid: bool,
}

/// The weighted length of `text` under [`V3`].
pub fn weighted_length(text: &str) -> usize {
    parse(text, &V3).weighted_length
}

/// Counts `text` as twitter-text's `parseTweet` does.
pub fn parse(text: &str, config: &Config) -> Parsed {
    let text: String = text.nfc().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let urls = find_urls(&text);
    let mut urls = urls.iter().peekable();
    let (mut total, mut i, mut invalid) = (0u64, 0, false);
    while i < chars.len() {
        let (at, c) = chars[i];
        invalid |= is_invalid(c);
        if let Some(url) = urls.next_if(|u| u.start == at) {
            total += u64::from(config.transformed_url_length * config.scale);
            i = chars.partition_point(|(b, _)| *b < url.end);
            continue;
        }
        if let Some(len) = config.emoji_parsing.then(|| emoji_at(&chars[i..])).flatten() {
            total += u64::from(config.default_weight);
            i += len;
            continue;
        }
        let weight = config
            .ranges
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&(c as u32)))
            .map_or(config.default_weight, |r| r.2);
        total += u64::from(weight);
        i += 1;
    }
    let weighted_length = (total / u64::from(config.scale)) as usize;
    Parsed {
        weighted_length,
        valid: !invalid && weighted_length > 0 && weighted_length <= config.max_weighted_length,
    }
}

/// twitter-text's invalid characters (`regexp/invalidCharsGroup.js`).
fn is_invalid(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

/// Code points that start an emoji by themselves: Unicode's pictographic blocks.
fn is_pictographic(c: u32) -> bool {
    matches!(c,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0x2190..=0x21FF
        | 0x25A0..=0x25FF | 0x2934 | 0x2935 | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x203C | 0x2049
        | 0x2122 | 0x2139)
}

fn is_regional(c: u32) -> bool {
    (0x1F1E6..=0x1F1FF).contains(&c)
}

/// The number of chars of the emoji sequence at the start of `chars`, if one starts there.
fn emoji_at(chars: &[(usize, char)]) -> Option<usize> {
    let at = |i: usize| chars.get(i).map(|(_, c)| *c as u32);
    let first = at(0)?;
    if is_regional(first) && at(1).is_some_and(is_regional) {
        return Some(2);
    }
    if matches!(first, 0x23 | 0x2A | 0x30..=0x39) {
        let mark = if at(1) == Some(0xFE0F) { 2 } else { 1 };
        return (at(mark) == Some(0x20E3)).then_some(mark + 1);
    }
    if matches!(first, 0xA9 | 0xAE) {
        return (at(1) == Some(0xFE0F)).then_some(2);
    }
    if !is_pictographic(first) {
        return None;
    }
    let mut i = 1;
    loop {
        if matches!(at(i), Some(0xFE0E | 0xFE0F)) {
            i += 1;
        }
        if at(i).is_some_and(|c| (0x1F3FB..=0x1F3FF).contains(&c)) {
            i += 1;
        }
        while at(i).is_some_and(|c| (0xE0020..=0xE007F).contains(&c)) {
            i += 1;
        }
        if at(i) == Some(0x200D) && at(i + 1).is_some_and(is_pictographic) {
            i += 2;
            continue;
        }
        return Some(i);
    }
}

/// The TLDs twitter-text knows.
fn tlds() -> &'static HashSet<&'static str> {
    static TLDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    TLDS.get_or_init(|| {
        include_str!("tlds.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

fn is_tld(label: &str) -> bool {
    let lower = label.to_lowercase();
    if let Some(rest) = lower.strip_prefix("xn--") {
        return !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric());
    }
    tlds().contains(lower.as_str())
}

/// twitter-text's `punct`, spaces, invalid characters and directional marks: what a domain
/// label cannot hold.
fn is_domain_char(c: char) -> bool {
    !(c.is_ascii_punctuation()
        || c.is_whitespace()
        || is_invalid(c)
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2066}'..='\u{2069}'))
}

/// Latin accented letters and combining marks (`regexp/latinAccentChars.js`), Cyrillic.
fn is_accent(c: char) -> bool {
    matches!(c as u32, 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F | 0x253..=0x2BB | 0x300..=0x36F | 0x1E00..=0x1EFF)
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!*';:=+,.$/%#[]-_~@|&\u{2013}".contains(c)
        || is_accent(c)
        || ('\u{400}'..='\u{4FF}').contains(&c)
}

fn is_path_end(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+-=_#/".contains(c) || is_accent(c) || ('\u{400}'..='\u{4FF}').contains(&c)
}

fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'@();:&=+$/%#[]-_.,~|".contains(c)
}

fn is_query_end(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_&=#/".contains(c)
}

/// Byte ranges of the URLs in `text`, in order.
pub fn find_urls(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<char> = text.chars().collect();
    let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
    let mut urls = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match url_at(&chars, i) {
            Some(Found { end, valid: true }) => {
                urls.push(offsets[i]..offsets[end]);
                i = end;
            }
            // twitter-text's scan goes on after a match it refuses.
            Some(Found { end, valid: false }) => i = end.max(i + 1),
            None => i += 1,
        }
    }
    urls
}

struct Found {
    end: usize,
    valid: bool,
}

/// The URL the pattern matches at `i`, if it matches there.
fn url_at(chars: &[char], i: usize) -> Option<Found> {
    let before = i.checked_sub(1).map(|b| chars[b]);
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || "@＠$#＃".contains(c) || is_invalid(c)) {
        return None;
    }
    let lower = |from: usize, n: usize| -> String { chars[from..].iter().take(n).collect::<String>().to_lowercase() };
    let protocol = ["https://", "http://"].into_iter().find(|p| lower(i, p.len()) == *p);
    let start = i + protocol.map_or(0, str::len);
    let labels_end = domain_end(chars, start)?;
    let domain: String = chars[start..labels_end].iter().collect();
    let mut end = labels_end;
    if chars.get(end) == Some(&':') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        end += 1;
        while chars.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
    }
    if chars.get(end) == Some(&'/') {
        end = path_end(chars, end + 1);
    }
    if chars.get(end) == Some(&'?') {
        end = query_end(chars, end + 1).unwrap_or(end);
    }
    if protocol.is_none() {
        let ascii = domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || is_accent(c));
        if before.is_some_and(|c| "-_./".contains(c)) || !ascii {
            return Some(Found { end, valid: false });
        }
    }
    if protocol.is_some() && domain.eq_ignore_ascii_case("t.co") && chars.get(labels_end) == Some(&'/') {
        let slug = chars[labels_end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        return Some(Found {
            end: labels_end + 1 + slug,
            valid: slug <= 40,
        });
    }
    let punycoded: usize = domain.split('.').map(punycode_len).sum::<usize>() + domain.matches('.').count();
    let labels_ok = domain.split('.').all(|l| (1..=63).contains(&punycode_len(l)));
    let length = protocol.map_or("https://".len(), str::len) + (end - start) + punycoded - (labels_end - start);
    Some(Found {
        end,
        valid: labels_ok && length <= 4096,
    })
}

/// Where the domain starting at `start` ends: subdomains, a name and a TLD, as
/// `regexp/validDomain.js` matches them (the longest match).
fn domain_end(chars: &[char], start: usize) -> Option<usize> {
    let mut run = start;
    while chars
        .get(run)
        .is_some_and(|c| is_domain_char(*c) || matches!(c, '.' | '-' | '_'))
    {
        run += 1;
    }
    let text: String = chars[start..run].iter().collect();
    let labels: Vec<&str> = text.split('.').collect();
    let ok_label = |l: &str, underscore: bool| {
        let inner = |c: char| is_domain_char(c) || c == '-' || (underscore && c == '_');
        l.chars().next().is_some_and(is_domain_char)
            && l.chars().next_back().is_some_and(is_domain_char)
            && l.chars().all(inner)
    };
    for k in (2..=labels.len()).rev() {
        let (name, subs) = (labels[k - 2], &labels[..k - 2]);
        if !ok_label(name, false) || !subs.iter().all(|s| ok_label(s, true)) {
            continue;
        }
        let offset: usize = labels[..k - 1].iter().map(|l| l.chars().count() + 1).sum();
        let tld: Vec<char> = labels[k - 1].chars().collect();
        let after = |n: usize| tld.get(n).copied().or_else(|| chars.get(start + offset + n).copied());
        let fits = (1..=tld.len()).rev().find(|n| {
            let next_ok = after(*n).is_none_or(|c| !(c.is_ascii_alphanumeric() || "@+-".contains(c)));
            next_ok && is_tld(&tld[..*n].iter().collect::<String>())
        });
        if let Some(n) = fits {
            return Some(start + offset + n);
        }
    }
    None
}

/// The end of a path whose characters start at `from` (after its `/`): path characters and
/// balanced parentheses, ending on an ending character or a closing parenthesis.
fn path_end(chars: &[char], from: usize) -> usize {
    let (mut i, mut good) = (from, from);
    while let Some(&c) = chars.get(i) {
        if c == '(' {
            match parens_end(chars, i) {
                Some(end) => {
                    i = end;
                    good = end;
                    continue;
                }
                None => break,
            }
        }
        if !is_path_char(c) {
            break;
        }
        i += 1;
        if is_path_end(c) {
            good = i;
        }
    }
    good
}

/// The end of a balanced `( ... )` at `i`, one nested level allowed.
fn parens_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut depth = 1;
    let mut inner = 0;
    while let Some(&c) = chars.get(j) {
        j += 1;
        match c {
            '(' if depth == 1 => depth = 2,
            ')' if depth == 2 => depth = 1,
            ')' => return (inner > 0).then_some(j),
            c if is_path_char(c) => inner += 1,
            _ => return None,
        }
    }
    None
}

fn query_end(chars: &[char], from: usize) -> Option<usize> {
    let mut i = from;
    let mut good = None;
    while chars.get(i).is_some_and(|c| is_query_char(*c)) {
        if is_query_end(chars[i]) {
            good = Some(i + 1);
        }
        i += 1;
    }
    good
}

/// The length of `label` in ASCII: itself, or `xn--` and its punycode (RFC 3492).
fn punycode_len(label: &str) -> usize {
    if label.is_ascii() {
        return label.len();
    }
    let input: Vec<u32> = label.chars().map(|c| c as u32).collect();
    let basic = input.iter().filter(|c| **c < 0x80).count();
    let (base, tmin, tmax, skew, damp) = (36u32, 1u32, 26u32, 38u32, 700u32);
    let adapt = |mut delta: u32, points: u32, first: bool| {
        delta /= if first { damp } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((base - tmin) * tmax) / 2 {
            delta /= base - tmin;
            k += base;
        }
        k + (base - tmin + 1) * delta / (delta + skew)
    };
    let mut out = basic + usize::from(basic > 0);
    let (mut n, mut delta, mut bias, mut handled) = (0x80u32, 0u32, 72u32, basic as u32);
    while (handled as usize) < input.len() {
        let m = input.iter().copied().filter(|c| *c >= n).min().unwrap_or(n);
        delta = delta.saturating_add((m - n).saturating_mul(handled + 1));
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.saturating_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = base;
                loop {
                    let t = if k <= bias {
                        tmin
                    } else if k >= bias + tmax {
                        tmax
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out += 1;
                    q = (q - t) / (base - t);
                    k += base;
                }
                out += 1;
                bias = adapt(delta, handled + 1, handled == basic as u32);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    "xn--".len() + out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(s: &str) -> Vec<&str> {
        find_urls(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn punycode_lengths_are_rfc_3492s() {
        // RFC 3492 section 7.1 (B): "xn--ihqwcrb4cv8a8dqg056pqjye" is 27 + 4.
        assert_eq!(punycode_len("他们为什么不说中文"), "xn--ihqwcrb4cv8a8dqg056pqjye".len());
        assert_eq!(punycode_len("bücher"), "xn--bcher-kva".len());
        assert_eq!(punycode_len("example"), 7);
    }

    #[test]
    fn urls_are_found_with_paths_queries_and_without_trailing_punctuation() {
        assert_eq!(
            urls("Read https://ex.com/a_(b) now, (or https://ex.com/c). And www.site.org!"),
            ["https://ex.com/a_(b)", "https://ex.com/c", "www.site.org"]
        );
        assert_eq!(urls("x http://a.io:8080/p?q=1&r=2. y"), ["http://a.io:8080/p?q=1&r=2"]);
        assert_eq!(urls("mail me@example.com, $x.com #y.com"), Vec::<&str>::new());
        assert_eq!(urls("https://localhost/x e.g. the end"), Vec::<&str>::new());
        assert_eq!(urls("HTTPS://EXAMPLE.COM/X"), ["HTTPS://EXAMPLE.COM/X"]);
    }

    #[test]
    fn the_weights_are_config_v3s() {
        assert_eq!(weighted_length("Hello, world! 👋"), 16, "docs.x.com's example");
        assert_eq!(weighted_length("日本語"), 6);
        assert_eq!(weighted_length("cafe\u{301}"), 4);
        assert_eq!(weighted_length("👨‍👩‍👧‍👦🇫🇷1️⃣©"), 7);
        assert_eq!(weighted_length(&format!("{} https://t.co/abc", "a".repeat(256))), 280);
        assert!(!parse("", &V3).valid);
        for s in [
            "",
            "https://",
            "http://.",
            ".com",
            "a..com",
            "\u{200D}",
            "🇫",
            "#️",
            "(((",
            "x.co/(a(b(c)))",
        ] {
            let _ = parse(s, &V3);
        }
    }
}
