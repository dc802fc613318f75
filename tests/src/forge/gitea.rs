//! Gitea's and Forgejo's API: `/api/v1/repos/{owner}/{repo}/...`, `page`/`limit` pagination
//! with `Link` and `X-Total-Count`, 409 on duplicates, attachments as `multipart/form-data`.

use serde_json::{json, Value};

use super::http::{multipart_file, paginate, Request, Response};
use super::state::{State, StoredAsset, StoredPull, StoredRelease};
use super::{Kind, Shared};

const CREATED_AT: &str = "2026-01-01T00:00:00Z";

fn user(login: &str) -> Value {
    json!({"id": 1, "login": login, "full_name": "", "email": format!("{login}@noreply.example")})
}

fn pull_json(shared: &Shared, pull: &StoredPull) -> Value {
    let owner = shared.repository.split('/').next().unwrap_or_default();
    json!({
        "id": 1000 + pull.number,
        "url": format!("{}/{}/pulls/{}", shared.origin, shared.repository, pull.number),
        "number": pull.number,
        "user": user(&pull.user),
        "title": pull.title,
        "body": pull.body,
        "state": if pull.state == "open" { "open" } else { "closed" },
        "html_url": format!("{}/{}/pulls/{}", shared.origin, shared.repository, pull.number),
        "head": {"label": pull.head, "ref": pull.head, "sha": "0".repeat(40), "repo_id": 1},
        "base": {"label": pull.base, "ref": pull.base, "sha": "0".repeat(40), "repo_id": 1},
        "merged": false,
        "created_at": CREATED_AT,
        "owner": owner,
    })
}

fn attachment_json(shared: &Shared, asset: &StoredAsset) -> Value {
    json!({
        "id": asset.id,
        "name": asset.name,
        "size": asset.content.len(),
        "download_count": 0,
        "created_at": CREATED_AT,
        "uuid": format!("{:032x}", asset.id),
        "browser_download_url": format!("{}/attachments/{:032x}", shared.origin, asset.id),
    })
}

fn release_json(shared: &Shared, release: &StoredRelease) -> Value {
    let api = format!("{}/api/v1/repos/{}", shared.origin, shared.repository);
    json!({
        "id": release.id,
        "tag_name": release.tag,
        "target_commitish": if release.target.is_empty() { "main" } else { &release.target },
        "name": release.name,
        "body": release.body,
        "url": format!("{api}/releases/{}", release.id),
        "html_url": format!("{}/{}/releases/tag/{}", shared.origin, shared.repository, release.tag),
        "tarball_url": format!("{}/{}/archive/{}.tar.gz", shared.origin, shared.repository, release.tag),
        "zipball_url": format!("{}/{}/archive/{}.zip", shared.origin, shared.repository, release.tag),
        "upload_url": format!("{api}/releases/{}/assets", release.id),
        "draft": false,
        "prerelease": release.prerelease,
        "created_at": CREATED_AT,
        "published_at": CREATED_AT,
        "author": user("relflow-bot"),
        "assets": release.assets.iter().map(|a| attachment_json(shared, a)).collect::<Vec<_>>(),
    })
}

fn not_found() -> Response {
    Response::error(Kind::Gitea, 404, "The target couldn't be found.")
}

pub(crate) fn route(state: &mut State, shared: &Shared, request: &Request<'_>) -> Response {
    let segments = request.segments();
    let repo: Vec<&str> = shared.repository.split('/').collect();
    if segments.len() < 3 || segments[0] != "repos" || segments[1..3] != repo[..] {
        return not_found();
    }
    let max = state.max_page_size;
    match (request.method, &segments[3..]) {
        ("GET", ["pulls"]) => {
            let wanted = request.query("state").unwrap_or_else(|| "open".into());
            let items = state
                .pulls
                .iter()
                .filter(|p| wanted == "all" || p.state == wanted)
                .map(|p| pull_json(shared, p))
                .collect();
            paginate(Kind::Gitea, shared, request, items, max)
        }
        ("POST", ["pulls"]) => {
            let body = request.json();
            let (Some(title), Some(head), Some(base)) = (
                body["title"].as_str(),
                body["head"].as_str(),
                body["base"].as_str(),
            ) else {
                return Response::error(Kind::Gitea, 422, "[Title]: Required");
            };
            if let Some(open) = state
                .pulls
                .iter()
                .find(|p| p.state == "open" && p.head == head && p.base == base)
            {
                let message = format!(
                    "pull request already exists for these targets [id: {}, issue_id: {}, head_repo_id: 1, base_repo_id: 1, head_branch: {head}, base_branch: {base}]",
                    open.number, open.number
                );
                return Response::error(Kind::Gitea, 409, &message);
            }
            let text = body["body"].as_str().unwrap_or_default();
            let pull = state.add_pull(head, base, title, text, "relflow-bot");
            Response::json(201, &pull_json(shared, &pull))
        }
        ("PATCH", ["pulls", number]) => {
            let Some(at) = number
                .parse::<u64>()
                .ok()
                .and_then(|n| state.pulls.iter().position(|p| p.number == n))
            else {
                return not_found();
            };
            let body = request.json();
            let pull = &mut state.pulls[at];
            if let Some(title) = body["title"].as_str() {
                pull.title = title.to_owned();
            }
            if let Some(text) = body["body"].as_str() {
                pull.body = text.to_owned();
            }
            // Gitea answers an edit with 201.
            Response::json(201, &pull_json(shared, &state.pulls[at]))
        }
        ("GET", ["releases"]) => {
            let items = state
                .releases
                .iter()
                .rev()
                .map(|r| release_json(shared, r))
                .collect();
            paginate(Kind::Gitea, shared, request, items, max)
        }
        ("POST", ["releases"]) => {
            let body = request.json();
            let Some(tag) = body["tag_name"].as_str() else {
                return Response::error(Kind::Gitea, 422, "[TagName]: Required");
            };
            if state.releases.iter().any(|r| r.tag == tag) {
                return Response::error(Kind::Gitea, 409, "Release is already existed");
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
            None => not_found(),
        },
        ("GET", ["releases", id, "assets"]) => match find_release(state, id) {
            // Not paginated in Gitea's API.
            Some(at) => Response::json(
                200,
                &Value::Array(
                    state.releases[at]
                        .assets
                        .iter()
                        .map(|a| attachment_json(shared, a))
                        .collect(),
                ),
            ),
            None => not_found(),
        },
        ("POST", ["releases", id, "assets"]) => {
            let Some(at) = find_release(state, id) else {
                return not_found();
            };
            let Some((file_name, content)) = multipart_file(request.recorded, "attachment") else {
                return Response::error(Kind::Gitea, 400, "attachment is required");
            };
            let name = request
                .query("name")
                .filter(|n| !n.is_empty())
                .unwrap_or(file_name);
            let asset = StoredAsset {
                id: state.next_id(),
                name,
                content,
                url: String::new(),
            };
            state.releases[at].assets.push(asset.clone());
            Response::json(201, &attachment_json(shared, &asset))
        }
        ("DELETE", ["releases", id]) => match find_release(state, id) {
            Some(at) => {
                state.releases.remove(at);
                Response::empty(204)
            }
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn find_release(state: &State, id: &str) -> Option<usize> {
    let id: u64 = id.parse().ok()?;
    state.releases.iter().position(|r| r.id == id)
}
