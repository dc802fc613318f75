//! GitLab's REST v4: `/api/v4/projects/{url-encoded path}/...`, merge requests by `iid`,
//! releases by tag, assets as release links to project uploads, `X-Next-Page` pagination.

use serde_json::{json, Value};

use super::http::{multipart_file, paginate, Request, Response};
use super::state::{State, StoredAsset, StoredPull, StoredRelease, Upload};
use super::{Kind, Shared};

const CREATED_AT: &str = "2026-01-01T00:00:00.000Z";

fn mr_json(shared: &Shared, pull: &StoredPull) -> Value {
    json!({
        "id": 1000 + pull.number,
        "iid": pull.number,
        "project_id": 1,
        "title": pull.title,
        "description": pull.body,
        "state": if pull.state == "open" { "opened" } else { "closed" },
        "source_branch": pull.head,
        "target_branch": pull.base,
        "author": {"id": 1, "username": pull.user, "name": pull.user},
        "web_url": format!("{}/{}/-/merge_requests/{}", shared.origin, shared.repository, pull.number),
        "created_at": CREATED_AT,
    })
}

fn link_json(asset: &StoredAsset) -> Value {
    json!({
        "id": asset.id,
        "name": asset.name,
        "url": asset.url,
        "direct_asset_url": asset.url,
        "link_type": "other",
    })
}

fn release_json(shared: &Shared, release: &StoredRelease) -> Value {
    let web = format!("{}/{}", shared.origin, shared.repository);
    json!({
        "tag_name": release.tag,
        "name": release.name,
        "description": release.body,
        "created_at": CREATED_AT,
        "released_at": CREATED_AT,
        "upcoming_release": false,
        "author": {"id": 1, "username": "relflow-bot"},
        "commit": {"id": "0".repeat(40)},
        "assets": {
            "count": release.assets.len() + 2,
            "sources": [
                {"format": "zip", "url": format!("{web}/-/archive/{0}/{0}.zip", release.tag)},
                {"format": "tar.gz", "url": format!("{web}/-/archive/{0}/{0}.tar.gz", release.tag)},
            ],
            "links": release.assets.iter().map(link_json).collect::<Vec<_>>(),
        },
        "_links": {"self": format!("{web}/-/releases/{}", release.tag)},
    })
}

fn not_found(what: &str) -> Response {
    Response::error(Kind::GitLab, 404, what)
}

pub(crate) fn route(state: &mut State, shared: &Shared, request: &Request<'_>) -> Response {
    let segments = request.segments();
    if segments.len() < 2 || segments[0] != "projects" || segments[1] != shared.repository {
        return not_found("Project Not Found");
    }
    let max = state.max_page_size;
    match (request.method, &segments[2..]) {
        ("GET", ["merge_requests"]) => {
            let wanted = request.query("state").unwrap_or_else(|| "all".into());
            let source = request.query("source_branch");
            let target = request.query("target_branch");
            let items = state
                .pulls
                .iter()
                .filter(|p| wanted == "all" || (wanted == "opened") == (p.state == "open"))
                .filter(|p| source.as_ref().is_none_or(|s| *s == p.head))
                .filter(|p| target.as_ref().is_none_or(|t| *t == p.base))
                .map(|p| mr_json(shared, p))
                .collect();
            paginate(Kind::GitLab, shared, request, items, max)
        }
        ("POST", ["merge_requests"]) => {
            let body = request.json();
            let (Some(title), Some(head), Some(base)) = (
                body["title"].as_str(),
                body["source_branch"].as_str(),
                body["target_branch"].as_str(),
            ) else {
                return Response::json(400, &json!({"error": "title is missing"}));
            };
            if let Some(open) = state
                .pulls
                .iter()
                .find(|p| p.state == "open" && p.head == head && p.base == base)
            {
                let message = format!(
                    "Another open merge request already exists for this source branch: !{}",
                    open.number
                );
                return Response::json(409, &json!({"message": [message]}));
            }
            let text = body["description"].as_str().unwrap_or_default();
            let pull = state.add_pull(head, base, title, text, "relflow-bot");
            Response::json(201, &mr_json(shared, &pull))
        }
        ("PUT", ["merge_requests", iid]) => {
            let Some(at) = iid
                .parse::<u64>()
                .ok()
                .and_then(|n| state.pulls.iter().position(|p| p.number == n))
            else {
                return not_found("Not found");
            };
            let body = request.json();
            let pull = &mut state.pulls[at];
            if let Some(title) = body["title"].as_str() {
                pull.title = title.to_owned();
            }
            if let Some(text) = body["description"].as_str() {
                pull.body = text.to_owned();
            }
            Response::json(200, &mr_json(shared, &state.pulls[at]))
        }
        ("GET", ["releases"]) => {
            let items = state
                .releases
                .iter()
                .rev()
                .map(|r| release_json(shared, r))
                .collect();
            paginate(Kind::GitLab, shared, request, items, max)
        }
        ("POST", ["releases"]) => {
            let body = request.json();
            let Some(tag) = body["tag_name"].as_str() else {
                return Response::json(400, &json!({"error": "tag_name is missing"}));
            };
            if state.releases.iter().any(|r| r.tag == tag) {
                return Response::json(409, &json!({"message": "Release already exists"}));
            }
            let release = state.add_release(
                tag,
                body["name"].as_str().unwrap_or(tag),
                body["description"].as_str().unwrap_or_default(),
                false,
                body["ref"].as_str().unwrap_or_default(),
            );
            Response::json(201, &release_json(shared, &release))
        }
        ("GET", ["releases", tag]) => match state.releases.iter().find(|r| r.tag == *tag) {
            Some(release) => Response::json(200, &release_json(shared, release)),
            None => not_found("Not Found"),
        },
        ("DELETE", ["releases", tag]) => match state.releases.iter().position(|r| r.tag == *tag) {
            Some(at) => {
                let release = state.releases.remove(at);
                Response::json(200, &release_json(shared, &release))
            }
            None => not_found("Not Found"),
        },
        ("GET", ["releases", tag, "assets", "links"]) => {
            match state.releases.iter().find(|r| r.tag == *tag) {
                Some(release) => {
                    let items = release.assets.iter().map(link_json).collect();
                    paginate(Kind::GitLab, shared, request, items, max)
                }
                None => not_found("Not Found"),
            }
        }
        ("POST", ["releases", tag, "assets", "links"]) => {
            let Some(at) = state.releases.iter().position(|r| r.tag == *tag) else {
                return not_found("Not Found");
            };
            let body = request.json();
            let (Some(name), Some(url)) = (body["name"].as_str(), body["url"].as_str()) else {
                return Response::json(400, &json!({"error": "name is missing, url is missing"}));
            };
            if state.releases[at].assets.iter().any(|a| a.name == name) {
                return Response::json(
                    400,
                    &json!({"message": {"name": ["has already been taken"]}}),
                );
            }
            let content = state
                .uploads
                .iter()
                .find(|u| url.ends_with(&u.full_path))
                .map(|u| u.content.clone())
                .unwrap_or_default();
            let asset = StoredAsset {
                id: state.next_id(),
                name: name.to_owned(),
                content,
                url: url.to_owned(),
            };
            state.releases[at].assets.push(asset.clone());
            Response::json(201, &link_json(&asset))
        }
        ("POST", ["uploads"]) => {
            let Some((name, content)) = multipart_file(request.recorded, "file") else {
                return Response::json(400, &json!({"error": "file is missing"}));
            };
            let id = state.next_id();
            let secret = format!("{id:032x}");
            let upload = Upload {
                full_path: format!("/-/project/1/uploads/{secret}/{name}"),
                content,
            };
            let answer = json!({
                "id": id,
                "alt": name,
                "url": format!("/uploads/{secret}/{name}"),
                "full_path": upload.full_path,
                "markdown": format!("[{name}](/uploads/{secret}/{name})"),
            });
            state.uploads.push(upload);
            Response::json(201, &answer)
        }
        _ => not_found("Not Found"),
    }
}
