//! Staging `.changeset/pre.json`: shared by `version pre enter|exit` and by `version` itself,
//! which rewrites the file in pre mode.

use camino::Utf8PathBuf;
use cargo_relflow_changeset::pre::{render_pre_state, PreState};
use cargo_relflow_sync::edit::files::FileSet;
use cargo_relflow_sync::InputError;

use crate::repo::CHANGESET_DIR;

/// Stages `pre.json` in the v3 form. Changesets that a v2 `pre.json` lists as versioned are moved
/// to `.changeset/pre/`, as Changesets v3 migrates them.
pub fn write_pre_state(files: &mut FileSet, state: &PreState) -> Result<(), InputError> {
    let dir = Utf8PathBuf::from(CHANGESET_DIR);
    for id in state.changesets.iter().filter(|id| !id.starts_with("pre/")) {
        let from = dir.join(format!("{id}.md"));
        if let Some(text) = files.read_optional(&from)?.map(str::to_owned) {
            files.write(&dir.join("pre").join(format!("{id}.md")), text)?;
            files.remove(&from)?;
        }
    }
    files.write(&dir.join("pre.json"), render_pre_state(state))
}
