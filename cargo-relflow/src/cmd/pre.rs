//! `cargo relflow version pre enter TAG` / `pre exit`: pre mode in `.changeset/pre.json`.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::pre::{is_valid_tag, PreMode, PreState};
use cargo_relflow_sync::discover::Depth;
use cargo_relflow_sync::edit::files::FileSet;
use cargo_relflow_sync::InputError;

use crate::cli::PreCommand;
use crate::error::{Failure, Outcome};
use crate::lock::RepoLock;
use crate::pre_file::write_pre_state;
use crate::repo::{Repo, CHANGESET_DIR};
use crate::ui::Ui;

/// Writes `.changeset/pre.json` in the v3 form (migrating a v2 file's versioned changesets into
/// `.changeset/pre/`).
pub fn run(start: &Utf8Path, command: &PreCommand, ui: &Ui) -> Result<Outcome, Failure> {
    let lock = RepoLock::acquire(start, ui)?;
    let repo = Repo::open_with(start, Depth::Layout)?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    repo.changeset_dir()?;
    let pre_path = Utf8PathBuf::from(CHANGESET_DIR).join("pre.json");
    let state = match (command, &repo.pre) {
        (PreCommand::Enter { .. }, Some(pre)) if pre.mode == PreMode::Pre => {
            return Err(InputError::in_file(
                &pre_path,
                "pre mode cannot be entered when in pre mode",
            )
            .with_hint("run `cargo relflow version pre exit` first to leave it")
            .into())
        }
        (PreCommand::Exit, None) => {
            return Err(
                InputError::new("pre mode cannot be exited when not in pre mode")
                    .with_hint("`cargo relflow version pre enter TAG` enters it")
                    .into(),
            )
        }
        (PreCommand::Exit, Some(pre)) if pre.mode == PreMode::Exit => {
            ui.status("Unchanged", "pre mode is already being exited");
            return Ok(Outcome::Yes);
        }
        (PreCommand::Enter { tag }, previous) => {
            if !is_valid_tag(tag) {
                return Err(InputError::new(format!("invalid pre-release tag {tag:?}"))
                    .with_hint("use dot-separated ASCII letters, digits and `-`, such as `next`, `beta` or `rc`")
                    .into());
            }
            PreState {
                mode: PreMode::Pre,
                tag: tag.clone(),
                initial_versions: Default::default(),
                changesets: previous
                    .as_ref()
                    .map(|p| p.changesets.clone())
                    .unwrap_or_default(),
                raw: Default::default(),
            }
        }
        (PreCommand::Exit, Some(pre)) => PreState {
            mode: PreMode::Exit,
            ..pre.clone()
        },
    };
    let mut files = FileSet::new(repo.root());
    write_pre_state(&mut files, &state)?;
    lock.commit(files.into_transaction())?;
    match state.mode {
        PreMode::Pre => ui.status(
            "Entered",
            &format!(
                "pre mode with tag `{}`: `version` now writes pre-releases",
                state.tag
            ),
        ),
        PreMode::Exit => ui.status(
            "Exiting",
            "pre mode: the next `version` writes final versions",
        ),
    }
    Ok(Outcome::Yes)
}
