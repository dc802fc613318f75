//! GitHub's REST v3 as GitHub Enterprise Server serves it: `/api/v3/repos/{owner}/{repo}/...`,
//! uploads at `/api/uploads/repos/...`, `Link` pagination, 422 "Validation Failed" bodies.

use serde_json::{json, Value};

use super::http::{paginate, Request, Response};
use super::state::{State, StoredAsset, StoredPull, StoredRelease};
use super::{Kind, Shared};

const CREATED_AT: &str = "2026-01-01T00:00:00Z";

fn user(shared: &Shared, login: &str) -> Value {
    json!({
        "login": login,
        "id": 1,
        "html_url": format!("{}/{login}", shared.origin),
        "type": "User",
    })
}

fn pull_json(shared: &Shared, pull: &StoredPull) -> Value {
    let owner = shared.repository.split('/').next().unwrap_or_default();
    json!({
        "url": format!("{}/api/v3/repos/{}/pulls/{}", shared.origin, shared.repository, pull.number),
        "id": 1000 + pull.number,
        "number": pull.number,
        "state": pull.state,
        "title": pull.title,
        "body": pull.body,
        "html_url": format!("{}/{}/pull/{}", shared.origin, shared.repository, pull.number),
        "user": user(shared, &pull.user),
        "head": {"label": format!("{owner}:{}", pull.head), "ref": pull.head, "sha": "0".repeat(40)},
        "base": {"label": format!("{owner}:{}", pull.base), "ref": pull.base, "sha": "0".repeat(40)},
        "merge_commit_sha": pull.merge_commit_sha,
        "merged_at": pull.merged_at,
        "draft": false,
        "created_at": CREATED_AT,
    })
}

fn asset_json(shared: &Shared, release: &StoredRelease, asset: &StoredAsset) -> Value {
    json!({
        "url": format!("{}/api/v3/repos/{}/releases/assets/{}", shared.origin, shared.repository, asset.id),
        "id": asset.id,
        "name": asset.name,
        "label": "",
        "content_type": "application/octet-stream",
        "state": "uploaded",
        "size": asset.content.len(),
        "download_count": 0,
        "browser_download_url": format!(
            "{}/{}/releases/download/{}/{}", shared.origin, shared.repository, release.tag, asset.name
        ),
        "created_at": CREATED_AT,
    })
}

fn release_json(shared: &Shared, release: &StoredRelease) -> Value {
    let api = format!("{}/api/v3/repos/{}", shared.origin, shared.repository);
    json!({
        "url": format!("{api}/releases/{}", release.id),
        "html_url": format!("{}/{}/releases/tag/{}", shared.origin, shared.repository, release.tag),
        "assets_url": format!("{api}/releases/{}/assets", release.id),
        "upload_url": format!(
            "{}/api/uploads/repos/{}/releases/{}/assets{{?name,label}}",
            shared.origin, shared.repository, release.id
        ),
        "tarball_url": format!("{api}/tarball/{}", release.tag),
        "zipball_url": format!("{api}/zipball/{}", release.tag),
        "id": release.id,
        "node_id": format!("RE_{}", release.id),
        "tag_name": release.tag,
        "target_commitish": if release.target.is_empty() { "main" } else { &release.target },
        "name": release.name,
        "body": release.body,
        "draft": false,
        "prerelease": release.prerelease,
        "created_at": CREATED_AT,
        "published_at": CREATED_AT,
        "author": user(shared, "relflow-bot"),
        "assets": release.assets.iter().map(|a| asset_json(shared, release, a)).collect::<Vec<_>>(),
    })
}

fn validation_failed(resource: &str, code: &str, field: &str, message: Option<&str>) -> Response {
    let mut error = json!({"resource": resource, "code": code, "field": field});
    if let Some(message) = message {
        error["message"] = json!(message);
    }
    Response::json(
        422,
        &json!({
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": "https://docs.github.com/rest",
            "status": "422",
        }),
    )
}

pub(crate) fn route(
    state: &mut State,
    shared: &Shared,
    request: &Request<'_>,
    upload: bool,
) -> Response {
    let segments = request.segments();
    let repo: Vec<&str> = shared.repository.split('/').collect();
    if segments.len() < 3 || segments[0] != "repos" || segments[1..3] != repo[..] {
        return Response::error(Kind::GitHub, 404, "Not Found");
    }
    let max = state.max_page_size;
    let tail = &segments[3..];
    if upload {
        return match (request.method, tail) {
            ("POST", ["releases", id, "assets"]) => upload_asset(state, shared, request, id),
            _ => Response::error(Kind::GitHub, 404, "Not Found"),
        };
    }
    match (request.method, tail) {
        ("GET", ["pulls"]) => {
            let wanted_state = request.query("state").unwrap_or_else(|| "open".into());
            let head = request.query("head");
            let base = request.query("base");
            let owner = repo[0];
            let items = state
                .pulls
                .iter()
                .filter(|p| wanted_state == "all" || p.state == wanted_state)
                .filter(|p| {
                    head.as_ref()
                        .is_none_or(|h| *h == format!("{owner}:{}", p.head))
                })
                .filter(|p| base.as_ref().is_none_or(|b| *b == p.base))
                .map(|p| pull_json(shared, p))
                .collect();
            paginate(Kind::GitHub, shared, request, items, max)
        }
        ("POST", ["pulls"]) => {
            let body = request.json();
            let (Some(title), Some(head), Some(base)) = (
                body["title"].as_str(),
                body["head"].as_str(),
                body["base"].as_str(),
            ) else {
                return validation_failed("PullRequest", "missing_field", "title", None);
            };
            if state
                .pulls
                .iter()
                .any(|p| p.state == "open" && p.head == head && p.base == base)
            {
                let message = format!("A pull request already exists for {}:{head}.", repo[0]);
                return validation_failed("PullRequest", "custom", "head", Some(&message));
            }
            let text = body["body"].as_str().unwrap_or_default();
            let pull = state.add_pull(head, base, title, text, "relflow-bot");
            Response::json(201, &pull_json(shared, &pull))
        }
        ("GET", ["pulls", number]) => match find_pull(state, number) {
            Some(at) => Response::json(200, &pull_json(shared, &state.pulls[at])),
            None => Response::error(Kind::GitHub, 404, "Not Found"),
        },
        ("PATCH", ["pulls", number]) => {
            let Some(at) = find_pull(state, number) else {
                return Response::error(Kind::GitHub, 404, "Not Found");
            };
            let body = request.json();
            let pull = &mut state.pulls[at];
            if let Some(title) = body["title"].as_str() {
                pull.title = title.to_owned();
            }
            if let Some(text) = body["body"].as_str() {
                pull.body = text.to_owned();
            }
            if let Some(new_state) = body["state"].as_str() {
                pull.state = new_state.to_owned();
            }
            Response::json(200, &pull_json(shared, &state.pulls[at]))
        }
        ("GET", ["releases"]) => {
            let items = state
                .releases
                .iter()
                .rev()
                .map(|r| release_json(shared, r))
                .collect();
            paginate(Kind::GitHub, shared, request, items, max)
        }
        ("POST", ["releases"]) => {
            let body = request.json();
            let Some(tag) = body["tag_name"].as_str() else {
                return validation_failed("Release", "missing_field", "tag_name", None);
            };
            if state.releases.iter().any(|r| r.tag == tag) {
                return validation_failed("Release", "already_exists", "tag_name", None);
            }
            let release = state.add_release(
                tag,
                body["name"].as_str().unwrap_or(tag),
                body["body"].as_str().unwrap_or_default(),
                body["prerelease"].as_bool().unwrap_or(false),
                body["target_commitish"].as_str().unwrap_or_default(),
            );
            Response::json(201, &release_json(shared, &release))
        }
        ("GET", ["releases", "tags", tag]) => match state.releases.iter().find(|r| r.tag == *tag) {
            Some(release) => Response::json(200, &release_json(shared, release)),
            None => Response::error(Kind::GitHub, 404, "Not Found"),
        },
        ("GET", ["releases", id, "assets"]) => match find_release(state, id) {
            Some(at) => {
                let release = &state.releases[at];
                let items = release
                    .assets
                    .iter()
                    .map(|a| asset_json(shared, release, a))
                    .collect();
                paginate(Kind::GitHub, shared, request, items, max)
            }
            None => Response::error(Kind::GitHub, 404, "Not Found"),
        },
        ("GET", ["releases", id]) => match find_release(state, id) {
            Some(at) => Response::json(200, &release_json(shared, &state.releases[at])),
            None => Response::error(Kind::GitHub, 404, "Not Found"),
        },
        ("DELETE", ["releases", id]) => match find_release(state, id) {
            Some(at) => {
                state.releases.remove(at);
                Response::empty(204)
            }
            None => Response::error(Kind::GitHub, 404, "Not Found"),
        },
        ("GET", ["commits", sha]) => match state.commits.iter().find(|c| c.sha.starts_with(sha)) {
            Some(commit) => Response::json(
                200,
                &json!({
                    "sha": commit.sha,
                    "html_url": format!("{}/{}/commit/{}", shared.origin, shared.repository, commit.sha),
                    "author": commit.author.as_deref().map(|login| user(shared, login)),
                    "commit": {"message": "", "author": {"name": "A", "email": "a@example.com"}},
                }),
            ),
            None => Response::json(
                422,
                &json!({"message": format!("No commit found for SHA: {sha}"), "status": "422"}),
            ),
        },
        ("GET", ["commits", sha, "pulls"]) => {
            let numbers = state
                .commits
                .iter()
                .find(|c| c.sha.starts_with(sha))
                .map(|c| c.pulls.clone())
                .unwrap_or_default();
            let items = numbers
                .iter()
                .filter_map(|n| state.pulls.iter().find(|p| p.number == *n))
                .map(|p| pull_json(shared, p))
                .collect();
            paginate(Kind::GitHub, shared, request, items, max)
        }
        _ => Response::error(Kind::GitHub, 404, "Not Found"),
    }
}

fn find_pull(state: &State, number: &str) -> Option<usize> {
    let number: u64 = number.parse().ok()?;
    state.pulls.iter().position(|p| p.number == number)
}

fn find_release(state: &State, id: &str) -> Option<usize> {
    let id: u64 = id.parse().ok()?;
    state.releases.iter().position(|r| r.id == id)
}

fn upload_asset(state: &mut State, shared: &Shared, request: &Request<'_>, id: &str) -> Response {
    let Some(at) = find_release(state, id) else {
        return Response::error(Kind::GitHub, 404, "Not Found");
    };
    let Some(name) = request.query("name").filter(|n| !n.is_empty()) else {
        return validation_failed("ReleaseAsset", "missing_field", "name", None);
    };
    if request.recorded.header("content-type").is_none() {
        return validation_failed("ReleaseAsset", "missing_field", "content_type", None);
    }
    if state.releases[at].assets.iter().any(|a| a.name == name) {
        return validation_failed("ReleaseAsset", "already_exists", "name", None);
    }
    let asset = StoredAsset {
        id: state.next_id(),
        name,
        content: request.recorded.body.clone(),
        url: String::new(),
    };
    state.releases[at].assets.push(asset.clone());
    Response::json(201, &asset_json(shared, &state.releases[at], &asset))
}
