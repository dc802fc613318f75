//! `cargo xtask release [--execute] [--allow-dirty] [--no-push]`: releases cargo-relflow itself
//! with relflow's own library API, the way a user's `cargo xtask release` would.
//!
//! A dry run by default: it prints the plan (each crate's level and registry state) and
//! publishes nothing. With `--execute` it publishes every crate of the Cargo workspace whose
//! version is not on crates.io yet, in dependency order, tags each release and pushes the tags.
//! Pending changesets stop it: versions come first (`cargo relflow version`, then commit).
//!
//! The token is cargo's own: `CARGO_REGISTRY_TOKEN` (or `cargo login`); relflow never prints it.

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use cargo_relflow::publish::progress::Progress;
use cargo_relflow::publish::{publish, PublishRequest};
use cargo_relflow::registry::Environment;
use cargo_relflow::repo::Repo;
use cargo_relflow::ui::{ColorChoice, Ui};
use cargo_relflow::version::{prepare, VersionRequest};
use cargo_relflow_sync::Ecosystem;

use crate::{root, say};

const USAGE: &str = "usage: cargo xtask release [--execute] [--allow-dirty] [--no-push]";

/// Plans (or, with `--execute`, carries out) the release of this workspace's crates.
pub fn release(args: &[String]) -> Result<()> {
    let mut execute = false;
    let mut allow_dirty = false;
    let mut push = true;
    for arg in args {
        match arg.as_str() {
            "--execute" => execute = true,
            "--allow-dirty" => allow_dirty = true,
            "--no-push" => push = false,
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let root = Utf8PathBuf::from_path_buf(root())
        .map_err(|path| anyhow::anyhow!("the workspace path `{}` is not UTF-8", path.display()))?;
    let repo = Repo::open(&root).context("cannot read the repository")?;
    if repo.changeset_dir().is_ok() {
        let pending = prepare(&repo, &VersionRequest::default())
            .context("cannot plan the pending changesets")?;
        if let Ok(run) = pending {
            let names: Vec<&str> = run.released.iter().map(|r| r.name.as_str()).collect();
            bail!(
                "changesets are pending for {}: run `cargo relflow version`, commit, then release",
                names.join(", ")
            );
        }
    }

    let mut request = PublishRequest::new(Environment::from_process());
    // This workspace's published crates only: `examples/` holds a demo repository's packages,
    // and `xtask` and `tests` are never released (so they get no tags either).
    request.packages = repo
        .packages()
        .iter()
        .filter(|package| package.ecosystem == Ecosystem::Cargo && package.publish.is_published())
        .map(|package| package.qualified_name())
        .collect();
    request.dry_run = !execute;
    request.allow_dirty = allow_dirty;
    request.push = push;
    let ui = Ui::new(ColorChoice::Auto, 0, false);
    let report =
        publish(&repo, &request, &Progress::auto(&ui, false)).context("the release stopped")?;
    if !execute {
        ui.data(&report.plan_text());
        say("dry run: nothing was published; `cargo xtask release --execute` publishes");
        return Ok(());
    }
    ui.data(&report.summary_text());
    let failures = report.failures();
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().map(|p| p.name.as_str()).collect();
        bail!(
            "not published: {} (run `cargo xtask release --execute` again to finish)",
            names.join(", ")
        );
    }
    Ok(())
}
