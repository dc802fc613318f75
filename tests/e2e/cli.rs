//! The command line itself: cargo invocation, help, version, completions, plugins.

use relflow_tests::TestRepo;

#[test]
fn runs_as_cargo_subcommand_and_directly() {
    let repo = TestRepo::one_npm_package();
    let direct = repo.relflow(["list"]);
    direct.assert_code(0);
    let via_cargo = repo.relflow(["relflow", "list"]);
    via_cargo.assert_code(0);
    assert_eq!(direct.stdout, via_cargo.stdout);
    assert!(direct.stdout.contains("npm:web 1.0.0"), "{}", direct.stdout);
}

#[test]
fn help_on_every_level_and_version() {
    let repo = TestRepo::new();
    for args in [
        vec!["--help"],
        vec!["changeset", "--help"],
        vec!["changeset", "add", "--help"],
        vec!["init", "--help"],
        vec!["list", "--help"],
        vec!["completions", "--help"],
    ] {
        let run = repo.relflow(&args);
        run.assert_code(0);
        assert!(
            run.stdout.contains("Usage: cargo relflow"),
            "{args:?}: {}",
            run.stdout
        );
    }
    let run = repo.relflow(["--version"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout.trim(),
        format!("cargo-relflow {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_flag_is_a_usage_error() {
    let run = TestRepo::new().relflow(["changeset", "--bogus"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--bogus"), "{}", run.stderr);
}

#[test]
fn completions_for_each_shell() {
    let repo = TestRepo::new();
    for (shell, marker) in [
        ("bash", "complete"),
        ("zsh", "#compdef"),
        ("fish", "complete -c"),
    ] {
        let run = repo.relflow(["completions", shell]);
        run.assert_code(0);
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        assert!(run.stdout.contains("changeset"), "{shell}");
    }
}

#[test]
fn unknown_command_runs_a_plugin_from_path() {
    let repo = TestRepo::new();
    let bin = repo.root().join(".home/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let plugin = bin.join("cargo-relflow-hello");
    std::fs::write(
        &plugin,
        "#!/bin/sh\necho \"hello from plugin: $*\"\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{bin}:{}", std::env::var("PATH").unwrap_or_default());
    let output = repo
        .relflow_command(["hello", "--flag", "x"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the plugin's exit code 1 is passed on"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "hello from plugin: --flag x\n"
    );

    let run = repo.relflow(["nosuchplugin"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("no such command: `nosuchplugin`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("cargo-relflow-nosuchplugin"),
        "{}",
        run.stderr
    );
}
