//! `cargo relflow changeset check`: the gate run on every commit.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::check::check;
use cargo_relflow_changeset::Changeset;
use cargo_relflow_sync::discover::Depth;
use cargo_relflow_sync::InputError;

use crate::cli::CheckArgs;
use crate::error::{Failure, Outcome};
use crate::repo::{read_changeset_files, Repo};
use crate::ui::Ui;

/// Exits 1 listing every changed package that no changeset names, with the command that fixes it.
pub fn run(start: &Utf8Path, args: &CheckArgs, ui: &Ui) -> Result<Outcome, Failure> {
    // git finds the changed paths while the packages are read, and the changeset files are
    // read meanwhile on a thread of their own (git is what `check` waits for last).
    let (repo, (changed, files)) = Repo::open_alongside(start, Depth::Layout, |root, base| {
        std::thread::scope(|scope| {
            let files = scope.spawn(|| read_changeset_files(root));
            let changed = changed_paths(root, base, args);
            let files = files
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (changed, files)
        })
    })?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    let changesets: Vec<Changeset> = repo
        .checked_changesets(files?)?
        .into_iter()
        .map(|f| f.changeset)
        .collect();
    let changed = changed?;
    let report = check(
        repo.packages(),
        &repo.plan_config(),
        &repo.changed_file_patterns(),
        changed.iter().map(Utf8PathBuf::as_path),
        &changesets,
    )?;
    if report.passes() {
        let what = if report.changed.is_empty() {
            "no changed package needs a release".to_owned()
        } else if !report.empty_changesets.is_empty() {
            format!(
                "an empty changeset ({}) declares no release is needed",
                report.empty_changesets.join(", ")
            )
        } else {
            format!(
                "{} changed package(s), each named by a changeset",
                report.changed.len()
            )
        };
        ui.status("Checked", &what);
        return Ok(Outcome::Yes);
    }
    let mut text = String::from("these packages changed but no changeset names them:\n");
    let mut fix = String::from("cargo relflow changeset");
    for &index in &report.uncovered {
        let package = &repo.packages()[index];
        let dir = if package.dir.as_str().is_empty() {
            "."
        } else {
            package.dir.as_str()
        };
        text.push_str(&format!("  {} ({dir})\n", package.qualified_name()));
        fix.push_str(&format!(
            " -p {}:patch",
            shell_word(&repo.written_name(package))
        ));
    }
    fix.push_str(" -m \"...\"");
    text.push_str(&format!(
        "\nto fix, record the release (choose each bump):\n  {fix}\nor, if this change needs no release:\n  cargo relflow changeset --empty"
    ));
    ui.error_line(&text);
    Ok(Outcome::No)
}

/// The changed paths `check` looks at: staged ones, or those since `--since`, else since the
/// base branch (`base_branch`, or `origin/<base_branch>`).
fn changed_paths(
    root: &Utf8Path,
    base_branch: &str,
    args: &CheckArgs,
) -> Result<Vec<Utf8PathBuf>, Failure> {
    if args.staged {
        return Ok(crate::git::staged_files(root)?);
    }
    if let Some(since) = &args.since {
        return crate::git::changed_files_since_ref(root, since)?.ok_or_else(|| {
            InputError::new(format!("unknown git revision `{since}`"))
                .with_hint("pass a branch, tag or commit that exists, e.g. `--since main`")
                .into()
        });
    }
    match crate::git::changed_files_since_base(root, base_branch)? {
        Some((_, files)) => Ok(files),
        None => Err(InputError::new(format!("the base branch `{base_branch}` does not exist"))
            .with_hint("pass `--since REF`, or set `base_branch` in relflow.toml (or `baseBranch` in .changeset/config.json)")
            .into()),
    }
}

/// Quotes a package name for a shell when it needs it.
fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "@/-_.:".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
