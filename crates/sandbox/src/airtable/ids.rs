//! Airtable-shaped identifiers: a three-letter prefix and 14 alphanumerics (`recA1b2C3d4E5f6G7`).

use rand::distr::Alphanumeric;
use rand::Rng;

/// Length of the random part of every id.
const RANDOM_LEN: usize = 14;

/// The kinds of ids the sandbox hands out, with Airtable's prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Base,
    Table,
    Field,
    View,
    Record,
    Choice,
    Iterator,
    Attachment,
    Webhook,
}

impl IdKind {
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Base => "app",
            IdKind::Table => "tbl",
            IdKind::Field => "fld",
            IdKind::View => "viw",
            IdKind::Record => "rec",
            IdKind::Choice => "sel",
            IdKind::Iterator => "itr",
            IdKind::Attachment => "att",
            IdKind::Webhook => "ach",
        }
    }
}

/// A fresh random id of this kind.
pub fn new_id(kind: IdKind) -> String {
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(RANDOM_LEN)
        .map(char::from)
        .collect();
    format!("{}{random}", kind.prefix())
}

/// Whether `s` has the shape of an id of this kind (prefix, then 14 ASCII alphanumerics).
pub fn looks_like(s: &str, kind: IdKind) -> bool {
    s.strip_prefix(kind.prefix())
        .is_some_and(|rest| rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_have_the_prefix_and_fourteen_alphanumerics() {
        let id = new_id(IdKind::Record);
        assert_eq!(id.len(), 17);
        assert!(looks_like(&id, IdKind::Record), "{id}");
        assert!(!looks_like(&id, IdKind::Table));
        assert!(!looks_like("rec123", IdKind::Record));
        assert!(!looks_like("rec12345678901234/", IdKind::Record));
    }
}
