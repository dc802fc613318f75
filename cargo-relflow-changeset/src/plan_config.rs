//! The settings the release plan depends on, merged from `.changeset/config.json` and relflow.toml.

use cargo_relflow_sync::Ecosystem;

/// Which releases of a dependency rewrite the requirement of a dependent that still matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpdateInternalDependencies {
    /// Patch, minor and major releases rewrite it (Changesets' default).
    #[default]
    Patch,
    /// Only minor and major releases rewrite it.
    Minor,
}

/// When a dependent is released because a dependency it names is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpdateInternalDependents {
    /// Only when the dependency's new version leaves the dependent's range (Changesets' default).
    #[default]
    OutOfRange,
    /// Whenever its requirement is rewritten.
    Always,
}

/// Whether unpublished packages (npm `private`, Cargo `publish = false`, ...) are versioned and
/// tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivatePackages {
    /// They get new versions.
    pub version: bool,
    /// They get tags.
    pub tag: bool,
}

/// How snapshot versions are made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotConfig {
    /// Use the calculated version (`1.1.0-tag-...`) instead of `0.0.0-...`.
    pub use_calculated_version: bool,
    /// The pre-release part, with `{tag}`, `{commit}`, `{timestamp}` and `{datetime}`.
    pub prerelease_template: Option<String>,
}

/// The configuration the release plan uses. Group and ignore entries are written as users write
/// them (names, globs, `!` exclusions) and resolved against the packages by the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanConfig {
    /// Groups of packages that always share one version.
    pub fixed: Vec<Vec<String>>,
    /// Groups of packages whose released members share the highest version.
    pub linked: Vec<Vec<String>>,
    /// Packages never released (globs allowed).
    pub ignore: Vec<String>,
    /// See [`UpdateInternalDependencies`].
    pub update_internal_dependencies: UpdateInternalDependencies,
    /// See [`PrivatePackages`]: the rule of npm and generic packages (`.changeset/config.json`'s
    /// `privatePackages`, an npm setting).
    pub private_packages: PrivatePackages,
    /// The rule of Cargo crates and Python projects (relflow.toml's `private_packages`; by
    /// default versioned, not tagged: unpublished internal crates are normal in Cargo).
    pub private_crates: PrivatePackages,
    /// Only `workspace:` ranges count as internal dependencies (npm).
    pub bump_versions_with_workspace_protocol_only: bool,
    /// Peer dependents are released only when the new version leaves their range.
    pub only_update_peer_dependents_when_out_of_range: bool,
    /// See [`UpdateInternalDependents`].
    pub update_internal_dependents: UpdateInternalDependents,
    /// See [`SnapshotConfig`].
    pub snapshot: SnapshotConfig,
}

impl PlanConfig {
    /// The private-package rule for a package of `ecosystem`: [`PlanConfig::private_crates`]
    /// for Cargo and Python, [`PlanConfig::private_packages`] otherwise.
    pub fn private_rule(&self, ecosystem: Ecosystem) -> PrivatePackages {
        match ecosystem {
            Ecosystem::Cargo | Ecosystem::Python => self.private_crates,
            _ => self.private_packages,
        }
    }
}

impl Default for PlanConfig {
    /// Changesets v3's defaults.
    fn default() -> Self {
        PlanConfig {
            fixed: Vec::new(),
            linked: Vec::new(),
            ignore: Vec::new(),
            update_internal_dependencies: UpdateInternalDependencies::Patch,
            private_packages: PrivatePackages {
                version: false,
                tag: false,
            },
            private_crates: PrivatePackages {
                version: true,
                tag: false,
            },
            bump_versions_with_workspace_protocol_only: false,
            only_update_peer_dependents_when_out_of_range: false,
            update_internal_dependents: UpdateInternalDependents::OutOfRange,
            snapshot: SnapshotConfig::default(),
        }
    }
}
