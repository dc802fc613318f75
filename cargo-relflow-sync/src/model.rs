//! The workspace model: packages of every ecosystem and their internal dependencies.

use std::fmt;

use camino::Utf8PathBuf;

/// The package manager a package belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// A Cargo crate (a `Cargo.toml` with `[package]`).
    Cargo,
    /// An npm package (a `package.json` listed by the root workspaces or pnpm-workspace.yaml).
    Npm,
    /// A Python project (a `pyproject.toml` with `[project]` or `[tool.poetry]`).
    Python,
    /// A versioned thing declared in relflow.toml (a Go service, a Docker image, ...).
    Generic,
}

impl Ecosystem {
    /// Every ecosystem, in the order relflow lists them.
    pub const ALL: [Ecosystem; 4] = [
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::Python,
        Ecosystem::Generic,
    ];

    /// The prefix used in qualified names (`cargo:NAME`).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Python => "python",
            Ecosystem::Generic => "generic",
        }
    }

    /// Parses a qualified-name prefix.
    pub fn from_prefix(prefix: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.as_str() == prefix)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a package depends on another package of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    /// A normal (runtime) dependency: Cargo `dependencies`, npm `dependencies`, Python `dependencies`.
    Normal,
    /// A development-only dependency.
    Dev,
    /// A Cargo build dependency.
    Build,
    /// An npm peer dependency.
    Peer,
    /// An npm optional dependency, or a Python optional (extra) dependency.
    Optional,
}

impl DepKind {
    /// The name used in output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Normal => "normal",
            DepKind::Dev => "dev",
            DepKind::Build => "build",
            DepKind::Peer => "peer",
            DepKind::Optional => "optional",
        }
    }
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a package's version is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// In the package's own manifest.
    Manifest,
    /// Inherited from `[workspace.package] version` of the root Cargo.toml.
    CargoWorkspace,
    /// A Python project with `dynamic = ["version"]` built by maturin: the version is the one of
    /// the Cargo.toml next to it (or named by `[tool.maturin] manifest-path`).
    Maturin {
        /// The Cargo.toml the version comes from, relative to the repository root.
        cargo_manifest: Utf8PathBuf,
    },
    /// A generic package's version file.
    File,
    /// A Python project with `dynamic = ["version"]` whose backend reads the version from a
    /// file relflow edits ([`crate::dynamic_version`]).
    PythonFile {
        /// The file, relative to the repository root.
        file: Utf8PathBuf,
        /// The variable assigned there (`""`: hatch's default names), or `None` when the whole
        /// file is the version.
        assignment: Option<String>,
    },
    /// A Python project whose version is derived from git tags by the named plugin: the release
    /// tag is the version, so relflow writes none (only the changelog), and `publish` tags.
    /// Discovery gives the newest release heading of its CHANGELOG.md as its version; the CLI's
    /// `vcs_version` weighs it against the release tags HEAD reaches.
    Vcs(String),
    /// A Python project with a dynamic version relflow cannot write, and why.
    Unwritable(String),
    /// The package has no version (npm packages may omit it); it is never released.
    None,
}

/// A dependency of a package on another package of the same workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The name of the depended-on package, in the same ecosystem as the dependent.
    pub name: String,
    /// How it is depended on.
    pub kind: DepKind,
    /// The requirement as written (`^1.2`, `workspace:*`, `>=1.0,<2`); empty when none is written
    /// (a Cargo path-only dependency).
    pub requirement: String,
    /// The Cargo target (`cfg(unix)`) the dependency is limited to, if any.
    pub target: Option<String>,
    /// The Cargo key when the dependency is renamed (`alias = { package = "name" }`).
    pub rename: Option<String>,
}

/// Whether and where a package is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publish {
    /// Published to its ecosystem's default registry.
    Default,
    /// Published only to the named Cargo registries (`publish = ["name"]`).
    Registries(Vec<String>),
    /// Never published (Cargo `publish = false`, npm `private`, Python private, generic, config).
    No,
}

impl Publish {
    /// Whether the package goes to any registry.
    pub fn is_published(&self) -> bool {
        !matches!(self, Publish::No)
    }
}

/// One package of the repository: one manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The package manager it belongs to.
    pub ecosystem: Ecosystem,
    /// Its name, unique within its ecosystem.
    pub name: String,
    /// Its current version as semver (PEP 440 versions are converted), if it has one.
    pub version: Option<semver::Version>,
    /// The version exactly as written in the manifest (PEP 440 text for Python).
    pub version_text: Option<String>,
    /// Where the version is written.
    pub version_source: VersionSource,
    /// The package directory, relative to the repository root (`""` for the root itself).
    pub dir: Utf8PathBuf,
    /// The manifest, relative to the repository root.
    pub manifest: Utf8PathBuf,
    /// Whether and where it is published.
    pub publish: Publish,
    /// Its dependencies on other packages of the workspace, in manifest order.
    pub deps: Vec<Dependency>,
}

impl Package {
    /// The qualified name, `ecosystem:name`.
    pub fn qualified_name(&self) -> String {
        format!("{}:{}", self.ecosystem, self.name)
    }
}
