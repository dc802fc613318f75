//! The forge clients against the test forge server (`relflow_tests::forge`) on 127.0.0.1, once
//! per forge: what each call sends (paths, bodies, token headers), pagination, and how error
//! statuses read. `publish`'s releases are tested in `publish_release`.

use cargo_relflow::forge::{self, Forge, ForgeKind, ForgeSpec, NewPullRequest, NewRelease};
use cargo_relflow::registry::http::Token;
use relflow_tests::forge::{ForgeServer, Kind};
use relflow_tests::{Run, TestRepo};

const TOKEN: &str = "forge-token-7c2e91";

fn kind_of(kind: Kind) -> ForgeKind {
    match kind {
        Kind::GitHub => ForgeKind::GitHub,
        Kind::Gitea => ForgeKind::Gitea,
        Kind::GitLab => ForgeKind::GitLab,
    }
}

fn client(server: &ForgeServer, token: Option<&str>) -> Box<dyn Forge> {
    let spec = ForgeSpec {
        kind: kind_of(server.kind()),
        api_url: server.api_url(),
        repository: "acme/widgets".into(),
    };
    forge::open(&spec, token.map(Token::new))
}

#[test]
fn releases_and_assets_on_every_forge() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        server.set_max_page_size(2);
        let forge = client(&server, Some(TOKEN));
        assert_eq!(
            forge.release_by_tag("core@1.0.0").unwrap(),
            None,
            "{kind:?}"
        );
        for version in ["1.0.0", "1.1.0", "2.0.0-rc.0"] {
            let release = forge
                .create_release(&NewRelease {
                    tag: format!("core@{version}"),
                    name: format!("core@{version}"),
                    body: format!("### Patch Changes\n\n- {version}\n"),
                    prerelease: version.contains('-'),
                })
                .unwrap();
            assert_eq!(release.tag, format!("core@{version}"));
        }
        let created = server.requests_to("POST", "/releases");
        assert_eq!(created.len(), 3, "{kind:?}");
        let sent = created[2].json();
        assert_eq!(sent["tag_name"], "core@2.0.0-rc.0", "{kind:?}");
        match kind {
            Kind::GitLab => assert_eq!(sent["description"], "### Patch Changes\n\n- 2.0.0-rc.0\n"),
            _ => {
                assert_eq!(sent["body"], "### Patch Changes\n\n- 2.0.0-rc.0\n");
                assert_eq!(sent["prerelease"], true);
            }
        }
        // Three releases over pages of two.
        let all = forge.list_releases().unwrap();
        let tags: Vec<&str> = all.iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(
            tags,
            ["core@2.0.0-rc.0", "core@1.1.0", "core@1.0.0"],
            "{kind:?}"
        );
        let pages: Vec<_> = server
            .requests_to("GET", "/releases")
            .into_iter()
            .filter(|r| r.path().ends_with("/releases"))
            .collect();
        assert_eq!(pages.len(), 2, "{kind:?}: {pages:?}");
        assert_eq!(pages[1].query("page"), Some("2"), "{kind:?}");

        let release = forge.release_by_tag("core@1.1.0").unwrap().unwrap();
        assert_eq!(release.body, "### Patch Changes\n\n- 1.1.0\n");
        forge
            .upload_asset(&release, "openapi.json", b"{\"openapi\":\"3.1.0\"}")
            .unwrap();
        forge
            .upload_asset(&release, "core-1.1.0.tar.gz", b"\x1f\x8b tarball")
            .unwrap();
        let names: Vec<String> = forge
            .list_assets(&release)
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["openapi.json", "core-1.1.0.tar.gz"], "{kind:?}");
        let stored = server.release("core@1.1.0").unwrap();
        assert_eq!(
            stored.assets[0].content, b"{\"openapi\":\"3.1.0\"}",
            "{kind:?}"
        );
        assert_eq!(stored.assets[1].content, b"\x1f\x8b tarball", "{kind:?}");

        forge.delete_release(&release).unwrap();
        assert_eq!(forge.release_by_tag("core@1.1.0").unwrap(), None);
        assert_eq!(server.releases().len(), 2);

        // Every write carried the token in the forge's own header.
        for request in server.requests().iter().filter(|r| r.method != "GET") {
            let presented = match kind {
                Kind::GitHub => request.header("authorization").map(str::to_owned),
                Kind::Gitea => request.header("authorization").map(str::to_owned),
                Kind::GitLab => request.header("private-token").map(str::to_owned),
            };
            let expected = match kind {
                Kind::GitHub => format!("Bearer {TOKEN}"),
                Kind::Gitea => format!("token {TOKEN}"),
                Kind::GitLab => TOKEN.to_owned(),
            };
            assert_eq!(
                presented.as_deref(),
                Some(expected.as_str()),
                "{kind:?} {request:?}"
            );
        }
        if kind == Kind::GitHub {
            let first = &server.requests()[0];
            assert_eq!(first.header("accept"), Some("application/vnd.github+json"));
            assert_eq!(first.header("x-github-api-version"), Some("2022-11-28"));
            let upload = &server.requests_to("POST", "/api/uploads/")[0];
            assert_eq!(upload.query("name"), Some("openapi.json"));
            assert_eq!(
                upload.header("content-type"),
                Some("application/octet-stream")
            );
        }
    }
}

#[test]
fn pull_requests_on_every_forge() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        server.set_max_page_size(1);
        server.add_pull("feature", "main", "Someone else's", "alice");
        server.add_pull("relflow/release", "develop", "Another base", "alice");
        let forge = client(&server, Some(TOKEN));
        assert_eq!(
            forge.find_pull_request("relflow/release", "main").unwrap(),
            None,
            "{kind:?}"
        );
        let new = NewPullRequest {
            head: "relflow/release".into(),
            base: "main".into(),
            title: "chore: release versions".into(),
            body: "| Package | Bump |\n".into(),
        };
        let created = forge.create_pull_request(&new).unwrap();
        assert_eq!(created.number, 3, "{kind:?}");
        let found = forge
            .find_pull_request("relflow/release", "main")
            .unwrap()
            .expect("the new pull request");
        assert_eq!(found.number, 3);
        assert_eq!(found.body, "| Package | Bump |\n");
        let updated = forge
            .update_pull_request(
                3,
                &NewPullRequest {
                    body: "new body".into(),
                    ..new.clone()
                },
            )
            .unwrap();
        assert_eq!(updated.body, "new body", "{kind:?}");
        assert_eq!(server.pulls()[2].body, "new body");
        // A second pull request for the same branches is refused by the forge.
        let error = forge.create_pull_request(&new).unwrap_err();
        let expected = if kind == Kind::GitHub { 422 } else { 409 };
        assert_eq!(error.status(), Some(expected), "{kind:?}: {error}");
    }
}

#[test]
fn error_statuses_say_what_they_mean_and_never_show_the_token() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        let variable = kind.token_variable();
        let wrong = client(&server, Some("wrong-token-3b9f"));
        let error = wrong
            .create_release(&NewRelease {
                tag: "v1.0.0".into(),
                name: "v1.0.0".into(),
                body: String::new(),
                prerelease: false,
            })
            .unwrap_err();
        let text = error.to_string();
        assert_eq!(error.status(), Some(401), "{text}");
        assert!(
            text.contains(variable) && text.contains("refused"),
            "{text}"
        );
        assert!(!text.contains("wrong-token-3b9f"), "{text}");

        let forge = client(&server, Some(TOKEN));
        for (status, words) in [
            (403, "may not do this"),
            (404, "not found"),
            (422, "refused the request"),
            (500, "run the command again"),
            (503, "run the command again"),
        ] {
            server.fail("*", "/releases", status, 1);
            let error = forge.list_releases().unwrap_err();
            let text = error.to_string();
            assert_eq!(error.status(), Some(status), "{kind:?}: {text}");
            assert!(text.contains(words), "{kind:?} {status}: {text}");
            assert!(text.contains(&format!("HTTP {status}")), "{text}");
            assert!(!text.contains(TOKEN), "{text}");
        }
        // After the failures, the same call works.
        assert!(forge.list_releases().unwrap().is_empty());
    }
}

#[test]
fn a_server_that_is_not_there_is_a_transport_error() {
    let spec = ForgeSpec {
        kind: ForgeKind::GitHub,
        api_url: "http://127.0.0.1:9/api/v3".into(),
        repository: "acme/widgets".into(),
    };
    let error = forge::open(&spec, Some(Token::new(TOKEN)))
        .list_releases()
        .unwrap_err();
    assert_eq!(error.status(), None);
    let text = error.to_string();
    assert!(
        text.contains("GET http://127.0.0.1:9/api/v3/repos/acme/widgets/releases"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
}

// ---- `publish` with forge releases -------------------------------------------------------

/// Two unpublished (private, tagged) npm packages, changelogs, assets, `origin` a bare
/// repository and `[forge]` pointing at `server`. Returns the repository and its origin.
fn release_repo(server: &ForgeServer, assets: &str) -> (TestRepo, tempfile::TempDir) {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            r#"{ "name": "web", "version": "1.2.0", "private": true }"#,
        )
        .file("js/web/CHANGELOG.md", WEB_CHANGELOG)
        .file(
            "js/beta/package.json",
            r#"{ "name": "beta", "version": "2.0.0-rc.1", "private": true }"#,
        )
        .file(
            "js/beta/CHANGELOG.md",
            "# beta\n\n## 2.0.0-rc.1\n\n### Major Changes\n\n- 1234567: New API\n",
        )
        .file("api/openapi.json", "{\"openapi\":\"3.1.0\"}\n")
        .file("dist/web-1.2.0.tar.gz", "tarball bytes\n")
        .file("dist/web-1.2.0-linux.tar.gz", "linux tarball\n")
        .file(
            "relflow.toml",
            &format!(
                "private_packages = {{ version = true, tag = true }}\n\n{}\n\
                 [[package]]\nname = \"web\"\n{assets}\n",
                server.config_toml()
            ),
        )
        .commit("release");
    let origin = add_origin(&repo);
    (repo, origin)
}

const WEB_CHANGELOG: &str = "# web\n\n## 1.2.0\n\n### Minor Changes\n\n- abc1234: Dark mode\n\n## 1.1.0\n\n### Patch Changes\n\n- def5678: A fix\n";

const ASSETS: &str = r#"assets = ["api/openapi.json", "dist/*.tar.gz"]"#;

fn add_origin(repo: &TestRepo) -> tempfile::TempDir {
    let origin = tempfile::Builder::new()
        .prefix("relflow-origin-")
        .tempdir()
        .expect("origin dir");
    let path = origin.path().to_str().expect("UTF-8").to_owned();
    repo.git(["init", "--quiet", "--bare", path.as_str()]);
    repo.git(["remote", "add", "origin", path.as_str()]);
    origin
}

fn publish(repo: &TestRepo, server: &ForgeServer, token: Option<&str>, args: &[&str]) -> Run {
    server.run_with_token(repo.relflow_command(["publish"].iter().chain(args)), token)
}

fn no_token_in(run: &Run, server: &ForgeServer) {
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    // The token went only into the auth header, never a path or a body.
    for request in server.requests() {
        assert!(!request.target.contains(TOKEN), "{request:?}");
        assert!(
            !String::from_utf8_lossy(&request.body).contains(TOKEN),
            "{request:?}"
        );
    }
}

fn asset_names(server: &ForgeServer, tag: &str) -> Vec<String> {
    let release = server
        .release(tag)
        .unwrap_or_else(|| panic!("a release of {tag}"));
    let mut names: Vec<String> = release.assets.into_iter().map(|a| a.name).collect();
    names.sort();
    names
}

#[test]
fn publish_creates_releases_with_notes_and_assets_once_on_every_forge() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        let (repo, origin) = release_repo(&server, ASSETS);
        let run = publish(&repo, &server, Some(TOKEN), &["--format", "json"]);
        run.assert_code(0);
        no_token_in(&run, &server);
        // The tags reached origin before the releases were made.
        let remote_tags = repo.git(["ls-remote", "--tags", origin.path().to_str().unwrap()]);
        assert!(remote_tags.contains("refs/tags/web@1.2.0"), "{remote_tags}");

        let web = server.release("web@1.2.0").expect("web's release");
        assert_eq!(
            web.body, "### Minor Changes\n\n- abc1234: Dark mode",
            "{kind:?}"
        );
        assert_eq!(web.name, "web@1.2.0");
        assert!(!web.prerelease);
        let beta = server.release("beta@2.0.0-rc.1").expect("beta's release");
        assert_eq!(beta.body, "### Major Changes\n\n- 1234567: New API");
        // GitLab has no pre-release mark.
        assert_eq!(beta.prerelease, kind != Kind::GitLab, "{kind:?}");
        assert!(beta.assets.is_empty());
        assert_eq!(
            asset_names(&server, "web@1.2.0"),
            ["openapi.json", "web-1.2.0-linux.tar.gz", "web-1.2.0.tar.gz"],
            "{kind:?}"
        );
        let stored = server.release("web@1.2.0").unwrap();
        let openapi = stored
            .assets
            .iter()
            .find(|a| a.name == "openapi.json")
            .unwrap();
        assert_eq!(openapi.content, b"{\"openapi\":\"3.1.0\"}\n", "{kind:?}");
        if kind == Kind::GitLab {
            // A release link to the uploaded file, by its absolute URL.
            assert!(openapi.url.starts_with(&server.origin()), "{}", openapi.url);
            assert!(openapi.url.ends_with("/openapi.json"), "{}", openapi.url);
        }
        let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let releases = summary["releases"].as_array().unwrap();
        assert_eq!(releases.len(), 2, "{summary}");
        assert!(releases.iter().all(|r| r["created"] == true));

        // A re-run finds the releases and their assets and makes nothing twice.
        server.clear_requests();
        let again = publish(&repo, &server, Some(TOKEN), &["--format", "json"]);
        again.assert_code(0);
        let writes: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect();
        assert!(writes.is_empty(), "{kind:?}: {writes:?}");
        assert_eq!(server.releases().len(), 2);
        assert_eq!(asset_names(&server, "web@1.2.0").len(), 3);
        let summary: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
        assert!(summary["releases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["created"] == false));
    }
}

#[test]
fn an_existing_release_gets_its_missing_assets_and_keeps_its_notes() {
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    let (repo, _origin) = release_repo(&server, ASSETS);
    server.add_release("web@1.2.0", "written by hand");
    publish(&repo, &server, Some(TOKEN), &[]).assert_code(0);
    let web = server.release("web@1.2.0").unwrap();
    assert_eq!(web.body, "written by hand");
    assert_eq!(web.assets.len(), 3);
    let created: Vec<_> = server
        .requests_to("POST", "/releases")
        .into_iter()
        .filter(|r| r.path().ends_with("/releases"))
        .collect();
    assert_eq!(created.len(), 1, "only beta's release");
    assert_eq!(created[0].json()["tag_name"], "beta@2.0.0-rc.1");
}

#[test]
fn error_statuses_exit_3_and_a_rerun_finishes_the_release() {
    for kind in Kind::ALL {
        for (status, path, words) in [
            (401, "/releases", "was refused"),
            (403, "/releases", "may not do this"),
            (404, "/releases", "not found"),
            (422, "/releases", "refused the request"),
            (500, "/releases", "run the command again"),
            (
                502,
                if kind == Kind::GitLab {
                    "/uploads"
                } else {
                    "/assets"
                },
                "run the command again",
            ),
        ] {
            let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
            let (repo, _origin) = release_repo(&server, ASSETS);
            server.fail("POST", path, status, 1);
            let failed = publish(&repo, &server, Some(TOKEN), &[]);
            failed.assert_code(3);
            assert!(
                failed.stderr.contains(&format!("HTTP {status}")) && failed.stderr.contains(words),
                "{kind:?} {status}: {}",
                failed.stderr
            );
            assert!(
                failed.stderr.contains("run `cargo relflow publish` again"),
                "{}",
                failed.stderr
            );
            no_token_in(&failed, &server);

            let rerun = publish(&repo, &server, Some(TOKEN), &[]);
            rerun.assert_code(0);
            assert_eq!(server.releases().len(), 2, "{kind:?} {status}");
            assert_eq!(
                asset_names(&server, "web@1.2.0").len(),
                3,
                "{kind:?} {status}"
            );
        }
    }
}

#[test]
fn no_release_asks_no_forge() {
    let server = ForgeServer::start(Kind::Gitea, "acme/widgets", TOKEN);
    let (repo, _origin) = release_repo(&server, ASSETS);
    // No token either: `--no-release` needs none.
    publish(&repo, &server, None, &["--no-release"]).assert_code(0);
    assert!(server.requests().is_empty());
    assert!(repo.git(["tag", "-l"]).contains("web@1.2.0"));
}

#[test]
fn a_missing_token_is_exit_2_before_anything_is_published() {
    for kind in Kind::ALL {
        let server = ForgeServer::start(kind, "acme/widgets", TOKEN);
        let (repo, _origin) = release_repo(&server, ASSETS);
        let run = publish(&repo, &server, None, &[]);
        run.assert_code(2);
        assert!(
            run.stderr
                .contains(&format!("`{}` is not set", kind.token_variable())),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("--no-release"), "{}", run.stderr);
        assert_eq!(repo.git(["tag", "-l"]), "", "nothing was tagged");
        assert!(server.requests().is_empty());
    }
}

#[test]
fn an_asset_glob_that_matches_nothing_is_exit_2_naming_the_line() {
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    let (repo, _origin) = release_repo(&server, r#"assets = ["api/openapi.json", "dist/*.zip"]"#);
    for args in [&[][..], &["--dry-run"][..]] {
        let run = publish(&repo, &server, Some(TOKEN), args);
        run.assert_code(2);
        assert!(
            run.stderr.contains("`dist/*.zip` matches no file"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("relflow.toml"), "{}", run.stderr);
        let line = repo
            .read("relflow.toml")
            .lines()
            .position(|l| l.starts_with("assets"))
            .unwrap()
            + 1;
        assert!(
            run.stderr.contains(&format!(":{line}")),
            "line {line}: {}",
            run.stderr
        );
    }
    assert_eq!(repo.git(["tag", "-l"]), "");
    assert!(server.requests().is_empty());
}

#[test]
fn forge_urls_that_cannot_be_read_are_exit_2() {
    let server = ForgeServer::start(Kind::GitHub, "acme/widgets", TOKEN);
    let (repo, _origin) = release_repo(&server, ASSETS);
    // An api_url that is no URL, with its line.
    let text = repo
        .read("relflow.toml")
        .replace(&server.api_url(), "ghe.example/api/v3");
    repo.write("relflow.toml", &text);
    repo.commit_all("bad api_url");
    let run = publish(&repo, &server, Some(TOKEN), &[]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("`forge.api_url`: `ghe.example/api/v3` is not an http(s) URL"),
        "{}",
        run.stderr
    );

    // No `[forge]`, and an `origin` on github.com without a repository path.
    let bare = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            r#"{ "name": "web", "version": "1.0.0", "private": true }"#,
        )
        .file(
            "relflow.toml",
            "private_packages = { version = true, tag = true }\n",
        )
        .commit("initial");
    bare.git(["remote", "add", "origin", "https://github.com/acme"]);
    let run = publish(&bare, &server, Some(TOKEN), &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("the `origin` remote's URL `https://github.com/acme` cannot be read as a forge repository"),
        "{}",
        run.stderr
    );
    assert_eq!(bare.git(["tag", "-l"]), "");
}
