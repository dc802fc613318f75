//! `cargo relflow released`: which packages a commit released, for a deploy job.

use camino::Utf8Path;
use cargo_relflow_sync::discover::Depth;

use crate::cli::{ReleasedArgs, StatusFormat};
use crate::error::{Failure, Outcome};
use crate::released::released;
use crate::repo::Repo;
use crate::ui::Ui;

/// Prints what `--commit` released; exit 0 also when it released nothing.
pub fn run(start: &Utf8Path, args: &ReleasedArgs, ui: &Ui) -> Result<Outcome, Failure> {
    // Names, versions, directories and publish settings are all it needs: no `cargo metadata`.
    let repo = Repo::open_with(start, Depth::Layout)?;
    let report = released(&repo, &args.commit)?;
    let text = match args.format {
        StatusFormat::Human => report.to_text(),
        StatusFormat::Json => {
            serde_json::to_string_pretty(&report.to_json()).map_err(anyhow::Error::from)?
        }
        StatusFormat::Markdown => report.to_markdown(),
    };
    ui.data(&text);
    Ok(Outcome::Yes)
}
