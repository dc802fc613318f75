//! Pre mode: `.changeset/pre.json`.

use std::collections::BTreeMap;

/// Whether the repository is in pre mode or leaving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreMode {
    /// `mode: "pre"`: releases are pre-releases tagged with [`PreState::tag`].
    Pre,
    /// `mode: "exit"`: the next `version` leaves pre mode with final versions.
    Exit,
}

/// The contents of `.changeset/pre.json`, v2 or v3 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreState {
    /// Pre or exit.
    pub mode: PreMode,
    /// The pre-release id (`next`, `beta`).
    pub tag: String,
    /// v2 only: each package's version when pre mode was entered.
    pub initial_versions: BTreeMap<String, String>,
    /// v2 only: ids of changesets already versioned in this pre mode. In v3 they live under
    /// `.changeset/pre/` and their ids start with `pre/`.
    pub changesets: Vec<String>,
}
