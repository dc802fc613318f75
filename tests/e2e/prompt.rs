//! The interactive prompt of `changeset add`, driven through a pseudo-terminal.

use std::time::Duration;

use relflow_tests::{relflow_bin, TestRepo};

#[test]
fn prompt_preselects_changed_packages_then_asks_bumps_and_summary() {
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["js/*"] }"#,
        )
        .file(
            "js/alpha/package.json",
            r#"{ "name": "alpha", "version": "1.0.0" }"#,
        )
        .file(
            "js/beta/package.json",
            r#"{ "name": "beta", "version": "2.0.0" }"#,
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial");
    repo.git(["checkout", "--quiet", "-b", "feature"]);
    repo.write("js/beta/index.js", "module.exports = 1;\n");
    repo.commit_all("change beta");

    let mut command = repo.isolated(std::process::Command::new(relflow_bin()));
    command
        .args(["changeset"])
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session =
        rexpect::session::spawn_command(command, Some(20_000)).expect("spawn in a pty");
    session
        .exp_string("Which packages would you like to include?")
        .expect("package question");
    // beta changed since main, so it is preselected; confirm as is.
    std::thread::sleep(Duration::from_millis(200));
    session.send("\r").expect("confirm selection");
    session.flush().expect("flush");
    session
        .exp_string("What kind of change is this for beta?")
        .expect("bump question");
    // patch, minor, major: move down once to minor.
    std::thread::sleep(Duration::from_millis(200));
    session.send("\x1b[B").expect("down");
    session.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(200));
    session.send("\r").expect("choose minor");
    session.flush().expect("flush");
    session.exp_string("Summary").expect("summary question");
    session.send_line("Beta learns a trick").expect("summary");
    session.exp_eof().expect("the command ends");

    let files = repo.changeset_files();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        repo.read(files[0].as_str()),
        "---\n\"beta\": minor\n---\n\nBeta learns a trick\n"
    );
}
