//! Standard streams that go away: a closed pipe ends the output quietly (as cargo does), a full
//! device is exit 3, and neither panics nor undoes the command's work.

use std::process::Stdio;

use relflow_tests::{Run, TestRepo};

fn released_repo() -> TestRepo {
    TestRepo::one_npm_package()
        .file(".changeset/config.json", "{}\n")
        .file(
            ".changeset/red-cats-run.md",
            "---\n\"web\": minor\n---\n\nA feature.\n",
        )
        .commit("a changeset")
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full"),
    )
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_and_the_release_is_whole() {
    let repo = released_repo();
    let output = repo
        .relflow_command(["version"])
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(repo.read("js/web/package.json").contains("1.1.0"));
    assert!(repo.changeset_files().is_empty());

    // `status | head` with stderr still open: nothing said about the pipe.
    let repo = released_repo();
    let output = repo
        .relflow_command(["changeset", "status", "--format", "json"])
        .stdout(closed_pipe())
        .output()
        .expect("run");
    let run = Run::from_output(output);
    run.assert_code(0);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stderr.contains("could not write"), "{}", run.stderr);
}

#[test]
fn a_full_device_is_exit_3_saying_which_stream() {
    let repo = released_repo();
    let output = repo
        .relflow_command(["changeset", "status", "--format", "json"])
        .stdout(dev_full())
        .output()
        .expect("run");
    let run = Run::from_output(output);
    run.assert_code(3);
    assert!(
        run.stderr.contains("could not write to stdout")
            && run.stderr.contains("No space left on device"),
        "{}",
        run.stderr
    );

    // stderr on a full device: the release still happens, the lost messages make it exit 3.
    let output = repo
        .relflow_command(["version"])
        .stderr(dev_full())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("panicked"));
    assert!(repo.read("js/web/package.json").contains("1.1.0"));
    assert!(repo.changeset_files().is_empty());
}
