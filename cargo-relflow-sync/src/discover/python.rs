//! Python project discovery.
//!
//! A Python package is a `pyproject.toml` with `[project]` (PEP 621) or `[tool.poetry]`; one
//! with neither (a tool-only config) is skipped. Projects are the directories listed in
//! relflow.toml `python.paths` (directories or globs of directories), or, without that, every
//! `pyproject.toml` of the repository (honouring `.gitignore`, skipping hidden directories,
//! `node_modules` and `target`). [`discover_python_tracked`] finds the same projects among the
//! files git tracks, from its index, without walking the tree (for `changeset check`, which
//! looks at tracked changes only).
//!
//! Versions are read as PEP 440 and converted to semver with [`crate::pep440`]. A maturin
//! project with a dynamic version takes the version of its Cargo.toml.

use std::collections::BTreeMap;
use std::io::ErrorKind;

use camino::{Utf8Path, Utf8PathBuf};
use pep508_rs::{Requirement, VerbatimUrl};
use toml::{Table, Value};

use super::{git_index, read_text_file, tree_walk};
use crate::diag::{line_of, InputError};
use crate::dynamic_version::{dynamic_source, first_existing, read_version, DynamicSource};
use crate::model::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};
use crate::pep440::pep440_to_semver;

/// The trove classifier that marks a project as never uploaded.
const PRIVATE_CLASSIFIER: &str = "Private :: Do Not Upload";

/// Finds the Python projects of the repository at `root`.
///
/// With `paths` (relflow.toml `python.paths`), each entry is a directory, or a glob of
/// directories, relative to `root` holding a pyproject.toml; an entry that matches none is an
/// error. Without, every pyproject.toml of the repository is considered. Packages are sorted
/// by directory; dependencies keep only other projects found, matched by PEP 503 normalized
/// name, with the specifier as written.
pub fn discover_python(
    root: &Utf8Path,
    paths: Option<&[String]>,
) -> Result<Vec<Package>, InputError> {
    let dirs = match paths {
        Some(entries) => listed_dirs(root, entries)?,
        None => walked_dirs(root),
    };
    read_projects(root, dirs)
}

/// [`discover_python`], where, without `paths`, the pyproject.toml files considered are those
/// git tracks (in its index, so a new project counts once `git add`ed; one deleted from the
/// working tree does not), read without walking the tree. Outside a git repository, or with an
/// index relflow cannot read, the tree is walked as in [`discover_python`].
pub fn discover_python_tracked(
    root: &Utf8Path,
    paths: Option<&[String]>,
) -> Result<Vec<Package>, InputError> {
    let dirs = match paths {
        Some(entries) => listed_dirs(root, entries)?,
        None => tracked_dirs(root).unwrap_or_else(|| walked_dirs(root)),
    };
    read_projects(root, dirs)
}

/// Reads the projects of `dirs` (each with the `python.paths` entry that named it, if any).
fn read_projects(
    root: &Utf8Path,
    dirs: BTreeMap<String, Option<String>>,
) -> Result<Vec<Package>, InputError> {
    let mut projects = Vec::new();
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for (dir, required) in dirs {
        let manifest = manifest_of(&dir);
        let text = match read_text_file(&root.join(&manifest)) {
            Ok(text) => text,
            // Tracked but gone from the working tree (deleted, or outside a sparse checkout).
            Err(e) if e.kind() == ErrorKind::NotFound && required.is_none() => continue,
            Err(e) => return Err(crate::diag::read_error(&manifest, &e)),
        };
        let Some(project) = read_project(root, &dir, &text)? else {
            if let Some(entry) = required {
                return Err(InputError::in_file(
                    manifest_of(&dir),
                    format!("python.paths entry `{entry}`: pyproject.toml has neither [project] nor [tool.poetry]"),
                ));
            }
            continue;
        };
        let key = normalize_name(&project.package.name);
        if by_name.insert(key, project.package.name.clone()).is_some() {
            return Err(InputError::in_file(
                &project.package.manifest,
                format!(
                    "Python project name `{}` is used twice",
                    project.package.name
                ),
            )
            .with_hint("project names must be unique (compared PEP 503-normalized)"));
        }
        projects.push(project);
    }
    Ok(projects
        .into_iter()
        .map(|project| {
            let mut package = project.package;
            package.deps = project
                .deps
                .into_iter()
                .filter_map(|(key, mut dep)| {
                    dep.name = by_name.get(&key)?.clone();
                    Some(dep)
                })
                .collect();
            package
        })
        .collect())
}

/// PEP 503 normalization: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// A project read from its pyproject.toml, with dependencies keyed by normalized name.
struct Project {
    package: Package,
    deps: Vec<(String, Dependency)>,
}

/// `dir/pyproject.toml`, `/`-separated.
fn manifest_of(dir: &str) -> Utf8PathBuf {
    if dir.is_empty() {
        Utf8PathBuf::from("pyproject.toml")
    } else {
        Utf8PathBuf::from(format!("{dir}/pyproject.toml"))
    }
}

/// The `/`-separated path of `abs` relative to `root`, if it is under it.
fn relative(root: &Utf8Path, abs: &Utf8Path) -> Option<String> {
    let rel = abs.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The directories named by `python.paths`, each with the entry that named it.
fn listed_dirs(
    root: &Utf8Path,
    entries: &[String],
) -> Result<BTreeMap<String, Option<String>>, InputError> {
    let mut dirs = BTreeMap::new();
    for entry in entries {
        let trimmed = entry.trim().trim_start_matches("./").trim_end_matches('/');
        let missing = || {
            InputError::new(format!(
                "python.paths entry `{entry}` names no directory with a pyproject.toml"
            ))
            .with_hint("list directories (or globs of directories) relative to the repository root")
        };
        if !trimmed.contains(['*', '?', '[']) {
            let abs = if trimmed.is_empty() || trimmed == "." {
                root.to_owned()
            } else {
                root.join(trimmed)
            };
            let rel = relative(root, &abs).filter(|_| !trimmed.contains(".."));
            match rel {
                Some(rel) if abs.join("pyproject.toml").is_file() => {
                    dirs.insert(rel, Some(entry.clone()));
                }
                _ => return Err(missing()),
            }
            continue;
        }
        let pattern = format!("{}/{trimmed}", glob::Pattern::escape(root.as_str()));
        let matches = glob::glob(&pattern).map_err(|e| {
            InputError::new(format!(
                "python.paths entry `{entry}` is not a valid glob: {e}"
            ))
        })?;
        let before = dirs.len();
        for path in matches.flatten() {
            let Ok(abs) = Utf8PathBuf::from_path_buf(path) else {
                continue;
            };
            if let Some(rel) = relative(root, &abs) {
                if abs.join("pyproject.toml").is_file() {
                    dirs.entry(rel).or_insert(None);
                }
            }
        }
        if dirs.len() == before {
            return Err(missing());
        }
    }
    Ok(dirs)
}

/// Every directory holding a pyproject.toml that git tracks, outside hidden directories,
/// `node_modules` and `target`; `None` without a readable git index.
fn tracked_dirs(root: &Utf8Path) -> Option<BTreeMap<String, Option<String>>> {
    let manifests = git_index::tracked_files(root, |path| {
        let mut dirs = path.split('/').rev();
        dirs.next() == Some("pyproject.toml")
            && dirs.all(|d| !d.starts_with('.') && d != "node_modules" && d != "target")
    })?;
    Some(
        manifests
            .into_iter()
            .map(|manifest| {
                let dir = manifest
                    .strip_suffix("pyproject.toml")
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_owned();
                (dir, None)
            })
            .collect(),
    )
}

/// Every directory of the repository holding a pyproject.toml.
fn walked_dirs(root: &Utf8Path) -> BTreeMap<String, Option<String>> {
    tree_walk::dirs_with_file(root, "pyproject.toml")
        .into_iter()
        .map(|dir| (dir, None))
        .collect()
}

/// Parses TOML, with the error's line.
fn parse_toml(file: &Utf8Path, text: &str) -> Result<Table, InputError> {
    text.parse::<Table>().map_err(|e| {
        let error = InputError::in_file(file, format!("invalid TOML: {}", e.message().trim()))
            .with_hint("fix the TOML syntax");
        match e.span() {
            Some(span) => error.at_offset(text, span.start),
            None => error,
        }
    })
}

/// Reads a file under the root.
fn read_text(root: &Utf8Path, rel: &Utf8Path) -> Result<String, InputError> {
    read_text_file(&root.join(rel)).map_err(|e| crate::diag::read_error(rel, &e))
}

/// The first line holding every needle.
fn line_with(text: &str, needles: &[&str]) -> Option<usize> {
    text.lines()
        .position(|line| needles.iter().all(|n| line.contains(n)))
        .map(|i| i + 1)
}

/// Sets the line when known.
fn maybe_line(error: InputError, line: Option<usize>) -> InputError {
    match line {
        Some(line) => error.with_line(line),
        None => error,
    }
}

/// `table.key` as a table.
fn sub<'a>(table: &'a Table, key: &str) -> Option<&'a Table> {
    table.get(key).and_then(Value::as_table)
}

/// `table.key` as a string.
fn string<'a>(table: &'a Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(Value::as_str)
}

/// Whether `table.key` is an array holding the string `item`.
fn lists(table: &Table, key: &str, item: &str) -> bool {
    table
        .get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item)))
}

/// Reads the pyproject.toml of `dir`, whose text is `text`; `None` when it is not a project.
fn read_project(root: &Utf8Path, dir: &str, text: &str) -> Result<Option<Project>, InputError> {
    let manifest = manifest_of(dir);
    let doc = parse_toml(&manifest, text)?;
    let project = sub(&doc, "project");
    let poetry = sub(&doc, "tool").and_then(|t| sub(t, "poetry"));
    let Some(meta) = project.or(poetry) else {
        return Ok(None);
    };
    let section = if project.is_some() {
        "[project]"
    } else {
        "[tool.poetry]"
    };
    let name = string(meta, "name").ok_or_else(|| {
        maybe_line(
            InputError::in_file(&manifest, format!("{section} has no `name`")),
            line_of(text, section),
        )
        .with_hint("add name = \"...\"")
    })?;

    let dynamic_version = project.is_some_and(|p| lists(p, "dynamic", "version"));
    let maturin =
        sub(&doc, "build-system").and_then(|b| string(b, "build-backend")) == Some("maturin");
    let (version, version_text, version_source) = if dynamic_version && maturin {
        let path = sub(&doc, "tool")
            .and_then(|t| sub(t, "maturin"))
            .and_then(|m| string(m, "manifest-path"))
            .unwrap_or("Cargo.toml");
        let cargo = join_normalized(dir, path).ok_or_else(|| {
            InputError::in_file(
                &manifest,
                format!("manifest-path `{path}` leaves the repository"),
            )
        })?;
        let (version, text) = cargo_version(root, &cargo, &manifest)?;
        (
            Some(version),
            Some(text),
            VersionSource::Maturin {
                cargo_manifest: cargo,
            },
        )
    } else if dynamic_version {
        dynamic_version_of(root, dir, &manifest, &doc)?
    } else {
        match string(meta, "version") {
            Some(v) => {
                let parsed = pep440_to_semver(v).map_err(|e| {
                    maybe_line(
                        InputError::in_file(&manifest, e),
                        line_with(text, &["version", v]),
                    )
                    .with_hint("write a PEP 440 version such as \"1.2.0\" or \"1.2.0b1\"")
                })?;
                (Some(parsed), Some(v.to_owned()), VersionSource::Manifest)
            }
            None => (None, None, VersionSource::None),
        }
    };

    let private = lists(meta, "classifiers", PRIVATE_CLASSIFIER)
        || poetry.is_some_and(|p| lists(p, "classifiers", PRIVATE_CLASSIFIER));

    let ctx = Ctx {
        root,
        dir,
        manifest: &manifest,
        text,
    };
    let mut deps = Vec::new();
    if let Some(project) = project {
        ctx.pep508_list(project.get("dependencies"), DepKind::Normal, &mut deps)?;
        if let Some(extras) = sub(project, "optional-dependencies") {
            for list in extras.values() {
                ctx.pep508_list(Some(list), DepKind::Optional, &mut deps)?;
            }
        }
    }
    if let Some(groups) = sub(&doc, "dependency-groups") {
        for list in groups.values() {
            ctx.pep508_list(Some(list), DepKind::Dev, &mut deps)?;
        }
    }
    if let Some(poetry) = poetry {
        if project.is_none_or(|p| !p.contains_key("dependencies")) {
            ctx.poetry_table(sub(poetry, "dependencies"), DepKind::Normal, &mut deps)?;
        }
        ctx.poetry_table(sub(poetry, "dev-dependencies"), DepKind::Dev, &mut deps)?;
        if let Some(groups) = sub(poetry, "group") {
            for group in groups.values().filter_map(Value::as_table) {
                ctx.poetry_table(sub(group, "dependencies"), DepKind::Dev, &mut deps)?;
            }
        }
    }

    Ok(Some(Project {
        package: Package {
            ecosystem: Ecosystem::Python,
            name: name.to_owned(),
            version,
            version_text,
            version_source,
            dir: Utf8PathBuf::from(dir),
            manifest,
            publish: if private {
                Publish::No
            } else {
                Publish::Default
            },
            deps: Vec::new(),
        },
        deps,
    }))
}

/// The version of a project with `dynamic = ["version"]` that maturin does not build: read
/// from the file its backend reads, or, for a version derived from git tags, from the latest
/// heading of its CHANGELOG.md (none before its first release).
fn dynamic_version_of(
    root: &Utf8Path,
    dir: &str,
    manifest: &Utf8Path,
    doc: &Table,
) -> Result<(Option<semver::Version>, Option<String>, VersionSource), InputError> {
    let parse = |text: &str, file: &Utf8Path| {
        pep440_to_semver(text).map_err(|e| {
            InputError::in_file(file, e)
                .with_hint("write a PEP 440 version such as \"1.2.0\" or \"1.2.0b1\"")
        })
    };
    match dynamic_source(doc) {
        DynamicSource::File {
            candidates,
            assignment,
            key,
        } => {
            let Some(file) =
                first_existing(Utf8Path::new(dir), &candidates, |p| root.join(p).is_file())
            else {
                return Err(InputError::in_file(
                    manifest,
                    format!("{key} names `{}`, which does not exist", candidates[0]),
                )
                .with_hint("the version file must exist for relflow to read and write it"));
            };
            let text = read_text(root, &file)?;
            let Some(found) = read_version(&text, assignment.as_deref()) else {
                return Err(InputError::in_file(
                    &file,
                    format!("no version found (named by {key} of {manifest})"),
                )
                .with_hint("write `__version__ = \"1.2.0\"` (or the variable named by `attr`)"));
            };
            let version = parse(found, &file)?;
            Ok((
                Some(version),
                Some(found.to_owned()),
                VersionSource::PythonFile { file, assignment },
            ))
        }
        DynamicSource::Vcs(plugin) => {
            let changelog = Utf8Path::new(dir).join("CHANGELOG.md");
            // The newest release heading (`## 1.3.0`) that `version` wrote; the caller weighs it
            // against the release tags. Other headings (`## Unreleased`) are no release.
            let found = read_text_file(&root.join(&changelog))
                .ok()
                .and_then(|text| {
                    text.lines()
                        .filter_map(|l| l.strip_prefix("## "))
                        .find_map(|h| {
                            pep440_to_semver(h.trim())
                                .ok()
                                .map(|v| (v, h.trim().to_owned()))
                        })
                });
            let (version, heading) = found.unzip();
            Ok((version, heading, VersionSource::Vcs(plugin.to_owned())))
        }
        DynamicSource::Unknown(reason) => Ok((None, None, VersionSource::Unwritable(reason))),
    }
}

/// `dir/path` with `.` and `..` resolved, `/`-separated; `None` when it leaves the root.
fn join_normalized(dir: &str, path: &str) -> Option<Utf8PathBuf> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(Utf8PathBuf::from(parts.join("/")))
}

/// The version of a Cargo.toml (following `version.workspace = true`), with its text.
fn cargo_version(
    root: &Utf8Path,
    cargo: &Utf8Path,
    pyproject: &Utf8Path,
) -> Result<(semver::Version, String), InputError> {
    if !root.join(cargo).is_file() {
        return Err(InputError::in_file(
            pyproject,
            format!("maturin project with a dynamic version, but `{cargo}` does not exist"),
        )
        .with_hint("set [tool.maturin] manifest-path to the crate's Cargo.toml"));
    }
    let text = read_text(root, cargo)?;
    let doc = parse_toml(cargo, &text)?;
    let version = sub(&doc, "package").and_then(|p| p.get("version"));
    let (file, text, value) = match version {
        Some(Value::String(v)) => (cargo.to_owned(), text.clone(), v.clone()),
        Some(Value::Table(t)) if t.get("workspace").and_then(Value::as_bool) == Some(true) => {
            workspace_version(root, cargo)?
        }
        _ => {
            return Err(InputError::in_file(cargo, "[package] has no `version`")
                .with_hint("maturin takes the Python version from this crate's version"));
        }
    };
    let parsed = semver::Version::parse(&value).map_err(|e| {
        maybe_line(
            InputError::in_file(&file, format!("version `{value}` is not semver: {e}")),
            line_with(&text, &["version", &value]),
        )
    })?;
    Ok((parsed, value))
}

/// `[workspace.package] version` of the nearest Cargo.toml with `[workspace]` at or above
/// `cargo`'s directory (within the root): the file, its text and the version.
fn workspace_version(
    root: &Utf8Path,
    cargo: &Utf8Path,
) -> Result<(Utf8PathBuf, String, String), InputError> {
    let mut dir = cargo.parent();
    while let Some(current) = dir {
        let candidate = if current.as_str().is_empty() {
            Utf8PathBuf::from("Cargo.toml")
        } else {
            Utf8PathBuf::from(format!("{current}/Cargo.toml"))
        };
        if root.join(&candidate).is_file() {
            let text = read_text(root, &candidate)?;
            let doc = parse_toml(&candidate, &text)?;
            if let Some(workspace) = sub(&doc, "workspace") {
                let version = sub(workspace, "package").and_then(|p| string(p, "version"));
                return match version {
                    Some(v) => Ok((candidate, text.clone(), v.to_owned())),
                    None => Err(InputError::in_file(
                        &candidate,
                        "[workspace.package] has no `version`",
                    )
                    .with_hint(format!("{cargo} inherits its version from the workspace"))),
                };
            }
        }
        dir = current.parent();
    }
    Err(InputError::in_file(
        cargo,
        "`version.workspace = true` but no workspace Cargo.toml was found",
    ))
}

/// What dependency parsing needs to know about the file.
struct Ctx<'a> {
    root: &'a Utf8Path,
    dir: &'a str,
    manifest: &'a Utf8Path,
    text: &'a str,
}

impl Ctx<'_> {
    /// Appends the PEP 508 requirements of a TOML array (tables such as `include-group` are
    /// skipped).
    fn pep508_list(
        &self,
        list: Option<&Value>,
        kind: DepKind,
        deps: &mut Vec<(String, Dependency)>,
    ) -> Result<(), InputError> {
        let Some(list) = list else {
            return Ok(());
        };
        let Some(items) = list.as_array() else {
            return Err(InputError::in_file(
                self.manifest,
                "expected a list of requirements",
            ));
        };
        for item in items.iter().filter_map(Value::as_str) {
            deps.push(self.pep508(item, kind)?);
        }
        Ok(())
    }

    /// Parses one PEP 508 requirement; the specifier and marker are kept as written.
    fn pep508(&self, raw: &str, kind: DepKind) -> Result<(String, Dependency), InputError> {
        let working_dir = self.root.join(self.dir);
        let parsed = Requirement::<VerbatimUrl>::parse(raw, working_dir.as_std_path())
            .map_err(|e| {
                maybe_line(
                    InputError::in_file(
                        self.manifest,
                        format!("invalid requirement `{raw}`: {}", e.message),
                    ),
                    line_of(self.text, raw),
                )
                .with_hint("requirements follow PEP 508, like \"acme-core[fast]>=1.2,<2; python_version >= '3.9'\"")
            })?;
        let (requirement, target) = split_requirement(raw);
        let dep = Dependency {
            name: parsed.name.to_string(),
            kind,
            requirement,
            target,
            rename: None,
        };
        Ok((normalize_name(parsed.name.as_ref()), dep))
    }

    /// Appends the dependencies of a Poetry dependency table (`python` is skipped).
    fn poetry_table(
        &self,
        table: Option<&Table>,
        kind: DepKind,
        deps: &mut Vec<(String, Dependency)>,
    ) -> Result<(), InputError> {
        for (name, value) in table.into_iter().flatten() {
            if name == "python" {
                continue;
            }
            let entries = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for entry in entries {
                let (requirement, target, optional) = match entry {
                    Value::String(s) => (s.clone(), None, false),
                    Value::Table(t) => (
                        string(t, "version").unwrap_or_default().to_owned(),
                        string(t, "markers").map(str::to_owned),
                        t.get("optional").and_then(Value::as_bool) == Some(true),
                    ),
                    _ => {
                        return Err(maybe_line(
                            InputError::in_file(
                                self.manifest,
                                format!(
                                    "Poetry dependency `{name}` is neither a string nor a table"
                                ),
                            ),
                            line_of(self.text, name),
                        ));
                    }
                };
                let dep = Dependency {
                    name: name.clone(),
                    kind: if optional { DepKind::Optional } else { kind },
                    requirement,
                    target,
                    rename: None,
                };
                deps.push((normalize_name(name), dep));
            }
        }
        Ok(())
    }
}

/// Splits a PEP 508 requirement already known to be valid into the specifier as written
/// (parentheses removed; `@ url` for URL requirements; empty when none) and the marker.
fn split_requirement(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    let name_end = raw
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(raw.len());
    let mut rest = raw[name_end..].trim_start();
    if rest.starts_with('[') {
        rest = rest
            .find(']')
            .map_or("", |end| rest[end + 1..].trim_start());
    }
    let marker_at = if rest.starts_with('@') {
        rest.find(" ;").or_else(|| rest.find("\t;")).map(|i| i + 1)
    } else {
        rest.find(';')
    };
    let (spec, marker) = match marker_at {
        Some(i) => (&rest[..i], Some(rest[i + 1..].trim())),
        None => (rest, None),
    };
    let mut spec = spec.trim();
    if let Some(inner) = spec.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        spec = inner.trim();
    }
    (
        spec.to_owned(),
        marker.filter(|m| !m.is_empty()).map(str::to_owned),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::test_support::{repo, write};

    fn deps(package: &Package) -> Vec<(&str, DepKind, &str, Option<&str>)> {
        package
            .deps
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.kind,
                    d.requirement.as_str(),
                    d.target.as_deref(),
                )
            })
            .collect()
    }

    fn simple(name: &str, version: &str) -> String {
        format!("[project]\nname = \"{name}\"\nversion = \"{version}\"\n")
    }

    #[test]
    fn pep621_with_extras_groups_and_markers() {
        let (_tmp, root) = repo();
        write(
            &root,
            "py/app/pyproject.toml",
            r#"[project]
name = "Acme.App"
version = "1.2.0b3"
dependencies = [
  "acme_core[fast] >=1.2,<2 ; python_version >= '3.9'",
  "requests>=2",
  "acme-util (==0.1.0)",
]
classifiers = ["Private :: Do Not Upload"]

[project.optional-dependencies]
cli = ["Acme.Util>=0.1"]

[dependency-groups]
test = ["acme-core", { include-group = "lint" }]
lint = ["ruff"]
"#,
        );
        write(&root, "py/core/pyproject.toml", &simple("acme-core", "1.2"));
        write(
            &root,
            "py/util/pyproject.toml",
            &simple("acme_util", "0.1.0.dev1"),
        );
        write(
            &root,
            "tools/pyproject.toml",
            "[tool.ruff]\nline-length = 100\n",
        );
        let packages = discover_python(&root, None).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Acme.App", "acme-core", "acme_util"]);
        let app = &packages[0];
        assert_eq!(app.ecosystem, Ecosystem::Python);
        assert_eq!(app.dir, "py/app");
        assert_eq!(app.manifest, "py/app/pyproject.toml");
        assert_eq!(app.version_text.as_deref(), Some("1.2.0b3"));
        assert_eq!(
            app.version,
            Some(semver::Version::parse("1.2.0-beta.3").unwrap())
        );
        assert_eq!(app.version_source, VersionSource::Manifest);
        assert_eq!(app.publish, Publish::No);
        assert_eq!(
            deps(app),
            [
                (
                    "acme-core",
                    DepKind::Normal,
                    ">=1.2,<2",
                    Some("python_version >= '3.9'")
                ),
                ("acme_util", DepKind::Normal, "==0.1.0", None),
                ("acme_util", DepKind::Optional, ">=0.1", None),
                ("acme-core", DepKind::Dev, "", None),
            ]
        );
        assert_eq!(packages[1].version, Some(semver::Version::new(1, 2, 0)));
        assert_eq!(packages[1].publish, Publish::Default);
        assert_eq!(
            packages[2].version,
            Some(semver::Version::parse("0.1.0-dev.1").unwrap())
        );
    }

    #[test]
    fn poetry_projects() {
        let (_tmp, root) = repo();
        write(
            &root,
            "svc/pyproject.toml",
            r#"[tool.poetry]
name = "svc"
version = "2.0.0rc1"

[tool.poetry.dependencies]
python = "^3.10"
acme-core = "^1.2"
acme-util = { version = ">=0.1", optional = true, markers = "sys_platform == 'linux'" }
acme-path = { path = "../path", develop = true }

[tool.poetry.dev-dependencies]
acme-core = "*"

[tool.poetry.group.test.dependencies]
acme-util = "^0.1"
"#,
        );
        write(&root, "core/pyproject.toml", &simple("acme-core", "1.2.0"));
        write(&root, "util/pyproject.toml", &simple("acme-util", "0.1.0"));
        write(
            &root,
            "path/pyproject.toml",
            "[tool.poetry]\nname = \"acme_path\"\nversion = \"0.0.1\"\n",
        );
        let packages = discover_python(&root, None).unwrap();
        let svc = packages.iter().find(|p| p.name == "svc").unwrap();
        assert_eq!(
            svc.version,
            Some(semver::Version::parse("2.0.0-rc.1").unwrap())
        );
        assert_eq!(
            deps(svc),
            [
                ("acme-core", DepKind::Normal, "^1.2", None),
                ("acme_path", DepKind::Normal, "", None),
                (
                    "acme-util",
                    DepKind::Optional,
                    ">=0.1",
                    Some("sys_platform == 'linux'")
                ),
                ("acme-core", DepKind::Dev, "*", None),
                ("acme-util", DepKind::Dev, "^0.1", None),
            ]
        );
    }

    #[test]
    fn maturin_with_workspace_inheritance() {
        let (_tmp, root) = repo();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.4.0-beta.2\"\n",
        );
        write(
            &root,
            "crates/native/Cargo.toml",
            "[package]\nname = \"native\"\nversion.workspace = true\n",
        );
        write(
            &root,
            "python/native/pyproject.toml",
            r#"[build-system]
requires = ["maturin>=1,<2"]
build-backend = "maturin"

[project]
name = "acme-native"
dynamic = ["version"]

[tool.maturin]
manifest-path = "../../crates/native/Cargo.toml"
"#,
        );
        write(
            &root,
            "bindings/pyproject.toml",
            "[build-system]\nbuild-backend = \"maturin\"\n[project]\nname = \"bindings\"\ndynamic = [\"version\"]\n",
        );
        write(
            &root,
            "bindings/Cargo.toml",
            "[package]\nname = \"bindings\"\nversion = \"1.0.0\"\n",
        );
        write(
            &root,
            "dyn/pyproject.toml",
            "[build-system]\nbuild-backend = \"hatchling.build\"\n[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n",
        );
        let packages = discover_python(&root, None).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["bindings", "dyn", "acme-native"]);
        let native = &packages[2];
        assert_eq!(
            native.version_source,
            VersionSource::Maturin {
                cargo_manifest: "crates/native/Cargo.toml".into()
            }
        );
        assert_eq!(
            native.version,
            Some(semver::Version::parse("0.4.0-beta.2").unwrap())
        );
        assert_eq!(native.version_text.as_deref(), Some("0.4.0-beta.2"));
        assert_eq!(
            packages[0].version_source,
            VersionSource::Maturin {
                cargo_manifest: "bindings/Cargo.toml".into()
            }
        );
        assert_eq!(packages[0].version, Some(semver::Version::new(1, 0, 0)));
        // hatchling without a version source: nothing relflow can write.
        assert!(matches!(
            packages[1].version_source,
            VersionSource::Unwritable(_)
        ));
        assert_eq!(packages[1].version, None);
    }

    #[test]
    fn walk_skips_ignored_hidden_and_build_dirs() {
        let (_tmp, root) = repo();
        write(&root, ".gitignore", "build/\n");
        write(&root, "pyproject.toml", &simple("root-project", "1.0.0"));
        write(&root, "build/pyproject.toml", &simple("ignored", "1.0.0"));
        write(&root, ".venv/pyproject.toml", &simple("hidden", "1.0.0"));
        write(
            &root,
            "node_modules/x/pyproject.toml",
            &simple("nm", "1.0.0"),
        );
        write(&root, "target/pyproject.toml", &simple("target", "1.0.0"));
        let packages = discover_python(&root, None).unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].dir, "");
        assert_eq!(packages[0].manifest, "pyproject.toml");
    }

    /// Runs git in `root`, cut off from the user's configuration.
    fn git(root: &Utf8Path, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn tracked_projects_from_the_index() {
        let (_tmp, root) = repo();
        git(&root, &["init", "--quiet"]);
        write(&root, ".gitignore", "build/\n");
        write(&root, "pyproject.toml", &simple("root-project", "1.0.0"));
        write(&root, "libs/a/pyproject.toml", &simple("a", "1.0.0"));
        write(&root, "libs/gone/pyproject.toml", &simple("gone", "1.0.0"));
        write(&root, ".venv/pyproject.toml", &simple("hidden", "1.0.0"));
        write(
            &root,
            "x/node_modules/y/pyproject.toml",
            &simple("nm", "1.0.0"),
        );
        write(&root, "target/pyproject.toml", &simple("target", "1.0.0"));
        git(&root, &["add", "-A", "--force"]);
        // Not tracked: ignored, or new and not yet added.
        write(&root, "build/pyproject.toml", &simple("ignored", "1.0.0"));
        write(&root, "libs/new/pyproject.toml", &simple("new", "1.0.0"));
        // Tracked, but deleted from the working tree.
        std::fs::remove_file(root.join("libs/gone/pyproject.toml")).unwrap();
        let packages = discover_python_tracked(&root, None).unwrap();
        let dirs: Vec<&str> = packages.iter().map(|p| p.dir.as_str()).collect();
        assert_eq!(dirs, ["", "libs/a"]);
        // The walk finds the new project too.
        let packages = discover_python(&root, None).unwrap();
        let dirs: Vec<&str> = packages.iter().map(|p| p.dir.as_str()).collect();
        assert_eq!(dirs, ["", "libs/a", "libs/new"]);
        git(&root, &["add", "libs/new"]);
        let packages = discover_python_tracked(&root, None).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["root-project", "a", "new"]);
        // Sub-directory roots see their own part of the index.
        let packages = discover_python_tracked(&root.join("libs"), None).unwrap();
        let dirs: Vec<&str> = packages.iter().map(|p| p.dir.as_str()).collect();
        assert_eq!(dirs, ["a", "new"]);
    }

    #[test]
    fn explicit_paths() {
        let (_tmp, root) = repo();
        write(&root, "a/pyproject.toml", &simple("a", "1.0.0"));
        write(&root, "libs/b/pyproject.toml", &simple("b", "1.0.0"));
        write(&root, "libs/c/pyproject.toml", &simple("c", "1.0.0"));
        write(&root, "libs/d/README", "");
        write(&root, "other/pyproject.toml", &simple("other", "1.0.0"));
        let paths = vec!["./a/".to_owned(), "libs/*".to_owned()];
        let packages = discover_python(&root, Some(&paths)).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);

        let paths = vec!["a".to_owned(), "missing".to_owned()];
        let error = discover_python(&root, Some(&paths)).unwrap_err();
        assert!(error.message.contains("`missing`"), "{error}");
        let paths = vec!["nothing/*".to_owned()];
        let error = discover_python(&root, Some(&paths)).unwrap_err();
        assert!(error.message.contains("`nothing/*`"), "{error}");
    }

    #[test]
    fn malformed_toml_has_line() {
        let (_tmp, root) = repo();
        write(
            &root,
            "p/pyproject.toml",
            "[project]\nname = \"p\"\nversion = 1.0.0\"\n",
        );
        let error = discover_python(&root, None).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some(Utf8Path::new("p/pyproject.toml"))
        );
        assert_eq!(error.line, Some(3));
        assert!(error.message.starts_with("invalid TOML"), "{error}");
    }

    #[test]
    fn bad_requirement_has_line_and_message() {
        let (_tmp, root) = repo();
        write(
            &root,
            "p/pyproject.toml",
            "[project]\nname = \"p\"\nversion = \"1.0\"\ndependencies = [\n  \"ok>=1\",\n  \"acme-core >=>1\",\n]\n",
        );
        let error = discover_python(&root, None).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some(Utf8Path::new("p/pyproject.toml"))
        );
        assert_eq!(error.line, Some(6));
        assert!(
            error
                .message
                .contains("invalid requirement `acme-core >=>1`"),
            "{error}"
        );
    }

    #[test]
    fn bad_version_is_an_error_with_line() {
        let (_tmp, root) = repo();
        write(
            &root,
            "p/pyproject.toml",
            "[project]\nname = \"p\"\nversion = \"1!2.0\"\n",
        );
        let error = discover_python(&root, None).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("epoch"), "{error}");
    }

    #[test]
    fn names_normalize_and_requirements_split() {
        assert_eq!(normalize_name("Acme__Core.-x"), "acme-core-x");
        assert_eq!(split_requirement("a"), (String::new(), None));
        assert_eq!(
            split_requirement("a[x,y]>=1;extra=='z'"),
            (">=1".to_owned(), Some("extra=='z'".to_owned()))
        );
        assert_eq!(
            split_requirement("a @ https://x.test/a.whl ; os_name=='nt'"),
            (
                "@ https://x.test/a.whl".to_owned(),
                Some("os_name=='nt'".to_owned())
            )
        );
    }
}
