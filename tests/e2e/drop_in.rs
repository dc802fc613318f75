//! Drop-in on real polyglot repositories (issue 14): fixtures with the shapes of biome, pnpm and
//! astro, where relflow has to behave as Changesets' users expect.

use std::process::Command;

use relflow_tests::TestRepo;

/// biome and pnpm pin a toolchain in `rust-toolchain.toml`: when it is not installed, cargo
/// itself fails (rustup's message), which is an external failure with rustup's hint, not a bad
/// manifest.
#[test]
fn a_pinned_toolchain_that_is_not_installed_is_cargo_failing() {
    let repo = TestRepo::new()
        .file("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n")
        .cargo_crate("crates/core", "0.1.0", "")
        .file(
            "rust-toolchain.toml",
            "[toolchain]\nchannel = \"1.999.0\"\n",
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial");
    // Through rustup's `cargo` proxy, as a user's shell runs it: no toolchain chosen by the
    // environment of this test (cargo sets these for its children), no installing on demand.
    let through_rustup = |command: &mut Command| {
        command
            .env_remove("CARGO")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTUP_TOOLCHAIN_SOURCE")
            .env("RUSTUP_AUTO_INSTALL", "0");
    };
    let mut rustup = repo.isolated(Command::new("rustup"));
    through_rustup(&mut rustup);
    if !rustup
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipped: cargo is not run through rustup here");
        return;
    }
    let before = repo.snapshot_tree();
    let mut command = repo.relflow_command(["changeset", "status"]);
    through_rustup(&mut command);
    let output = command.output().expect("run cargo-relflow");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("`cargo metadata` failed: toolchain '1.999.0"),
        "{stderr}"
    );
    assert!(stderr.contains("is not installed"), "{stderr}");
    assert!(stderr.contains("rustup toolchain install"), "{stderr}");
    assert!(!stderr.contains("invalid Cargo manifest"), "{stderr}");
    assert!(!stderr.contains("Stack backtrace"), "{stderr}");
    assert_eq!(repo.snapshot_tree(), before);
}

/// Scripts written for `changeset status --output` (astro's, biome's) read relflow's file: the
/// schema and text of Changesets v3 (the differential test compares them byte for byte), crates
/// included under the name a changeset writes for them.
#[test]
fn status_output_writes_changesets_schema() {
    let repo = TestRepo::new()
        .file("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n")
        .cargo_crate("crates/biome_cli", "0.5.0", "")
        .file(
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file(
            "packages/cli/package.json",
            r#"{ "name": "@biomejs/biome", "version": "2.1.0" }"#,
        )
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/pre.json",
            "{ \"mode\": \"pre\", \"tag\": \"beta\" }\n",
        )
        .file(
            ".changeset/brave-owls-sing.md",
            "---\n\"@biomejs/biome\": minor\n\"biome_cli\": patch\n---\n\nFaster \"lint\"\n",
        )
        .commit("initial");
    let run = repo.relflow(["changeset", "status", "--output", "plan.json"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "", "the plan goes to the file only");
    assert_eq!(
        repo.read("plan.json"),
        r#"{
  "changesets": [
    {
      "releases": [
        {
          "name": "@biomejs/biome",
          "type": "minor"
        },
        {
          "name": "biome_cli",
          "type": "patch"
        }
      ],
      "summary": "Faster \"lint\"",
      "id": "brave-owls-sing"
    }
  ],
  "releases": [
    {
      "name": "@biomejs/biome",
      "type": "minor",
      "oldVersion": "2.1.0",
      "changesets": [
        "brave-owls-sing"
      ],
      "newVersion": "2.2.0-beta.0"
    },
    {
      "name": "biome_cli",
      "type": "patch",
      "oldVersion": "0.5.0",
      "changesets": [
        "brave-owls-sing"
      ],
      "newVersion": "0.5.1-beta.0"
    }
  ],
  "preState": {
    "mode": "pre",
    "tag": "beta"
  }
}"#
    );
    // `--format json` keeps relflow's own schema.
    let run = repo.relflow(["changeset", "status", "--format", "json"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("\"new_version\": \"2.2.0-beta.0\""),
        "{}",
        run.stdout
    );
}

/// As Changesets does, the file is not written when the check fails (packages changed, no
/// changeset).
#[test]
fn status_output_is_not_written_when_a_changeset_is_missing() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file(
            "packages/a/package.json",
            r#"{ "name": "a", "version": "1.0.0" }"#,
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial");
    repo.git(["checkout", "--quiet", "-b", "feature"]);
    repo.write("packages/a/index.js", "export {}\n");
    repo.commit_all("change a");
    let run = repo.relflow(["changeset", "status", "--output", "plan.json"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("no changesets were found"),
        "{}",
        run.stderr
    );
    assert!(!repo.root().join("plan.json").exists());
}

/// pnpm releases a package through 170 changesets: the markdown table keeps one short cell per
/// package (the count and the first few) and folds the full list into `<details>`.
#[test]
fn markdown_summarises_long_reasons() {
    let mut repo = TestRepo::new()
        .file("pnpm-workspace.yaml", "packages:\n  - pkgs/*\n")
        .file("package.json", r#"{ "name": "root", "private": true }"#)
        .file(
            "pkgs/core/package.json",
            r#"{ "name": "@pnpm/core", "version": "1.0.0" }"#,
        )
        .file(
            "pkgs/cli/package.json",
            r#"{ "name": "pnpm", "version": "10.0.0" }"#,
        )
        .file(".changeset/config.json", "{}\n");
    for i in 0..12 {
        repo = repo.file(
            &format!(".changeset/change-{i:02}.md"),
            &format!("---\n\"@pnpm/core\": patch\n---\n\nFix {i}\n"),
        );
    }
    let repo = repo
        .file(
            ".changeset/zz-cli.md",
            "---\n\"pnpm\": minor\n---\n\nNew flag\n",
        )
        .commit("initial");
    let run = repo.relflow(["changeset", "status", "--format", "markdown"]);
    run.assert_code(0);
    let core = run
        .stdout
        .lines()
        .find(|l| l.starts_with("| `@pnpm/core`"))
        .expect("a row for @pnpm/core");
    assert!(
        core.contains(
            "<details><summary>12 reasons: changeset change-00, changeset change-01, changeset \
             change-02 and 9 more</summary>changeset change-00, "
        ),
        "{core}"
    );
    assert!(core.ends_with("changeset change-11</details> |"), "{core}");
    assert!(
        run.stdout
            .contains("| `pnpm` | npm | 10.0.0 → 10.1.0 | minor | changeset zz-cli |"),
        "{}",
        run.stdout
    );
}

/// biome's crates depend on registry crates: offline, with cargo's cache lacking them, the full
/// `cargo metadata` cannot resolve, yet the order needs only the path dependencies between the
/// workspace's crates. `publish --dry-run --offline` orders by those and says so.
#[test]
fn offline_dry_run_orders_crates_without_the_registry_graph() {
    let repo = TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        )
        .cargo_crate(
            "crates/biome_rowan",
            "0.5.7",
            "[dependencies]\nrelflow-never-published-crate = \"1.0\"\n",
        )
        .cargo_crate(
            "crates/biome_parser",
            "0.5.7",
            "[dependencies]\nbiome_rowan = { path = \"../biome_rowan\", version = \"0.5.7\" }\n",
        )
        .cargo_crate(
            "crates/biome_cli",
            "0.5.7",
            "[dependencies]\nbiome_parser = { path = \"../biome_parser\", version = \"0.5.7\" }\n\
             [dev-dependencies]\nbiome_rowan = { path = \"../biome_rowan\" }\n",
        )
        .commit("initial");
    let run = repo.relflow(["publish", "--dry-run", "--offline", "--format", "json"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("cannot read the Cargo package graph")
            && run.stderr.contains("relflow-never-published-crate")
            && run
                .stderr
                .contains("the Cargo order comes from the workspace's path dependencies"),
        "{}",
        run.stderr
    );
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let levels: Vec<(&str, u64)> = plan["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or(""),
                p["level"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [("biome_rowan", 0), ("biome_parser", 1), ("biome_cli", 2)]
    );
}
