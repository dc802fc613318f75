//! Bad input: exit code 2, a message naming the file and line, and no file changed.

use relflow_tests::TestRepo;

use crate::changeset_add::mixed_repo;

/// Runs `args`, expects exit 2 with every `needles` in stderr, and checks nothing changed.
#[track_caller]
fn rejects(repo: &TestRepo, args: &[&str], needles: &[&str]) {
    let before = repo.snapshot_tree();
    let run = repo.relflow(args);
    run.assert_code(2);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(repo.snapshot_tree(), before, "files changed on bad input");
}

#[test]
fn malformed_front_matter_each_parser_error() {
    let cases = [
        ("", "file is empty", None),
        (
            "---\n\"a\": minor\n---  fail\n\nx\n",
            "missing or invalid frontmatter",
            Some(3),
        ),
        (
            "---\n\"a\": minor\n--\n\nbroken\n",
            "missing or invalid frontmatter",
            Some(1),
        ),
        (
            "---\n\"a\": [minor\n---\n\nx\n",
            "invalid YAML in frontmatter",
            Some(3),
        ),
        (
            "---\n- a\n---\n\nx\n",
            "frontmatter must be an object",
            Some(2),
        ),
        (
            "---\n\"\": minor\n---\n\nx\n",
            "invalid package name in frontmatter",
            Some(2),
        ),
        (
            "---\n\"core\": [1]\n---\n\nx\n",
            "invalid release type for package \"core\"",
            Some(2),
        ),
        (
            "---\n\"@acme/web\": patch\n\"@acme/web\": minor\n---\n\nx\n",
            "invalid YAML",
            None,
        ),
    ];
    for (text, message, line) in cases {
        let repo = mixed_repo().file(".changeset/bad-file-here.md", text);
        let location = match line {
            Some(line) => format!(".changeset/bad-file-here.md:{line}"),
            None => ".changeset/bad-file-here.md".to_owned(),
        };
        rejects(&repo, &["changeset", "status"], &[message, &location]);
    }
}

#[test]
fn bad_bump_in_changeset_and_flag() {
    let repo = mixed_repo().file(
        ".changeset/some-bad-bump.md",
        "---\n\"@acme/web\": patch\n\"npm:core\": mayor\n---\n\nx\n",
    );
    rejects(
        &repo,
        &["changeset", "status"],
        &[
            "invalid version type \"mayor\"",
            ".changeset/some-bad-bump.md:3",
            "major, minor, patch",
        ],
    );
    let repo = mixed_repo();
    rejects(
        &repo,
        &["changeset", "-p", "@acme/web:mayor", "-m", "x"],
        &[
            "unknown bump `mayor` for `@acme/web`",
            "`major`, `minor`, `patch`, `none`",
        ],
    );
    rejects(
        &repo,
        &["changeset", "-p", "@acme/web", "-m", "x"],
        &["has no bump"],
    );
}

#[test]
fn unknown_package_in_changeset_and_flag() {
    let repo = mixed_repo().file(
        ".changeset/unknown-pkg-here.md",
        "---\n\"@acme/web\": patch\n\"@acme/webb\": minor\n---\n\nx\n",
    );
    rejects(
        &repo,
        &["changeset", "status"],
        &[
            "no package named `@acme/webb`",
            ".changeset/unknown-pkg-here.md:3",
            "did you mean `npm:@acme/web`?",
        ],
    );
    let repo = mixed_repo();
    rejects(
        &repo,
        &["changeset", "-p", "nothing:patch", "-m", "x"],
        &["no package named `nothing`"],
    );
}

#[test]
fn ambiguous_name() {
    let repo = mixed_repo();
    rejects(
        &repo,
        &["changeset", "-p", "core:minor", "-m", "x"],
        &[
            "package name `core` is ambiguous",
            "`cargo:core`, `npm:core`",
        ],
    );
    // In a changeset file a plain name shared with npm means the npm package; shared by a crate
    // and a Python project only, it is ambiguous.
    let repo = mixed_repo()
        .file(
            "Cargo.toml",
            "[workspace]\nmembers = [\"core\", \"tool\"]\n",
        )
        .cargo_crate("tool", "0.1.0", "")
        .file(
            "py/tool/pyproject.toml",
            "[project]\nname = \"tool\"\nversion = \"0.1.0\"\n",
        )
        .file(
            ".changeset/ambiguous-name-here.md",
            "---\ntool: minor\n---\n\nx\n",
        );
    rejects(
        &repo,
        &["changeset", "status"],
        &["ambiguous", ".changeset/ambiguous-name-here.md:2"],
    );
}

#[test]
fn bad_relflow_toml() {
    let cases = [
        (
            "base_branch = \"main\"\nfixd = [[\"core\"]]\n",
            "unknown field `fixd`",
            "relflow.toml:2",
        ),
        (
            "\nupdate_internal_dependencies = 3\n",
            "invalid configuration",
            "relflow.toml:2",
        ),
        (
            "fixed = [[\"cargo:core\", \"npm:nope\"]]\n",
            "no package named `npm:nope`",
            "relflow.toml:1",
        ),
        (
            "ignore = [\"zz-*\"]\n",
            "matches no package",
            "relflow.toml:1",
        ),
        (
            "[[sync]]\npackage = \"@acme/web\"\nfile = \"x.json\"\n",
            "exactly one of",
            "relflow.toml:2",
        ),
    ];
    for (text, message, location) in cases {
        let repo = mixed_repo().file("relflow.toml", text);
        rejects(&repo, &["changeset", "status"], &[message, location]);
        rejects(
            &repo,
            &["changeset", "-p", "@acme/web:patch", "-m", "x"],
            &[message, location],
        );
    }
}

#[test]
fn bad_changesets_config_json() {
    let repo = mixed_repo().file(
        ".changeset/config.json",
        "{\n  \"baseBranch\": \"main\",\n  \"updateInternalDependencies\": \"major\"\n}\n",
    );
    rejects(
        &repo,
        &["changeset", "status"],
        &["updateInternalDependencies", ".changeset/config.json:3"],
    );
}

#[test]
fn malformed_manifests() {
    let repo = mixed_repo().file(
        "js/web/package.json",
        "{\n  \"name\": \"@acme/web\",\n  \"version\": \"1.0.0\",,\n}\n",
    );
    rejects(&repo, &["changeset", "status"], &["js/web/package.json:3"]);

    let repo = mixed_repo().file(
        "core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \n",
    );
    rejects(
        &repo,
        &["changeset", "status"],
        &["core/Cargo.toml", "invalid Cargo manifest"],
    );

    let repo = mixed_repo().file(
        "py/pyproject.toml",
        "[project]\nname = \"py\"\nversion = \"1.0\nx = 1\n",
    );
    rejects(&repo, &["changeset", "status"], &["py/pyproject.toml:3"]);
}

#[test]
fn no_changeset_folder() {
    let repo = TestRepo::one_npm_package();
    rejects(
        &repo,
        &["changeset", "status"],
        &[
            "There is no .changeset directory in this project",
            "cargo relflow init",
        ],
    );
    rejects(
        &repo,
        &["changeset", "-p", "web:patch", "-m", "x"],
        &["There is no .changeset directory"],
    );
}

#[test]
fn no_terminal_and_no_packages_is_a_usage_error() {
    let repo = mixed_repo();
    rejects(
        &repo,
        &["changeset"],
        &["no packages given and no terminal", "-p NAME:BUMP"],
    );
    rejects(
        &repo,
        &["changeset", "-p", "@acme/web:patch"],
        &["no summary given", "-m SUMMARY"],
    );
}

#[test]
fn a_field_given_twice_in_package_json_is_refused_at_the_second() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\",\n  \"private\": false,\n  \"version\": \"2.0.0\"\n}\n",
        )
        .file(".changeset/config.json", "{}\n")
        .file(".changeset/a.md", "---\n\"web\": patch\n---\n\nFix.\n")
        .commit("initial");
    for args in [
        &["changeset", "status"][..],
        &["version"],
        &["sync", "--check"],
    ] {
        rejects(
            &repo,
            args,
            &["`version` is given twice", "js/web/package.json:5"],
        );
    }

    // A dependency listed twice in one list.
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file("js/ui/package.json", r#"{ "name": "ui", "version": "1.0.0" }"#)
        .file(
            "js/web/package.json",
            "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"ui\": \"^1.0.0\",\n    \"ui\": \"^0.1.0\"\n  }\n}\n",
        )
        .commit("initial");
    rejects(
        &repo,
        &["list"],
        &[
            "`ui` in `dependencies` is given twice",
            "js/web/package.json:6",
        ],
    );
}

#[test]
fn names_and_tags_that_git_or_a_registry_would_refuse_stop_before_any_effect() {
    // A tag format git refuses (or a shell would split): every command, dry runs included.
    for format in [
        "v {version}",
        "{name};{version}",
        "$(id){version}",
        "{name}@{version}.lock",
    ] {
        let repo = TestRepo::one_npm_package()
            .file("relflow.toml", &format!("tag_format = {format:?}\n"))
            .file(".changeset/config.json", "{}\n")
            .file(".changeset/a.md", "---\n\"web\": patch\n---\n\nFix.\n")
            .commit("a tag format");
        for args in [
            &["version", "--dry-run"][..],
            &["publish", "--dry-run", "--offline"],
        ] {
            rejects(&repo, args, &["`tag_format`", "relflow.toml:1"]);
        }
    }

    // Names that npm or a Python upload tool would read as options.
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            "{\n  \"version\": \"1.0.0\",\n  \"name\": \"--registry=http://127.0.0.1:1\"\n}\n",
        )
        .commit("initial");
    rejects(
        &repo,
        &["publish", "--dry-run", "--offline"],
        &["is not a valid npm package name", "js/web/package.json:3"],
    );

    // A generic package whose name makes a tag git refuses.
    let repo = TestRepo::new()
        .file("svc/VERSION", "1.0.0\n")
        .file(
            "relflow.toml",
            "tag_format = \"{name}@{version}\"\n[[package]]\nname = \"svc x\"\npath = \"svc\"\nversion_file = \"VERSION\"\nregex = '(?<version>\\S+)'\n",
        )
        .commit("initial");
    rejects(
        &repo,
        &["publish", "--dry-run", "--offline"],
        &["the tag `svc x", "tags hold only"],
    );
}

#[test]
fn files_that_are_not_utf8_are_refused_at_the_line_of_the_bad_byte() {
    let repo = TestRepo::one_npm_package()
        .file(".changeset/config.json", "{}\n")
        .commit("config");
    std::fs::write(
        repo.root().join(".changeset/red-cats-run.md"),
        b"---\n\"web\": patch\n---\n\nCaf\xe9 fix.\n",
    )
    .expect("write");
    repo.commit_all("a Latin-1 changeset");
    for args in [&["changeset", "status"][..], &["version"]] {
        rejects(
            &repo,
            args,
            &[
                "not UTF-8 text",
                "--> .changeset/red-cats-run.md:5",
                "save the file as UTF-8",
            ],
        );
    }

    let repo = TestRepo::one_npm_package();
    std::fs::write(
        repo.root().join("js/web/package.json"),
        b"{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\",\n  \"author\": \"J\xf6rg\"\n}\n",
    )
    .expect("write");
    repo.commit_all("a Latin-1 manifest");
    rejects(&repo, &["list"], &["--> js/web/package.json:4"]);
}

#[test]
fn a_member_cargo_toml_cargo_cannot_load_is_named_with_cargos_reason() {
    let repo = TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        )
        .cargo_crate("crates/a", "1.0.0", "")
        .cargo_crate(
            "crates/b",
            "1.0.0",
            "[dependencies]\nmissing = { path = \"../missing\" }\n",
        )
        .commit("initial");
    rejects(
        &repo,
        &["list"],
        &[
            "failed to load manifest for workspace member `crates/b`",
            "failed to read `crates/missing/Cargo.toml`",
            "--> crates/b/Cargo.toml:",
        ],
    );
}

#[test]
fn long_values_in_errors_are_shortened() {
    let long = "9".repeat(20_000);
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/web/package.json",
            &format!("{{ \"name\": \"web\", \"version\": \"1.0.{long}x\" }}"),
        )
        .commit("initial");
    let run = repo.relflow(["list"]);
    run.assert_code(2);
    assert!(run.stderr.len() < 2_000, "{} bytes", run.stderr.len());
    assert!(run.stderr.contains('…'), "{}", run.stderr);
}
