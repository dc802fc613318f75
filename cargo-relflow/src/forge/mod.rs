//! Forge clients: releases, release assets and pull requests on GitHub (REST v3, GitHub
//! Enterprise too), Gitea/Forgejo (`/api/v1`) and GitLab (`/api/v4`), through their documented
//! REST endpoints and the one ureq client of [`crate::registry::http`].
//!
//! [`remote::resolve`] picks the forge from `[forge]` in relflow.toml and the `origin` remote's
//! URL; [`open`] turns that into a [`Forge`] with the token of its variable (`GITHUB_TOKEN`,
//! `GITEA_TOKEN`, `GITLAB_TOKEN`). Tokens only ever go into a request header: errors name the
//! request without them, and anything a server echoes is scrubbed.
//!
//! Every list follows the forge's own pagination (GitHub's `Link` header, Gitea's
//! `page`/`limit` with `Link`, GitLab's `page`/`per_page` with `X-Next-Page`). Failures are
//! [`ForgeError`]s whose text says what the status means for this request.

pub(crate) mod api;
pub mod gitea;
pub mod github;
pub mod gitlab;
pub mod remote;

use std::fmt;

use cargo_relflow_sync::InputError;

use crate::registry::http::Token;
use crate::registry::Environment;
pub use remote::{ForgeKind, ForgeSpec};

/// A pull request (GitLab: a merge request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// Its number in the repository (GitLab: `iid`).
    pub number: u64,
    /// Its page on the forge.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub body: String,
    /// The branch it merges.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
}

/// What a pull request is opened or updated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPullRequest {
    /// The branch it merges.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
    /// Its title.
    pub title: String,
    /// Its description (markdown).
    pub body: String,
}

/// A release, as the forge reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The forge's id (GitLab has none: 0; its releases are addressed by tag).
    pub id: u64,
    /// The tag it belongs to.
    pub tag: String,
    /// Its title.
    pub name: String,
    /// Its notes.
    pub body: String,
    /// Whether it is marked as a pre-release (GitLab has no such mark: always false).
    pub prerelease: bool,
    /// Its page on the forge.
    pub url: String,
    /// Where assets are uploaded (GitHub's `upload_url` without its URI template).
    pub upload_url: Option<String>,
}

/// What a release is created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    /// The tag (it exists on the forge already: publish pushes tags first).
    pub tag: String,
    /// Its title.
    pub name: String,
    /// Its notes (markdown).
    pub body: String,
    /// Mark it as a pre-release.
    pub prerelease: bool,
}

/// A file attached to a release (GitLab: a release link to an uploaded file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The forge's id.
    pub id: u64,
    /// The file name.
    pub name: String,
    /// Where it is downloaded.
    pub url: String,
}

/// A forge API for one repository.
pub trait Forge: fmt::Debug + Send + Sync {
    /// Which forge this is.
    fn kind(&self) -> ForgeKind;
    /// The open pull request from `head` into `base`, if there is one.
    fn find_pull_request(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError>;
    /// Opens a pull request.
    fn create_pull_request(&self, new: &NewPullRequest) -> Result<PullRequest, ForgeError>;
    /// Sets the title and description of pull request `number`.
    fn update_pull_request(
        &self,
        number: u64,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError>;
    /// Every release, newest first (all pages).
    fn list_releases(&self) -> Result<Vec<Release>, ForgeError>;
    /// The release of `tag`, if there is one.
    fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, ForgeError>;
    /// Creates a release for an existing tag.
    fn create_release(&self, new: &NewRelease) -> Result<Release, ForgeError>;
    /// The files attached to `release` (all pages).
    fn list_assets(&self, release: &Release) -> Result<Vec<Asset>, ForgeError>;
    /// Attaches a file named `name` with `content` to `release`.
    fn upload_asset(
        &self,
        release: &Release,
        name: &str,
        content: &[u8],
    ) -> Result<Asset, ForgeError>;
    /// Deletes `release` (the tag stays).
    fn delete_release(&self, release: &Release) -> Result<(), ForgeError>;
}

/// A forge request that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeError {
    /// The forge answered with an error status.
    #[error("{kind} answered HTTP {status} to {method} {url}: {meaning}{detail}")]
    Status {
        /// The forge.
        kind: ForgeKind,
        /// The HTTP method.
        method: String,
        /// The URL, without user-info.
        url: String,
        /// The status code.
        status: u16,
        /// What the status means for this request (and what to do).
        meaning: String,
        /// The forge's own message, if it gave one (` (...)`).
        detail: String,
    },
    /// No answer (connection, TLS, timeout) or an unreadable one.
    #[error("{kind}: {method} {url} failed: {message}")]
    Transport {
        /// The forge.
        kind: ForgeKind,
        /// The HTTP method.
        method: String,
        /// The URL, without user-info.
        url: String,
        /// What went wrong.
        message: String,
    },
}

impl ForgeError {
    /// The HTTP status, when the forge answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ForgeError::Status { status, .. } => Some(*status),
            ForgeError::Transport { .. } => None,
        }
    }
}

impl From<ForgeError> for crate::error::Failure {
    fn from(error: ForgeError) -> Self {
        crate::error::Failure::External(anyhow::Error::new(error))
    }
}

/// The forge `repo` releases to: its `[forge]` table, else its `origin` remote's URL.
pub fn of_repo(repo: &crate::repo::Repo) -> Result<ForgeSpec, remote::Unresolved> {
    let config = &repo.workspace.config;
    let forge_config = config.config.forge.as_ref().map(|f| f.get_ref());
    let origin = crate::git::remote_url(repo.root(), crate::publish::REMOTE);
    remote::resolve(forge_config, config.source.as_ref(), origin.as_deref())
}

/// The token of `spec`'s forge from `env`: `Ok(None)` when its variable is not set.
pub fn token(spec: &ForgeSpec, env: &Environment) -> Option<Token> {
    env.get(spec.kind.token_variable()).map(Token::new)
}

/// A missing token for a run that needs one: the error names the variable.
pub fn missing_token(spec: &ForgeSpec, what: &str) -> InputError {
    let variable = spec.kind.token_variable();
    InputError::new(format!(
        "{what} needs a {} token, and `{variable}` is not set",
        spec.kind
    ))
    .with_hint(match spec.kind {
        ForgeKind::GitHub => {
            "set `GITHUB_TOKEN` (in GitHub Actions: `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`)"
        }
        ForgeKind::Gitea => "set `GITEA_TOKEN` to an access token with repository write access",
        ForgeKind::GitLab => "set `GITLAB_TOKEN` to a token with the `api` scope",
    })
}

/// The client for `spec`, authenticated with `token` (`None`: anonymous, reads only).
pub fn open(spec: &ForgeSpec, token: Option<Token>) -> Box<dyn Forge> {
    let api = api::Api::new(spec.kind, &spec.api_url, token);
    match spec.kind {
        ForgeKind::GitHub => Box::new(github::GitHub::new(api, &spec.repository)),
        ForgeKind::Gitea => Box::new(gitea::Gitea::new(api, &spec.repository)),
        ForgeKind::GitLab => Box::new(gitlab::GitLab::new(api, &spec.repository)),
    }
}
