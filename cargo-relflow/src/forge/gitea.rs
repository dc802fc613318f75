//! Gitea's and Forgejo's API (`https://HOST/api/v1`): pulls, releases and release attachments
//! (uploaded as `multipart/form-data` field `attachment`). Lists use `page`/`limit` and follow
//! the `Link` header, or the next page while pages come back full.

use serde::Deserialize;
use serde_json::json;

use super::api::{encode, link_next, with_query, Answer, Api, Body};
use super::{
    Asset, Forge, ForgeError, ForgeKind, NewPullRequest, NewRelease, PullRequest, Release,
};

/// Items per page (Gitea's default `MAX_RESPONSE_ITEMS`).
const LIMIT: usize = 50;

/// A Gitea or Forgejo repository.
#[derive(Debug, Clone)]
pub struct Gitea {
    api: Api,
    /// `/repos/OWNER/NAME`.
    repo_path: String,
}

#[derive(Deserialize)]
struct BranchRef {
    #[serde(rename = "ref")]
    name: String,
}

#[derive(Deserialize)]
struct GtPull {
    number: u64,
    html_url: String,
    title: String,
    body: Option<String>,
    head: BranchRef,
    base: BranchRef,
}

impl From<GtPull> for PullRequest {
    fn from(pull: GtPull) -> Self {
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
struct GtRelease {
    id: u64,
    tag_name: String,
    name: Option<String>,
    body: Option<String>,
    prerelease: bool,
    html_url: String,
}

impl From<GtRelease> for Release {
    fn from(release: GtRelease) -> Self {
        Release {
            id: release.id,
            tag: release.tag_name,
            name: release.name.unwrap_or_default(),
            body: release.body.unwrap_or_default(),
            prerelease: release.prerelease,
            url: release.html_url,
            upload_url: None,
        }
    }
}

#[derive(Deserialize)]
struct GtAttachment {
    id: u64,
    name: String,
    browser_download_url: String,
}

impl From<GtAttachment> for Asset {
    fn from(asset: GtAttachment) -> Self {
        Asset {
            id: asset.id,
            name: asset.name,
            url: asset.browser_download_url,
        }
    }
}

/// The next page: the `Link` header's, or `page + 1` while pages come back full.
fn next_page(answer: &Answer, url: &str, count: usize) -> Option<String> {
    if let Some(next) = link_next(answer) {
        return Some(next);
    }
    if answer.header("link").is_some() || count < LIMIT {
        return None;
    }
    let page: usize = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    Some(with_query(url, "page", &(page + 1).to_string()))
}

impl Gitea {
    pub(crate) fn new(api: Api, repository: &str) -> Gitea {
        let repo_path = format!(
            "/repos/{}",
            repository
                .split('/')
                .map(encode)
                .collect::<Vec<_>>()
                .join("/")
        );
        Gitea { api, repo_path }
    }

    fn url(&self, tail: &str) -> String {
        self.api.url(&format!("{}{tail}", self.repo_path))
    }

    fn first_page(&self, tail: &str) -> String {
        with_query(
            &with_query(&self.url(tail), "page", "1"),
            "limit",
            &LIMIT.to_string(),
        )
    }
}

impl Forge for Gitea {
    fn kind(&self) -> ForgeKind {
        ForgeKind::Gitea
    }

    fn find_pull_request(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        let first = with_query(&self.first_page("/pulls"), "state", "open");
        let pulls: Vec<GtPull> = self.api.pages(first, next_page)?;
        Ok(pulls
            .into_iter()
            .map(PullRequest::from)
            .find(|p| p.head == head && p.base == base))
    }

    fn create_pull_request(&self, new: &NewPullRequest) -> Result<PullRequest, ForgeError> {
        let body =
            json!({"title": new.title, "head": new.head, "base": new.base, "body": new.body});
        let pull: GtPull = self
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
        let pull: GtPull = self.api.json("PATCH", &url, Body::Json(&body))?;
        Ok(pull.into())
    }

    fn list_releases(&self) -> Result<Vec<Release>, ForgeError> {
        let releases: Vec<GtRelease> = self.api.pages(self.first_page("/releases"), next_page)?;
        Ok(releases.into_iter().map(Release::from).collect())
    }

    fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, ForgeError> {
        let url = self.url(&format!("/releases/tags/{}", encode(tag)));
        Ok(self.api.get_optional::<GtRelease>(&url)?.map(Release::from))
    }

    fn create_release(&self, new: &NewRelease) -> Result<Release, ForgeError> {
        let body = json!({
            "tag_name": new.tag,
            "name": new.name,
            "body": new.body,
            "draft": false,
            "prerelease": new.prerelease,
        });
        let release: GtRelease =
            self.api
                .json("POST", &self.url("/releases"), Body::Json(&body))?;
        Ok(release.into())
    }

    fn list_assets(&self, release: &Release) -> Result<Vec<Asset>, ForgeError> {
        // One answer: Gitea does not page attachment lists.
        let url = self.url(&format!("/releases/{}/assets", release.id));
        let assets: Vec<GtAttachment> = self.api.json("GET", &url, Body::Empty)?;
        Ok(assets.into_iter().map(Asset::from).collect())
    }

    fn upload_asset(
        &self,
        release: &Release,
        name: &str,
        content: &[u8],
    ) -> Result<Asset, ForgeError> {
        let url = with_query(
            &self.url(&format!("/releases/{}/assets", release.id)),
            "name",
            name,
        );
        let body = Body::File {
            field: "attachment",
            name,
            content,
        };
        let asset: GtAttachment = self.api.json("POST", &url, body)?;
        Ok(asset.into())
    }

    fn delete_release(&self, release: &Release) -> Result<(), ForgeError> {
        let url = self.url(&format!("/releases/{}", release.id));
        self.api.send("DELETE", &url, Body::Empty, false).map(drop)
    }
}
