//! What the server stores.

use super::{Failure, Kind, RecordedRequest};

/// A release and its assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRelease {
    /// Its id.
    pub id: u64,
    /// Its tag.
    pub tag: String,
    /// Its title.
    pub name: String,
    /// Its notes.
    pub body: String,
    /// The pre-release mark (GitLab has none).
    pub prerelease: bool,
    /// The commitish it was created with.
    pub target: String,
    /// Its assets, in upload order.
    pub assets: Vec<StoredAsset>,
}

/// A release asset (GitLab: an uploaded file linked from the release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAsset {
    /// Its id.
    pub id: u64,
    /// Its file name.
    pub name: String,
    /// Its bytes.
    pub content: Vec<u8>,
    /// Where it is downloaded (GitLab: the link's URL as sent).
    pub url: String,
}

/// A pull request (GitLab: a merge request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPull {
    /// Its number (GitLab: `iid`).
    pub number: u64,
    /// The branch it merges.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub body: String,
    /// `open` / `closed`.
    pub state: String,
    /// Who opened it.
    pub user: String,
    /// When it was merged (ISO 8601), `None` while it is not.
    pub merged_at: Option<String>,
    /// The commit it was merged as.
    pub merge_commit_sha: Option<String>,
}

/// A commit for GitHub's commit endpoints.
#[derive(Debug, Clone)]
pub struct StoredCommit {
    pub sha: String,
    pub author: Option<String>,
    pub pulls: Vec<u64>,
}

/// A GitLab upload not linked yet.
#[derive(Debug, Clone)]
pub struct Upload {
    pub full_path: String,
    pub content: Vec<u8>,
}

pub(crate) struct State {
    pub releases: Vec<StoredRelease>,
    pub pulls: Vec<StoredPull>,
    pub commits: Vec<StoredCommit>,
    pub uploads: Vec<Upload>,
    pub requests: Vec<RecordedRequest>,
    pub failures: Vec<Failure>,
    pub max_page_size: usize,
    next_id: u64,
}

impl State {
    pub fn new(kind: Kind) -> State {
        State {
            releases: Vec::new(),
            pulls: Vec::new(),
            commits: Vec::new(),
            uploads: Vec::new(),
            requests: Vec::new(),
            failures: Vec::new(),
            max_page_size: match kind {
                Kind::Gitea => 50,
                Kind::GitHub | Kind::GitLab => 100,
            },
            next_id: 1,
        }
    }

    pub fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn add_release(
        &mut self,
        tag: &str,
        name: &str,
        body: &str,
        prerelease: bool,
        target: &str,
    ) -> StoredRelease {
        let release = StoredRelease {
            id: self.next_id(),
            tag: tag.to_owned(),
            name: name.to_owned(),
            body: body.to_owned(),
            prerelease,
            target: target.to_owned(),
            assets: Vec::new(),
        };
        self.releases.push(release.clone());
        release
    }

    pub fn add_pull(
        &mut self,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        user: &str,
    ) -> StoredPull {
        let pull = StoredPull {
            number: self.pulls.len() as u64 + 1,
            head: head.to_owned(),
            base: base.to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
            state: "open".to_owned(),
            user: user.to_owned(),
            merged_at: None,
            merge_commit_sha: None,
        };
        self.pulls.push(pull.clone());
        pull
    }

    /// The failure status for `method path`, using one of its times.
    pub fn take_failure(&mut self, method: &str, path: &str) -> Option<u16> {
        let rule = self.failures.iter_mut().find(|f| {
            f.times > 0 && (f.method == "*" || f.method == method) && path.contains(&f.path)
        })?;
        rule.times -= 1;
        Some(rule.status)
    }
}
