//! The repository as data for cargo relflow.
//!
//! This crate finds every package of a polyglot repository ([`discover`]): Cargo crates,
//! npm packages, Python projects and generic packages declared in relflow.toml, with their
//! internal dependencies ([`model`]). It reads the repository configuration ([`config`]).
//! It knows nothing of changesets or release plans: those live in `cargo-relflow-changeset`.

pub mod config;
pub mod diag;
pub mod discover;
pub mod dynamic_version;
pub mod edit;
pub mod inside;
pub mod model;
pub mod names;
pub mod pep440;
pub mod repo_set;
pub mod txn;
pub mod valid;
pub mod version_file;

pub use diag::InputError;
pub use model::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};
