//! Reads the workspace's Rust sources as text and reports what breaks its shape
//! (`ARCHITECTURE.md`): import loops between folders, files and functions too long to read in one
//! sitting, crates without a `# Layout` section, and stand-ins that name the worker.
//!
//! # Layout
//! - [`sources`]: the crates and their non-test source files, with each file's module path.
//! - [`imports`]: the modules a file names (`crate::a::b`, `super::c`, `use crate::{d, e}`).
//! - [`loops`]: edges between sibling folders and the cycles among them.
//! - [`sizes`]: lines per file and per function.

pub mod imports;
pub mod loops;
pub mod sizes;
pub mod sources;
