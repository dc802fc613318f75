//! `@changesets/changelog-github` for `version`: its settings and get-github-info's lookups.
//!
//! The repository is the generator's `repo` option, else `GITHUB_REPOSITORY`; links go to
//! `GITHUB_SERVER_URL` (default `https://github.com`); the token is `GITHUB_TOKEN`. Each of these
//! may also come from a `.env` file at the repository root, as Changesets reads one. The API is
//! asked through the GitHub forge client (REST v3): at `GITHUB_API_URL` when set (GitHub Actions
//! sets it, GitHub Enterprise too), else at `[forge] api_url` of a GitHub `[forge]`, else at
//! `https://api.github.com` for github.com and `SERVER/api/v3` for another server.
//!
//! Offline (`--offline`, `CARGO_NET_OFFLINE=true`) or without a token, the default format is
//! written instead, and [`Setup::Default`] says why; a failing API is an external failure.

use std::collections::HashMap;

use camino::Utf8Path;
use cargo_relflow_changeset::changelog::github::{
    first_merged, template_error, valid_repo_name, CommitInfo, GithubLines, GithubUser, Lookup,
    PullInfo, MISSING_REPO,
};
use cargo_relflow_changeset::changesets_config::Changelog;
use cargo_relflow_sync::InputError;
use serde_json::Value;

use crate::error::Failure;
use crate::forge::api::Api;
use crate::forge::github::{GitHub, User};
use crate::forge::{ForgeError, ForgeKind};
use crate::registry::http::Token;
use crate::registry::Environment;
use crate::repo::Repo;

/// The module name in `.changeset/config.json`.
pub const MODULE: &str = "@changesets/changelog-github";

/// How `version` writes the changelog lines.
pub enum Setup {
    /// Changesets' default format.
    Default(Option<String>),
    /// changelog-github's, asked from GitHub through `client`.
    GitHub {
        /// The generator, without answers yet.
        lines: Box<GithubLines>,
        /// The API client.
        client: GitHub,
    },
}

/// The generator `.changeset/config.json` names, set up for this run. `Default` carries the note
/// to print once when the default format is written in place of another generator's.
pub fn setup(repo: &Repo, env: &Environment, offline: bool) -> Result<Setup, Failure> {
    let Some(Changelog::Generator { module, options }) =
        repo.changesets_config.as_ref().map(|c| &c.changelog)
    else {
        return Ok(Setup::Default(None));
    };
    if module != MODULE {
        let note = (!repo
            .changesets_config
            .as_ref()
            .is_some_and(|c| c.changelog.is_default_generator()))
        .then(|| {
            format!(
                "wrote the default changelog format: relflow does not run the changelog \
                 generator `{module}` of .changeset/config.json (it writes \
                 `@changesets/cli/changelog` and `{MODULE}`)"
            )
        });
        return Ok(Setup::Default(note));
    }
    let dotenv = read_dotenv(repo.root());
    let var = |name: &str| {
        env.get(name)
            .map(str::to_owned)
            .or_else(|| dotenv.get(name).filter(|v| !v.is_empty()).cloned())
    };
    let config_error = |message: &str| {
        InputError::in_file(".changeset/config.json", message.to_owned()).with_hint(format!(
            "e.g. `\"changelog\": [\"{MODULE}\", {{ \"repo\": \"owner/name\" }}]`"
        ))
    };
    let repository = match options.get("repo") {
        Some(Value::String(repo)) if !repo.is_empty() => Some(repo.clone()),
        Some(_) => None,
        None => var("GITHUB_REPOSITORY"),
    };
    if let Some(repository) = repository.as_ref().filter(|r| !valid_repo_name(r)) {
        return Err(config_error(&format!(
            "Please pass a valid GitHub repository in the form of \"userOrOrg/repoName\". \
             Received: {}.",
            Value::String(repository.clone())
        ))
        .into());
    }
    let template = match options.get("template") {
        Some(Value::String(t)) if !t.is_empty() => Some(t.clone()),
        _ => None,
    };
    if let Some(message) = template.as_deref().and_then(template_error) {
        return Err(config_error(&message).into());
    }
    let disable_thanks = options
        .get("disableThanks")
        .is_some_and(|v| !matches!(v, Value::Null | Value::Bool(false)));
    let server_url = var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_owned());
    let fallback = |why: &str| {
        Ok(Setup::Default(Some(format!(
            "wrote the default changelog format instead of {MODULE}'s: {why}"
        ))))
    };
    if offline {
        return fallback("offline, GitHub cannot be asked for pull requests and authors");
    }
    let Some(token) = var("GITHUB_TOKEN") else {
        return fallback(
            "`GITHUB_TOKEN` is not set, and GitHub needs one to look up pull requests and \
             authors (set it to a token with `read:user` and `repo:status`)",
        );
    };
    // Without a token or offline the repository does not matter; with one, it must be known.
    let Some(repository) = repository else {
        return Err(config_error(MISSING_REPO).into());
    };
    let mut lines = GithubLines::new(&repository, &server_url, disable_thanks);
    lines.template = template;
    let api_url = var("GITHUB_API_URL")
        .or_else(|| forge_api_url(repo))
        .unwrap_or_else(|| {
            let server = lines.server_url.clone();
            if server == "https://github.com" {
                "https://api.github.com".to_owned()
            } else {
                format!("{server}/api/v3")
            }
        });
    let api = Api::new(ForgeKind::GitHub, &api_url, Some(Token::new(token)));
    Ok(Setup::GitHub {
        lines: Box::new(lines),
        client: GitHub::new(api, &repository),
    })
}

/// `[forge] api_url` of relflow.toml when `[forge]` is GitHub's.
fn forge_api_url(repo: &Repo) -> Option<String> {
    let forge = repo.workspace.config.config.forge.as_ref()?.get_ref();
    let api_url = forge.api_url.as_ref()?;
    (forge.kind.as_ref().map(|k| k.get_ref().as_str()) == Some("github"))
        .then(|| api_url.get_ref().clone())
}

/// Requests to GitHub at once: get-github-info sends one batched GraphQL query, the REST
/// lookups go out side by side instead.
const PARALLEL: usize = 8;

/// One lookup's answer.
enum Answer {
    Commit(String, Option<CommitInfo>),
    Pull(u64, Option<PullInfo>),
}

/// Answers each of `wanted` from GitHub into `lines`, as get-github-info does: a commit's page,
/// the first merged of its pull requests and that one's author (else the commit author's GitHub
/// user); a pull request's page, author and merge commit. Up to [`PARALLEL`] at a time; the
/// first failure is the result.
pub fn answer(lines: &mut GithubLines, client: &GitHub, wanted: &[Lookup]) -> Result<(), Failure> {
    let chunk = wanted.len().div_ceil(PARALLEL).max(1);
    let (server_url, repo) = (lines.server_url.as_str(), lines.repo.as_str());
    let answers: Vec<Result<Vec<Answer>, ForgeError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = wanted
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|lookup| look_up(client, lookup, server_url, repo))
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    for part in answers {
        let part = part.map_err(|error| {
            Failure::External(anyhow::anyhow!(
                "{error}\nhint: {MODULE} looks up pull requests and authors on GitHub; unset \
                 `GITHUB_TOKEN` or pass `--offline` to write the default format instead"
            ))
        })?;
        for answer in part {
            match answer {
                Answer::Commit(sha, info) => {
                    lines.commits.insert(sha, info);
                }
                Answer::Pull(number, info) => {
                    lines.pulls.insert(number, info);
                }
            }
        }
    }
    Ok(())
}

/// One lookup (see [`answer`]).
fn look_up(
    client: &GitHub,
    lookup: &Lookup,
    server_url: &str,
    repo: &str,
) -> Result<Answer, ForgeError> {
    let user = |u: &User| GithubUser {
        login: u.login.clone(),
        url: u.html_url.clone(),
    };
    match lookup {
        Lookup::Commit(sha) => {
            let Some(commit) = client.commit(sha)? else {
                return Ok(Answer::Commit(sha.clone(), None));
            };
            let pulls = client.commit_pulls(sha)?;
            let pull = first_merged(
                pulls
                    .into_iter()
                    .map(|p| (p.merged_at.clone(), p))
                    .collect(),
            );
            let author = pull
                .as_ref()
                .and_then(|p| p.user.as_ref())
                .or(commit.author.as_ref())
                .map(user);
            Ok(Answer::Commit(
                sha.clone(),
                Some(CommitInfo {
                    url: commit.html_url,
                    author,
                    pull: pull.map(|p| (p.number, p.html_url)),
                }),
            ))
        }
        Lookup::Pull(number) => {
            let info = client.pull(*number)?.map(|p| PullInfo {
                url: p.html_url,
                author: p.user.as_ref().map(user),
                merge_commit: p.merge_commit_sha.map(|sha| {
                    let url = format!("{server_url}/{repo}/commit/{sha}");
                    (sha, url)
                }),
            });
            Ok(Answer::Pull(*number, info))
        }
    }
}

/// The variables of a `.env` file at `root` (`NAME=value`, `export` and quotes allowed, `#`
/// comments), as Node's `util.parseEnv` reads the simple cases; none without the file.
fn read_dotenv(root: &Utf8Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(root.join(".env")) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if line.starts_with('#') {
                return None;
            }
            let (name, value) = line.split_once('=')?;
            let value = value.trim();
            let value = match value.chars().next() {
                Some(quote @ ('"' | '\'' | '`')) => value[1..].split(quote).next().unwrap_or(""),
                _ => value.split(" #").next().unwrap_or(value).trim_end(),
            };
            Some((name.trim().to_owned(), value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_files_give_simple_variables() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::write(
            root.join(".env"),
            "# comment\nGITHUB_TOKEN=abc # trailing\nexport GITHUB_REPOSITORY=\"o/r\"\nEMPTY=\n",
        )
        .unwrap();
        let vars = read_dotenv(root);
        assert_eq!(vars["GITHUB_TOKEN"], "abc");
        assert_eq!(vars["GITHUB_REPOSITORY"], "o/r");
        assert_eq!(vars["EMPTY"], "");
        assert!(read_dotenv(&root.join("missing")).is_empty());
    }
}
