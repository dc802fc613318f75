//! `cargo relflow sync [--check]`: make linked files, fixed groups and lockfiles agree with the
//! manifests.

use camino::Utf8Path;

use crate::cli::SyncArgs;
use crate::error::{Failure, Outcome};
use crate::lock::RepoLock;
use crate::repo::Repo;
use crate::sync::prepare;
use crate::ui::Ui;

/// Writes what disagrees (all files or none); with `--check`, lists it and exits 1 instead.
pub fn run(start: &Utf8Path, args: &SyncArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let lock = (!args.check)
        .then(|| RepoLock::acquire(start, ui))
        .transpose()?;
    let repo = Repo::open(start)?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    let run = prepare(&repo)?;
    if run.disagreements.is_empty() {
        ui.status("Synced", "every file agrees with the manifests");
        return Ok(Outcome::Yes);
    }
    if args.check {
        for d in &run.disagreements {
            ui.data(&format!(
                "{}: {}: expected {}, found {}",
                d.file, d.what, d.expected, d.found
            ));
        }
        ui.error_line("run `cargo relflow sync` to write them");
        return Ok(Outcome::No);
    }
    if let Some(lock) = &lock {
        lock.commit(run.files.into_transaction())?;
    }
    for d in &run.disagreements {
        ui.status(
            "Synced",
            &format!("{}: {} {} -> {}", d.file, d.what, d.found, d.expected),
        );
    }
    Ok(Outcome::Yes)
}
