//! [`ConfigError`]: which variable, its value (never a secret's), what is wrong, what it takes.

use super::vars::Var;

/// A variable whose value cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{variable}{shown} is not valid: {problem}; expected {expected}")]
pub struct ConfigError {
    pub variable: &'static str,
    /// `="value"`, or empty for secrets and missing values.
    shown: String,
    pub problem: String,
    pub expected: &'static str,
}

impl ConfigError {
    /// `var`'s `value` (shown unless the table says it is secret) is wrong: `problem`, starting
    /// "it ..."; expected is `var`'s form.
    pub(super) fn new(var: &Var, value: Option<&str>, problem: impl Into<String>) -> Self {
        ConfigError::expecting(var, value, problem, var.form)
    }

    /// As [`ConfigError::new`], expecting something narrower than the variable's form.
    pub(super) fn expecting(
        var: &Var,
        value: Option<&str>,
        problem: impl Into<String>,
        expected: &'static str,
    ) -> Self {
        ConfigError {
            variable: var.name,
            shown: value
                .filter(|_| !var.secret)
                .map(|v| format!("={v:?}"))
                .unwrap_or_default(),
            problem: problem.into(),
            expected,
        }
    }
}
