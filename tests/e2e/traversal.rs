//! Paths from configuration and manifests stay inside the repository: a `..`, an absolute path or
//! a symlink that leads out is exit 2 naming the file, the key and the line, and nothing is
//! written, inside the repository or out.

use relflow_tests::TestRepo;

/// A workspace with the crate `core` 1.0.0 and a changeset for it (not committed).
fn one_crate_with_a_changeset() -> TestRepo {
    TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        )
        .cargo_crate("crates/core", "1.0.0", "")
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/red-cats-run.md",
            "---\n\"core\": minor\n---\n\nFaster.\n",
        )
}

/// A repository with one crate and one changeset, and a directory beside it (outside it) with a
/// `victim.json` that nothing may write.
struct Fixture {
    repo: TestRepo,
    outside: tempfile::TempDir,
}

impl Fixture {
    /// `relflow_toml` with `{outside}` replaced by the outside directory's path relative to the
    /// repository root (`../relflow-outside-XXXX`).
    fn new(relflow_toml: &str) -> Fixture {
        let outside = tempfile::Builder::new()
            .prefix("relflow-outside-")
            .tempdir()
            .expect("temp dir");
        std::fs::write(
            outside.path().join("victim.json"),
            "{ \"version\": \"1.0.0\" }\n",
        )
        .expect("write victim");
        let name = outside
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let repo = one_crate_with_a_changeset()
            .file("deploy/version.json", "{ \"version\": \"1.0.0\" }\n")
            .file(
                "relflow.toml",
                &relflow_toml.replace("{outside}", &format!("../{name}")),
            )
            .commit("initial");
        Fixture { repo, outside }
    }

    fn victim(&self) -> Vec<u8> {
        std::fs::read(self.outside.path().join("victim.json")).expect("read victim")
    }

    /// Runs the writing commands and checks each is refused the same way, changing nothing.
    fn assert_refused(&self, file: &str, line: usize, key: &str) {
        let before = self.repo.snapshot_tree();
        let victim_before = self.victim();
        for args in [&["version"][..], &["sync"], &["changeset", "status"]] {
            let run = self.repo.relflow(args);
            run.assert_code(2);
            assert!(
                run.stderr.contains(key)
                    && run.stderr.contains("outside the repository")
                    && run.stderr.contains(&format!("--> {file}:{line}")),
                "{args:?}: {}",
                run.stderr
            );
        }
        assert_eq!(self.repo.snapshot_tree(), before);
        assert_eq!(self.victim(), victim_before);
    }
}

#[test]
fn a_sync_file_above_the_root_or_absolute_is_refused() {
    let fixture = Fixture::new(
        "[[sync]]\npackage = \"core\"\nfile = \"{outside}/victim.json\"\njson = \"/version\"\n",
    );
    fixture.assert_refused("relflow.toml", 3, "`[[sync]] file`");

    let absolute = fixture.outside.path().join("victim.json");
    let other = Fixture::new(&format!(
        "[[sync]]\npackage = \"core\"\njson = \"/version\"\nfile = \"{}\"\n",
        absolute.display()
    ));
    let run = other.repo.relflow(["version"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("is an absolute path") && run.stderr.contains("--> relflow.toml:4"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_changelog_above_the_root_is_refused() {
    let fixture =
        Fixture::new("[[package]]\nname = \"core\"\nchangelog = \"{outside}/CHANGELOG.md\"\n");
    fixture.assert_refused("relflow.toml", 3, "`[[package]] changelog`");
    assert!(!fixture.outside.path().join("CHANGELOG.md").exists());
}

#[test]
fn a_generic_package_path_or_version_file_above_the_root_is_refused() {
    let fixture = Fixture::new(
        "[[package]]\nname = \"svc\"\npath = \"{outside}\"\nversion_file = \"victim.json\"\njson = \"/version\"\n",
    );
    fixture.assert_refused("relflow.toml", 3, "`[[package]] path`");

    let fixture = Fixture::new(
        "[[package]]\nname = \"svc\"\npath = \"deploy\"\nversion_file = \"../{outside}/victim.json\"\njson = \"/version\"\n",
    );
    fixture.assert_refused("relflow.toml", 4, "`[[package]] version_file`");
}

#[test]
fn a_symlink_out_of_the_repository_is_refused() {
    let fixture = Fixture::new(
        "[[sync]]\npackage = \"core\"\nfile = \"shared/victim.json\"\njson = \"/version\"\n",
    );
    std::os::unix::fs::symlink(fixture.outside.path(), fixture.repo.root().join("shared"))
        .expect("symlink");
    fixture.repo.commit_all("a symlink to the outside");
    fixture.assert_refused("relflow.toml", 3, "through a symlink it is");
}

#[test]
fn npm_workspaces_and_pnpm_packages_above_the_root_are_refused() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"private\": true,\n  \"workspaces\": [\n    \"js/*\",\n    \"../other/*\"\n  ]\n}\n",
        )
        .file("js/web/package.json", r#"{ "name": "web", "version": "1.0.0" }"#)
        .commit("initial");
    let run = repo.relflow(["changeset", "status"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("`workspaces` entry")
            && run
                .stderr
                .contains("`../other/*` is outside the repository")
            && run.stderr.contains("--> package.json:5"),
        "{}",
        run.stderr
    );

    let repo = TestRepo::new()
        .file("package.json", r#"{ "private": true }"#)
        .file("pnpm-workspace.yaml", "packages:\n  - js/*\n  - ../*\n")
        .file(
            "js/web/package.json",
            r#"{ "name": "web", "version": "1.0.0" }"#,
        )
        .commit("initial");
    let run = repo.relflow(["list"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("`packages` entry") && run.stderr.contains("--> pnpm-workspace.yaml:3"),
        "{}",
        run.stderr
    );
}

#[test]
fn symlinked_manifests_and_changelogs_are_written_through_and_a_dangling_lock_is_an_error() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "shared/web.json",
            "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file("shared/WEB-CHANGELOG.md", "# web\n")
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/red-cats-run.md",
            "---\n\"web\": minor\n---\n\nA feature.\n",
        );
    std::fs::create_dir_all(repo.root().join("js/web")).expect("mkdir");
    std::os::unix::fs::symlink(
        "../../shared/web.json",
        repo.root().join("js/web/package.json"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(
        "../../shared/WEB-CHANGELOG.md",
        repo.root().join("js/web/CHANGELOG.md"),
    )
    .expect("symlink");
    let repo = repo.commit("initial");
    repo.relflow(["version"]).assert_code(0);
    for link in ["js/web/package.json", "js/web/CHANGELOG.md"] {
        let meta = std::fs::symlink_metadata(repo.root().join(link)).expect("stat");
        assert!(
            meta.file_type().is_symlink(),
            "{link} is no longer a symlink"
        );
    }
    assert!(repo
        .read("shared/web.json")
        .contains("\"version\": \"1.1.0\""));
    assert!(repo.read("shared/WEB-CHANGELOG.md").contains("## 1.1.0"));

    // A Cargo.lock that points nowhere.
    let repo = one_crate_with_a_changeset();
    std::os::unix::fs::symlink("gone/Cargo.lock", repo.root().join("Cargo.lock")).expect("symlink");
    let repo = repo.commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["version"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("Cargo.lock") && run.stderr.contains("does not exist"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.snapshot_tree(), before);
}
