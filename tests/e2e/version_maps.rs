//! Version maps (issue 10): a `[[sync]]` entry with `insert` adds one entry per new version to
//! a JSON object, a TOML table or array, or the match of a regex in any file (a TypeScript CDN
//! map), once, in version order, leaving every other byte as it was.

use relflow_tests::TestRepo;

const CDN_TS: &str = "// Generated for the CDN loader.\n\
export const CDN_VERSION_MAP = {\n  \"1.1.0\": \"v1.1.0\",\n  \"1.2.0\": \"v1.2.0\",\n};\n\
\n\
export const FALLBACK = { \"0.9.0\": \"v0.9.0\" };\n";

const VERSIONS_JSON: &str =
    "{\n  \"name\": \"cdn\",\n  \"versions\": {\n    \"1.1.0\": \"v1.1.0\",\n    \"1.2.0\": \"v1.2.0\"\n  }\n}\n";

const VERSIONS_TOML: &str = "# Released versions, newest last.\n[cdn]\nlatest = \"1.2.0\"\n\n\
[cdn.versions]\n\"1.1.0\" = \"v1.1.0\"\n\"1.2.0\" = \"v1.2.0\" # the last before 2.0\n\n\
[cdn.other]\nlist = [\"1.1.0\", \"1.2.0\"]\n";

/// An npm package `@acme/cdn` 1.2.0 with three version maps, and a changeset for `minor`.
fn cdn_repo() -> TestRepo {
    TestRepo::new()
        .file(
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file(
            "packages/cdn/package.json",
            "{\n  \"name\": \"@acme/cdn\",\n  \"version\": \"1.2.0\"\n}\n",
        )
        .file("packages/cdn/src/versions.ts", CDN_TS)
        .file("packages/cdn/versions.json", VERSIONS_JSON)
        .file("packages/cdn/versions.toml", VERSIONS_TOML)
        .file(
            "relflow.toml",
            r#"[[sync]]
package = "@acme/cdn"
file = "packages/cdn/src/versions.ts"
regex = 'CDN_VERSION_MAP = \{[^}]*'
insert = '"{version}": "v{version}",'

[[sync]]
package = "@acme/cdn"
file = "packages/cdn/versions.json"
json = "/versions"
insert = '"{version}": "v{version}"'

[[sync]]
package = "@acme/cdn"
file = "packages/cdn/versions.toml"
toml = "cdn.versions"
insert = '"{version}" = "v{version}"'

[[sync]]
package = "@acme/cdn"
file = "packages/cdn/versions.toml"
toml = "cdn.other.list"
insert = '"{version}"'
"#,
        )
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/fast-cdn.md",
            "---\n\"@acme/cdn\": minor\n---\n\nA faster loader\n",
        )
        .commit("initial")
}

fn expected_ts(new: &[&str]) -> String {
    let entries: String = new
        .iter()
        .map(|v| format!("  \"{v}\": \"v{v}\",\n"))
        .collect();
    CDN_TS.replace(
        "  \"1.2.0\": \"v1.2.0\",\n",
        &format!("  \"1.2.0\": \"v1.2.0\",\n{entries}"),
    )
}

#[test]
fn version_adds_each_new_version_once_in_json_toml_and_typescript() {
    let repo = cdn_repo();
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("packages/cdn/src/versions.ts"),
        expected_ts(&["1.3.0"])
    );
    let json = repo.read("packages/cdn/versions.json");
    assert_eq!(
        json,
        VERSIONS_JSON.replace("\"v1.2.0\"\n", "\"v1.2.0\",\n    \"1.3.0\": \"v1.3.0\"\n")
    );
    serde_json::from_str::<serde_json::Value>(&json).expect("still JSON");
    let toml = repo.read("packages/cdn/versions.toml");
    assert_eq!(
        toml,
        VERSIONS_TOML
            .replace("2.0\n", "2.0\n\"1.3.0\" = \"v1.3.0\"\n")
            .replace("\"1.2.0\"]", "\"1.2.0\", \"1.3.0\"]")
    );
    toml.parse::<toml::Table>().expect("still TOML");

    // Re-running adds nothing: `sync` and `sync --check` agree with the maps as written.
    repo.commit_all("release");
    let before = repo.snapshot_tree();
    repo.relflow(["sync", "--check"]).assert_code(0);
    repo.relflow(["sync"]).assert_code(0);
    assert_eq!(repo.snapshot_tree(), before);

    // The next release adds its own entry after the last.
    repo.write(
        ".changeset/a-fix.md",
        "---\n\"@acme/cdn\": patch\n---\n\nA fix\n",
    );
    repo.relflow(["version"]).assert_code(0);
    assert_eq!(
        repo.read("packages/cdn/src/versions.ts"),
        expected_ts(&["1.3.0", "1.3.1"])
    );
}

/// A map missing the current version's entry is a disagreement for `sync --check`, which `sync`
/// repairs; a map that has it (older entries or not) agrees.
#[test]
fn sync_check_wants_the_current_versions_entry() {
    let repo = cdn_repo();
    repo.write(
        "packages/cdn/package.json",
        "{\n  \"name\": \"@acme/cdn\",\n  \"version\": \"1.2.1\"\n}\n",
    );
    repo.commit_all("hand edit");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["sync", "--check"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "packages/cdn/src/versions.ts: version map of npm:@acme/cdn: expected an entry for 1.2.1, found (missing)"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
    assert_eq!(repo.snapshot_tree(), before);
    repo.relflow(["sync"]).assert_code(0);
    assert_eq!(
        repo.read("packages/cdn/src/versions.ts"),
        expected_ts(&["1.2.1"])
    );
    repo.relflow(["sync", "--check"]).assert_code(0);
}

/// A bad anchor is exit 2 naming the file, and nothing is written.
#[test]
fn a_bad_anchor_changes_nothing() {
    let cases = [
        (
            "regex = 'NO_SUCH_MAP = \\{'",
            "src/versions.ts",
            "the regex matched nothing",
        ),
        (
            "json = \"/name\"",
            "versions.json",
            "not an object or array",
        ),
        ("json = \"/missing\"", "versions.json", "nothing there"),
        (
            "toml = \"cdn.latest\"",
            "versions.toml",
            "not a table or array",
        ),
    ];
    for (anchor, file, message) in cases {
        let repo = cdn_repo();
        repo.write(
            "relflow.toml",
            &format!(
                "[[sync]]\npackage = \"@acme/cdn\"\nfile = \"packages/cdn/{file}\"\n{anchor}\ninsert = '\"{{version}}\": \"v{{version}}\"'\n"
            ),
        );
        repo.commit_all("bad anchor");
        let before = repo.snapshot_tree();
        let run = repo.relflow(["version"]);
        run.assert_code(2);
        assert!(
            run.stderr.contains(message) && run.stderr.contains(&format!("packages/cdn/{file}")),
            "{anchor}: {}",
            run.stderr
        );
        assert_eq!(repo.snapshot_tree(), before, "{anchor}");
    }
}
