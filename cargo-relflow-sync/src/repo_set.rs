//! A release set: the `[[repo]]` entries of a coordinating repository's relflow.toml, which
//! release several repositories in one ordered run.
//!
//! ```toml
//! version = "shared"
//!
//! [[repo]]
//! name = "sdk-rust"
//! path = "../sdk-rust"
//!
//! [[repo]]
//! name = "sdk-python"
//! url = "https://github.com/acme/sdk-python.git"
//! after = ["sdk-rust"]
//! pin = [{ from = "sdk-rust", file = ".github/workflows/ci.yml", regex = 'FFI_VERSION: "(?<version>[^"]+)"' }]
//! ```
//!
//! Parsing is part of [`crate::config`]; this module checks what types cannot (one source per
//! repo, known names, one locator per pin, no cycle) and orders the repos into levels. A pin's
//! `from` orders its repo after that one, like `after`.

use camino::Utf8Path;
use serde::Deserialize;
use toml::Spanned;

use crate::config::Locator;
use crate::InputError;

/// `version = "shared"` or `"independent"` (the default): how the repos of a set are versioned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SetVersioning {
    /// Each repo follows its own changesets.
    #[default]
    Independent,
    /// Every repo gets one version: the highest any repo's plan asks for, or `--version`.
    Shared,
}

/// One `[[repo]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// The repo's name in this set (for `after`, `pin.from` and messages).
    pub name: Spanned<String>,
    /// A local clone, relative to the configuration file's directory.
    pub path: Option<Spanned<String>>,
    /// A URL to clone into the cache under `.relflow/repos/`.
    pub url: Option<Spanned<String>>,
    /// Repos released before this one.
    #[serde(default)]
    pub after: Vec<Spanned<String>>,
    /// Files of this repo that carry another repo's new version.
    #[serde(default)]
    pub pin: Vec<PinConfig>,
}

/// `pin = [{ from = "sdk-rust", file = "...", regex = '...' }]`: a file of the repo that names
/// the version of the repo `from`, found like a `[[sync]]` target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinConfig {
    /// The repo whose new version is written.
    pub from: Spanned<String>,
    /// The file, relative to the pinning repo's root.
    pub file: String,
    /// A JSON pointer to the version in the file.
    pub json: Option<String>,
    /// A dotted TOML path to the version in the file.
    pub toml: Option<String>,
    /// A regex with a named group `version`.
    pub regex: Option<String>,
}

/// Where a repo comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSource {
    /// A local clone, as written (relative to the configuration file's directory).
    Path(String),
    /// A URL cloned into the cache.
    Url(String),
}

impl RepoConfig {
    /// `path` or `url`, whichever is given (validation makes sure exactly one is).
    pub fn source(&self) -> RepoSource {
        match (&self.path, &self.url) {
            (Some(path), _) => RepoSource::Path(path.get_ref().clone()),
            (None, Some(url)) => RepoSource::Url(url.get_ref().clone()),
            (None, None) => RepoSource::Path(".".to_owned()),
        }
    }
}

impl PinConfig {
    /// The one locator given, or `None` when there is none or more than one.
    pub fn locator(&self) -> Option<Locator> {
        match (&self.json, &self.toml, &self.regex) {
            (Some(pointer), None, None) => Some(Locator::Json(pointer.clone())),
            (None, Some(path), None) => Some(Locator::Toml(path.clone())),
            (None, None, Some(regex)) => Some(Locator::Regex(regex.clone())),
            _ => None,
        }
    }
}

/// Checks the `[[repo]]` entries of the file at `path` (its text is `text`): exactly one of
/// `path` and `url`, unique names, known `after` and `pin.from` names, one locator per pin with
/// a `version` group in a regex, and no ordering cycle.
pub fn validate(repos: &[RepoConfig], text: &str, path: &Utf8Path) -> Result<(), InputError> {
    let error = |message: String, at: usize| InputError::in_file(path, message).at_offset(text, at);
    for (at, repo) in repos.iter().enumerate() {
        let name = repo.name.get_ref();
        let start = repo.name.span().start;
        if repo.path.is_some() == repo.url.is_some() {
            return Err(error(
                format!("`[[repo]]` `{name}` needs exactly one of `path` and `url`"),
                start,
            )
            .with_hint("`path` is a local clone relative to this file, `url` is cloned into `.relflow/repos/`"));
        }
        if repos[..at].iter().any(|r| r.name.get_ref() == name) {
            return Err(
                error(format!("`[[repo]]` `{name}` is declared twice"), start)
                    .with_hint("give each repo its own name"),
            );
        }
        let known = |written: &Spanned<String>, key: &str| {
            if repos.iter().any(|r| r.name == *written) {
                return Ok(());
            }
            Err(error(
                format!(
                    "`{key}` of repo `{name}` names `{}`, which is not a `[[repo]]`",
                    written.get_ref()
                ),
                written.span().start,
            )
            .with_hint(format!("known repos: {}", names(repos))))
        };
        for after in &repo.after {
            known(after, "after")?;
        }
        for pin in &repo.pin {
            known(&pin.from, "pin.from")?;
            let at = pin.from.span().start;
            match pin.locator() {
                None => {
                    return Err(error(
                        format!(
                        "a `pin` of repo `{name}` needs exactly one of `json`, `toml` or `regex`"
                    ),
                        at,
                    ))
                }
                Some(Locator::Regex(pattern)) => {
                    crate::config::check_regex(&pattern, text, path, at)?;
                }
                Some(_) => {}
            }
        }
    }
    levels(repos).map(drop).map_err(|cycle| {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| repos[i].name.get_ref().as_str())
            .collect();
        error(
            format!("the repos' order forms a cycle: {}", names.join(" -> ")),
            repos[cycle[0]].name.span().start,
        )
        .with_hint("remove one of these `after` or `pin` entries")
    })
}

fn names(repos: &[RepoConfig]) -> String {
    let names: Vec<&str> = repos.iter().map(|r| r.name.get_ref().as_str()).collect();
    names.join(", ")
}

/// The repos each one waits for: its `after` entries and its pins' `from`, as indices.
pub fn predecessors(repos: &[RepoConfig], at: usize) -> Vec<usize> {
    let repo = &repos[at];
    let mut found: Vec<usize> = repo
        .after
        .iter()
        .chain(repo.pin.iter().map(|p| &p.from))
        .filter_map(|name| repos.iter().position(|r| r.name == *name))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// Each repo's level: 0 without predecessors, else one more than its highest predecessor. An
/// ordering cycle is returned as the repos on it, the first repeated at the end.
pub fn levels(repos: &[RepoConfig]) -> Result<Vec<usize>, Vec<usize>> {
    // Depth-first search with colours: 1 on the current path, 2 finished.
    fn visit(
        node: usize,
        repos: &[RepoConfig],
        colour: &mut [u8],
        level: &mut [usize],
        path: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        colour[node] = 1;
        path.push(node);
        let mut mine = 0;
        for before in predecessors(repos, node) {
            if colour[before] == 1 {
                let start = path.iter().position(|&n| n == before).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(before);
                return Err(cycle);
            }
            if colour[before] == 0 {
                visit(before, repos, colour, level, path)?;
            }
            mine = mine.max(level[before] + 1);
        }
        level[node] = mine;
        path.pop();
        colour[node] = 2;
        Ok(())
    }
    let mut colour = vec![0u8; repos.len()];
    let mut level = vec![0; repos.len()];
    let mut path = Vec::new();
    for start in 0..repos.len() {
        if colour[start] == 0 {
            visit(start, repos, &mut colour, &mut level, &mut path)?;
        }
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    use crate::config::parse_relflow_toml;

    use super::*;

    fn parse(text: &str) -> Result<crate::config::RelflowConfig, InputError> {
        parse_relflow_toml(text, Utf8Path::new("relflow.toml"))
    }

    const SET: &str = r#"version = "shared"

[[repo]]
name = "core"
path = "../core"

[[repo]]
name = "py"
url = "file:///srv/py.git"
pin = [{ from = "core", file = "ci.yml", regex = 'FFI: "(?<version>[^"]+)"' }]

[[repo]]
name = "server"
path = "../server"
after = ["py"]
"#;

    #[test]
    fn a_set_parses_and_orders_into_levels() {
        let config = parse(SET).unwrap();
        assert_eq!(config.version, Some(SetVersioning::Shared));
        assert_eq!(config.repos.len(), 3);
        assert_eq!(
            config.repos[1].source(),
            RepoSource::Url("file:///srv/py.git".into())
        );
        assert_eq!(levels(&config.repos).unwrap(), [0, 1, 2]);
    }

    #[test]
    fn unknown_after_names_its_line() {
        let text = SET.replace("after = [\"py\"]", "after = [\"pyy\"]");
        let error = parse(&text).unwrap_err();
        assert!(
            error.message.contains("`pyy`, which is not a `[[repo]]`"),
            "{error}"
        );
        assert_eq!(error.line, Some(15));
    }

    #[test]
    fn a_cycle_is_an_error() {
        let text = SET.replace(
            "path = \"../core\"",
            "path = \"../core\"\nafter = [\"server\"]",
        );
        let error = parse(&text).unwrap_err();
        assert!(
            error
                .message
                .contains("forms a cycle: core -> server -> py -> core"),
            "{error}"
        );
        assert_eq!(error.line, Some(4));
    }

    #[test]
    fn a_repo_needs_one_source_and_a_pin_one_locator() {
        let error = parse("[[repo]]\nname = \"a\"\n").unwrap_err();
        assert!(
            error.message.contains("exactly one of `path` and `url`"),
            "{error}"
        );
        assert_eq!(error.line, Some(2));
        let error =
            parse("[[repo]]\nname = \"a\"\npath = \".\"\npin = [{ from = \"a\", file = \"x\" }]\n")
                .unwrap_err();
        assert!(error.message.contains("exactly one of `json`"), "{error}");
        let error =
            parse("[[repo]]\nname = \"a\"\npath = \".\"\n[[repo]]\nname = \"a\"\npath = \"b\"\n")
                .unwrap_err();
        assert!(error.message.contains("declared twice"), "{error}");
        assert_eq!(error.line, Some(5));
    }
}
