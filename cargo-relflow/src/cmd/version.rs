//! `cargo relflow version`: consume the changesets, or show with `--dry-run` what that would write.

use camino::Utf8Path;
use cargo_relflow_sync::discover::Depth;
use cargo_relflow_sync::edit::files::FileSet;

use crate::cli::VersionArgs;
use crate::error::{Failure, Outcome};
use crate::format;
use crate::lock::RepoLock;
use crate::repo::{read_changeset_files, Repo};
use crate::ui::Ui;
use crate::version::{prepare_with, History, Nothing, VersionRequest};

/// Writes the release (all files or none), or prints its diff with `--dry-run`.
pub fn run(start: &Utf8Path, args: &VersionArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let lock = RepoLock::acquire(start, ui)?;
    // The changesets' history and files are read while the packages are discovered.
    let (repo, (history, files)) = Repo::open_alongside(start, Depth::Full, |root, _| {
        let history = (!args.no_changelog).then(|| History::start(root));
        (history, read_changeset_files(root))
    })?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    let request = VersionRequest {
        snapshot: args
            .snapshot
            .as_ref()
            .map(|tag| Some(tag.clone()).filter(|t| !t.is_empty())),
        changelog: !args.no_changelog,
        version: None,
        offline: args.offline,
    };
    let run = match prepare_with(&repo, &request, history, Some(files))? {
        Ok(run) => run,
        Err(Nothing::NoChangesets) => {
            ui.warn("No unreleased changesets found.");
            return Ok(Outcome::No);
        }
    };
    for warning in &run.warnings {
        ui.warn(warning);
    }
    if args.dry_run {
        ui.data(&unified_diff(&run.files));
        if let Some(note) = format::dry_run_note(&repo, run.changelogs.len()) {
            ui.status("Format", &note);
        }
        return Ok(Outcome::Yes);
    }
    lock.commit(run.files.into_transaction())?;
    format::format_written(&repo, &run.changelogs, ui)?;
    for release in &run.released {
        ui.status(
            "Released",
            &format!(
                "{} {} -> {} ({})",
                release.name,
                release.old_version,
                release.new_version,
                release.bump.as_str()
            ),
        );
    }
    Ok(Outcome::Yes)
}

/// The unified diff (`a/PATH`, `b/PATH`, three lines of context) of every change in `files`, in
/// the form `git apply` and `patch -p1` take, in time linear in the files' lines (see
/// [`crate::diff`]).
pub fn unified_diff(files: &FileSet) -> String {
    let mut out = String::new();
    for change in files.changes() {
        let old_name = match change.old {
            Some(_) => format!("a/{}", change.path),
            None => "/dev/null".to_owned(),
        };
        let new_name = match change.new {
            Some(_) => format!("b/{}", change.path),
            None => "/dev/null".to_owned(),
        };
        out.push_str(&crate::diff::unified(
            change.old.unwrap_or_default(),
            change.new.unwrap_or_default(),
            &old_name,
            &new_name,
            3,
        ));
    }
    out
}
