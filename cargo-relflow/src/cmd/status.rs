//! `cargo relflow changeset status`: the release plan `version` would apply now.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::changed::packages_needing_release;
use cargo_relflow_changeset::plan::{plan, ReleasePlan};
use cargo_relflow_changeset::{status, Changeset};
use cargo_relflow_sync::discover::Depth;
use cargo_relflow_sync::txn::Transaction;
use cargo_relflow_sync::InputError;

use crate::cli::{StatusArgs, StatusFormat};
use crate::error::{Failure, Outcome};
use crate::repo::{read_changeset_files, ChangesetFile, Repo, CHANGESET_DIR};
use crate::ui::Ui;

/// Prints the plan; exits 1, as Changesets does, when packages changed but no changeset exists.
pub fn run(start: &Utf8Path, args: &StatusArgs, ui: &Ui) -> Result<Outcome, Failure> {
    // git finds the changed paths while the packages are read. Without `--since`, they only
    // matter when no changeset will be found (the exit-1 rule below); a pending changeset outside
    // pre mode always counts, so then git is not run at all.
    // The changeset files are read meanwhile too, before git when it runs.
    let (repo, (changed, files)) = Repo::open_alongside(start, Depth::Full, |root, base| {
        let files = read_changeset_files(root);
        if args.since.is_none() && has_pending_changeset(root, &files) {
            return (Ok(None), files);
        }
        (changed_paths(root, base, args.since.as_deref()), files)
    })?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    let mut files = repo.checked_changesets(files?)?;
    let changed = changed?;
    if changed.is_none() {
        ui.verbose("not checking for changed packages (changesets are pending, or the base branch does not exist)");
    }
    if args.since.is_some() {
        if let Some(changed) = &changed {
            files.retain(|f| changed.contains(&f.path));
        }
    }
    let changesets: Vec<Changeset> = files.into_iter().map(|f| f.changeset).collect();
    warn_unwritable(&repo, &changesets, ui);
    let config = repo.plan_config();
    let release_plan = plan(
        repo.packages(),
        &changesets,
        &config,
        repo.pre.as_ref(),
        None,
    )
    .map_err(InputError::from)?;
    for warning in &release_plan.warnings {
        ui.warn(warning);
    }
    let packages = repo.packages();
    if let Some(output) = &args.output {
        // As Changesets does: the file is written only when the check below passes, and the
        // plan is not printed.
        if changes_need_a_changeset(&repo, &changed, &release_plan, ui)? {
            return Ok(Outcome::No);
        }
        let names: Vec<String> = packages.iter().map(|p| repo.written_name(p)).collect();
        let text =
            status::to_changesets_json(&names, &release_plan, &changesets, repo.pre.as_ref());
        let mut txn = Transaction::new();
        txn.write(output.clone(), text);
        crate::lock::RepoLock::acquire(start, ui)?.commit(txn)?;
        return Ok(Outcome::Yes);
    }
    match args.format {
        StatusFormat::Json => {
            let value = status::to_json(packages, &release_plan, &changesets);
            let text = serde_json::to_string_pretty(&value).map_err(anyhow::Error::from)?;
            ui.data(&text);
        }
        StatusFormat::Markdown => ui.data(&status::to_markdown(packages, &release_plan)),
        StatusFormat::Human => ui.data(&status::to_human(packages, &release_plan)),
    }
    if changes_need_a_changeset(&repo, &changed, &release_plan, ui)? {
        return Ok(Outcome::No);
    }
    Ok(Outcome::Yes)
}

/// Changesets' rule for exit 1: packages changed and the plan uses no changeset (printed).
fn changes_need_a_changeset(
    repo: &Repo,
    changed: &Option<Vec<Utf8PathBuf>>,
    release_plan: &ReleasePlan,
    ui: &Ui,
) -> Result<bool, Failure> {
    let Some(changed) = changed else {
        return Ok(false);
    };
    let needing = packages_needing_release(
        repo.packages(),
        &repo.plan_config(),
        &repo.changed_file_patterns(),
        changed.iter().map(|p| p.as_path()),
    )?;
    if !needing.is_empty() && release_plan.changesets.is_empty() {
        ui.error_line(
            "Some packages have been changed but no changesets were found. Run `cargo relflow changeset` to resolve this error.",
        );
        ui.error_line(
            "If this change doesn't need a release, run `cargo relflow changeset --empty`.",
        );
        return Ok(true);
    }
    Ok(false)
}

/// Whether `.changeset/` holds a changeset that the plan will count (`files`, as read from it):
/// any, outside pre mode (in pre mode, changesets already versioned are dropped, so this says
/// `false` and git decides).
fn has_pending_changeset(root: &Utf8Path, files: &Result<Vec<ChangesetFile>, InputError>) -> bool {
    if root.join(CHANGESET_DIR).join("pre.json").exists() {
        return false;
    }
    // A folder that cannot be read is an error reported before git's answer is looked at.
    files.as_ref().map_or(true, |files| {
        files.iter().any(|f| !f.changeset.id.starts_with("pre/"))
    })
}

/// The paths changed since `--since`, else since the base branch (`base_branch`, or
/// `origin/<base_branch>`); `None` when the base branch does not exist.
fn changed_paths(
    root: &Utf8Path,
    base_branch: &str,
    since: Option<&str>,
) -> Result<Option<Vec<Utf8PathBuf>>, Failure> {
    match since {
        Some(since) => match crate::git::changed_files_since_ref(root, since)? {
            Some(files) => Ok(Some(files)),
            None => Err(InputError::new(format!("unknown git revision `{since}`"))
                .with_hint("pass a branch, tag or commit that exists, e.g. `--since main`")
                .into()),
        },
        None => {
            Ok(crate::git::changed_files_since_base(root, base_branch)?.map(|(_, files)| files))
        }
    }
}

/// Says plainly which packages named by the changesets have no version relflow can write.
fn warn_unwritable(repo: &Repo, changesets: &[Changeset], ui: &Ui) {
    let names = cargo_relflow_changeset::name_index::NameIndex::new(repo.packages());
    let mut named: Vec<usize> = changesets
        .iter()
        .flat_map(|c| &c.releases)
        .filter_map(|r| names.resolve(&r.name).ok())
        .collect();
    named.sort_unstable();
    named.dedup();
    for index in named {
        if let Some(message) = repo.unwritable_version(&repo.packages()[index]) {
            ui.warn(&message);
        }
    }
}
