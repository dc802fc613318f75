//! Editable documents: each takes a file's text and gives back the edited text, changing only the
//! values it must (comments, key order, indentation, quotes and line endings kept).
//!
//! Nothing here touches the disk: `version` and `sync` read each file once, apply every change
//! that concerns it, and stage the result in a [`crate::txn::Transaction`].

pub mod cargo;
pub mod cargo_lock;
pub mod files;
pub mod linked;
pub mod npm;
pub mod npm_lock;
pub mod python;
pub mod uv_lock;
pub mod version_map;

use crate::model::DepKind;

/// What a `version` or `sync` run changes in one package's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManifestChange {
    /// The package's new version (written in the ecosystem's form: PEP 440 for Python), or `None`
    /// when only requirements change.
    pub version: Option<semver::Version>,
    /// Requirements on other packages of the workspace to rewrite.
    pub requirements: Vec<RequirementChange>,
}

/// A requirement on an internal dependency, rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementChange {
    /// The depended-on package's name (its real name, also when the dependency is renamed).
    pub dependency: String,
    /// The kind of the dependency: which table or field it is written in.
    pub kind: DepKind,
    /// The Cargo target (`cfg(unix)`) of the table it is written in, if any.
    pub target: Option<String>,
    /// The Cargo key when the dependency is renamed (`alias = { package = "name" }`).
    pub rename: Option<String>,
    /// The new requirement, written as it goes into the manifest.
    pub requirement: String,
}
