//! A changeset: release intent recorded in `.changeset/<id>.md`.

use crate::Bump;

/// One parsed changeset file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changeset {
    /// The file name without `.md` (`pre/<name>` for files under `.changeset/pre/`).
    pub id: String,
    /// The packages it releases, in front-matter order.
    pub releases: Vec<ChangesetRelease>,
    /// Everything after the front matter, trimmed; the first line is the changelog entry.
    pub summary: String,
}

/// One `name: bump` line of a changeset's front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesetRelease {
    /// The package name as written: plain (`core`) or qualified (`cargo:core`).
    pub name: String,
    /// The requested bump.
    pub bump: Bump,
    /// The 1-based line of the file this release is written on.
    pub line: usize,
}
