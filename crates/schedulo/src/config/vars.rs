//! The one table of variables: each one's name, the form of value it takes, its default and
//! whether it is secret. Parsing reads only the names here (see [`super::env::Env`]), an error's
//! "expected ..." is the variable's form, a secret's value is never shown, a variable that looks
//! like ours but is not here gets a warning naming the closest one, and `.env.example` is checked
//! against this table by `tests/env_example.rs`.

/// One variable the worker reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    /// The name, as `.env.example` spells it (matched case-insensitively, as always).
    pub name: &'static str,
    /// A secret: read into a `SecretString`, and its value never repeated in an error.
    pub secret: bool,
    /// What happens when it is unset or blank.
    pub default: Fallback,
    /// The values it takes, said as an error says "expected ...".
    pub form: &'static str,
}

/// What an unset (or blank) variable means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// This value, as if it had been set (`.env.example` sets it to this).
    Value(&'static str),
    /// Nothing: the feature it configures is off, or the sandbox is used (`.env.example` leaves it empty).
    Unset,
    /// A value worked out from other variables, described here as `.env.example` describes it.
    Derived(&'static str),
}

use Fallback::{Derived, Unset, Value};

const SECRET: bool = true;
const PLAIN: bool = false;

/// Declares one `const` per variable (named as the variable) and [`VARS`], listing them all.
macro_rules! table {
    ($($name:ident: $secret:expr, $default:expr, $form:expr;)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "`: `", $form, "`")]
            pub const $name: Var = Var {
                name: stringify!($name),
                secret: $secret,
                default: $default,
                form: $form,
            };
        )*
        /// Every variable (listed in `.env.example`'s order, though nothing depends on it).
        pub const VARS: &[Var] = &[$($name),*];
    };
}

table! {
    // Airtable.
    AIRTABLE_TOKEN: SECRET, Unset, "a personal access token, like patXXXX.XXXX";
    AIRTABLE_BASE_ID: PLAIN, Unset, "\"app\" and 14 letters or digits, like appAbC123dEf456gH";
    AIRTABLE_API_URL: PLAIN, Value("https://api.airtable.com"),
        "a URL like https://api.airtable.com or http://127.0.0.1:8790";
    AIRTABLE_PLAN: PLAIN, Value("team"), "one of free, team, business, enterprise";
    AIRTABLE_READ_SHARE: PLAIN, Value("50"),
        "a whole percent from 1 to 100 of the plan's monthly calls to spend re-reading the schedule, like 50";
    AIRTABLE_BASE_RPS: PLAIN, Value("4.9"), "a number of requests per second above 0 and at most 5, like 4.9";
    AIRTABLE_TOKEN_RPS: PLAIN, Value("49"), "a number of requests per second above 0 and at most 50, like 49";
    AIRTABLE_LOCKOUT_SECS: PLAIN, Value("30"), "whole seconds from 30 (Airtable's lock-out) to 3600";
    AIRTABLE_RETRY_ATTEMPTS: PLAIN, Value("4"), "a whole number of attempts from 1 to 10";
    AIRTABLE_RETRY_MIN_DELAY_MS: PLAIN, Value("500"), "milliseconds from 1 to 60000";
    AIRTABLE_RETRY_MAX_DELAY_MS: PLAIN, Value("20000"), "milliseconds from 1 to 600000";
    AIRTABLE_TIMEOUT_SECS: PLAIN, Value("30"), "whole seconds from 1 to 300";
    AIRTABLE_WEBHOOK_MAC_SECRET: SECRET, Unset, "the webhook's macSecretBase64, as Airtable returned it";
    // Platforms.
    X_API_URL: PLAIN, Value("https://api.x.com"), "a URL like https://api.x.com";
    FACEBOOK_GRAPH_URL: PLAIN, Value("https://graph.facebook.com"), "a URL like https://graph.facebook.com";
    TIKTOK_API_URL: PLAIN, Value("https://open.tiktokapis.com"), "a URL like https://open.tiktokapis.com";
    // The worker.
    SCHEDULO_VAULT_KEYS: SECRET, Unset, "id=base64key pairs of 32-byte keys, separated by commas";
    SCHEDULO_LISTEN: PLAIN, Value("127.0.0.1:8787"), "an address and port like 127.0.0.1:8787 or 0.0.0.0:8787";
    SCHEDULO_WEBHOOK_TOKEN: SECRET, Unset, "the bearer token Bubble's webhooks send, any text";
    SCHEDULO_SCENARIO_DIR: PLAIN, Value("scenarios"), "a directory's path";
    SCHEDULO_JOURNAL: PLAIN, Derived("SCHEDULO_DATA_DIR/journal.sqlite"), "an SQLite file's path";
    SCHEDULO_DATA_DIR: PLAIN, Value(".schedulo"), "a directory's path";
    SCHEDULO_SCHEMA_FILE: PLAIN, Unset, "a schema file's path";
    SCHEDULO_SANDBOX_LISTEN: PLAIN, Value("127.0.0.1:0"),
        "a loopback address and port like 127.0.0.1:8790 (port 0: any free port)";
    SCHEDULO_SANDBOX_LATENCY: PLAIN, Value("realistic"),
        "off, realistic (each vendor's typical response time), or one time for every request like 250ms";
    SCHEDULO_LOG: PLAIN, Value("info"), "a log filter in tracing's EnvFilter syntax, like info or schedulo=debug";
    // Cloudinary.
    CLOUDINARY_URL: SECRET, Unset,
        "cloudinary://<api_key>:<api_secret>@<cloud_name>, as the Cloudinary console shows it";
    CLOUDINARY_API_URL: PLAIN, Value("https://api.cloudinary.com"), "a URL like https://api.cloudinary.com";
    CLOUDINARY_DELIVERY_URL: PLAIN, Value("https://res.cloudinary.com"), "a URL like https://res.cloudinary.com";
    CLOUDINARY_SIGNATURE_ALGORITHM: PLAIN, Value("sha1"),
        "sha1 (Cloudinary's default) or sha256, as set in the product environment";
    CLOUDINARY_PLAN: PLAIN, Value("free"), "free or paid";
    CLOUDINARY_TIMEOUT_SECS: PLAIN, Value("120"), "whole seconds from 1 to 3600";
    CLOUDINARY_MIN_UPLOAD_RATE: PLAIN, Value("262144"), "bytes per second, at least 1 (262144 is 256 KiB/s)";
    CLOUDINARY_CHUNK_BYTES: PLAIN, Value("20000000"),
        "bytes from 5242880 (5 MiB, Cloudinary's smallest chunk) to 100000000 (its largest request)";
    CLOUDINARY_CHUNK_THRESHOLD_BYTES: PLAIN, Value("100000000"),
        "bytes from 1 to 100000000 (Cloudinary takes at most 100 MB in one request)";
    SCHEDULO_MEDIA_HOSTS: PLAIN, Unset,
        "hosts media may also come from besides Cloudinary's delivery host, separated by commas, like media.example.com,cdn.example.org:8443";
    SCHEDULO_PUBLIC_URL: PLAIN, Unset,
        "the worker's address as Cloudinary and Bubble reach it, like https://worker.example.com";
}

/// The variable named `key` (in any case), if it is one of ours.
pub fn find(key: &str) -> Option<&'static Var> {
    VARS.iter().find(|v| v.name.eq_ignore_ascii_case(key))
}

/// Whether `key` starts like one of ours (`AIRTABLE_`, `SCHEDULO_`, `CLOUDINARY_`, `X_`,
/// `FACEBOOK_`, `TIKTOK_`: the prefixes of the table's names), known or not.
pub fn looks_ours(key: &str) -> bool {
    VARS.iter().any(|v| {
        let prefix = prefix(v.name);
        key.len() > prefix.len() && key.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    })
}

/// A name's first word and its underscore: `AIRTABLE_` of `AIRTABLE_TOKEN`.
fn prefix(name: &'static str) -> &'static str {
    name.find('_').map_or(name, |i| &name[..=i])
}

/// The warning for a variable that looks like ours but is not in the table (with the closest
/// known name, if one is close); `None` for ours and for others'.
pub fn unknown_warning(key: &str) -> Option<String> {
    if find(key).is_some() || !looks_ours(key) {
        return None;
    }
    let text = format!("{key} is not a variable schedulo reads; it is ignored");
    Some(match closest(key) {
        Some(name) => format!("{text} (did you mean {name}?)"),
        None => format!("{text} (.env.example lists them all)"),
    })
}

/// The known name nearest to `key`, if it is within a third of its length in edits.
pub fn closest(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_uppercase();
    VARS.iter()
        .map(|v| (edit_distance(&key, v.name), v.name))
        .filter(|(d, name)| *d <= name.len() / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}
