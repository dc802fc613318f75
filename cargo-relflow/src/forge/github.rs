//! GitHub's REST API v3 (github.com at `https://api.github.com`, GitHub Enterprise Server at
//! `https://HOST/api/v3`): pulls, releases, release assets (uploaded to the release's own
//! `upload_url`), and the commit lookups of `@changesets/changelog-github`. Lists follow the
//! `Link` header.

use serde::Deserialize;
use serde_json::json;

use super::api::{encode, link_next, with_query, Api, Body};
use super::{
    Asset, Forge, ForgeError, ForgeKind, NewPullRequest, NewRelease, PullRequest, Release,
};

/// Items per page (GitHub's largest).
const PER_PAGE: &str = "100";

/// A GitHub repository.
#[derive(Debug, Clone)]
pub struct GitHub {
    api: Api,
    /// `/repos/OWNER/NAME`.
    repo_path: String,
    owner: String,
}

#[derive(Deserialize)]
struct BranchRef {
    #[serde(rename = "ref")]
    name: String,
}

#[derive(Deserialize)]
struct GhPull {
    number: u64,
    html_url: String,
    title: String,
    body: Option<String>,
    head: BranchRef,
    base: BranchRef,
}

impl From<GhPull> for PullRequest {
    fn from(pull: GhPull) -> Self {
        PullRequest {
            number: pull.number,
            url: pull.html_url,
            title: pull.title,
            body: pull.body.unwrap_or_default(),
            head: pull.head.name,
            base: pull.base.name,
        }
    }
}

#[derive(Deserialize)]
struct GhRelease {
    id: u64,
    tag_name: String,
    name: Option<String>,
    body: Option<String>,
    prerelease: bool,
    html_url: String,
    upload_url: Option<String>,
}

impl From<GhRelease> for Release {
    fn from(release: GhRelease) -> Self {
        Release {
            id: release.id,
            tag: release.tag_name,
            name: release.name.unwrap_or_default(),
            body: release.body.unwrap_or_default(),
            prerelease: release.prerelease,
            url: release.html_url,
            // `https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}`
            upload_url: release
                .upload_url
                .map(|u| u.split('{').next().unwrap_or_default().to_owned()),
        }
    }
}

#[derive(Deserialize)]
struct GhAsset {
    id: u64,
    name: String,
    browser_download_url: String,
}

impl From<GhAsset> for Asset {
    fn from(asset: GhAsset) -> Self {
        Asset {
            id: asset.id,
            name: asset.name,
            url: asset.browser_download_url,
        }
    }
}

/// A GitHub user, as commits and pulls name them.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct User {
    /// The login (`@login`).
    pub login: String,
    /// The profile page.
    pub html_url: String,
}

/// A pull request as `changelog-github` links it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PullInfo {
    /// Its number.
    pub number: u64,
    /// Its page.
    pub html_url: String,
    /// Who opened it.
    pub user: Option<User>,
    /// The commit it was merged as.
    pub merge_commit_sha: Option<String>,
    /// When it was merged (ISO 8601), `None` while it is not.
    #[serde(default)]
    pub merged_at: Option<String>,
}

#[derive(Deserialize)]
struct GhCommit {
    sha: String,
    html_url: String,
    author: Option<User>,
}

/// A commit as `changelog-github` links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// The full hash.
    pub sha: String,
    /// Its page.
    pub html_url: String,
    /// The GitHub user of its author, if the author's email belongs to one.
    pub author: Option<User>,
}

impl GitHub {
    pub(crate) fn new(api: Api, repository: &str) -> GitHub {
        let owner = repository.split('/').next().unwrap_or_default().to_owned();
        let repo_path = format!(
            "/repos/{}",
            repository
                .split('/')
                .map(encode)
                .collect::<Vec<_>>()
                .join("/")
        );
        GitHub {
            api,
            repo_path,
            owner,
        }
    }

    fn url(&self, tail: &str) -> String {
        self.api.url(&format!("{}{tail}", self.repo_path))
    }

    /// The commit `sha` with its author's GitHub user (`GET /repos/{o}/{r}/commits/{sha}`);
    /// `None` when there is no such commit (GitHub answers 422 "No commit found for SHA").
    pub fn commit(&self, sha: &str) -> Result<Option<CommitInfo>, ForgeError> {
        let commit: Option<GhCommit> = match self
            .api
            .get_optional(&self.url(&format!("/commits/{}", encode(sha))))
        {
            Err(error) if error.status() == Some(422) => None,
            other => other?,
        };
        Ok(commit.map(|c| CommitInfo {
            sha: c.sha,
            html_url: c.html_url,
            author: c.author,
        }))
    }

    /// The pull requests that contain commit `sha`
    /// (`GET /repos/{o}/{r}/commits/{sha}/pulls`), first one first.
    pub fn commit_pulls(&self, sha: &str) -> Result<Vec<PullInfo>, ForgeError> {
        let first = with_query(
            &self.url(&format!("/commits/{}/pulls", encode(sha))),
            "per_page",
            PER_PAGE,
        );
        match self.api.pages(first, |answer, _, _| link_next(answer)) {
            Err(error) if matches!(error.status(), Some(404 | 422)) => Ok(Vec::new()),
            other => other,
        }
    }

    /// Pull request `number` (`GET /repos/{o}/{r}/pulls/{n}`).
    pub fn pull(&self, number: u64) -> Result<Option<PullInfo>, ForgeError> {
        self.api
            .get_optional(&self.url(&format!("/pulls/{number}")))
    }
}

impl Forge for GitHub {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitHub
    }

    fn find_pull_request(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        let mut first = with_query(&self.url("/pulls"), "state", "open");
        first = with_query(&first, "head", &format!("{}:{head}", self.owner));
        first = with_query(&first, "base", base);
        first = with_query(&first, "per_page", PER_PAGE);
        let pulls: Vec<GhPull> = self.api.pages(first, |answer, _, _| link_next(answer))?;
        Ok(pulls
            .into_iter()
            .map(PullRequest::from)
            .find(|p| p.head == head && p.base == base))
    }

    fn create_pull_request(&self, new: &NewPullRequest) -> Result<PullRequest, ForgeError> {
        let body =
            json!({"title": new.title, "head": new.head, "base": new.base, "body": new.body});
        let pull: GhPull = self
            .api
            .json("POST", &self.url("/pulls"), Body::Json(&body))?;
        Ok(pull.into())
    }

    fn update_pull_request(
        &self,
        number: u64,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        let body = json!({"title": new.title, "body": new.body});
        let url = self.url(&format!("/pulls/{number}"));
        let pull: GhPull = self.api.json("PATCH", &url, Body::Json(&body))?;
        Ok(pull.into())
    }

    fn list_releases(&self) -> Result<Vec<Release>, ForgeError> {
        let first = with_query(&self.url("/releases"), "per_page", PER_PAGE);
        let releases: Vec<GhRelease> = self.api.pages(first, |answer, _, _| link_next(answer))?;
        Ok(releases.into_iter().map(Release::from).collect())
    }

    fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, ForgeError> {
        let url = self.url(&format!("/releases/tags/{}", encode(tag)));
        Ok(self.api.get_optional::<GhRelease>(&url)?.map(Release::from))
    }

    fn create_release(&self, new: &NewRelease) -> Result<Release, ForgeError> {
        let body = json!({
            "tag_name": new.tag,
            "name": new.name,
            "body": new.body,
            "draft": false,
            "prerelease": new.prerelease,
        });
        let release: GhRelease =
            self.api
                .json("POST", &self.url("/releases"), Body::Json(&body))?;
        Ok(release.into())
    }

    fn list_assets(&self, release: &Release) -> Result<Vec<Asset>, ForgeError> {
        let first = with_query(
            &self.url(&format!("/releases/{}/assets", release.id)),
            "per_page",
            PER_PAGE,
        );
        let assets: Vec<GhAsset> = self.api.pages(first, |answer, _, _| link_next(answer))?;
        Ok(assets.into_iter().map(Asset::from).collect())
    }

    fn upload_asset(
        &self,
        release: &Release,
        name: &str,
        content: &[u8],
    ) -> Result<Asset, ForgeError> {
        let base = release
            .upload_url
            .clone()
            .unwrap_or_else(|| self.url(&format!("/releases/{}/assets", release.id)));
        let url = with_query(&base, "name", name);
        let asset: GhAsset =
            self.api
                .json("POST", &url, Body::Raw("application/octet-stream", content))?;
        Ok(asset.into())
    }

    fn delete_release(&self, release: &Release) -> Result<(), ForgeError> {
        let url = self.url(&format!("/releases/{}", release.id));
        self.api.send("DELETE", &url, Body::Empty, false).map(drop)
    }
}
