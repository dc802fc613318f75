//! The forge clients against the test forge server (`relflow_tests::forge`) on 127.0.0.1, once
//! per forge: what each call sends (paths, bodies, token headers), pagination, and how error
//! statuses read. `publish`'s releases are tested in `publish_release`.

use cargo_relflow::forge::{self, Forge, ForgeKind, ForgeSpec, NewPullRequest, NewRelease};
use cargo_relflow::registry::http::Token;
use relflow_tests::forge::{ForgeServer, Kind};

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
