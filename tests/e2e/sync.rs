//! `cargo relflow sync [--check]`: linked files, fixed groups and lockfiles follow the manifests.

use relflow_tests::TestRepo;

fn out_of_sync_repo() -> TestRepo {
    let repo = TestRepo::new()
        .file(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        )
        .cargo_crate("crates/core", "1.2.0", "")
        .cargo_crate("crates/ffi", "1.2.0", "")
        .file(
            "app/tauri.conf.json",
            "{\n  \"productName\": \"App\",\n  \"version\": \"1.0.0\"\n}\n",
        )
        .file(
            ".github/workflows/ci.yml",
            "env:\n  FFI_VERSION: \"1.3.0\"\n",
        )
        .file(
            "relflow.toml",
            "fixed = [[\"core\", \"ffi\"]]\n\n[[sync]]\npackage = \"core\"\nfile = \"app/tauri.conf.json\"\njson = \"/version\"\n\n[[sync]]\npackage = \"ffi\"\nfile = \".github/workflows/ci.yml\"\nregex = 'FFI_VERSION: \"(?<version>[^\"]+)\"'\n",
        );
    let status = std::process::Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(repo.root())
        .status()
        .expect("cargo generate-lockfile");
    assert!(status.success());
    // core's manifest moves on without its lock entry.
    repo.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"1.3.0\"\nedition = \"2021\"\n",
    );
    repo.commit("initial")
}

#[test]
fn check_lists_every_disagreement_and_changes_nothing() {
    let repo = out_of_sync_repo();
    let before = repo.snapshot_tree();
    let run = repo.relflow(["sync", "--check"]);
    run.assert_code(1);
    assert_eq!(
        run.stdout,
        "crates/ffi/Cargo.toml: version of cargo:ffi (fixed group): expected 1.3.0, found 1.2.0\n\
         app/tauri.conf.json: [[sync]] of cargo:core: expected 1.3.0, found 1.0.0\n\
         Cargo.lock: locked version of core: expected 1.3.0, found 1.2.0\n"
    );
    assert_eq!(repo.snapshot_tree(), before);
}

#[test]
fn sync_writes_them_and_then_check_passes() {
    let repo = out_of_sync_repo();
    repo.relflow(["sync"]).assert_code(0);
    assert_eq!(
        repo.read("crates/ffi/Cargo.toml"),
        "[package]\nname = \"ffi\"\nversion = \"1.3.0\"\nedition = \"2021\"\n"
    );
    assert_eq!(
        repo.read("app/tauri.conf.json"),
        "{\n  \"productName\": \"App\",\n  \"version\": \"1.3.0\"\n}\n"
    );
    let lock = repo.read("Cargo.lock");
    assert!(
        lock.contains("name = \"ffi\"\nversion = \"1.3.0\"\n"),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"core\"\nversion = \"1.3.0\"\n"),
        "{lock}"
    );
    assert_eq!(
        repo.read(".github/workflows/ci.yml"),
        "env:\n  FFI_VERSION: \"1.3.0\"\n"
    );
    repo.relflow(["sync", "--check"]).assert_code(0);
}

#[test]
fn a_sync_target_without_the_version_is_an_input_error() {
    let repo = TestRepo::new()
        .file("Cargo.toml", "[workspace]\nmembers = [\"crates/one\"]\n")
        .cargo_crate("crates/one", "1.0.0", "")
        .file("deploy/values.yaml", "image:\n  tag: latest\n")
        .file(
            "relflow.toml",
            "[[sync]]\npackage = \"one\"\nfile = \"deploy/values.yaml\"\nregex = 'version: (?<version>\\S+)'\n",
        )
        .commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["sync"]);
    run.assert_code(2);
    assert!(run.stderr.contains("deploy/values.yaml"), "{}", run.stderr);
    assert_eq!(repo.snapshot_tree(), before);
}

/// A package.json edited by hand leaves package-lock.json behind; `sync` brings it along.
#[test]
fn package_lock_follows_hand_edited_package_json() {
    let lock = "{\n  \"name\": \"root\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"root\",\n      \"workspaces\": [\n        \"packages/*\"\n      ]\n    },\n    \"node_modules/pkg-a\": {\n      \"resolved\": \"packages/a\",\n      \"link\": true\n    },\n    \"packages/a\": {\n      \"name\": \"pkg-a\",\n      \"version\": \"1.0.0\"\n    }\n  }\n}\n";
    let repo = TestRepo::new()
        .file(
            "package.json",
            "{\n  \"name\": \"root\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
        )
        .file(
            "packages/a/package.json",
            "{\n  \"name\": \"pkg-a\",\n  \"version\": \"1.1.0\"\n}\n",
        )
        .file("package-lock.json", lock)
        .commit("initial");
    let before = repo.snapshot_tree();
    let run = repo.relflow(["sync", "--check"]);
    run.assert_code(1);
    assert_eq!(
        run.stdout,
        "package-lock.json: packages.\"packages/a\".version: expected 1.1.0, found 1.0.0\n"
    );
    assert_eq!(repo.snapshot_tree(), before);
    repo.relflow(["sync"]).assert_code(0);
    assert_eq!(
        repo.read("package-lock.json"),
        lock.replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"")
    );
    repo.relflow(["sync", "--check"]).assert_code(0);
}
