//! relflow's own configuration: `relflow.toml`, or `[workspace.metadata.relflow]` in the root
//! Cargo.toml.
//!
//! Parsing is strict: an unknown key or a value of the wrong type is an [`InputError`] that names
//! the file, the key and the line. Names in the configuration are checked against the discovered
//! packages later, by [`RelflowConfig::check_names`], since discovery itself depends on the
//! configuration (`[python] paths`, generic packages).

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use toml::Spanned;

use crate::repo_set::{RepoConfig, SetVersioning};
use crate::{names, InputError, Package};

/// The name of the configuration file at the repository root.
pub const CONFIG_FILE: &str = "relflow.toml";

/// The whole configuration. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelflowConfig {
    /// The branch `check` and `changeset add` compare against (default `main`).
    pub base_branch: Option<String>,
    /// Groups of packages that always share one version.
    #[serde(default)]
    pub fixed: Vec<Vec<Spanned<String>>>,
    /// Groups of packages whose released members share the highest version.
    #[serde(default)]
    pub linked: Vec<Vec<Spanned<String>>>,
    /// Packages that are never released (names or globs).
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// `patch` or `minor`: which releases rewrite requirements that still match.
    pub update_internal_dependencies: Option<UpdateInternalDependencies>,
    /// The tag name template, with `{name}` and `{version}`.
    pub tag_format: Option<Spanned<String>>,
    /// Whether unpublished Cargo crates and Python projects are versioned and tagged (npm and
    /// generic packages too where there is no `.changeset/config.json`).
    pub private_packages: Option<PrivatePackagesConfig>,
    /// Python settings.
    #[serde(default)]
    pub python: PythonConfig,
    /// Changelog settings.
    #[serde(default)]
    pub changelog: ChangelogConfig,
    /// Per-package settings, and generic packages.
    #[serde(default, rename = "package")]
    pub packages: Vec<PackageConfig>,
    /// Other files that carry a package's version.
    #[serde(default)]
    pub sync: Vec<SyncConfig>,
    /// A release set's versioning (`"shared"` or `"independent"`), see [`crate::repo_set`].
    pub version: Option<SetVersioning>,
    /// The repositories of a release set, see [`crate::repo_set`].
    #[serde(default, rename = "repo")]
    pub repos: Vec<RepoConfig>,
    /// The forge (GitHub, Gitea/Forgejo, GitLab) releases and release pull requests go to.
    pub forge: Option<Spanned<ForgeConfig>>,
    /// `release-pr` settings.
    #[serde(default)]
    pub release_pr: ReleasePrConfig,
}

/// `[forge]`: which forge, where its API is, and which repository on it. Each key is optional:
/// what is not given is read from the `origin` remote's URL.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgeConfig {
    /// `github`, `gitea` (Forgejo too) or `gitlab`.
    pub kind: Option<Spanned<String>>,
    /// The API's base URL (`https://ghe.example/api/v3`, `https://codeberg.org/api/v1`,
    /// `https://gitlab.example/api/v4`).
    pub api_url: Option<Spanned<String>>,
    /// The repository on the forge, `owner/name` (GitLab: `group/subgroup/name`).
    pub repository: Option<Spanned<String>>,
}

/// `[release_pr]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleasePrConfig {
    /// The commit message (and pull request title); default `chore: release versions`.
    pub commit_message: Option<String>,
}

/// `update_internal_dependencies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdateInternalDependencies {
    /// Every release of a dependency rewrites the requirement.
    Patch,
    /// Only minor and major releases rewrite a requirement that still matches.
    Minor,
}

/// `private_packages = { version = true, tag = true }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivatePackagesConfig {
    /// Unpublished packages get new versions.
    pub version: bool,
    /// Unpublished packages get tags.
    pub tag: bool,
}

/// `[python]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonConfig {
    /// Directories or globs of directories that hold a pyproject.toml.
    pub paths: Option<Vec<Spanned<String>>>,
    /// Where `publish` uploads.
    pub repository_url: Option<String>,
    /// The PEP 503 simple index `publish` reads.
    pub index_url: Option<String>,
    /// The build command as an argument list.
    pub build: Option<Vec<String>>,
}

/// `[changelog]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogConfig {
    /// A git-cliff configuration file, relative to the repository root.
    pub cliff: Option<Spanned<String>>,
    /// Add conventional commits that touched a package to its changelog.
    #[serde(default)]
    pub conventional_commits: bool,
    /// git-cliff's `header` template.
    pub header: Option<String>,
    /// git-cliff's `body` template.
    pub body: Option<String>,
    /// git-cliff's `footer` template.
    pub footer: Option<String>,
    /// git-cliff's `trim`.
    pub trim: Option<bool>,
}

/// One `[[package]]` entry: settings for a discovered package, or, with `path` and
/// `version_file`, a generic package.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageConfig {
    /// The package's name (plain or qualified).
    pub name: Spanned<String>,
    /// Packages that must be published before this one, in any ecosystem.
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    /// Where its changelog is written, relative to the repository root.
    pub changelog: Option<Spanned<String>>,
    /// `false` to never publish it.
    pub publish: Option<bool>,
    /// A generic package's directory.
    pub path: Option<Spanned<String>>,
    /// A generic package's version file, relative to its directory.
    pub version_file: Option<Spanned<String>>,
    /// A JSON pointer to the version in `version_file`.
    pub json: Option<String>,
    /// A dotted TOML path to the version in `version_file`.
    pub toml: Option<String>,
    /// A regex with a named group `version` that finds it in `version_file`.
    pub regex: Option<String>,
    /// Files attached to the package's forge release: paths or globs relative to the repository
    /// root (`api/openapi.json`, `dist/*.tar.gz`).
    #[serde(default)]
    pub assets: Vec<Spanned<String>>,
}

/// `[[sync]]`: another file that carries a package's version.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// The package whose version is written.
    pub package: Spanned<String>,
    /// The file, relative to the repository root.
    pub file: Spanned<String>,
    /// A JSON pointer to the version in the file (`/version`).
    pub json: Option<String>,
    /// A dotted TOML path to the version in the file (`package.metadata.version`).
    pub toml: Option<String>,
    /// A regex with a named group `version`; with `insert`, a regex whose match holds the
    /// entries.
    pub regex: Option<String>,
    /// A version map: the entry to add for each new version (`'"{version}": "v{version}",'`),
    /// at the object, table or array that `json` or `toml` names, or in the match of `regex`.
    pub insert: Option<Spanned<String>>,
}

/// Where a version is inside a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// A JSON pointer.
    Json(String),
    /// A dotted TOML path.
    Toml(String),
    /// A regex with a named group `version`.
    Regex(String),
}

impl PackageConfig {
    /// The one locator given, or `None` when there is none or more than one.
    pub fn locator(&self) -> Option<Locator> {
        locator(self.json.as_ref(), self.toml.as_ref(), self.regex.as_ref())
    }
}

impl SyncConfig {
    /// The one locator given, or `None` when there is none or more than one.
    pub fn locator(&self) -> Option<Locator> {
        locator(self.json.as_ref(), self.toml.as_ref(), self.regex.as_ref())
    }
}

fn locator(
    json: Option<&String>,
    toml: Option<&String>,
    regex: Option<&String>,
) -> Option<Locator> {
    match (json, toml, regex) {
        (Some(pointer), None, None) => Some(Locator::Json(pointer.clone())),
        (None, Some(path), None) => Some(Locator::Toml(path.clone())),
        (None, None, Some(regex)) => Some(Locator::Regex(regex.clone())),
        _ => None,
    }
}

/// Where the configuration came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSource {
    /// The file, relative to the repository root.
    pub path: Utf8PathBuf,
    /// Its text, to turn spans into lines.
    pub text: String,
}

/// The configuration and where it came from (`None` when there is no configuration).
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    /// The parsed configuration (all defaults when there is none).
    pub config: RelflowConfig,
    /// The file it came from.
    pub source: Option<ConfigSource>,
}

/// Parses `relflow.toml` text.
pub fn parse_relflow_toml(text: &str, path: &Utf8Path) -> Result<RelflowConfig, InputError> {
    let config: RelflowConfig = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
    config.validate(text, path)?;
    Ok(config)
}

/// Parses `[workspace.metadata.relflow]` out of a root Cargo.toml's text, if present.
pub fn parse_cargo_metadata_table(
    text: &str,
    path: &Utf8Path,
) -> Result<Option<RelflowConfig>, InputError> {
    #[derive(Deserialize)]
    struct Root {
        workspace: Option<Workspace>,
    }
    #[derive(Deserialize)]
    struct Workspace {
        metadata: Option<Metadata>,
    }
    #[derive(Deserialize)]
    struct Metadata {
        relflow: Option<RelflowConfig>,
    }
    let root: Root = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
    let config = root
        .workspace
        .and_then(|w| w.metadata)
        .and_then(|m| m.relflow);
    if let Some(config) = &config {
        config.validate(text, path)?;
    }
    Ok(config)
}

/// Reads the configuration of the repository at `root`: `relflow.toml` or the root Cargo.toml's
/// `[workspace.metadata.relflow]`; both at once is an error.
pub fn load(root: &Utf8Path) -> Result<LoadedConfig, InputError> {
    let toml_path = Utf8PathBuf::from(CONFIG_FILE);
    let from_file = match read_optional(&root.join(CONFIG_FILE))? {
        Some(text) => {
            let config = parse_relflow_toml(&text, &toml_path)?;
            config.check_paths(Some(root), &text, &toml_path)?;
            Some((config, text))
        }
        None => None,
    };
    let cargo_path = Utf8PathBuf::from("Cargo.toml");
    let from_cargo = match read_optional(&root.join("Cargo.toml"))? {
        Some(text) if text.contains("relflow") => {
            match parse_cargo_metadata_table(&text, &cargo_path)? {
                Some(config) => {
                    config.check_paths(Some(root), &text, &cargo_path)?;
                    Some((config, text))
                }
                None => None,
            }
        }
        _ => None,
    };
    match (from_file, from_cargo) {
        (Some(_), Some(_)) => Err(InputError::in_file(
            &cargo_path,
            "relflow is configured twice: in `relflow.toml` and in `[workspace.metadata.relflow]`",
        )
        .with_hint("keep one of them")),
        (Some((config, text)), None) => Ok(LoadedConfig {
            config,
            source: Some(ConfigSource {
                path: toml_path,
                text,
            }),
        }),
        (None, Some((config, text))) => Ok(LoadedConfig {
            config,
            source: Some(ConfigSource {
                path: cargo_path,
                text,
            }),
        }),
        (None, None) => Ok(LoadedConfig::default()),
    }
}

/// Reads a file that may be absent.
pub fn read_optional(path: &Utf8Path) -> Result<Option<String>, InputError> {
    match crate::diag::read_text_file(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::diag::read_error(path, &e)),
    }
}

impl RelflowConfig {
    /// Checks what types alone cannot: one locator per `[[sync]]`, generic packages complete, the
    /// `[[repo]]` entries of a release set.
    fn validate(&self, text: &str, path: &Utf8Path) -> Result<(), InputError> {
        crate::repo_set::validate(&self.repos, text, path)?;
        self.check_paths(None, text, path)?;
        if let Some(format) = &self.tag_format {
            let sample = format
                .get_ref()
                .replace("{name}", "pkg")
                .replace("{version}", "1.0.0");
            crate::valid::tag_name(&sample).map_err(|e| {
                InputError::in_file(path, format!("`tag_format`: {e}"))
                    .at_offset(text, format.span().start)
                    .with_hint("write a tag name with `{name}` and `{version}`, as \"{name}@{version}\" or \"v{version}\"")
            })?;
        }
        if let Some(forge) = &self.forge {
            forge.get_ref().validate(text, path)?;
        }
        for package in &self.packages {
            for asset in &package.assets {
                if let Err(e) = glob::Pattern::new(asset.get_ref()) {
                    return Err(InputError::in_file(
                        path,
                        format!("`assets`: invalid glob `{}`: {e}", asset.get_ref()),
                    )
                    .at_offset(text, asset.span().start));
                }
            }
        }
        for sync in &self.sync {
            if sync.locator().is_none() {
                return Err(InputError::in_file(
                    path,
                    format!(
                        "`[[sync]]` for `{}` needs exactly one of `json`, `toml` or `regex`",
                        sync.package.get_ref()
                    ),
                )
                .at_offset(text, sync.package.span().start));
            }
            if let Some(insert) = &sync.insert {
                if !insert
                    .get_ref()
                    .contains(crate::edit::version_map::PLACEHOLDER)
                {
                    return Err(InputError::in_file(
                        path,
                        format!("`insert` = {:?} has no `{{version}}`", insert.get_ref()),
                    )
                    .at_offset(text, insert.span().start)
                    .with_hint("write the entry with `{version}` where the version goes, as in '\"{version}\": \"v{version}\",'"));
                }
                if let Some(Locator::Regex(pattern)) = sync.locator() {
                    regex::Regex::new(&pattern).map_err(|e| {
                        InputError::in_file(path, format!("invalid regex `{pattern}`: {e}"))
                            .at_offset(text, sync.package.span().start)
                    })?;
                }
            } else if let Some(Locator::Regex(pattern)) = sync.locator() {
                check_regex(&pattern, text, path, sync.package.span().start)?;
            }
        }
        for package in &self.packages {
            let at = package.name.span().start;
            let generic = package.path.is_some() || package.version_file.is_some();
            if !generic {
                continue;
            }
            if package.path.is_none() || package.version_file.is_none() {
                return Err(InputError::in_file(
                    path,
                    format!(
                        "generic package `{}` needs both `path` and `version_file`",
                        package.name.get_ref()
                    ),
                )
                .at_offset(text, at));
            }
            match package.locator() {
                Some(Locator::Regex(pattern)) => check_regex(&pattern, text, path, at)?,
                Some(_) => {}
                None => {
                    return Err(InputError::in_file(
                        path,
                        format!(
                            "generic package `{}` needs exactly one of `json`, `toml` or `regex`",
                            package.name.get_ref()
                        ),
                    )
                    .at_offset(text, at))
                }
            }
        }
        Ok(())
    }

    /// Checks that every path the configuration names stays inside the repository: on its face
    /// (no absolute path, no `..` above the root) and, with the repository `root`, after
    /// following symlinks on disk. Globs are checked up to their first wildcard.
    pub fn check_paths(
        &self,
        root: Option<&Utf8Path>,
        text: &str,
        path: &Utf8Path,
    ) -> Result<(), InputError> {
        let check = |key: &str, value: &Spanned<String>, under: Option<&str>| {
            let written = value.get_ref();
            let literal = crate::inside::literal_prefix(written);
            let full = match under {
                Some(dir) => Utf8Path::new(dir).join(literal),
                None => Utf8PathBuf::from(literal),
            };
            let result = match root {
                Some(root) => crate::inside::resolve(root, &full).map(drop),
                None => crate::inside::lexical(&full).map(drop),
            };
            result.map_err(|outside| {
                InputError::in_file(path, format!("`{key}`: {}", outside.describe(written)))
                    .at_offset(text, value.span().start)
                    .with_hint(outside.hint())
            })
        };
        for sync in &self.sync {
            check("[[sync]] file", &sync.file, None)?;
        }
        for package in &self.packages {
            if let Some(changelog) = &package.changelog {
                check("[[package]] changelog", changelog, None)?;
            }
            if let Some(dir) = &package.path {
                check("[[package]] path", dir, None)?;
                if let Some(file) = &package.version_file {
                    check("[[package]] version_file", file, Some(dir.get_ref()))?;
                }
            }
            for asset in &package.assets {
                check("[[package]] assets", asset, None)?;
            }
        }
        if let Some(cliff) = &self.changelog.cliff {
            check("[changelog] cliff", cliff, None)?;
        }
        for entry in self.python.paths.iter().flatten() {
            check("[python] paths", entry, None)?;
        }
        Ok(())
    }

    /// Checks every package name the configuration mentions against the discovered packages.
    /// Group and ignore entries may be globs, which must match at least one package.
    pub fn check_names(
        &self,
        packages: &[Package],
        source: &ConfigSource,
    ) -> Result<(), InputError> {
        let exact = |name: &Spanned<String>, key: &str| -> Result<(), InputError> {
            names::resolve(packages, name.get_ref())
                .map(|_| ())
                .map_err(|e| {
                    let mut error =
                        InputError::in_file(&source.path, format!("`{key}`: {}", e.message))
                            .at_offset(&source.text, name.span().start);
                    error.hint = e.hint;
                    error
                })
        };
        let pattern = |name: &Spanned<String>, key: &str| -> Result<(), InputError> {
            let written = name.get_ref().trim_start_matches('!');
            if !is_glob(written) {
                return exact(name, key);
            }
            let matcher = glob_matcher(written).map_err(|message| {
                InputError::in_file(&source.path, format!("`{key}`: {message}"))
                    .at_offset(&source.text, name.span().start)
            })?;
            if packages.iter().any(|p| matcher.is_match(&p.name)) {
                Ok(())
            } else {
                Err(InputError::in_file(
                    &source.path,
                    format!("`{key}`: the pattern `{written}` matches no package"),
                )
                .at_offset(&source.text, name.span().start))
            }
        };
        for group in &self.fixed {
            group.iter().try_for_each(|n| pattern(n, "fixed"))?;
        }
        for group in &self.linked {
            group.iter().try_for_each(|n| pattern(n, "linked"))?;
        }
        self.ignore.iter().try_for_each(|n| pattern(n, "ignore"))?;
        for package in &self.packages {
            exact(&package.name, "package.name")?;
            package
                .depends_on
                .iter()
                .try_for_each(|n| exact(n, "package.depends_on"))?;
        }
        self.sync
            .iter()
            .try_for_each(|s| exact(&s.package, "sync.package"))?;
        self.check_depends_on_cycles(packages, source)
    }

    /// `depends_on` edges must not form a cycle: publishing could never start.
    fn check_depends_on_cycles(
        &self,
        packages: &[Package],
        source: &ConfigSource,
    ) -> Result<(), InputError> {
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
        let mut spans = vec![0; packages.len()];
        for entry in &self.packages {
            let from = names::resolve(packages, entry.name.get_ref())?;
            spans[from] = entry.name.span().start;
            for target in &entry.depends_on {
                edges[from].push(names::resolve(packages, target.get_ref())?);
            }
        }
        // Depth-first search with colours: 1 on the current path, 2 finished.
        let mut colour = vec![0u8; packages.len()];
        let mut path = Vec::new();
        fn visit(
            node: usize,
            edges: &[Vec<usize>],
            colour: &mut [u8],
            path: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            colour[node] = 1;
            path.push(node);
            for &next in &edges[node] {
                if colour[next] == 1 {
                    let start = path.iter().position(|&n| n == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next);
                    return Some(cycle);
                }
                if colour[next] == 0 {
                    if let Some(cycle) = visit(next, edges, colour, path) {
                        return Some(cycle);
                    }
                }
            }
            path.pop();
            colour[node] = 2;
            None
        }
        for start in 0..packages.len() {
            if colour[start] == 0 {
                if let Some(cycle) = visit(start, &edges, &mut colour, &mut path) {
                    let names: Vec<String> = cycle
                        .iter()
                        .map(|&i| packages[i].qualified_name())
                        .collect();
                    return Err(InputError::in_file(
                        &source.path,
                        format!("`depends_on` forms a cycle: {}", names.join(" -> ")),
                    )
                    .at_offset(&source.text, spans[cycle[0]])
                    .with_hint("remove one of these `depends_on` entries"));
                }
            }
        }
        Ok(())
    }

    /// The `[[package]]` entries that declare generic packages.
    pub fn generic_packages(&self) -> impl Iterator<Item = &PackageConfig> {
        self.packages
            .iter()
            .filter(|p| p.path.is_some() && p.version_file.is_some())
    }
}

impl ForgeConfig {
    /// The forge kinds `kind` accepts.
    pub const KINDS: [&'static str; 4] = ["github", "gitea", "forgejo", "gitlab"];

    /// `kind` is a known forge, `api_url` an http(s) URL, `repository` an `owner/name` path.
    fn validate(&self, text: &str, path: &Utf8Path) -> Result<(), InputError> {
        if let Some(kind) = &self.kind {
            if !Self::KINDS.contains(&kind.get_ref().as_str()) {
                return Err(InputError::in_file(
                    path,
                    format!("`forge.kind`: unknown forge `{}`", kind.get_ref()),
                )
                .at_offset(text, kind.span().start)
                .with_hint("write one of `github`, `gitea`, `forgejo`, `gitlab`"));
            }
        }
        if let Some(url) = &self.api_url {
            let value = url.get_ref();
            let rest = value
                .strip_prefix("https://")
                .or_else(|| value.strip_prefix("http://"));
            let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
            if host.is_none_or(|h| h.is_empty() || h.contains(char::is_whitespace)) {
                return Err(InputError::in_file(
                    path,
                    format!("`forge.api_url`: `{value}` is not an http(s) URL"),
                )
                .at_offset(text, url.span().start)
                .with_hint("write the API's base URL, e.g. `https://ghe.example.com/api/v3`"));
            }
        }
        if let Some(repository) = &self.repository {
            let value = repository.get_ref();
            let parts: Vec<&str> = value.split('/').collect();
            if parts.len() < 2
                || parts
                    .iter()
                    .any(|p| p.is_empty() || p.contains(char::is_whitespace))
            {
                return Err(InputError::in_file(
                    path,
                    format!("`forge.repository`: `{value}` is not `owner/name`"),
                )
                .at_offset(text, repository.span().start)
                .with_hint("write the repository's path on the forge, e.g. `acme/widgets`"));
            }
        }
        Ok(())
    }
}

/// Whether a name written in a group or `ignore` is a glob rather than a name.
pub fn is_glob(written: &str) -> bool {
    written.contains(['*', '?', '[', '{'])
}

/// A matcher with picomatch's rules for package names: `*` stops at `/`.
pub fn glob_matcher(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob `{pattern}`: {e}"))
}

pub(crate) fn check_regex(
    pattern: &str,
    text: &str,
    path: &Utf8Path,
    at: usize,
) -> Result<(), InputError> {
    let regex = regex::Regex::new(pattern).map_err(|e| {
        InputError::in_file(path, format!("invalid regex `{pattern}`: {e}")).at_offset(text, at)
    })?;
    if regex.capture_names().flatten().any(|n| n == "version") {
        Ok(())
    } else {
        Err(InputError::in_file(
            path,
            format!("the regex `{pattern}` has no group named `version`"),
        )
        .at_offset(text, at)
        .with_hint("write the version part as `(?<version>...)`"))
    }
}

fn toml_error(error: &toml::de::Error, text: &str, path: &Utf8Path) -> InputError {
    let message = error.message().trim_end_matches('\n').replace('\n', "; ");
    let mut input = InputError::in_file(path, format!("invalid configuration: {message}"));
    if let Some(span) = error.span() {
        input = input.at_offset(text, span.start);
    }
    if message.starts_with("unknown field") {
        input = input.with_hint("see the configuration keys in the README");
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RelflowConfig, InputError> {
        parse_relflow_toml(text, Utf8Path::new("relflow.toml"))
    }

    #[test]
    fn full_config_parses() {
        let config = parse(
            r#"
base_branch = "develop"
fixed = [["core", "npm:@acme/web"]]
ignore = ["internal-*"]
update_internal_dependencies = "minor"
tag_format = "v{version}"
private_packages = { version = true, tag = false }

[python]
paths = ["py/*"]

[changelog]
conventional_commits = true

[[package]]
name = "server"
path = "services/server"
version_file = "version.go"
regex = 'Version = "(?<version>[^"]+)"'
depends_on = ["core"]

[[sync]]
package = "app"
file = "src-tauri/tauri.conf.json"
json = "/version"
"#,
        )
        .unwrap();
        assert_eq!(config.base_branch.as_deref(), Some("develop"));
        assert_eq!(config.fixed[0][1].get_ref(), "npm:@acme/web");
        assert_eq!(config.generic_packages().count(), 1);
        assert_eq!(
            config.sync[0].locator(),
            Some(Locator::Json("/version".into()))
        );
    }

    #[test]
    fn unknown_key_names_line() {
        let error = parse("base_branch = \"main\"\nfixd = []\n").unwrap_err();
        assert!(error.message.contains("unknown field `fixd`"), "{error}");
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn wrong_type_names_line() {
        let error = parse("\n\nupdate_internal_dependencies = \"major\"\n").unwrap_err();
        assert!(error.message.contains("major"), "{error}");
        assert_eq!(error.line, Some(3));
        let error = parse("fixed = \"core\"\n").unwrap_err();
        assert_eq!(error.line, Some(1));
    }

    #[test]
    fn sync_needs_one_locator_and_a_version_group() {
        let error = parse("[[sync]]\npackage = \"a\"\nfile = \"x\"\n").unwrap_err();
        assert!(error.message.contains("exactly one of"), "{error}");
        assert_eq!(error.line, Some(2));
        let error =
            parse("[[sync]]\npackage = \"a\"\nfile = \"x\"\nregex = 'v(\\d+)'\n").unwrap_err();
        assert!(
            error.message.contains("no group named `version`"),
            "{error}"
        );
    }

    #[test]
    fn forge_table_is_checked_with_lines() {
        let config = parse(
            "[forge]\nkind = \"gitlab\"\napi_url = \"https://git.example/api/v4\"\nrepository = \"a/b/c\"\n",
        )
        .unwrap();
        let forge = config.forge.unwrap().into_inner();
        assert_eq!(forge.kind.unwrap().into_inner(), "gitlab");
        let error = parse("\n[forge]\nkind = \"bitbucket\"\n").unwrap_err();
        assert!(
            error.message.contains("unknown forge `bitbucket`"),
            "{error}"
        );
        assert_eq!(error.line, Some(3));
        let error = parse("[forge]\napi_url = \"git.example/api\"\n").unwrap_err();
        assert!(error.message.contains("not an http(s) URL"), "{error}");
        assert_eq!(error.line, Some(2));
        let error = parse("[forge]\n\nrepository = \"widgets\"\n").unwrap_err();
        assert!(error.message.contains("not `owner/name`"), "{error}");
        assert_eq!(error.line, Some(3));
        let error = parse("[forge]\ntoken = \"x\"\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        let error = parse("[[package]]\nname = \"a\"\nassets = [\"dist/[x\"]\n").unwrap_err();
        assert!(error.message.contains("invalid glob"), "{error}");
        assert_eq!(error.line, Some(3));
    }

    #[test]
    fn a_version_map_needs_the_placeholder_and_no_version_group() {
        let config = parse(
            "[[sync]]\npackage = \"a\"\nfile = \"x.ts\"\nregex = 'MAP = \\{[^}]*'\ninsert = '\"{version}\": \"v{version}\",'\n",
        )
        .unwrap();
        assert_eq!(
            config.sync[0].insert.as_ref().map(|i| i.get_ref().as_str()),
            Some("\"{version}\": \"v{version}\",")
        );
        let error = parse("[[sync]]\npackage = \"a\"\nfile = \"x\"\njson = \"/m\"\ninsert = 'v'\n")
            .unwrap_err();
        assert!(error.message.contains("has no `{version}`"), "{error}");
        assert_eq!(error.line, Some(5));
    }

    #[test]
    fn cargo_metadata_table() {
        let text = "[workspace]\nmembers = []\n\n[workspace.metadata.relflow]\nbase_branch = \"trunk\"\nbogus = 1\n";
        let error = parse_cargo_metadata_table(text, Utf8Path::new("Cargo.toml")).unwrap_err();
        assert_eq!(error.line, Some(6));
        let text =
            "[workspace]\nmembers = []\n[workspace.metadata.relflow]\nbase_branch = \"trunk\"\n";
        let config = parse_cargo_metadata_table(text, Utf8Path::new("Cargo.toml"))
            .unwrap()
            .unwrap();
        assert_eq!(config.base_branch.as_deref(), Some("trunk"));
    }
}
