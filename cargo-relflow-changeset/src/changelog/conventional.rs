//! The conventional-commit section of an entry, rendered by git-cliff-core.
//!
//! The configuration is git-cliff's, in layers, each overriding the one before (tables merge,
//! other values are replaced):
//! 1. git-cliff's built-in defaults;
//! 2. relflow's defaults ([`RELFLOW_DEFAULTS`]): a body without a version heading (the entry has
//!    one) whose groups are `###` sections, and git-cliff's commit groups without emoji;
//! 3. the user's `cliff.toml` (`[changelog] cliff = "cliff.toml"` in relflow.toml), if any;
//! 4. `header`, `body`, `footer` and `trim` of relflow's `[changelog]`.
//!
//! relflow chooses the commits (those that touched the package since its last release), so
//! git-cliff's tag, path and remote settings do not apply. Commands (`replace_command`) are
//! refused: this crate runs no processes.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::config::ChangelogConfig;
use cargo_relflow_sync::InputError;
use git_cliff_core::changelog::Changelog;
use git_cliff_core::commit::Commit;
use git_cliff_core::config::Config;
use git_cliff_core::embed::EmbeddedConfig;
use git_cliff_core::release::Release;
use git_cliff_core::template::Template;

/// relflow's defaults over git-cliff's: see the module docs.
const RELFLOW_DEFAULTS: &str = r#"
[changelog]
body = '''
{% for entry in commits | commit_groups(groups=commit_parsers_groups) %}
### {{ entry.group | striptags | trim | upper_first }}

{% for commit in entry.commits %}- {% if commit.scope %}*({{ commit.scope }})* {% endif %}{% if commit.breaking %}[**breaking**] {% endif %}{{ commit.message | upper_first }} ({{ commit.id | truncate(length=7, end="") }})
{% endfor %}{% endfor %}'''
trim = true

[git]
conventional_commits = true
filter_unconventional = true
commit_parsers = [
    { message = "^feat", group = "Features" },
    { message = "^fix", group = "Bug Fixes" },
    { message = "^doc", group = "Documentation" },
    { message = "^perf", group = "Performance" },
    { message = "^refactor", group = "Refactor" },
    { message = "^style", group = "Styling" },
    { message = "^test", group = "Testing" },
    { message = "^chore\\(release\\)", skip = true },
    { message = "^chore\\(deps.*\\)", skip = true },
    { message = "^chore|^ci", group = "Miscellaneous Tasks" },
    { body = ".*security", group = "Security" },
    { message = "^revert", group = "Revert" },
    { message = ".*", group = "Other" },
]
sort_commits = "oldest"
"#;

/// A git-cliff configuration, parsed and checked once for all packages.
#[derive(Debug, Clone)]
pub struct CliffConfig {
    config: Config,
    /// The file errors are reported against: the `cliff.toml`, else the file with `[changelog]`.
    source: Utf8PathBuf,
}

impl CliffConfig {
    /// Builds the configuration from relflow's `[changelog]` settings (written in
    /// `settings_path`, relflow.toml or Cargo.toml) and the text of the `cliff.toml` they name.
    ///
    /// Errors (invalid TOML, unknown values, templates that do not compile, `replace_command`)
    /// are input errors that name the file.
    pub fn parse(
        settings: &ChangelogConfig,
        settings_path: &Utf8Path,
        cliff_toml: Option<&str>,
    ) -> Result<CliffConfig, InputError> {
        let cliff_path = settings.cliff.as_ref().map(|c| Utf8Path::new(c.get_ref()));
        let source = cliff_path.unwrap_or(settings_path).to_owned();
        let built_in = EmbeddedConfig::get_config()
            .map_err(|e| InputError::new(format!("git-cliff's built-in configuration: {e}")))?;
        let mut table = parse_table(&built_in, &source)?;
        merge(&mut table, parse_table(RELFLOW_DEFAULTS, &source)?);
        if let Some(text) = cliff_toml {
            merge(&mut table, parse_table(text, &source)?);
        }
        let mut overrides = toml::Table::new();
        let texts = [
            ("header", &settings.header),
            ("body", &settings.body),
            ("footer", &settings.footer),
        ];
        for (key, value) in texts {
            if let Some(text) = value {
                overrides.insert(key.to_owned(), toml::Value::String(text.clone()));
            }
        }
        if let Some(trim) = settings.trim {
            overrides.insert("trim".to_owned(), toml::Value::Boolean(trim));
        }
        let mut changelog = toml::Table::new();
        changelog.insert("changelog".to_owned(), toml::Value::Table(overrides));
        merge(&mut table, changelog);

        let config: Config = toml::Value::Table(table).try_into().map_err(|e| {
            InputError::in_file(&source, format!("invalid git-cliff configuration: {e}"))
        })?;
        let commands = config
            .changelog
            .postprocessors
            .iter()
            .chain(&config.git.commit_preprocessors)
            .any(|processor| processor.replace_command.is_some());
        if commands {
            return Err(InputError::in_file(
                &source,
                "relflow does not run `replace_command` from a git-cliff configuration",
            )
            .with_hint("use `replace` with a regex instead"));
        }
        let trim = config.changelog.trim;
        let templates = [
            ("header", config.changelog.header.clone()),
            ("body", Some(config.changelog.body.clone())),
            ("footer", config.changelog.footer.clone()),
        ];
        for (name, text) in templates {
            if let Some(text) = text {
                Template::new(name, text, trim).map_err(|e| {
                    InputError::in_file(
                        &source,
                        format!("the git-cliff `{name}` template does not compile: {e}"),
                    )
                })?;
            }
        }
        Ok(CliffConfig { config, source })
    }
}

/// The conventional-commit section for a release of `version` at `timestamp` (seconds since the
/// Unix epoch, for templates that print a date), from `commits` as `(sha, message)`, newest first
/// (as `git log` lists them); empty when no commit is left after git-cliff's parsers and filters.
///
/// A template that fails to render is an input error naming the configuration file.
pub fn conventional_section(
    cliff: &CliffConfig,
    version: &str,
    timestamp: i64,
    commits: &[(String, String)],
) -> Result<String, InputError> {
    let mut chosen: Vec<Commit<'_>> = commits
        .iter()
        .take(cliff.config.git.limit_commits.unwrap_or(usize::MAX))
        .map(|(sha, message)| Commit::new(sha.clone(), message.clone()))
        .collect();
    // git-cliff collects a release's commits oldest first, and reverses them for `newest`.
    if cliff.config.git.sort_commits != "newest" {
        chosen.reverse();
    }
    let release = Release {
        version: Some(version.to_owned()),
        commit_id: commits.first().map(|(sha, _)| sha.clone()),
        timestamp: Some(timestamp),
        commits: chosen,
        previous: Some(Box::default()),
        ..Release::default()
    };
    let render_error = |e: git_cliff_core::error::Error| {
        InputError::in_file(
            &cliff.source,
            format!("git-cliff could not render the changelog section: {e}"),
        )
    };
    let changelog =
        Changelog::new(vec![release], cliff.config.clone(), None).map_err(render_error)?;
    if changelog.releases.iter().all(|r| r.commits.is_empty()) {
        return Ok(String::new());
    }
    let mut out = Vec::new();
    changelog.generate(&mut out).map_err(render_error)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Parses TOML text into a table; errors name `source` and the line.
fn parse_table(text: &str, source: &Utf8Path) -> Result<toml::Table, InputError> {
    text.parse::<toml::Table>().map_err(|e| {
        let error = InputError::in_file(
            source,
            format!("invalid git-cliff configuration: {}", e.message()),
        );
        match e.span() {
            Some(span) => error.at_offset(text, span.start),
            None => error,
        }
    })
}

/// Merges `overlay` into `base` as git-cliff's configuration layers do: tables recursively, any
/// other value replaced.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(overlay)) => merge(inner, overlay),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}
