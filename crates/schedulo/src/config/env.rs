//! [`Env`]: the variables of the table ([`super::vars`]) as set, and the parsing every section
//! shares. Only the table's names are read; a secret goes straight into a `SecretString`.

use super::error::ConfigError;
use super::vars::{self, Fallback, Var};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::str::FromStr;
use url::Url;

/// The table's variables that are set, by name.
#[derive(Debug, Default)]
pub(super) struct Env {
    plain: HashMap<&'static str, String>,
    secret: HashMap<&'static str, SecretString>,
    /// How each was spelled (names match in any case), to report one set twice.
    spelled: HashMap<&'static str, String>,
}

impl Env {
    /// Reads the table's variables out of `vars`, returning with them a warning for each one that
    /// looks like ours but is not in the table.
    pub fn read(vars: impl IntoIterator<Item = (String, String)>) -> Result<(Env, Vec<String>), ConfigError> {
        let mut env = Env::default();
        let mut warnings = Vec::new();
        for (key, value) in vars {
            let Some(var) = vars::find(&key) else {
                warnings.extend(vars::unknown_warning(&key));
                continue;
            };
            if let Some(first) = env.spelled.insert(var.name, key.clone()) {
                return Err(ConfigError::new(
                    var,
                    None,
                    format!("it is set twice, as {first} and {key}"),
                ));
            }
            if var.secret {
                env.secret.insert(var.name, SecretString::from(value));
            } else {
                env.plain.insert(var.name, value);
            }
        }
        Ok((env, warnings))
    }

    /// `var`'s value as set, unless unset or blank.
    pub fn text(&self, var: &Var) -> Option<&str> {
        assert!(!var.secret, "{} is secret: read it with Env::secret", var.name);
        self.plain
            .get(var.name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// `var`'s value as set, or its default value (the table's) when unset or blank.
    pub fn text_or_default(&self, var: &Var) -> &str {
        self.text(var).unwrap_or_else(|| default_value(var))
    }

    /// A secret `var`, unless unset or blank.
    pub fn secret(&self, var: &Var) -> Option<&SecretString> {
        assert!(var.secret, "{} is not secret: read it with Env::text", var.name);
        self.secret
            .get(var.name)
            .filter(|s| !s.expose_secret().trim().is_empty())
    }

    /// `var` parsed (trimmed) as a `T` that `valid` accepts, or its default (the table's
    /// `Fallback::Value`, parsed the same way) when unset or blank.
    pub fn parse_or<T: FromStr>(&self, var: &Var, valid: impl Fn(&T) -> bool) -> Result<T, ConfigError> {
        let text = self.text_or_default(var);
        let parsed: T = text
            .trim()
            .parse()
            .map_err(|_| ConfigError::new(var, Some(text), "it does not parse"))?;
        if !valid(&parsed) {
            return Err(ConfigError::new(var, Some(text), "it is out of range"));
        }
        Ok(parsed)
    }

    /// A service's base URL (http(s), a host, no path), or its default.
    pub fn service_url(&self, var: &Var) -> Result<Url, ConfigError> {
        let text = self.text(var).map_or_else(|| default_value(var), str::trim);
        Url::parse(text)
            .ok()
            .filter(|u| is_http(u) && u.path() == "/" && u.query().is_none())
            .ok_or_else(|| ConfigError::new(var, Some(text), "it is not an http(s) URL without a path"))
    }
}

/// The default value of a variable the table gives one.
pub(super) fn default_value(var: &Var) -> &'static str {
    match var.default {
        Fallback::Value(v) => v,
        Fallback::Unset | Fallback::Derived(_) => panic!("{} has no default value in the table", var.name),
    }
}

/// An http or https URL with a host.
pub(super) fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.has_host()
}
