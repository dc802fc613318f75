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
