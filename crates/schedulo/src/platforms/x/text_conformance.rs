//! The worker's counter ([`super::text`], through [`XRules::text_length`]) against twitter-text's
//! conformance cases (`fixtures/x/twitter_text_conformance.json`, from github.com/twitter/twitter-text
//! `conformance/validate.yml`; Apache License 2.0).
//!
//! The worker counts with twitter-text's configuration v3, the one X uses. Cases of the v3
//! sections (`WeightedTweetsWithDiscountedEmojiCounterTest`, `UnicodeDirectionalMarkerCounterTest`)
//! must all pass. The v2 section (`WeightedTweetsCounterTest`) runs too, except the cases whose
//! answer depends on v2's counting of emoji code point by code point, which the worker does not
//! implement ([`V2_EMOJI_CASES`]). `valid` is checked as "at most 280 and above 0", except where
//! twitter-text calls a text invalid for an invalid character (U+FFFE, U+FEFF, U+FFFF), which the
//! worker does not check: X refuses such a text itself ([`INVALID_CHARACTER_CASES`]).

use super::rules::XRules;
use serde::Deserialize;

/// v2 cases whose weighted length counts each code point of an emoji sequence.
const V2_EMOJI_CASES: &[&str] = &[
    "Count a mix of single byte single word, and double word unicode characters",
    "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers",
];

/// Cases invalid for their characters, not their length.
const INVALID_CHARACTER_CASES: &[&str] = &["Handle invalid characters"];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    config: String,
    description: String,
    text: String,
    weighted_length: usize,
    valid: bool,
}

#[test]
fn the_workers_counter_passes_twitter_texts_conformance_cases() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../../../../../fixtures/x/twitter_text_conformance.json")).unwrap();
    let cases: Vec<Case> = serde_json::from_value(fixture["cases"].clone()).unwrap();
    let rules = XRules::default();
    let mut failures = Vec::new();
    for case in &cases {
        if case.config == "v2" && V2_EMOJI_CASES.contains(&case.description.as_str()) {
            continue;
        }
        let length = rules.text_length(&case.text);
        let valid = length > 0 && length <= rules.max_weighted_chars;
        let check_valid = !INVALID_CHARACTER_CASES.contains(&case.description.as_str());
        if length != case.weighted_length || (check_valid && valid != case.valid) {
            failures.push(format!(
                "{} {}: {length} {valid}, wanted {} {}",
                case.config, case.description, case.weighted_length, case.valid
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
