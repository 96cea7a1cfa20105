//! The Airtable base as data: the schema file's model ([`model`]), how a base differs from it
//! ([`diff`], behind `schedulo schema check`), and what creates the missing parts ([`apply`],
//! behind `schedulo schema apply`).

pub mod apply;
pub mod diff;
pub mod model;

pub use apply::{plan, Action, MissingChoices, Plan};
pub use diff::{compare, Comparison, Difference, MissingView};
pub use model::{FieldKind, FieldSpec, Schema, SchemaFileError, SortDirection, SortSpec, TableSpec, ViewSpec};
