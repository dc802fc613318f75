//! The command line: clap types, dispatch, and the one place errors become exit codes.

use std::ffi::OsString;
use std::process::ExitCode;

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cmd;
use crate::error::{Failure, Outcome};
use crate::ui::{ColorChoice, Ui};

/// Release polyglot monorepos (Cargo, npm, Python) with changesets.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-relflow",
    bin_name = "cargo relflow",
    version,
    about,
    propagate_version = true
)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Start looking for the repository in DIR instead of the current directory.
    #[arg(short = 'C', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<Utf8PathBuf>,
    /// Start looking for the repository at this manifest (its directory).
    #[arg(long, value_name = "PATH", global = true)]
    pub manifest_path: Option<Utf8PathBuf>,
    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// More output (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Less output: errors and data only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write `.changeset/README.md`, `.changeset/config.json` and a commented `relflow.toml`.
    Init,
    /// List every package found: Cargo crates, npm packages, Python projects, generic packages.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = DataFormat::Human)]
        format: DataFormat,
    },
    /// Record release intent (`add`, the default), see the plan (`status`), gate commits (`check`).
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Changeset(Box<ChangesetArgs>),
    /// Consume the changesets: write new versions, requirements, lockfiles, linked files and
    /// changelogs (`pre enter TAG` / `pre exit` manage pre mode).
    #[command(args_conflicts_with_subcommands = true)]
    Version(VersionArgs),
    /// Make every `[[sync]]` file, fixed-group member and lockfile agree with the manifests.
    Sync(SyncArgs),
    /// Publish every package whose version is not on its registry yet, in dependency order, then
    /// tag the releases and push the tags.
    Publish(PublishArgs),
    /// Which packages a commit released: those whose version differs from its first parent.
    Released(ReleasedArgs),
    /// Roll a release back: yank, deprecate or remove it on every registry (dependents first),
    /// then delete its tags locally and on `origin`.
    Yank(YankArgs),
    /// Release several repositories in order: the `[[repo]]` release set of relflow.toml.
    #[command(subcommand)]
    Repos(ReposCommand),
    /// Open or update the release pull request: `version` on a branch from the base, committed,
    /// pushed to `origin` with `--force-with-lease`, described by the plan and the changelogs.
    ReleasePr(ReleasePrArgs),
    /// Print shell completions.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Any other name runs `cargo-relflow-<name>` from PATH with the remaining arguments.
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

/// `cargo relflow changeset`.
#[derive(Debug, Args)]
pub struct ChangesetArgs {
    /// The changeset subcommand; `add` when none is given.
    #[command(subcommand)]
    pub command: Option<ChangesetCommand>,
    /// Options of `add`, when no subcommand is given.
    #[command(flatten)]
    pub add: AddArgs,
}

/// The subcommands of `changeset`.
#[derive(Debug, Subcommand)]
pub enum ChangesetCommand {
    /// Create `.changeset/<three-random-words>.md`.
    Add(AddArgs),
    /// Print the release plan that `version` would apply now.
    Status(StatusArgs),
    /// Fail (exit 1) when a changed package is named by no changeset: the pre-commit / CI gate.
    Check(CheckArgs),
}

/// `cargo relflow changeset add`.
#[derive(Debug, Args, Default)]
pub struct AddArgs {
    /// A package and its bump, `NAME:BUMP` (repeatable); BUMP is major, minor, patch or none.
    #[arg(short = 'p', long = "package", value_name = "NAME:BUMP")]
    pub packages: Vec<String>,
    /// Packages to bump by major (comma-separated).
    #[arg(long, value_name = "NAME[,NAME]", value_delimiter = ',')]
    pub major: Vec<String>,
    /// Packages to bump by minor (comma-separated).
    #[arg(long, value_name = "NAME[,NAME]", value_delimiter = ',')]
    pub minor: Vec<String>,
    /// Packages to bump by patch (comma-separated).
    #[arg(long, value_name = "NAME[,NAME]", value_delimiter = ',')]
    pub patch: Vec<String>,
    /// The summary: the first line is the changelog entry.
    #[arg(short, long, value_name = "SUMMARY")]
    pub message: Option<String>,
    /// Write a changeset that releases nothing (it satisfies `check`).
    #[arg(long, conflicts_with_all = ["packages", "major", "minor", "patch"])]
    pub empty: bool,
}

/// `cargo relflow changeset status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only count changesets added since REF (its merge-base with HEAD).
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
    pub format: StatusFormat,
    /// Write the plan to FILE in the JSON schema of Changesets' `changeset status --output`
    /// (for scripts written for it) instead of printing it.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
}

/// `cargo relflow changeset check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Compare with REF (its merge-base with HEAD) instead of the base branch.
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub since: Option<String>,
    /// Check the staged changes only (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,
}

/// `cargo relflow version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// `pre enter` / `pre exit`; without it, `version` consumes the changesets.
    #[command(subcommand)]
    pub command: Option<VersionCommand>,
    /// Print the diff of every file it would write, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Make snapshot versions (`0.0.0-TAG-DATETIME`, see the `snapshot` config).
    #[arg(long, value_name = "TAG", num_args = 0..=1, default_missing_value = "")]
    pub snapshot: Option<String>,
    /// Write no changelogs.
    #[arg(long)]
    pub no_changelog: bool,
    /// Ask no server: `@changesets/changelog-github` writes the default format instead (also
    /// with `CARGO_NET_OFFLINE=true`).
    #[arg(long)]
    pub offline: bool,
}

/// The subcommands of `version`.
#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Enter or exit pre mode (`.changeset/pre.json`).
    #[command(subcommand)]
    Pre(PreCommand),
}

/// `cargo relflow version pre`.
#[derive(Debug, Subcommand)]
pub enum PreCommand {
    /// Enter pre mode: later versions are pre-releases `X.Y.Z-TAG.N`.
    Enter {
        /// The pre-release id: `next`, `beta`, `rc`, ...
        tag: String,
    },
    /// Leave pre mode: the next `version` writes final versions.
    Exit,
}

/// `cargo relflow sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Change nothing; exit 1 listing every file that disagrees.
    #[arg(long)]
    pub check: bool,
}

/// `cargo relflow publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Print the ordered plan with each package's registry state; publish nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Publish only this package (repeatable).
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub packages: Vec<String>,
    /// How many packages to publish at once (default: the number of CPUs).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Create no tags.
    #[arg(long)]
    pub no_tag: bool,
    /// Create the tags but do not push them.
    #[arg(long)]
    pub no_push: bool,
    /// Create no forge releases (and upload no assets) for the pushed tags.
    #[arg(long)]
    pub no_release: bool,
    /// Publish even with uncommitted changes or untracked files.
    #[arg(long)]
    pub allow_dirty: bool,
    /// Ask no registry (also `CARGO_NET_OFFLINE=true`): `--dry-run` shows state `unknown`.
    #[arg(long)]
    pub offline: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Human)]
    pub format: DataFormat,
}

/// `cargo relflow released`.
#[derive(Debug, Args)]
pub struct ReleasedArgs {
    /// The commit to look at.
    #[arg(long, value_name = "REF", default_value = "HEAD")]
    pub commit: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
    pub format: StatusFormat,
}

/// `cargo relflow yank`.
#[derive(Debug, Args)]
pub struct YankArgs {
    /// The versions to roll back, `PKG@VERSION` (`core@1.2.0`, `@acme/web@2.0.0`).
    #[arg(value_name = "PKG@VERSION", required_unless_present = "release")]
    pub items: Vec<String>,
    /// Roll back every package this commit released (as `released` lists them).
    #[arg(long, value_name = "REF", conflicts_with = "items")]
    pub release: Option<String>,
    /// Print the steps with each item's current state; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// npm: unpublish the version instead of deprecating it (deprecate when npm refuses).
    #[arg(long)]
    pub unpublish: bool,
    /// Delete no tags.
    #[arg(long)]
    pub keep_tags: bool,
    /// The deprecation message for npm.
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Human)]
    pub format: DataFormat,
}

/// `cargo relflow release-pr`.
#[derive(Debug, Args)]
pub struct ReleasePrArgs {
    /// Print the branch, the commit message and the pull request body; push nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The release branch.
    #[arg(long, default_value = crate::release_pr::DEFAULT_BRANCH, value_name = "BRANCH")]
    pub branch: String,
    /// The branch the pull request merges into (default: `base_branch`, else `main`).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Human)]
    pub format: DataFormat,
}

/// The subcommands of `repos`.
#[derive(Debug, Subcommand)]
pub enum ReposCommand {
    /// Each repo's plan, the tags it would create and the pins it would rewrite, in release order.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
        format: StatusFormat,
    },
    /// Check every repo, then version, pin, commit, tag and push them level by level; a re-run
    /// continues an unfinished release.
    #[command(disable_version_flag = true)]
    Release(ReposReleaseArgs),
    /// Undo the last release: delete the tags it pushed and revert its commits with new commits.
    Rollback {
        /// Also roll back, with `yank`, what `--publish` published.
        #[arg(long)]
        yank: bool,
    },
}

/// `cargo relflow repos release`.
#[derive(Debug, Args)]
pub struct ReposReleaseArgs {
    /// Run the checks and print every step, file diff and tag; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The shared version (a `version = "shared"` set), instead of the highest the plans ask for.
    #[arg(long, value_name = "X.Y.Z")]
    pub version: Option<semver::Version>,
    /// How many repos of a level are released at once (default: the number of CPUs).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Run `publish` in each repo, in release order.
    #[arg(long)]
    pub publish: bool,
}

/// Output for people or for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// For people.
    Human,
    /// JSON.
    Json,
}

/// How `status` prints the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// For people.
    Human,
    /// The SPEC's JSON schema.
    Json,
    /// A table for a pull-request comment.
    Markdown,
}

/// Runs the command line and returns the process exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let mut args: Vec<OsString> = args.into_iter().collect();
    // `cargo relflow ...` runs `cargo-relflow relflow ...`.
    if args.get(1).is_some_and(|a| a == "relflow") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ui = Ui::new(cli.global.color, cli.global.verbose, cli.global.quiet);
    let outcome = run(cli, &ui);
    let code = ui.report(outcome);
    ExitCode::from(ui.finish(code))
}

fn run(cli: Cli, ui: &Ui) -> Result<Outcome, Failure> {
    let start = cli.global.start_dir();
    if !matches!(cli.command, Command::Completions { .. }) {
        crate::lock::recover_interrupted(&start, ui)?;
    }
    match cli.command {
        Command::Init => cmd::init::run(&start, ui),
        Command::List { format } => cmd::list::run(&start, format, ui),
        Command::Changeset(args) => match args.command {
            None => cmd::add::run(&start, &args.add, ui),
            Some(ChangesetCommand::Add(add)) => cmd::add::run(&start, &add, ui),
            Some(ChangesetCommand::Status(status)) => cmd::status::run(&start, &status, ui),
            Some(ChangesetCommand::Check(check)) => cmd::check::run(&start, &check, ui),
        },
        Command::Version(args) => match args.command {
            None => cmd::version::run(&start, &args, ui),
            Some(VersionCommand::Pre(pre)) => cmd::pre::run(&start, &pre, ui),
        },
        Command::Sync(args) => cmd::sync::run(&start, &args, ui),
        Command::Publish(args) => cmd::publish::run(&start, &args, ui),
        Command::Released(args) => cmd::released::run(&start, &args, ui),
        Command::Yank(args) => cmd::yank::run(&start, &args, ui),
        Command::Repos(command) => match command {
            ReposCommand::Status { format } => cmd::repos::status(&start, format, ui),
            ReposCommand::Release(args) => cmd::repos::release(&start, &args, ui),
            ReposCommand::Rollback { yank } => cmd::repos::rollback(&start, yank, ui),
        },
        Command::ReleasePr(args) => cmd::release_pr::run(&start, &args, ui),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command, "cargo-relflow", &mut out);
            ui.data(&String::from_utf8_lossy(&out));
            Ok(Outcome::Yes)
        }
        Command::External(args) => crate::plugin::run(&args),
    }
}

impl GlobalArgs {
    /// Where to start looking for the repository.
    pub fn start_dir(&self) -> Utf8PathBuf {
        if let Some(dir) = &self.directory {
            return dir.clone();
        }
        if let Some(manifest) = &self.manifest_path {
            return manifest
                .parent()
                .filter(|p| !p.as_str().is_empty())
                .map_or_else(|| Utf8PathBuf::from("."), ToOwned::to_owned);
        }
        Utf8PathBuf::from(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_valid() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn bare_changeset_means_add() {
        let cli = Cli::try_parse_from(["cargo-relflow", "changeset", "-p", "a:minor", "-m", "x"])
            .unwrap();
        let Command::Changeset(args) = cli.command else {
            panic!()
        };
        assert!(args.command.is_none());
        assert_eq!(args.add.packages, ["a:minor"]);
    }
}
