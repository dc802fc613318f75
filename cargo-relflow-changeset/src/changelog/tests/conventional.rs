//! The conventional-commit section, rendered by git-cliff-core.

use camino::Utf8Path;
use cargo_relflow_sync::config::ChangelogConfig;

use crate::changelog::{append, conventional_section, CliffConfig};

/// 2026-01-01T00:00:00Z.
const NEW_YEAR: i64 = 1_767_225_600;

/// Commits as history lists them, newest first.
fn history() -> Vec<(String, String)> {
    [
        (
            "c",
            "fix(parser): handle empty input\n\nThe body is not shown.\n",
        ),
        ("m", "Merge branch 'topic'\n"),
        ("b", "feat!: new API\n"),
        ("s", "chore(release): version packages\n"),
        ("a", "feat: first feature\n"),
    ]
    .iter()
    .map(|(sha, message)| (sha.repeat(40), (*message).to_owned()))
    .collect()
}

fn cliff(settings: &ChangelogConfig, cliff_toml: Option<&str>) -> CliffConfig {
    CliffConfig::parse(settings, Utf8Path::new("relflow.toml"), cliff_toml).unwrap()
}

fn with_cliff_file() -> ChangelogConfig {
    ChangelogConfig {
        cliff: Some(toml::Spanned::new(0..0, "cliff.toml".to_owned())),
        conventional_commits: true,
        ..ChangelogConfig::default()
    }
}

#[test]
fn default_groups_conventional_commits_oldest_first() {
    let section = conventional_section(
        &cliff(&ChangelogConfig::default(), None),
        "1.2.0",
        NEW_YEAR,
        &history(),
    )
    .unwrap();
    assert_eq!(
        append(
            "## 1.2.0\n\n### Minor Changes\n\n- 1234567: A changeset",
            &section
        ),
        "## 1.2.0\n\n### Minor Changes\n\n- 1234567: A changeset\n\n\
         ### Features\n\n- First feature (aaaaaaa)\n- [**breaking**] New API (bbbbbbb)\n\n\
         ### Bug Fixes\n\n- *(parser)* Handle empty input (ccccccc)"
    );
}

#[test]
fn no_conventional_commit_gives_no_section() {
    let commits = vec![("f".repeat(40), "Update the readme\n".to_owned())];
    let section = conventional_section(
        &cliff(&ChangelogConfig::default(), None),
        "1.0.1",
        NEW_YEAR,
        &commits,
    )
    .unwrap();
    assert_eq!(section, "");
    assert_eq!(
        append("## 1.0.1\n\nNo changes in this release.", &section),
        "## 1.0.1\n\nNo changes in this release."
    );
    let none = conventional_section(
        &cliff(&ChangelogConfig::default(), None),
        "1.0.1",
        NEW_YEAR,
        &[],
    )
    .unwrap();
    assert_eq!(none, "");
}

#[test]
fn a_cliff_toml_is_honoured() {
    let cliff_toml = r#"
[changelog]
body = """
#### {{ version }} ({{ timestamp | date(format="%Y-%m-%d") }})
{% for commit in commits %}
* {{ commit.message }}{% endfor %}
"""
trim = false

[git]
sort_commits = "newest"
limit_commits = 3
commit_parsers = [{ message = "^feat", group = "New" }, { message = "^fix", group = "Fixed" }]
filter_commits = true
"#;
    let section = conventional_section(
        &cliff(&with_cliff_file(), Some(cliff_toml)),
        "2.0.0",
        NEW_YEAR,
        &history(),
    )
    .unwrap();
    // The three newest commits, newest first, without the one no parser matches.
    assert_eq!(
        section,
        "#### 2.0.0 (2026-01-01)\n\n* handle empty input\n* new API\n"
    );
}

#[test]
fn relflow_toml_templates_win_over_cliff_toml() {
    let settings = ChangelogConfig {
        body: Some("{% for commit in commits %}{{ commit.id | truncate(length=3, end=\"\") }} {% endfor %}".to_owned()),
        ..with_cliff_file()
    };
    let cliff_toml = "[changelog]\nbody = \"ignored\"\n";
    let section = conventional_section(
        &cliff(&settings, Some(cliff_toml)),
        "1.0.0",
        NEW_YEAR,
        &history(),
    )
    .unwrap();
    assert_eq!(section, "aaa bbb ccc ");
}

#[test]
fn invalid_cliff_toml_names_file_and_line() {
    let error = CliffConfig::parse(
        &with_cliff_file(),
        Utf8Path::new("relflow.toml"),
        Some("[git]\nconventional_commits = true\nsort_commits = \n"),
    )
    .unwrap_err();
    assert_eq!(error.path.as_deref(), Some(Utf8Path::new("cliff.toml")));
    assert_eq!(error.line, Some(3));
    assert!(
        error.message.starts_with("invalid git-cliff configuration"),
        "{error}"
    );

    let error = CliffConfig::parse(
        &with_cliff_file(),
        Utf8Path::new("relflow.toml"),
        Some("[git]\nconventional_commits = \"yes\"\n"),
    )
    .unwrap_err();
    assert_eq!(error.path.as_deref(), Some(Utf8Path::new("cliff.toml")));
    assert!(error.message.contains("conventional_commits"), "{error}");
}

#[test]
fn template_errors_are_input_errors() {
    let settings = ChangelogConfig {
        body: Some("{% for commit in commits %}".to_owned()),
        ..ChangelogConfig::default()
    };
    let error = CliffConfig::parse(&settings, Utf8Path::new("Cargo.toml"), None).unwrap_err();
    assert_eq!(error.path.as_deref(), Some(Utf8Path::new("Cargo.toml")));
    assert!(
        error.message.contains("`body` template does not compile"),
        "{error}"
    );

    let settings = ChangelogConfig {
        body: Some("{{ commits | no_such_filter }}".to_owned()),
        ..ChangelogConfig::default()
    };
    let cliff = cliff(&settings, None);
    let error = conventional_section(&cliff, "1.0.0", NEW_YEAR, &history()).unwrap_err();
    assert!(error.message.contains("could not render"), "{error}");
}

#[test]
fn commands_are_refused() {
    let cliff_toml =
        "[changelog]\npostprocessors = [{ pattern = \".*\", replace_command = \"sed s/a/b/\" }]\n";
    let error = CliffConfig::parse(
        &with_cliff_file(),
        Utf8Path::new("relflow.toml"),
        Some(cliff_toml),
    )
    .unwrap_err();
    assert!(error.message.contains("replace_command"), "{error}");
    assert_eq!(error.path.as_deref(), Some(Utf8Path::new("cliff.toml")));
}
