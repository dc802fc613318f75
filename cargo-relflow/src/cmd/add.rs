//! `cargo relflow changeset [add]`: write a new changeset.

use std::io::IsTerminal;

use camino::Utf8Path;
use cargo_relflow_changeset::changed::is_skipped;
use cargo_relflow_changeset::write::{random_id, render_changeset};
use cargo_relflow_changeset::Bump;
use cargo_relflow_sync::txn::Transaction;
use cargo_relflow_sync::{names, InputError};

use crate::cli::AddArgs;
use crate::error::{Failure, Outcome};
use crate::lock::RepoLock;
use crate::repo::Repo;
use crate::ui::Ui;

/// Writes `.changeset/<three-random-words>.md` from the flags, or from prompts on a terminal.
pub fn run(start: &Utf8Path, args: &AddArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let lock = RepoLock::acquire(start, ui)?;
    let repo = Repo::open(start)?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    let dir = repo.changeset_dir()?;
    let mut releases = releases_from_flags(&repo, args)?;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let summary = if args.empty {
        args.message.clone().unwrap_or_default()
    } else {
        if releases.is_empty() {
            if !interactive {
                return Err(
                    InputError::new("no packages given and no terminal to ask on")
                        .with_hint(
                            "pass `-p NAME:BUMP` (repeatable) and `-m SUMMARY`, or `--empty`",
                        )
                        .into(),
                );
            }
            releases = crate::cmd::prompt::ask_releases(&repo, ui)?;
            if releases.is_empty() {
                return Err(InputError::new("no package selected")
                    .with_hint("select at least one package, or use `--empty`")
                    .into());
            }
        }
        match &args.message {
            Some(message) => message.clone(),
            None if interactive => crate::cmd::prompt::ask_summary()?,
            None => {
                return Err(
                    InputError::new("no summary given and no terminal to ask on")
                        .with_hint("pass `-m SUMMARY`")
                        .into(),
                )
            }
        }
    };
    let written: Vec<(String, Bump)> = releases
        .iter()
        .map(|(index, bump)| (repo.written_name(&repo.packages()[*index]), *bump))
        .collect();
    let text = render_changeset(&written, &summary);
    let id = random_id(&mut |n| fastrand::usize(..n), &|id| {
        dir.join(format!("{id}.md")).exists()
    });
    let path = dir.join(format!("{id}.md"));
    let mut txn = Transaction::new();
    txn.write(&path, text);
    lock.commit(txn)?;
    ui.data(path.strip_prefix(repo.root()).unwrap_or(&path).as_str());
    Ok(Outcome::Yes)
}

/// `-p NAME:BUMP` and `--major/--minor/--patch NAME,...`, resolved to package indices. A package
/// named twice keeps its highest bump.
fn releases_from_flags(repo: &Repo, args: &AddArgs) -> Result<Vec<(usize, Bump)>, InputError> {
    let mut releases: Vec<(usize, Bump)> = Vec::new();
    let mut add = |index: usize, bump: Bump| match releases.iter_mut().find(|(i, _)| *i == index) {
        Some(existing) => existing.1 = existing.1.max(bump),
        None => releases.push((index, bump)),
    };
    for spec in &args.packages {
        let Some((name, bump_text)) = spec.rsplit_once(':') else {
            return Err(InputError::new(format!("`-p {spec}` has no bump"))
                .with_hint(format!("write `-p {spec}:patch` (or minor, major, none)")));
        };
        let bump = bump_text.parse::<Bump>().map_err(|()| {
            InputError::new(format!("unknown bump `{bump_text}` for `{name}`"))
                .with_hint("use one of `major`, `minor`, `patch`, `none`")
        })?;
        add(resolve_flag(repo, name)?, bump);
    }
    for (names, bump) in [
        (&args.major, Bump::Major),
        (&args.minor, Bump::Minor),
        (&args.patch, Bump::Patch),
    ] {
        for name in names.iter().filter(|n| !n.is_empty()) {
            add(resolve_flag(repo, name)?, bump);
        }
    }
    Ok(releases)
}

/// A package named on the command line: [`names::resolve`], except that a plain name shared by
/// several packages of which exactly one can be released (the others are ignored or unversioned
/// private packages) means that one.
fn resolve_flag(repo: &Repo, name: &str) -> Result<usize, InputError> {
    let packages = repo.packages();
    names::resolve(packages, name).or_else(|error| {
        let (ecosystem, plain) = names::split_qualified(name);
        let config = repo.plan_config();
        let mut releasable = packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name == plain && ecosystem.is_none() && !is_skipped(p, &config));
        match (releasable.next(), releasable.next()) {
            (Some((only, _)), None) => Ok(only),
            _ => Err(error),
        }
    })
}
