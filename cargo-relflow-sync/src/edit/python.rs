//! `pyproject.toml` as an editable document: the project's version and the specifiers of its
//! dependencies on other packages of the workspace, with everything else kept byte for byte.
//!
//! [`PyprojectMut`] writes the version where discovery reads it: `[project] version` when the
//! file has a `[project]` table, `[tool.poetry] version` otherwise, in PEP 440 form
//! (`1.2.0-beta.3` is written `1.2.0b3`, see [`crate::pep440`]). A maturin project with
//! `dynamic = ["version"]` ([`crate::VersionSource::Maturin`]) takes its version from its
//! Cargo.toml: there is nothing to write here for it, the caller writes that Cargo.toml, and
//! [`PyprojectMut::set_version`] refuses a dynamic version.
//!
//! Requirements are rewritten where discovery finds them, by kind:
//!
//! | kind       | where                                                                     |
//! |------------|---------------------------------------------------------------------------|
//! | `normal`   | `project.dependencies`; `tool.poetry.dependencies` (when `[project]` has none) |
//! | `optional` | `project.optional-dependencies.*`; Poetry entries with `optional = true`   |
//! | `dev`      | `dependency-groups.*`; `tool.poetry.dev-dependencies`, `tool.poetry.group.*.dependencies` |
//!
//! In a PEP 508 string only the specifier changes: the name as spelled, extras, parentheses,
//! the marker, spacing and the quotes around the string stay (`"acme_core[fast] (>=1.2,<2) ;
//! python_version >= '3.9'"`). A Poetry entry is a string (`acme-core = "^1.2"`) or a table
//! with `version` (inline, `[tool.poetry.dependencies.acme-core]`, or a list of them for
//! multiple constraints). URL requirements (`name @ url`) are left alone.

use std::ops::Range;

use camino::{Utf8Path, Utf8PathBuf};
use toml_edit::{Document, Item, TableLike, Value};

use crate::diag::{line_of, InputError};
use crate::discover::python::normalize_name;
use crate::edit::{ManifestChange, RequirementChange};
use crate::model::DepKind;
use crate::pep440::semver_to_pep440;

/// The hint for a pyproject.toml that is not TOML.
const FIX_SYNTAX: &str = "fix the TOML syntax";

/// An editable pyproject.toml.
///
/// Each change is spliced into the text at the byte range toml_edit reports for the value, so
/// the rest of the file, line endings included, is never re-rendered.
#[derive(Debug, Clone)]
pub struct PyprojectMut {
    text: String,
    path: Utf8PathBuf,
}

impl PyprojectMut {
    /// Parses the text of the pyproject.toml at `path` (used in errors).
    pub fn parse(text: &str, path: &Utf8Path) -> Result<PyprojectMut, InputError> {
        parse_toml(text, path, FIX_SYNTAX)?;
        Ok(PyprojectMut {
            text: text.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Applies a [`ManifestChange`]: the version, then every requirement. A requirement that
    /// is written nowhere in the file is an error.
    pub fn apply(&mut self, change: &ManifestChange) -> Result<(), InputError> {
        if let Some(version) = &change.version {
            self.set_version(version)?;
        }
        for requirement in &change.requirements {
            if self.set_requirement(requirement)? == 0 {
                return Err(InputError::in_file(
                    &self.path,
                    format!(
                        "no {} dependency on `{}` to rewrite",
                        requirement.kind, requirement.dependency
                    ),
                )
                .with_hint("the file changed since relflow read it; run the command again"));
            }
        }
        Ok(())
    }

    /// Writes `version` in PEP 440 form into `[project] version`, or `[tool.poetry] version`
    /// when there is no `[project]`. Errors when that version is dynamic, missing or not a
    /// string.
    pub fn set_version(&mut self, version: &semver::Version) -> Result<(), InputError> {
        let pep440 = semver_to_pep440(version);
        let doc = parse_toml(&self.text, &self.path, FIX_SYNTAX)?;
        let root = doc.as_item();
        let (section, table) = if let Some(project) = table(root, "project") {
            ("[project]", project)
        } else if let Some(poetry) = table(root, "tool").and_then(|tool| sub_table(tool, "poetry"))
        {
            ("[tool.poetry]", poetry)
        } else {
            return Err(InputError::in_file(
                &self.path,
                "pyproject.toml has neither [project] nor [tool.poetry]",
            ));
        };
        let error = |message: String| {
            let error = InputError::in_file(&self.path, message);
            match line_of(&self.text, section) {
                Some(line) => error.with_line(line),
                None => error,
            }
        };
        let dynamic = table
            .get("dynamic")
            .and_then(Item::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));
        if dynamic {
            return Err(error(format!(
                "{section} declares the version dynamic; relflow cannot write it here"
            ))
            .with_hint(
                "a maturin project takes its version from its Cargo.toml, which relflow writes",
            ));
        }
        let Some(value) = table.get("version").and_then(Item::as_value) else {
            return Err(
                error(format!("{section} has no `version`")).with_hint("add version = \"...\"")
            );
        };
        if value.as_str().is_none() {
            return Err(error(format!("{section} `version` is not a string")));
        }
        let edits = string_edit(&self.text, value, &pep440)
            .into_iter()
            .collect();
        self.text = splice(&self.text, edits);
        Ok(())
    }

    /// Rewrites the specifier of every entry for `change.dependency` (compared PEP 503
    /// normalized) of kind `change.kind`, limited to entries whose marker is `change.target`
    /// when that is set. Returns how many entries it found (rewritten or already equal).
    pub fn set_requirement(&mut self, change: &RequirementChange) -> Result<usize, InputError> {
        let doc = parse_toml(&self.text, &self.path, FIX_SYNTAX)?;
        let root = doc.as_item();
        let finder = Finder {
            text: &self.text,
            wanted: normalize_name(&change.dependency),
            change,
        };
        let mut edits = Vec::new();
        let mut found = 0;
        let project = table(root, "project");
        if let Some(project) = project {
            if change.kind == DepKind::Normal {
                found += finder.pep508_list(project.get("dependencies"), &mut edits);
            }
            if change.kind == DepKind::Optional {
                let extras = project.get("optional-dependencies");
                for (_, list) in extras
                    .and_then(Item::as_table_like)
                    .into_iter()
                    .flat_map(|t| t.iter())
                {
                    found += finder.pep508_list(Some(list), &mut edits);
                }
            }
        }
        if change.kind == DepKind::Dev {
            for (_, list) in table(root, "dependency-groups")
                .into_iter()
                .flat_map(|t| t.iter())
            {
                found += finder.pep508_list(Some(list), &mut edits);
            }
        }
        if let Some(poetry) = table(root, "tool").and_then(|tool| sub_table(tool, "poetry")) {
            if project.is_none_or(|p| !p.contains_key("dependencies")) {
                found +=
                    finder.poetry_table(poetry.get("dependencies"), DepKind::Normal, &mut edits);
            }
            found += finder.poetry_table(poetry.get("dev-dependencies"), DepKind::Dev, &mut edits);
            for (_, group) in sub_table(poetry, "group")
                .into_iter()
                .flat_map(|t| t.iter())
            {
                let dependencies = group.as_table_like().and_then(|g| g.get("dependencies"));
                found += finder.poetry_table(dependencies, DepKind::Dev, &mut edits);
            }
        }
        self.text = splice(&self.text, edits);
        Ok(found)
    }

    /// The edited text.
    pub fn finish(self) -> String {
        self.text
    }
}

/// Parses TOML keeping spans; errors name the file and line, with `hint`.
pub(crate) fn parse_toml<'a>(
    text: &'a str,
    path: &Utf8Path,
    hint: &str,
) -> Result<Document<&'a str>, InputError> {
    Document::parse(text).map_err(|e| {
        let error = InputError::in_file(path, format!("invalid TOML: {}", e.message().trim()))
            .with_hint(hint);
        match e.span() {
            Some(span) => error.at_offset(text, span.start),
            None => error,
        }
    })
}

/// `item.key` as a table (standard or inline).
fn table<'a>(item: &'a Item, key: &str) -> Option<&'a dyn TableLike> {
    item.get(key).and_then(Item::as_table_like)
}

/// `table.key` as a table (standard or inline).
fn sub_table<'a>(table: &'a dyn TableLike, key: &str) -> Option<&'a dyn TableLike> {
    table.get(key).and_then(Item::as_table_like)
}

/// Finds the entries one [`RequirementChange`] names and the edits that rewrite them.
struct Finder<'a> {
    text: &'a str,
    wanted: String,
    change: &'a RequirementChange,
}

impl Finder<'_> {
    /// The matching PEP 508 strings of a TOML array; returns how many matched.
    fn pep508_list(&self, list: Option<&Item>, edits: &mut Vec<Edit>) -> usize {
        let mut found = 0;
        for value in list
            .and_then(Item::as_array)
            .into_iter()
            .flat_map(|a| a.iter())
        {
            let Some(old) = value.as_str() else {
                continue;
            };
            let Some(parts) = Pep508Parts::find(old) else {
                continue;
            };
            if parts.name != self.wanted || !self.marker_matches(parts.marker.as_deref()) {
                continue;
            }
            found += 1;
            let mut new = old.to_owned();
            new.replace_range(parts.specifier, &self.change.requirement);
            edits.extend(string_edit(self.text, value, &new));
        }
        found
    }

    /// The matching entries of a Poetry dependency table; returns how many matched.
    fn poetry_table(&self, table: Option<&Item>, kind: DepKind, edits: &mut Vec<Edit>) -> usize {
        let mut found = 0;
        for (name, entry) in table
            .and_then(Item::as_table_like)
            .into_iter()
            .flat_map(|t| t.iter())
        {
            if normalize_name(name) != self.wanted {
                continue;
            }
            if let Some(value) = entry.as_value().filter(|v| v.is_str()) {
                if kind == self.change.kind && self.marker_matches(None) {
                    found += 1;
                    edits.extend(string_edit(self.text, value, &self.change.requirement));
                }
            } else if let Some(items) = entry.as_array() {
                for table in items.iter().filter_map(Value::as_inline_table) {
                    found += self.poetry_entry(table, kind, edits);
                }
            } else if let Some(tables) = entry.as_array_of_tables() {
                for table in tables.iter() {
                    found += self.poetry_entry(table, kind, edits);
                }
            } else if let Some(table) = entry.as_table_like() {
                found += self.poetry_entry(table, kind, edits);
            }
        }
        found
    }

    /// One Poetry dependency table: its `version`, when its kind and markers match.
    fn poetry_entry(&self, table: &dyn TableLike, kind: DepKind, edits: &mut Vec<Edit>) -> usize {
        let optional = table.get("optional").and_then(Item::as_bool) == Some(true);
        let kind = if optional { DepKind::Optional } else { kind };
        let markers = table.get("markers").and_then(Item::as_str);
        if kind != self.change.kind || !self.marker_matches(markers) {
            return 0;
        }
        let Some(version) = table.get("version").and_then(Item::as_value) else {
            return 0;
        };
        edits.extend(string_edit(self.text, version, &self.change.requirement));
        1
    }

    /// Whether an entry with `marker` is one the change names: any entry when the change names
    /// no target, else the entry whose marker is written the same (whitespace-trimmed).
    fn marker_matches(&self, marker: Option<&str>) -> bool {
        match &self.change.target {
            None => true,
            Some(target) => marker.map(str::trim) == Some(target.trim()),
        }
    }
}

/// Where the pieces of a PEP 508 requirement string are.
struct Pep508Parts {
    /// The PEP 503 normalized name.
    name: String,
    /// The byte range of the version specifier (inside any parentheses), or the empty range
    /// where one would go (right after the name and extras).
    specifier: Range<usize>,
    /// The marker after `;`, trimmed, if any.
    marker: Option<String>,
}

impl Pep508Parts {
    /// Splits a requirement; `None` for URL requirements (`name @ url`) and text with no name.
    fn find(raw: &str) -> Option<Pep508Parts> {
        let start = raw.len() - raw.trim_start().len();
        let name_end = raw[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .map_or(raw.len(), |i| start + i);
        if name_end == start {
            return None;
        }
        let mut after_name = name_end;
        let rest = &raw[name_end..];
        if rest.trim_start().starts_with('[') {
            let close = rest.find(']')?;
            after_name = name_end + close + 1;
        }
        let rest = &raw[after_name..];
        if rest.trim_start().starts_with('@') {
            return None;
        }
        let marker_at = rest.find(';').map_or(raw.len(), |i| after_name + i);
        let region = &raw[after_name..marker_at];
        let mut specifier = after_name + (region.len() - region.trim_start().len())
            ..marker_at - (region.len() - region.trim_end().len());
        let written = &raw[specifier.clone()];
        if written.starts_with('(') && written.ends_with(')') && written.len() >= 2 {
            let inner = &written[1..written.len() - 1];
            let lead = inner.len() - inner.trim_start().len();
            let trail = inner.len() - inner.trim_end().len();
            specifier = specifier.start + 1 + lead..specifier.end - 1 - trail;
        }
        if specifier.is_empty() {
            specifier = after_name..after_name;
        }
        let marker = raw
            .get(marker_at + 1..)
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        Some(Pep508Parts {
            name: normalize_name(&raw[start..name_end]),
            specifier,
            marker,
        })
    }
}

/// A replacement of `text[range]`.
pub(crate) type Edit = (Range<usize>, String);

/// The edit that turns the string `value` (parsed from `text`, so it has a span) into `new`,
/// or `None` when it is not a string or already says `new`. The quotes are kept: a literal
/// `'...'` or basic `"..."` string without escapes stays one when `new` allows; otherwise
/// toml_edit picks the quoting.
pub(crate) fn string_edit(text: &str, value: &Value, new: &str) -> Option<Edit> {
    let old = value.as_str().filter(|old| *old != new)?;
    let span = value.span()?;
    let raw = text.get(span.clone())?;
    let requoted = if raw == format!("'{old}'") && !new.contains(['\'', '\n', '\r']) {
        format!("'{new}'")
    } else if raw == format!("\"{old}\"")
        && !new.contains(|c: char| c == '"' || c == '\\' || c.is_control())
    {
        format!("\"{new}\"")
    } else {
        Value::from(new).to_string()
    };
    Some((span, requoted))
}

/// Applies non-overlapping edits to `text`.
pub(crate) fn splice(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_owned();
    for (range, replacement) in edits {
        out.replace_range(range, &replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(dependency: &str, kind: DepKind, requirement: &str) -> RequirementChange {
        RequirementChange {
            dependency: dependency.to_owned(),
            kind,
            target: None,
            rename: None,
            requirement: requirement.to_owned(),
        }
    }

    fn edit(text: &str, change: &ManifestChange) -> Result<String, InputError> {
        let mut doc = PyprojectMut::parse(text, Utf8Path::new("py/app/pyproject.toml"))?;
        doc.apply(change)?;
        Ok(doc.finish())
    }

    fn version(text: &str) -> Option<semver::Version> {
        Some(semver::Version::parse(text).unwrap())
    }

    /// The lines of `after` that differ from `before` (both must have as many lines).
    fn changed_lines(before: &str, after: &str) -> Vec<String> {
        assert_eq!(before.lines().count(), after.lines().count());
        before
            .lines()
            .zip(after.lines())
            .filter(|(b, a)| b != a)
            .map(|(_, a)| a.to_owned())
            .collect()
    }

    const PEP621: &str = r#"# The app.
[project]
name = "Acme.App"
version = "1.2.0b3"  # managed by relflow
dependencies = [
  "acme_core[fast] >=1.2,<2 ; python_version >= '3.9'",
  'acme-core >=1.0 ; python_version < "3.9"',
  "requests>=2",
  "acme-util (==0.1.0)",
  "acme-plugins",
  "acme-vendored @ file:///opt/vendored",
]

[project.optional-dependencies]
cli = ["Acme.Util>=0.1"]

[dependency-groups]
test = ["acme-core~=1.2", { include-group = "lint" }]
lint = ["ruff"]
"#;

    #[test]
    fn pep621_version_and_requirements() {
        let change = ManifestChange {
            version: version("1.2.0"),
            requirements: vec![
                requirement("acme-core", DepKind::Normal, ">=2.0,<3"),
                requirement("acme_util", DepKind::Normal, "==0.2.0"),
                requirement("acme_util", DepKind::Optional, ">=0.2"),
                requirement("acme-core", DepKind::Dev, "~=2.0"),
                requirement("acme-plugins", DepKind::Normal, ">=1.1"),
            ],
        };
        let after = edit(PEP621, &change).unwrap();
        assert_eq!(
            changed_lines(PEP621, &after),
            [
                "version = \"1.2.0\"  # managed by relflow",
                "  \"acme_core[fast] >=2.0,<3 ; python_version >= '3.9'\",",
                "  'acme-core >=2.0,<3 ; python_version < \"3.9\"',",
                "  \"acme-util (==0.2.0)\",",
                "  \"acme-plugins>=1.1\",",
                "cli = [\"Acme.Util>=0.2\"]",
                "test = [\"acme-core~=2.0\", { include-group = \"lint\" }]",
            ]
        );
        // The result is still a valid pyproject.toml with valid PEP 508 requirements.
        let packages = reparse(&after);
        assert!(packages.iter().all(|r| r.is_ok()), "{packages:?}");
    }

    /// Every string of `project.dependencies`, parsed with pep508_rs.
    fn reparse(text: &str) -> Vec<Result<String, String>> {
        let doc: toml::Table = text.parse().unwrap();
        doc["project"]["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::parse(
                    v.as_str().unwrap(),
                    std::path::Path::new("/"),
                )
                .map(|r| r.to_string())
                .map_err(|e| e.to_string())
            })
            .collect()
    }

    #[test]
    fn a_target_limits_the_rewrite_to_that_marker() {
        let mut change = requirement("acme-core", DepKind::Normal, ">=1.3");
        change.target = Some("python_version < \"3.9\"".to_owned());
        let mut doc = PyprojectMut::parse(PEP621, Utf8Path::new("pyproject.toml")).unwrap();
        assert_eq!(doc.set_requirement(&change).unwrap(), 1);
        let after = doc.finish();
        assert_eq!(
            changed_lines(PEP621, &after),
            ["  'acme-core >=1.3 ; python_version < \"3.9\"',"]
        );
    }

    #[test]
    fn pre_release_versions_are_written_in_pep440_form() {
        let change = ManifestChange {
            version: version("2.0.0-beta.3"),
            requirements: Vec::new(),
        };
        let after = edit(PEP621, &change).unwrap();
        assert_eq!(
            changed_lines(PEP621, &after),
            ["version = \"2.0.0b3\"  # managed by relflow"]
        );
        let snapshot = ManifestChange {
            version: version("0.0.0-canary-20211213000730"),
            requirements: Vec::new(),
        };
        let after = edit(PEP621, &snapshot).unwrap();
        assert!(after.contains("version = \"0.0.0.dev20211213000730\"  # managed by relflow"));
    }

    const POETRY: &str = r#"[tool.poetry]
name = "acme-cli"
version = '0.3.0'
description = "CLI"

[tool.poetry.dependencies]
python = "^3.9"
acme-core = "^1.2"
acme_util = { version = "^0.1", optional = true }
acme-multi = [
    { version = "^1.0", python = "<3.10", markers = "sys_platform == 'linux'" },
    { version = "^2.0", python = ">=3.10" },
]

[tool.poetry.dependencies.acme-table]
version = ">=1.0,<2"
path = "../table"

[tool.poetry.group.test.dependencies]
acme-core = { path = "../core", develop = true }
acme-testkit = "*"
"#;

    #[test]
    fn poetry_tables() {
        let change = ManifestChange {
            version: version("0.4.0"),
            requirements: vec![
                requirement("acme-core", DepKind::Normal, "^2.0"),
                requirement("acme-util", DepKind::Optional, "^0.2"),
                requirement("acme-table", DepKind::Normal, ">=2.0,<3"),
                requirement("acme-testkit", DepKind::Dev, ">=1.0"),
            ],
        };
        let after = edit(POETRY, &change).unwrap();
        assert_eq!(
            changed_lines(POETRY, &after),
            [
                "version = '0.4.0'",
                "acme-core = \"^2.0\"",
                "acme_util = { version = \"^0.2\", optional = true }",
                "version = \">=2.0,<3\"",
                "acme-testkit = \">=1.0\"",
            ]
        );
    }

    #[test]
    fn poetry_multiple_constraints_follow_markers() {
        let mut change = requirement("acme-multi", DepKind::Normal, "^1.5");
        change.target = Some("sys_platform == 'linux'".to_owned());
        let mut doc = PyprojectMut::parse(POETRY, Utf8Path::new("pyproject.toml")).unwrap();
        assert_eq!(doc.set_requirement(&change).unwrap(), 1);
        change.target = None;
        change.requirement = "^3.0".to_owned();
        let after = doc.finish();
        assert_eq!(
            changed_lines(POETRY, &after),
            ["    { version = \"^1.5\", python = \"<3.10\", markers = \"sys_platform == 'linux'\" },"]
        );
        let mut doc = PyprojectMut::parse(&after, Utf8Path::new("pyproject.toml")).unwrap();
        assert_eq!(doc.set_requirement(&change).unwrap(), 2);
        assert!(doc
            .finish()
            .contains("{ version = \"^3.0\", python = \">=3.10\" }"));
    }

    #[test]
    fn poetry_dependencies_defer_to_project_dependencies() {
        let text = "[project]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"acme-core>=1.0\"]\n\n[tool.poetry.dependencies]\nacme-core = { version = \">=1.0\", path = \"../core\" }\n";
        let mut doc = PyprojectMut::parse(text, Utf8Path::new("pyproject.toml")).unwrap();
        assert_eq!(
            doc.set_requirement(&requirement("acme-core", DepKind::Normal, ">=2.0"))
                .unwrap(),
            1
        );
        let after = doc.finish();
        assert_eq!(
            changed_lines(text, &after),
            ["dependencies = [\"acme-core>=2.0\"]"]
        );
    }

    #[test]
    fn crlf_and_untouched_files_are_byte_identical() {
        let crlf = PEP621.replace('\n', "\r\n");
        let unchanged = edit(&crlf, &ManifestChange::default()).unwrap();
        assert_eq!(unchanged, crlf);
        let change = ManifestChange {
            version: version("1.3.0"),
            requirements: vec![requirement("acme-util", DepKind::Optional, ">=0.2")],
        };
        let after = edit(&crlf, &change).unwrap();
        assert_eq!(
            after,
            crlf.replace("1.2.0b3", "1.3.0")
                .replace("Acme.Util>=0.1", "Acme.Util>=0.2")
        );
    }

    #[test]
    fn quotes_are_kept_or_chosen_by_toml_edit() {
        let text = r#"[project]
name = "a"
version = '1.0.0'
dependencies = ["acme-core \u003e=1.0", '''acme-util>=1.0''']
"#;
        let change = ManifestChange {
            version: version("1.1.0"),
            requirements: vec![
                requirement("acme-core", DepKind::Normal, ">=2.0"),
                requirement("acme-util", DepKind::Normal, ">=2.0"),
            ],
        };
        let after = edit(text, &change).unwrap();
        assert_eq!(
            changed_lines(text, &after),
            [
                "version = '1.1.0'",
                r#"dependencies = ["acme-core >=2.0", "acme-util>=2.0"]"#
            ]
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let dynamic = "[project]\nname = \"x\"\ndynamic = [\"version\"]\n\n[build-system]\nbuild-backend = \"maturin\"\n";
        let error = edit(
            dynamic,
            &ManifestChange {
                version: version("1.0.0"),
                requirements: Vec::new(),
            },
        )
        .unwrap_err();
        assert_eq!(error.location().as_deref(), Some("py/app/pyproject.toml:1"));
        assert!(error.message.contains("dynamic"), "{error}");
        assert!(error.hint.unwrap().contains("Cargo.toml"));

        let error = edit(
            "[tool.ruff]\nline-length = 100\n",
            &ManifestChange {
                version: version("1.0.0"),
                requirements: Vec::new(),
            },
        )
        .unwrap_err();
        assert!(error.message.contains("neither"), "{error}");

        let error = edit(
            "[project]\nname = \"x\"\nversion = 3\n",
            &ManifestChange {
                version: version("1.0.0"),
                requirements: Vec::new(),
            },
        )
        .unwrap_err();
        assert!(error.message.contains("not a string"), "{error}");

        let error =
            PyprojectMut::parse("[project]\nname = \"x\n", Utf8Path::new("p.toml")).unwrap_err();
        assert_eq!(error.location().as_deref(), Some("p.toml:2"));

        let error = edit(
            PEP621,
            &ManifestChange {
                version: None,
                requirements: vec![requirement("acme-core", DepKind::Optional, ">=2")],
            },
        )
        .unwrap_err();
        assert!(
            error
                .message
                .contains("no optional dependency on `acme-core`"),
            "{error}"
        );
    }

    #[test]
    fn pep508_parts() {
        let cases = [
            ("acme-core", "acme-core", ""),
            ("acme-core>=1", "acme-core", ">=1"),
            (
                "  Acme_Core [a, b]  ( >= 1.2 , < 2 )  ; x == 'y'",
                "acme-core",
                ">= 1.2 , < 2",
            ),
            ("acme-core;python_version<'3.9'", "acme-core", ""),
        ];
        for (raw, name, specifier) in cases {
            let parts = Pep508Parts::find(raw).unwrap();
            assert_eq!(
                (parts.name.as_str(), &raw[parts.specifier]),
                (name, specifier),
                "{raw}"
            );
        }
        let parts = Pep508Parts::find("acme-core[x];python_version<'3.9'").unwrap();
        assert_eq!(parts.specifier, 12..12);
        assert_eq!(parts.marker.as_deref(), Some("python_version<'3.9'"));
        assert!(Pep508Parts::find("acme @ https://x/acme.whl").is_none());
        assert!(Pep508Parts::find(">=1").is_none());
    }
}
