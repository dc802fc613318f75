//! GitLab's REST API v4 (`https://HOST/api/v4`): merge requests, releases (addressed by tag),
//! and assets as release links to files uploaded with the project uploads API. Lists use
//! `page`/`per_page` and follow `X-Next-Page`. GitLab releases have no pre-release mark.

use serde::Deserialize;
use serde_json::json;

use super::api::{encode, link_next, with_query, Answer, Api, Body};
use super::{
    Asset, Forge, ForgeError, ForgeKind, NewPullRequest, NewRelease, PullRequest, Release,
};

/// Items per page (GitLab's largest).
const PER_PAGE: &str = "100";

/// A GitLab project.
#[derive(Debug, Clone)]
pub struct GitLab {
    api: Api,
    /// `/projects/GROUP%2FNAME`.
    project_path: String,
    /// `https://HOST`: upload paths are relative to it.
    web_origin: String,
}

#[derive(Deserialize)]
struct MergeRequest {
    iid: u64,
    web_url: String,
    title: String,
    description: Option<String>,
    source_branch: String,
    target_branch: String,
}

impl From<MergeRequest> for PullRequest {
    fn from(mr: MergeRequest) -> Self {
        PullRequest {
            number: mr.iid,
            url: mr.web_url,
            title: mr.title,
            body: mr.description.unwrap_or_default(),
            head: mr.source_branch,
            base: mr.target_branch,
        }
    }
}

#[derive(Deserialize)]
struct GlLinks {
    #[serde(rename = "self")]
    this: Option<String>,
}

#[derive(Deserialize)]
struct GlRelease {
    tag_name: String,
    name: Option<String>,
    description: Option<String>,
    #[serde(rename = "_links")]
    links: Option<GlLinks>,
}

impl From<GlRelease> for Release {
    fn from(release: GlRelease) -> Self {
        Release {
            id: 0,
            tag: release.tag_name,
            name: release.name.unwrap_or_default(),
            body: release.description.unwrap_or_default(),
            prerelease: false,
            url: release.links.and_then(|l| l.this).unwrap_or_default(),
            upload_url: None,
        }
    }
}

#[derive(Deserialize)]
struct GlLink {
    id: u64,
    name: String,
    url: String,
}

impl From<GlLink> for Asset {
    fn from(link: GlLink) -> Self {
        Asset {
            id: link.id,
            name: link.name,
            url: link.url,
        }
    }
}

#[derive(Deserialize)]
struct Upload {
    full_path: String,
}

/// The next page: `X-Next-Page` (empty on the last page), else the `Link` header.
fn next_page(answer: &Answer, url: &str, _count: usize) -> Option<String> {
    match answer.header("x-next-page").map(str::trim) {
        Some("") => None,
        Some(page) => Some(with_query(url, "page", page)),
        None => link_next(answer),
    }
}

impl GitLab {
    pub(crate) fn new(api: Api, repository: &str) -> GitLab {
        let base = api.url("");
        let web_origin = base
            .strip_suffix("/api/v4")
            .unwrap_or(&base)
            .trim_end_matches('/')
            .to_owned();
        GitLab {
            api,
            project_path: format!("/projects/{}", encode(repository)),
            web_origin,
        }
    }

    fn url(&self, tail: &str) -> String {
        self.api.url(&format!("{}{tail}", self.project_path))
    }

    fn first_page(&self, tail: &str) -> String {
        with_query(
            &with_query(&self.url(tail), "per_page", PER_PAGE),
            "page",
            "1",
        )
    }
}

impl Forge for GitLab {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitLab
    }

    fn find_pull_request(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        let mut first = with_query(&self.first_page("/merge_requests"), "state", "opened");
        first = with_query(&first, "source_branch", head);
        first = with_query(&first, "target_branch", base);
        let requests: Vec<MergeRequest> = self.api.pages(first, next_page)?;
        Ok(requests
            .into_iter()
            .map(PullRequest::from)
            .find(|p| p.head == head && p.base == base))
    }

    fn create_pull_request(&self, new: &NewPullRequest) -> Result<PullRequest, ForgeError> {
        let body = json!({
            "source_branch": new.head,
            "target_branch": new.base,
            "title": new.title,
            "description": new.body,
        });
        let url = self.url("/merge_requests");
        let mr: MergeRequest = self.api.json("POST", &url, Body::Json(&body))?;
        Ok(mr.into())
    }

    fn update_pull_request(
        &self,
        number: u64,
        new: &NewPullRequest,
    ) -> Result<PullRequest, ForgeError> {
        let body = json!({"title": new.title, "description": new.body});
        let url = self.url(&format!("/merge_requests/{number}"));
        let mr: MergeRequest = self.api.json("PUT", &url, Body::Json(&body))?;
        Ok(mr.into())
    }

    fn list_releases(&self) -> Result<Vec<Release>, ForgeError> {
        let releases: Vec<GlRelease> = self.api.pages(self.first_page("/releases"), next_page)?;
        Ok(releases.into_iter().map(Release::from).collect())
    }

    fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, ForgeError> {
        let url = self.url(&format!("/releases/{}", encode(tag)));
        Ok(self.api.get_optional::<GlRelease>(&url)?.map(Release::from))
    }

    fn create_release(&self, new: &NewRelease) -> Result<Release, ForgeError> {
        let body = json!({"tag_name": new.tag, "name": new.name, "description": new.body});
        let release: GlRelease =
            self.api
                .json("POST", &self.url("/releases"), Body::Json(&body))?;
        Ok(release.into())
    }

    fn list_assets(&self, release: &Release) -> Result<Vec<Asset>, ForgeError> {
        let first = self.first_page(&format!("/releases/{}/assets/links", encode(&release.tag)));
        let links: Vec<GlLink> = self.api.pages(first, next_page)?;
        Ok(links.into_iter().map(Asset::from).collect())
    }

    fn upload_asset(
        &self,
        release: &Release,
        name: &str,
        content: &[u8],
    ) -> Result<Asset, ForgeError> {
        let file = Body::File {
            field: "file",
            name,
            content,
        };
        let upload: Upload = self.api.json("POST", &self.url("/uploads"), file)?;
        let body = json!({
            "name": name,
            "url": format!("{}{}", self.web_origin, upload.full_path),
            "link_type": "other",
        });
        let url = self.url(&format!("/releases/{}/assets/links", encode(&release.tag)));
        let link: GlLink = self.api.json("POST", &url, Body::Json(&body))?;
        Ok(link.into())
    }

    fn delete_release(&self, release: &Release) -> Result<(), ForgeError> {
        let url = self.url(&format!("/releases/{}", encode(&release.tag)));
        self.api.send("DELETE", &url, Body::Empty, false).map(drop)
    }
}
