//! Python projects with `dynamic = ["version"]`: where their build backend takes the version
//! from, and reading and writing it there.
//!
//! - A file relflow can edit: hatch's `[tool.hatch.version] path` (a `__version__ = "..."`
//!   line, hatch's default pattern), setuptools' `[tool.setuptools.dynamic] version` with
//!   `attr = "pkg.__version__"` (that assignment in `pkg/__init__.py` or `pkg.py`, also under
//!   `src/`) or `file = "VERSION"` (the whole file), and pdm's `[tool.pdm.version]`
//!   `source = "file"` with `path`.
//! - Git tags (hatch-vcs, uv-dynamic-versioning, setuptools-scm, pdm's `scm`): the release tag
//!   is the version, so nothing is written but the changelog.
//! - Anything else has no version relflow can write.

use std::sync::LazyLock;

use camino::{Utf8Path, Utf8PathBuf};
use regex::Regex;
use toml::{Table, Value};

/// Where a dynamic version lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DynamicSource {
    /// In a file, relative to the project directory: the `assignment` variable's string
    /// (`__version__ = "1.2.0"`), or the whole file when `None`.
    File {
        /// Candidate files, first existing wins (setuptools' `attr:` has several).
        candidates: Vec<Utf8PathBuf>,
        /// The variable assigned, or `None` for the whole file.
        assignment: Option<String>,
        /// The pyproject.toml key that names it, for messages.
        key: &'static str,
    },
    /// Derived from git tags by the named plugin.
    Vcs(&'static str),
    /// Something relflow cannot write, and why.
    Unknown(String),
}

fn sub<'a>(table: &'a Table, key: &str) -> Option<&'a Table> {
    table.get(key).and_then(Value::as_table)
}

fn string<'a>(table: &'a Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(Value::as_str)
}

/// The source of a dynamic version in the pyproject.toml `doc`.
pub fn dynamic_source(doc: &Table) -> DynamicSource {
    let tool = sub(doc, "tool");
    let tool_table = |name: &str| tool.and_then(|t| sub(t, name));
    let requires: Vec<&str> = sub(doc, "build-system")
        .and_then(|b| b.get("requires"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let requires_any = |names: &[&str]| {
        requires.iter().any(|r| {
            let name: String = r
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            let name = name.to_ascii_lowercase().replace('_', "-");
            names.contains(&name.as_str())
        })
    };
    if let Some(hatch) = tool_table("hatch").and_then(|h| sub(h, "version")) {
        match string(hatch, "source") {
            Some("vcs") => return DynamicSource::Vcs("hatch-vcs"),
            Some("uv-dynamic-versioning") => return DynamicSource::Vcs("uv-dynamic-versioning"),
            Some("regex") | None => {
                if let Some(path) = string(hatch, "path") {
                    return DynamicSource::File {
                        candidates: vec![Utf8PathBuf::from(path)],
                        assignment: Some(String::new()),
                        key: "[tool.hatch.version] path",
                    };
                }
            }
            Some(other) => {
                return DynamicSource::Unknown(format!(
                    "[tool.hatch.version] source = \"{other}\" is not a source relflow can write"
                ))
            }
        }
    }
    if let Some(pdm) = tool_table("pdm").and_then(|p| sub(p, "version")) {
        match (string(pdm, "source"), string(pdm, "path")) {
            (Some("file"), Some(path)) => {
                return DynamicSource::File {
                    candidates: vec![Utf8PathBuf::from(path)],
                    assignment: Some(String::new()),
                    key: "[tool.pdm.version] path",
                }
            }
            (Some("scm"), _) => return DynamicSource::Vcs("pdm scm"),
            _ => {}
        }
    }
    let setuptools_version = tool_table("setuptools")
        .and_then(|s| sub(s, "dynamic"))
        .and_then(|d| sub(d, "version"));
    if let Some(version) = setuptools_version {
        if let Some(attr) = string(version, "attr") {
            let (module, variable) = attr.rsplit_once('.').unwrap_or(("", attr));
            let module_path = module.replace('.', "/");
            let candidates = ["", "src/"]
                .iter()
                .flat_map(|prefix| {
                    [
                        format!("{prefix}{module_path}/__init__.py"),
                        format!("{prefix}{module_path}.py"),
                    ]
                })
                .map(Utf8PathBuf::from)
                .collect();
            return DynamicSource::File {
                candidates,
                assignment: Some(variable.to_owned()),
                key: "[tool.setuptools.dynamic] version.attr",
            };
        }
        let file = match version.get("file") {
            Some(Value::String(file)) => Some(file.as_str()),
            Some(Value::Array(files)) if files.len() == 1 => files[0].as_str(),
            _ => None,
        };
        if let Some(file) = file {
            return DynamicSource::File {
                candidates: vec![Utf8PathBuf::from(file)],
                assignment: None,
                key: "[tool.setuptools.dynamic] version.file",
            };
        }
    }
    if tool_table("setuptools_scm").is_some()
        || tool_table("setuptools-scm").is_some()
        || requires_any(&["setuptools-scm"])
    {
        return DynamicSource::Vcs("setuptools-scm");
    }
    if tool_table("hatch-vcs").is_some() || requires_any(&["hatch-vcs"]) {
        return DynamicSource::Vcs("hatch-vcs");
    }
    if tool_table("uv-dynamic-versioning").is_some() || requires_any(&["uv-dynamic-versioning"]) {
        return DynamicSource::Vcs("uv-dynamic-versioning");
    }
    DynamicSource::Unknown(
        "its version is dynamic and comes from no source relflow can write (hatch `path`, \
         setuptools `attr:`/`file:`, pdm `file`, or a VCS plugin)"
            .to_owned(),
    )
}

/// hatch's default pattern: `__version__ = "1.2.0"` or `VERSION = '1.2.0'` (optionally typed).
static DEFAULT_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)^(?:__version__|VERSION)[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*["']v?(?<version>[^"'\n]+)["']"#)
        .expect("valid regex")
});

fn assignment_regex(variable: &str) -> Regex {
    Regex::new(&format!(
        r#"(?m)^{}[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*["']v?(?<version>[^"'\n]+)["']"#,
        regex::escape(variable)
    ))
    .expect("valid regex")
}

/// The byte range of the version in `text`: the assigned string of `assignment` (`""` for
/// hatch's default names), or the whole file without surrounding whitespace for `None`.
fn version_range(text: &str, assignment: Option<&str>) -> Option<std::ops::Range<usize>> {
    match assignment {
        None => {
            let start = text.len() - text.trim_start().len();
            let end = text.trim_end().len();
            (start < end).then_some(start..end)
        }
        Some(variable) => {
            let custom;
            let regex = if variable.is_empty() {
                &*DEFAULT_ASSIGNMENT
            } else {
                custom = assignment_regex(variable);
                &custom
            };
            regex
                .captures(text)
                .and_then(|c| c.name("version"))
                .map(|m| m.range())
        }
    }
}

/// The version written in a version file's `text`.
pub fn read_version<'a>(text: &'a str, assignment: Option<&str>) -> Option<&'a str> {
    version_range(text, assignment).map(|r| &text[r])
}

/// `text` with its version replaced by `new`; `None` when it holds none.
pub fn write_version(text: &str, assignment: Option<&str>, new: &str) -> Option<String> {
    let range = version_range(text, assignment)?;
    Some(format!(
        "{}{new}{}",
        &text[..range.start],
        &text[range.end..]
    ))
}

/// The file of `candidates` under `dir` that `exists`, relative to the repository root.
pub fn first_existing(
    dir: &Utf8Path,
    candidates: &[Utf8PathBuf],
    exists: impl Fn(&Utf8Path) -> bool,
) -> Option<Utf8PathBuf> {
    candidates.iter().map(|c| dir.join(c)).find(|p| exists(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> DynamicSource {
        dynamic_source(&toml::from_str(text).unwrap())
    }

    #[test]
    fn sources_of_the_common_backends() {
        assert!(matches!(
            source("[tool.hatch.version]\npath = \"src/pkg/__about__.py\"\n"),
            DynamicSource::File { assignment: Some(ref a), .. } if a.is_empty()
        ));
        assert_eq!(
            source("[build-system]\nrequires = [\"hatchling\", \"uv-dynamic-versioning>=0.7.0\"]\n[tool.hatch.version]\nsource = \"uv-dynamic-versioning\"\n"),
            DynamicSource::Vcs("uv-dynamic-versioning")
        );
        assert_eq!(
            source("[build-system]\nrequires = [\"setuptools>=64\", \"setuptools_scm>=8\"]\n"),
            DynamicSource::Vcs("setuptools-scm")
        );
        let DynamicSource::File {
            candidates,
            assignment,
            ..
        } = source("[tool.setuptools.dynamic]\nversion = { attr = \"acme.core.__version__\" }\n")
        else {
            panic!("attr is a file source");
        };
        assert_eq!(candidates[0], "acme/core/__init__.py");
        assert_eq!(assignment.as_deref(), Some("__version__"));
        assert!(matches!(
            source("[tool.setuptools.dynamic]\nversion = { file = \"VERSION\" }\n"),
            DynamicSource::File {
                assignment: None,
                ..
            }
        ));
        assert!(matches!(
            source("[project]\nname = \"x\"\n"),
            DynamicSource::Unknown(_)
        ));
    }

    #[test]
    fn read_and_write_keep_every_other_byte() {
        let text = "\"\"\"About.\"\"\"\n__version__ = \"1.2.0\"\nother = \"3\"\n";
        assert_eq!(read_version(text, Some("")), Some("1.2.0"));
        assert_eq!(
            write_version(text, Some(""), "1.3.0").unwrap(),
            "\"\"\"About.\"\"\"\n__version__ = \"1.3.0\"\nother = \"3\"\n"
        );
        assert_eq!(
            read_version("VERSION: str = '0.4b1'\n", Some("")),
            Some("0.4b1")
        );
        assert_eq!(read_version("  2.0.0\n", None), Some("2.0.0"));
        assert_eq!(write_version("2.0.0\n", None, "2.1.0").unwrap(), "2.1.0\n");
        assert_eq!(read_version("x = 1\n", Some("__version__")), None);
    }
}
