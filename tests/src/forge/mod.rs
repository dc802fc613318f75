//! A forge server on 127.0.0.1 for the forge tests: it speaks the REST endpoints relflow's forge
//! clients use, for GitHub (Enterprise form: `/api/v3`, uploads under `/api/uploads`), Gitea /
//! Forgejo (`/api/v1`) and GitLab (`/api/v4`), with the JSON shapes, status codes, error bodies
//! and pagination headers of each forge's API documentation.
//!
//! It is real HTTP (one thread per connection, `Connection: close`), keeps its state (pull
//! requests, releases, assets with their bytes) in memory, checks the token header each forge
//! uses (a write without it is 401, a wrong one 401), records every request (method, path with
//! query, headers, body) so that tests assert on what was sent, and can be told to answer the
//! next matching requests with an error status ([`ForgeServer::fail`]).
//!
//! No Gitea, Forgejo or GitLab binary can be installed from the package registries this project
//! uses, so this server stands in for them: it is a test double of the documented API, not a
//! forge.
//!
//! ```no_run
//! use relflow_tests::forge::{ForgeServer, Kind};
//! let server = ForgeServer::start(Kind::GitHub, "acme/widgets", "gh-token-1234");
//! assert!(server.api_url().ends_with("/api/v3"));
//! assert!(server.releases().is_empty());
//! ```

mod gitea;
mod github;
mod gitlab;
mod http;
mod state;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

pub use state::{StoredAsset, StoredPull, StoredRelease};

/// Which forge the server plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GitHub Enterprise Server's REST v3 at `/api/v3`.
    GitHub,
    /// Gitea / Forgejo at `/api/v1`.
    Gitea,
    /// GitLab at `/api/v4`.
    GitLab,
}

impl Kind {
    /// The `[forge] kind` value.
    pub fn config_name(self) -> &'static str {
        match self {
            Kind::GitHub => "github",
            Kind::Gitea => "gitea",
            Kind::GitLab => "gitlab",
        }
    }

    /// The environment variable relflow reads the token from.
    pub fn token_variable(self) -> &'static str {
        match self {
            Kind::GitHub => "GITHUB_TOKEN",
            Kind::Gitea => "GITEA_TOKEN",
            Kind::GitLab => "GITLAB_TOKEN",
        }
    }

    fn api_prefix(self) -> &'static str {
        match self {
            Kind::GitHub => "/api/v3",
            Kind::Gitea => "/api/v1",
            Kind::GitLab => "/api/v4",
        }
    }

    /// Every kind, for tests that run once per forge.
    pub const ALL: [Kind; 3] = [Kind::GitHub, Kind::Gitea, Kind::GitLab];
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path with its query, as sent.
    pub target: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The value of query parameter `name`, as sent (not decoded).
    pub fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }

    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The whole request as text (request line, headers, body), to search for leaked secrets.
    pub fn text(&self) -> String {
        let headers: String = self
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect();
        format!(
            "{} {}\n{headers}\n{}",
            self.method,
            self.target,
            String::from_utf8_lossy(&self.body)
        )
    }
}

/// Answer the next `times` requests whose method is `method` and whose path contains `path` with
/// `status` (and the forge's error body), without changing any state.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The method to match (`*` for any).
    pub method: String,
    /// A substring of the path to match.
    pub path: String,
    /// The status to answer.
    pub status: u16,
    /// How many requests to fail.
    pub times: usize,
}

/// The running server; it stops accepting when dropped.
pub struct ForgeServer {
    kind: Kind,
    origin: String,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

pub(crate) struct Shared {
    pub kind: Kind,
    pub origin: String,
    pub repository: String,
    pub token: String,
    pub state: Mutex<state::State>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ForgeServer {
    /// Starts a `kind` server for `repository` (`owner/name`) that accepts `token`.
    pub fn start(kind: Kind, repository: &str, token: &str) -> ForgeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the forge on 127.0.0.1");
        let addr = listener.local_addr().expect("forge address");
        let origin = format!("http://{addr}");
        let shared = Arc::new(Shared {
            kind,
            origin: origin.clone(),
            repository: repository.to_owned(),
            token: token.to_owned(),
            state: Mutex::new(state::State::new(kind)),
        });
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let accept = std::thread::spawn({
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let shared = Arc::clone(&shared);
                            std::thread::spawn(move || http::serve(stream, &shared));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            }
        });
        ForgeServer {
            kind,
            origin,
            shared,
            stop,
            accept: Some(accept),
        }
    }

    /// Runs `command` (a relflow command) with this forge's token variable set to `token`, or
    /// unset, and every other forge's token variable unset.
    pub fn run_with_token(
        &self,
        mut command: std::process::Command,
        token: Option<&str>,
    ) -> crate::Run {
        for kind in Kind::ALL {
            command.env_remove(kind.token_variable());
        }
        if let Some(token) = token {
            command.env(self.kind.token_variable(), token);
        }
        crate::Run::from_output(command.output().expect("run cargo-relflow"))
    }

    /// Which forge it plays.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    /// The API base URL relflow is configured with (`{origin}/api/v3`, `/api/v1`, `/api/v4`).
    pub fn api_url(&self) -> String {
        format!("{}{}", self.origin, self.kind.api_prefix())
    }

    /// The `[forge]` table for relflow.toml that points at this server.
    pub fn config_toml(&self) -> String {
        format!(
            "[forge]\nkind = \"{}\"\napi_url = \"{}\"\nrepository = \"{}\"\n",
            self.kind.config_name(),
            self.api_url(),
            self.shared.repository
        )
    }

    /// Lists answer at most `size` items per page, whatever was asked.
    pub fn set_max_page_size(&self, size: usize) {
        self.shared.lock().max_page_size = size.max(1);
    }

    /// Fails the next matching requests (see [`Failure`]).
    pub fn fail(&self, method: &str, path: &str, status: u16, times: usize) {
        self.shared.lock().failures.push(Failure {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            times,
        });
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// The requests so far with `method` whose path contains `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path().contains(path))
            .collect()
    }

    /// Forgets the recorded requests (state stays).
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The releases, oldest first.
    pub fn releases(&self) -> Vec<StoredRelease> {
        self.shared.lock().releases.clone()
    }

    /// The release of `tag`.
    pub fn release(&self, tag: &str) -> Option<StoredRelease> {
        self.releases().into_iter().find(|r| r.tag == tag)
    }

    /// The pull requests, oldest first.
    pub fn pulls(&self) -> Vec<StoredPull> {
        self.shared.lock().pulls.clone()
    }

    /// Adds a release as if someone had made it on the forge.
    pub fn add_release(&self, tag: &str, body: &str) -> StoredRelease {
        self.shared.lock().add_release(tag, tag, body, false, "")
    }

    /// Adds an open pull request from `head` into `base` by `user`.
    pub fn add_pull(&self, head: &str, base: &str, title: &str, user: &str) -> StoredPull {
        self.shared.lock().add_pull(head, base, title, "", user)
    }

    /// Marks pull request `number` merged at `merged_at` (ISO 8601) as commit `sha` (closed).
    pub fn merge_pull(&self, number: u64, sha: &str, merged_at: &str) {
        let mut state = self.shared.lock();
        if let Some(pull) = state.pulls.iter_mut().find(|p| p.number == number) {
            pull.state = "closed".to_owned();
            pull.merged_at = Some(merged_at.to_owned());
            pull.merge_commit_sha = Some(sha.to_owned());
        }
    }

    /// Records that commit `sha` was written by GitHub user `author` (`None`: an email that
    /// belongs to no user) and belongs to the pull requests `pulls`.
    pub fn add_commit(&self, sha: &str, author: Option<&str>, pulls: &[u64]) {
        self.shared.lock().commits.push(state::StoredCommit {
            sha: sha.to_owned(),
            author: author.map(str::to_owned),
            pulls: pulls.to_vec(),
        });
    }
}

impl Drop for ForgeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}
