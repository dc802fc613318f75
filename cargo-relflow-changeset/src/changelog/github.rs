//! The lines of `@changesets/changelog-github` 1.0.0 (the generator of biome, astro and
//! changesets/changesets), from data: which pull requests and commits it looks up, and its text
//! once their answers are in. The lookups themselves (get-github-info's) are the caller's.
//!
//! A release line is `- [#PR](url) [`sha7`](url) Thanks [@user](url)! - Summary`, each link
//! where known, `#123` in the summary linked to its issue, and `pr:`, `commit:` and
//! `author:`/`user:` lines of the summary taking the place of what the lookups found. The
//! dependency line is `- Updated dependencies [[`sha7`](url), ...]:` and the new versions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// A GitHub user as get-github-info gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubUser {
    /// The login.
    pub login: String,
    /// The profile page.
    pub url: String,
}

impl GithubUser {
    fn link(&self) -> String {
        format!("[@{}]({})", self.login, self.url)
    }
}

/// What get-github-info's `getCommitInfo` finds for a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// The commit's page.
    pub url: String,
    /// The author of its pull request, else the GitHub user of the commit's author.
    pub author: Option<GithubUser>,
    /// Its pull request (the first merged one, see [`first_merged`]): number and page.
    pub pull: Option<(u64, String)>,
}

/// What get-github-info's `getPullRequestInfo` finds for a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullInfo {
    /// The pull request's page.
    pub url: String,
    /// Who opened it.
    pub author: Option<GithubUser>,
    /// The commit it was merged as: its hash (at least 7 characters) and page.
    pub merge_commit: Option<(String, String)>,
}

/// One question for GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lookup {
    /// A commit, by hash.
    Commit(String),
    /// A pull request, by number.
    Pull(u64),
}

/// The generator's options and GitHub's answers. Rendering with an answer missing records the
/// question ([`GithubLines::wanted`]) and renders as if GitHub had not found it, so a first
/// rendering with no answers says what to ask.
#[derive(Debug, Default)]
pub struct GithubLines {
    /// `owner/name` (the `repo` option, or `GITHUB_REPOSITORY`).
    pub repo: String,
    /// `GITHUB_SERVER_URL`, default `https://github.com`, without a trailing slash.
    pub server_url: String,
    /// The `disableThanks` option.
    pub disable_thanks: bool,
    /// The experimental `template` option (a non-empty string): the release line's first line
    /// from the tokens `{summary}`, `{ref}`, `{pull}`, `{commit}`, `{authors}`.
    pub template: Option<String>,
    /// Answers about commits (`None`: not found).
    pub commits: HashMap<String, Option<CommitInfo>>,
    /// Answers about pull requests (`None`: not found).
    pub pulls: HashMap<u64, Option<PullInfo>>,
    wanted: RefCell<Vec<Lookup>>,
}

/// Changesets' error when the generator has no repository.
pub const MISSING_REPO: &str = "Please provide a repo to this changelog generator like this:\n\"changelog\": [\"@changesets/changelog-github\", { \"repo\": \"org/repo\" }]\nor set the GITHUB_REPOSITORY environment variable.";

/// get-github-info's `validateRepoName`: `owner/name` of word characters, `.` and `-`.
pub fn valid_repo_name(repo: &str) -> bool {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$").expect("valid regex"));
    NAME.is_match(repo)
}

/// Of the pull requests associated with a commit (`(merged_at, item)`), the one merged first;
/// unmerged ones come last, ties keep their order (get-github-info's sort, ISO 8601 times).
pub fn first_merged<T>(pulls: Vec<(Option<String>, T)>) -> Option<T> {
    let mut pulls = pulls;
    pulls.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(a), Some(b)) => a.cmp(b),
    });
    pulls.into_iter().next().map(|(_, item)| item)
}

/// What a summary says of itself: `pr: 12`, `commit: abc`, `author: @user` lines.
struct SummaryRefs {
    pull: Option<u64>,
    commit: Option<String>,
    users: Vec<String>,
    text: String,
}

static PR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^\s*(?:pr|pull|pull\s+request):\s*#?([0-9]+)").expect("valid regex")
});
static COMMIT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^\s*commit:\s*(\S+)").expect("valid regex"));
static USER_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^\s*(?:author|user):\s*@?(\S+)").expect("valid regex"));
static ISSUE_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[.*?\]\(.*?\)|(?-u:\B)#([1-9][0-9]*)(?-u:\b)").expect("valid regex")
});

/// The summary's `pr:` (first), `commit:` (first) and `author:`/`user:` (all) lines taken out,
/// then trimmed, as changelog-github's `getReleaseLine` does.
fn summary_refs(summary: &str) -> SummaryRefs {
    let mut pull = None;
    let mut text = summary.to_owned();
    if let Some(found) = PR_LINE.captures(&text) {
        pull = found[1].parse().ok();
        let range = found.get(0).map(|m| m.range()).unwrap_or_default();
        text.replace_range(range, "");
    }
    let mut commit = None;
    if let Some(found) = COMMIT_LINE.captures(&text) {
        commit = Some(found[1].to_owned());
        let range = found.get(0).map(|m| m.range()).unwrap_or_default();
        text.replace_range(range, "");
    }
    let users = USER_LINE
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
        .collect();
    let text = USER_LINE.replace_all(&text, "").into_owned();
    SummaryRefs {
        pull,
        commit,
        users,
        text: crate::parse::js_trim(&text).to_owned(),
    }
}

static TEMPLATE_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{([A-Za-z0-9_]+)\}").expect("valid regex"));

/// The tokens a `template` may use.
pub const TEMPLATE_TOKENS: [&str; 5] = ["summary", "ref", "pull", "commit", "authors"];

/// changelog-github's error for the first unknown token of a `template`, if any.
pub fn template_error(template: &str) -> Option<String> {
    let unknown = TEMPLATE_TOKEN
        .captures_iter(template)
        .find(|c| !TEMPLATE_TOKENS.contains(&&c[1]))?;
    let valid: Vec<String> = TEMPLATE_TOKENS.iter().map(|t| format!("{{{t}}}")).collect();
    Some(format!(
        "Unknown changelog template token \"{{{}}}\". Valid tokens are: {}.",
        &unknown[1],
        valid.join(", ")
    ))
}

/// The first seven characters of a hash (JavaScript's `slice(0, 7)`).
fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

impl GithubLines {
    /// The generator for `repo` on `server_url`, with no answers yet.
    pub fn new(repo: &str, server_url: &str, disable_thanks: bool) -> GithubLines {
        GithubLines {
            repo: repo.to_owned(),
            server_url: server_url.trim_end_matches('/').to_owned(),
            disable_thanks,
            ..GithubLines::default()
        }
    }

    /// The questions renderings asked that have no answer yet, each once, sorted.
    pub fn wanted(&self) -> Vec<Lookup> {
        let mut wanted = self.wanted.borrow().clone();
        wanted.sort();
        wanted.dedup();
        wanted
    }

    fn commit_info(&self, sha: &str) -> Option<&CommitInfo> {
        match self.commits.get(sha) {
            Some(info) => info.as_ref(),
            None => {
                self.wanted
                    .borrow_mut()
                    .push(Lookup::Commit(sha.to_owned()));
                None
            }
        }
    }

    fn pull_info(&self, number: u64) -> Option<&PullInfo> {
        match self.pulls.get(&number) {
            Some(info) => info.as_ref(),
            None => {
                self.wanted.borrow_mut().push(Lookup::Pull(number));
                None
            }
        }
    }

    /// `#123` linked to its issue page, markdown links left as they are.
    fn linkify(&self, line: &str) -> String {
        ISSUE_REF
            .replace_all(line, |c: &regex::Captures<'_>| match c.get(1) {
                Some(issue) => format!(
                    "[#{0}]({1}/{2}/issues/{0})",
                    issue.as_str(),
                    self.server_url,
                    self.repo
                ),
                None => c[0].to_owned(),
            })
            .into_owned()
    }

    /// changelog-github's `getReleaseLine` for a changeset with `summary`, added in `commit`.
    pub fn release_line(&self, summary: &str, commit: Option<&str>) -> String {
        let refs = summary_refs(summary);
        let mut lines = refs
            .text
            .split('\n')
            .map(|l| l.trim_end_matches(crate::parse::is_js_space));
        let first = lines.next().unwrap_or_default();
        let (mut pull, mut commit_link, mut user) = (None, None, None);
        if let Some(number) = refs.pull {
            if let Some(info) = self.pull_info(number) {
                pull = Some(format!("[#{number}]({})", info.url));
                user = info.author.as_ref().map(GithubUser::link);
                commit_link = info
                    .merge_commit
                    .as_ref()
                    .map(|(sha, url)| format!("[`{}`]({url})", short(sha)));
            }
            if let Some(sha) = &refs.commit {
                commit_link = Some(format!(
                    "[`{}`]({}/{}/commit/{sha})",
                    short(sha),
                    self.server_url,
                    self.repo
                ));
            }
        } else if let Some(sha) = refs.commit.as_deref().or(commit) {
            if let Some(info) = self.commit_info(sha) {
                commit_link = Some(format!("[`{}`]({})", short(sha), info.url));
                pull = info
                    .pull
                    .as_ref()
                    .map(|(number, url)| format!("[#{number}]({url})"));
                user = info.author.as_ref().map(GithubUser::link);
            }
        }
        let users = if self.disable_thanks {
            None
        } else if !refs.users.is_empty() {
            Some(
                refs.users
                    .iter()
                    .map(|u| format!("[@{u}]({}/{u})", self.server_url))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        } else {
            user
        };
        let continuation: Vec<String> = lines.map(|l| format!("  {}", self.linkify(l))).collect();
        let summary = self.linkify(first);
        if let Some(template) = &self.template {
            let reference = pull
                .as_ref()
                .or(commit_link.as_ref())
                .map(|r| format!("({r})"))
                .unwrap_or_default();
            let tokens = [
                ("summary", summary.as_str()),
                ("ref", reference.as_str()),
                ("pull", pull.as_deref().unwrap_or_default()),
                ("commit", commit_link.as_deref().unwrap_or_default()),
                ("authors", users.as_deref().unwrap_or_default()),
            ];
            let rendered = TEMPLATE_TOKEN.replace_all(template, |c: &regex::Captures<'_>| {
                tokens
                    .iter()
                    .find(|(name, _)| *name == &c[1])
                    .map_or_else(|| c[0].to_owned(), |(_, value)| (*value).to_owned())
            });
            return format!(
                "{}\n{}",
                rendered.trim_end_matches(crate::parse::is_js_space),
                continuation.join("\n")
            );
        }
        let mut prefix = String::new();
        for part in [pull, commit_link].into_iter().flatten() {
            prefix.push(' ');
            prefix.push_str(&part);
        }
        if let Some(users) = users {
            prefix.push_str(&format!(" Thanks {users}!"));
        }
        let dash = if prefix.is_empty() {
            "-".to_owned()
        } else {
            format!("-{prefix} -")
        };
        format!("\n\n{dash} {summary}\n{}", continuation.join("\n"))
    }

    /// changelog-github's `getDependencyReleaseLine`: the commits of the `changesets` (those
    /// with one), then the `updated` dependencies as `name@version`; empty without updates.
    pub fn dependency_line(&self, commits: &[Option<&str>], updated: &[String]) -> String {
        if updated.is_empty() {
            return String::new();
        }
        let links: Vec<String> = commits
            .iter()
            .flatten()
            .map(|sha| match self.commit_info(sha) {
                Some(info) => format!("[`{}`]({})", short(sha), info.url),
                None => format!("`{}`", short(sha)),
            })
            .collect();
        let mut lines = vec![format!("- Updated dependencies [{}]:", links.join(", "))];
        lines.extend(updated.iter().map(|d| format!("  - {d}")));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "https://github.com";

    fn answered() -> GithubLines {
        let mut lines = GithubLines::new("emotion-js/emotion", SERVER, false);
        let user = |login: &str| GithubUser {
            login: login.to_owned(),
            url: format!("{SERVER}/{login}"),
        };
        lines.commits.insert(
            "a085003".to_owned(),
            Some(CommitInfo {
                url: format!("{SERVER}/emotion-js/emotion/commit/a085003"),
                author: Some(user("Andarist")),
                pull: Some((1613, format!("{SERVER}/emotion-js/emotion/pull/1613"))),
            }),
        );
        lines.pulls.insert(
            1613,
            Some(PullInfo {
                url: format!("{SERVER}/emotion-js/emotion/pull/1613"),
                author: Some(user("Andarist")),
                merge_commit: Some((
                    "a085003".to_owned(),
                    format!("{SERVER}/emotion-js/emotion/commit/a085003"),
                )),
            }),
        );
        lines
    }

    // The cases of changelog-github's own index.test.ts.
    const LINE: &str = "\n\n- [#1613](https://github.com/emotion-js/emotion/pull/1613) [`a085003`](https://github.com/emotion-js/emotion/commit/a085003) Thanks [@Andarist](https://github.com/Andarist)! - something\n";

    #[test]
    fn the_commit_of_the_changeset_or_of_the_summary_or_its_pull_request() {
        let lines = answered();
        assert_eq!(lines.release_line("something", Some("a085003")), LINE);
        assert_eq!(
            lines.release_line("commit: a085003\n\nsomething", None),
            LINE
        );
        for form in [
            "pr: 1613",
            "pr: #1613",
            "pull: 1613",
            "pull request: #1613",
            "Pull Request: 1613",
        ] {
            assert_eq!(
                lines.release_line(&format!("{form}\n\nsomething"), None),
                LINE,
                "{form}"
            );
        }
        assert!(lines.wanted().is_empty());
    }

    #[test]
    fn authors_from_the_summary_and_disable_thanks() {
        let lines = answered();
        assert_eq!(
            lines.release_line("author: @other\nuser: third\nsomething", Some("a085003")),
            "\n\n- [#1613](https://github.com/emotion-js/emotion/pull/1613) [`a085003`](https://github.com/emotion-js/emotion/commit/a085003) Thanks [@other](https://github.com/other), [@third](https://github.com/third)! - something\n"
        );
        let mut quiet = answered();
        quiet.disable_thanks = true;
        assert_eq!(
            quiet.release_line("something", Some("a085003")),
            "\n\n- [#1613](https://github.com/emotion-js/emotion/pull/1613) [`a085003`](https://github.com/emotion-js/emotion/commit/a085003) - something\n"
        );
    }

    #[test]
    fn a_pull_request_with_another_commit_and_issue_links() {
        let lines = answered();
        assert_eq!(
            lines.release_line("pr: 1613\ncommit: fffffffffff\nFixes #12 and [#13](x)\nsee #14", None),
            "\n\n- [#1613](https://github.com/emotion-js/emotion/pull/1613) [`fffffff`](https://github.com/emotion-js/emotion/commit/fffffffffff) Thanks [@Andarist](https://github.com/Andarist)! - Fixes [#12](https://github.com/emotion-js/emotion/issues/12) and [#13](x)\n  see [#14](https://github.com/emotion-js/emotion/issues/14)"
        );
    }

    #[test]
    fn unanswered_lookups_are_recorded_and_render_as_not_found() {
        let lines = GithubLines::new("o/r", SERVER, false);
        assert_eq!(lines.release_line("Plain", None), "\n\n- Plain\n");
        assert_eq!(lines.release_line("Sha", Some("0123456789")), "\n\n- Sha\n");
        assert_eq!(
            lines.release_line("pr: 7\nNumbered", None),
            "\n\n- Numbered\n"
        );
        assert_eq!(
            lines.dependency_line(&[Some("0123456789"), None], &["a@1.0.0".to_owned()]),
            "- Updated dependencies [`0123456`]:\n  - a@1.0.0"
        );
        assert_eq!(
            lines.wanted(),
            [Lookup::Commit("0123456789".to_owned()), Lookup::Pull(7)]
        );
        assert_eq!(lines.dependency_line(&[Some("x")], &[]), "");
    }

    #[test]
    fn templates_render_the_tokens() {
        let mut lines = answered();
        lines.template = Some("- {summary} {ref} by {authors} {pull}".to_owned());
        assert_eq!(
            lines.release_line("something\nmore", Some("a085003")),
            "- something ([#1613](https://github.com/emotion-js/emotion/pull/1613)) by [@Andarist](https://github.com/Andarist) [#1613](https://github.com/emotion-js/emotion/pull/1613)\n  more"
        );
        let mut bare = GithubLines::new("o/r", SERVER, false);
        bare.template = Some("- {summary} {ref}".to_owned());
        assert_eq!(bare.release_line("x", None), "- x\n");
        assert_eq!(template_error("- {summary} {commit}"), None);
        assert_eq!(
            template_error("- {thanks}").as_deref(),
            Some("Unknown changelog template token \"{thanks}\". Valid tokens are: {summary}, {ref}, {pull}, {commit}, {authors}.")
        );
    }

    #[test]
    fn dependency_lines_link_the_commits() {
        let lines = answered();
        assert_eq!(
            lines.dependency_line(&[Some("a085003")], &["@emotion/core@10.0.1".to_owned()]),
            "- Updated dependencies [[`a085003`](https://github.com/emotion-js/emotion/commit/a085003)]:\n  - @emotion/core@10.0.1"
        );
    }

    #[test]
    fn repository_names_and_the_first_merged_pull() {
        assert!(valid_repo_name("biomejs/biome"));
        assert!(valid_repo_name("with-astro/astro.build"));
        assert!(!valid_repo_name("biome"));
        assert!(!valid_repo_name("a/b/c"));
        let pulls = vec![
            (None, 1),
            (Some("2024-02-01T00:00:00Z".to_owned()), 2),
            (Some("2024-01-01T00:00:00Z".to_owned()), 3),
        ];
        assert_eq!(first_merged(pulls), Some(3));
        assert_eq!(first_merged(vec![(None, 1), (None, 2)]), Some(1));
    }
}
