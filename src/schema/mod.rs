//! The Airtable base as data: the schema file's model, and (in `plan`) what `schema apply` and
//! `schema check` do with it.

pub mod model;

pub use model::{
    FieldKind, FieldSpec, Schema, SchemaFileError, SortDirection, SortSpec, TableSpec, ViewSpec,
};
