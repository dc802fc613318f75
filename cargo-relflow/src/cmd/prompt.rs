//! The interactive questions of `changeset add`, on the terminal (stderr).

use cargo_relflow_changeset::changed::changed_packages;
use cargo_relflow_changeset::Bump;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Input, MultiSelect, Select};

use crate::error::Failure;
use crate::repo::Repo;
use crate::ui::Ui;

/// Asks which packages to release (those changed since the base branch preselected), then a bump
/// for each.
pub fn ask_releases(repo: &Repo, ui: &Ui) -> Result<Vec<(usize, Bump)>, Failure> {
    let base = repo.base_branch();
    let changed = match crate::git::changed_files_since(repo.root(), &base) {
        Ok(files) => changed_packages(repo.packages(), files.iter().map(|f| f.as_path())),
        Err(e) => {
            ui.verbose(&format!("no packages preselected: {e:#}"));
            Vec::new()
        }
    };
    let releasable: Vec<usize> = (0..repo.packages().len())
        .filter(|&i| repo.packages()[i].version.is_some())
        .collect();
    let items: Vec<String> = releasable
        .iter()
        .map(|&i| {
            let package = &repo.packages()[i];
            let version = package.version_text.as_deref().unwrap_or_default();
            format!(
                "{} {version} ({})",
                repo.written_name(package),
                package.ecosystem
            )
        })
        .collect();
    let defaults: Vec<bool> = releasable.iter().map(|i| changed.contains(i)).collect();
    let theme = ColorfulTheme::default();
    let selected = MultiSelect::with_theme(&theme)
        .with_prompt(
            "Which packages would you like to include? (space to select, enter to confirm)",
        )
        .items(&items)
        .defaults(&defaults)
        .interact()
        .map_err(prompt_error)?;
    let bumps = [Bump::Patch, Bump::Minor, Bump::Major];
    let mut releases = Vec::with_capacity(selected.len());
    for choice in selected {
        let index = releasable[choice];
        let name = repo.written_name(&repo.packages()[index]);
        let bump = Select::with_theme(&theme)
            .with_prompt(format!("What kind of change is this for {name}?"))
            .items(bumps.map(Bump::as_str))
            .default(0)
            .interact()
            .map_err(prompt_error)?;
        releases.push((index, bumps[bump]));
    }
    Ok(releases)
}

/// Asks for the summary.
pub fn ask_summary() -> Result<String, Failure> {
    Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Summary (the first line goes into the changelog)")
        .interact_text()
        .map_err(prompt_error)
}

fn prompt_error(error: dialoguer::Error) -> Failure {
    Failure::External(anyhow::anyhow!("the prompt failed: {error}"))
}
