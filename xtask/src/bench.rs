//! `cargo xtask bench [--packages N] [--seed S] [--sampo[=PATH]]`: times relflow against
//! Changesets v3 (and, opt-in, sampo) on generated repositories with hyperfine, prints a summary
//! and writes `BENCHMARKS.md`.
//!
//! Four repositories are generated under `target/bench/` (see `genrepo.rs`): a polyglot one (N
//! packages: 40% Cargo, 40% npm, 20% Python) for `check` and `status`, an npm-only one (N npm
//! packages) where relflow and Changesets v3 run `status` and `version` on identical input, a
//! Cargo-only one (N crates, the changesets also in sampo's format) for `version` against
//! sampo's `release`, and the scale run (5N packages, 10N changesets). Commands that write run
//! on a work copy under `target/bench/work/` that hyperfine's `--prepare` puts back to its
//! committed state before every run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::genrepo::{self, Mix, Spec};
use crate::{cargo, root, run, say, tools};

/// Default size: the issue's 1,000 packages.
const DEFAULT_PACKAGES: usize = 1000;
/// `changeset check` at this size must take less than this (median, ms).
const CHECK_TARGET_MS: f64 = 20.0;
/// `changeset status` must be at least this many times faster than Changesets v3.
const STATUS_SPEEDUP_TARGET: f64 = 25.0;
/// `version` must be at least this many times faster than Changesets v3.
const VERSION_SPEEDUP_TARGET: f64 = 20.0;
/// Cargo `version` must be at least this many times faster than sampo's `release`.
const SAMPO_SPEEDUP_TARGET: f64 = 5.0;
/// `version` in the scale run (5x the packages, 10x as many changesets) must take less (ms).
const SCALE_TARGET_MS: f64 = 2000.0;
/// Where hand-written notes start in `BENCHMARKS.md`; a new run keeps them.
const NOTES_MARKER: &str = "<!-- notes: kept by cargo xtask bench -->";

/// How sampo is found, when asked for.
enum Sampo {
    /// Not compared.
    Off,
    /// `--sampo`: `target/tools/sampo/bin/sampo`, installed with `cargo install` if missing.
    Install,
    /// `--sampo=PATH`: this binary.
    At(PathBuf),
}

struct Options {
    packages: usize,
    seed: u64,
    sampo: Sampo,
    /// `--generate-only`: write the repositories (and work copies) for profiling, time nothing.
    generate_only: bool,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        packages: DEFAULT_PACKAGES,
        seed: 0x5EED_2024,
        sampo: Sampo::Off,
        generate_only: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || -> Result<String> {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .with_context(|| format!("{key} needs a value"))
        };
        match key {
            "--packages" | "-n" => {
                options.packages = value()?.parse().context("--packages takes a number")?;
            }
            "--seed" => options.seed = value()?.parse().context("--seed takes a number")?,
            "--generate-only" => options.generate_only = true,
            "--sampo" => {
                options.sampo = match &inline {
                    Some(path) => Sampo::At(PathBuf::from(path)),
                    None => Sampo::Install,
                };
            }
            _ => {
                bail!("usage: cargo xtask bench [--packages N] [--seed S] [--sampo[=PATH]] [--generate-only] (unknown argument {arg})")
            }
        }
    }
    if options.packages < 10 {
        bail!("--packages must be at least 10");
    }
    Ok(options)
}

/// One timed command.
struct Case {
    /// The name in the table.
    name: String,
    /// Which repository it runs in.
    repo: &'static str,
    /// The argument vector (hyperfine runs it without a shell).
    argv: Vec<String>,
    /// The directory it runs in.
    dir: PathBuf,
    /// The shell script that restores the repository before each run, for commands that write.
    prepare: Option<String>,
    /// At most this many timed runs (hyperfine's default otherwise).
    max_runs: Option<usize>,
    /// Its exit code on the untimed check run.
    exit: Option<i32>,
}

impl Case {
    fn new(name: &str, repo: &'static str, argv: Vec<String>, dir: &Path) -> Self {
        Self {
            name: name.into(),
            repo,
            argv,
            dir: dir.to_path_buf(),
            prepare: None,
            max_runs: None,
            exit: None,
        }
    }

    /// Runs on `work`, restored from git before every run.
    fn writing(mut self, work: &Path) -> Self {
        self.prepare = Some(restore(work));
        self.dir = work.to_path_buf();
        self
    }
}

/// hyperfine's figures for one case, in milliseconds.
struct Timing {
    median: f64,
    mean: f64,
    stddev: f64,
    min: f64,
    max: f64,
    runs: usize,
}

/// A generated repository and where it lives.
struct Generated {
    spec: Spec,
    model: genrepo::Model,
    written: genrepo::Written,
    dir: PathBuf,
}

fn generate(spec: Spec, dir: PathBuf) -> Result<Generated> {
    let started = std::time::Instant::now();
    let model = genrepo::model(&spec);
    let written = genrepo::write(&model, &dir)?;
    say(&format!(
        "generated {} ({} packages, {} changesets) in {:.1} s",
        dir.display(),
        written.packages,
        written.changesets,
        started.elapsed().as_secs_f64()
    ));
    Ok(Generated {
        spec,
        model,
        written,
        dir,
    })
}

/// A work copy of `from` at `to` (replaced), for commands that write.
fn work_copy(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("cannot remove {}", to.display()))?;
    }
    let mut copy = Command::new("cp");
    copy.arg("-a").arg(from).arg(to);
    run(copy)
}

/// The `--prepare` script that puts `work` back to its committed state (tracked files as
/// committed, everything untracked removed): a fresh copy for each run.
fn restore(work: &Path) -> String {
    format!(
        "cd {} && git reset -q --hard && git clean -q -fdx",
        work.display()
    )
}

/// sampo's binary, or `None` when not compared.
fn sampo(option: &Sampo) -> Result<Option<PathBuf>> {
    match option {
        Sampo::Off => Ok(None),
        Sampo::At(path) => Ok(Some(path.clone())),
        Sampo::Install => {
            let dir = root().join("target/tools/sampo");
            let bin = dir.join("bin/sampo");
            if !bin.exists() {
                say("installing sampo with `cargo install sampo --locked` into target/tools/sampo");
                let mut install = cargo();
                install
                    .args(["install", "sampo", "--locked", "--root"])
                    .arg(&dir);
                run(install)?;
            }
            Ok(Some(bin))
        }
    }
}

/// The benchmark.
pub fn bench(args: &[String]) -> Result<()> {
    let options = parse(args)?;

    let out = root().join("target/bench");
    let work = out.join("work");
    std::fs::create_dir_all(&work)?;
    let n = options.packages;
    let full = generate(
        Spec::for_packages(n, Mix::Polyglot, options.seed),
        out.join(format!("polyglot-{n}")),
    )?;
    let npm = generate(
        Spec::for_packages(n, Mix::Npm, options.seed),
        out.join(format!("npm-{n}")),
    )?;
    let crates = generate(
        Spec::for_packages(n, Mix::Cargo, options.seed),
        out.join(format!("cargo-{n}")),
    )?;
    let scale = generate(
        Spec::for_packages(5 * n, Mix::Polyglot, options.seed).with_changesets(10 * n),
        out.join(format!("scale-{}-{}", 5 * n, 10 * n)),
    )?;
    let npm_work = work.join(format!("npm-{n}"));
    let cargo_work = work.join(format!("cargo-{n}"));
    let scale_work = work.join("scale");
    work_copy(&npm.dir, &npm_work)?;
    work_copy(&crates.dir, &cargo_work)?;
    work_copy(&scale.dir, &scale_work)?;
    if options.generate_only {
        return Ok(());
    }
    let hyperfine = hyperfine()?;
    let tools = tools()?;
    let sampo = sampo(&options.sampo)?;
    let mut build = cargo();
    build.args(["build", "--release", "-p", "cargo-relflow"]);
    run(build)?;
    let relflow = root().join("target/release/cargo-relflow");

    let has_check = subcommand_exists(&relflow, "check")?;
    let rf = |dir: &Path, rest: &[&str]| -> Vec<String> {
        let mut argv = vec![
            relflow.display().to_string(),
            "-C".into(),
            dir.display().to_string(),
        ];
        argv.extend(rest.iter().map(|s| (*s).to_string()));
        argv
    };
    let node = |rest: &[&str]| -> Vec<String> {
        let mut argv = vec![
            tools.node.display().to_string(),
            tools.changesets.display().to_string(),
        ];
        argv.extend(rest.iter().map(|s| (*s).to_string()));
        argv
    };
    let mut groups: Vec<Vec<Case>> = Vec::new();

    let mut polyglot = vec![Case::new(
        "relflow changeset status --format json",
        "polyglot",
        rf(&full.dir, &["changeset", "status", "--format", "json"]),
        &full.dir,
    )];
    if has_check {
        polyglot.push(Case::new(
            "relflow changeset check",
            "polyglot",
            rf(&full.dir, &["changeset", "check"]),
            &full.dir,
        ));
    } else {
        say("SKIPPING `changeset check`: this cargo-relflow has no `changeset check` subcommand yet");
    }
    // Where the time goes: the one subprocess relflow cannot avoid for Cargo discovery.
    polyglot.push(Case::new(
        "(part of it) cargo metadata --no-deps --offline",
        "polyglot",
        vec![
            std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            "metadata".into(),
            "--no-deps".into(),
            "--offline".into(),
            "--format-version".into(),
            "1".into(),
            "--manifest-path".into(),
            full.dir.join("Cargo.toml").display().to_string(),
        ],
        &full.dir,
    ));
    // Where the time goes: the one git command `check` and `status` run (in parallel with
    // their own work), from the repository root.
    polyglot.push(git_diff_case("polyglot", &full.dir));
    groups.push(polyglot);

    groups.push(vec![
        Case::new(
            "relflow changeset status --format json",
            "npm-only",
            rf(&npm.dir, &["changeset", "status", "--format", "json"]),
            &npm.dir,
        ),
        git_diff_case("npm-only", &npm.dir),
        Case::new(
            "Changesets v3 status",
            "npm-only",
            node(&["status"]),
            &npm.dir,
        ),
    ]);
    groups.push(vec![
        Case::new(
            "relflow version",
            "npm-only",
            rf(&npm_work, &["version"]),
            &npm.dir,
        )
        .writing(&npm_work),
        Case::new(
            "Changesets v3 version",
            "npm-only",
            node(&["version"]),
            &npm.dir,
        )
        .writing(&npm_work),
    ]);
    let mut cargo_cases = vec![
        Case::new(
            "relflow version",
            "cargo-only",
            rf(&cargo_work, &["version"]),
            &crates.dir,
        )
        .writing(&cargo_work),
        Case::new(
            "relflow version --dry-run",
            "cargo-only",
            rf(&cargo_work, &["version", "--dry-run"]),
            &crates.dir,
        )
        .writing(&cargo_work),
    ];
    if let Some(sampo) = &sampo {
        let bin = sampo.display().to_string();
        cargo_cases.push(
            Case::new(
                "sampo release",
                "cargo-only",
                vec![bin.clone(), "release".into()],
                &crates.dir,
            )
            .writing(&cargo_work),
        );
        cargo_cases.push(
            Case::new(
                "sampo release --dry-run",
                "cargo-only",
                vec![bin, "release".into(), "--dry-run".into()],
                &crates.dir,
            )
            .writing(&cargo_work),
        );
    } else {
        say("not comparing with sampo (pass --sampo to install it into target/tools/sampo, or --sampo=PATH)");
    }
    groups.push(cargo_cases);
    let mut scale_version = Case::new(
        "relflow version",
        "scale",
        rf(&scale_work, &["version"]),
        &scale.dir,
    )
    .writing(&scale_work);
    scale_version.max_runs = Some(5);
    groups.push(vec![scale_version]);

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut results = Vec::new();
    let mut lock_checks = Vec::new();
    for (index, mut cases) in groups.into_iter().enumerate() {
        for case in &mut cases {
            case.exit = check_run(case)?;
            if case.repo == "cargo-only" && !case.name.ends_with("--dry-run") {
                lock_checks.push((case.name.clone(), cargo_metadata_locked(&case.dir)));
            }
        }
        if let Some(case) = cases.iter().find(|c| c.prepare.is_some()) {
            // Leave the work copy as committed, not as the last check run left it.
            prepare(case)?;
        }
        let json = out.join(format!("hyperfine-{index}-{n}.json"));
        let timings = time(&hyperfine, &cases, &json)?;
        results.extend(cases.into_iter().zip(timings));
    }

    let repos = Repos {
        full: &full,
        npm: &npm,
        crates: &crates,
        scale: &scale,
    };
    let report = report(
        &options,
        &repos,
        &results,
        &lock_checks,
        has_check,
        &hyperfine,
        &tools.node,
        sampo.as_deref(),
        &load,
    )?;
    say(&format!("summary:\n{}", table(&results, &lock_checks)));
    let file = out.join(format!("BENCHMARKS-{n}.md"));
    std::fs::write(&file, &report)?;
    if n == DEFAULT_PACKAGES {
        // Hand-written notes below the marker survive a new run.
        let target = root().join("BENCHMARKS.md");
        let notes = std::fs::read_to_string(&target)
            .ok()
            .and_then(|old| old.find(NOTES_MARKER).map(|at| old[at..].to_string()))
            .unwrap_or_default();
        std::fs::write(&target, format!("{report}{notes}"))?;
        say(&format!("wrote BENCHMARKS.md (and {})", file.display()));
    } else {
        say(&format!(
            "wrote {} (BENCHMARKS.md is only written by the {DEFAULT_PACKAGES}-package run)",
            file.display()
        ));
    }
    Ok(())
}

/// The four repositories, for the report.
struct Repos<'a> {
    full: &'a Generated,
    npm: &'a Generated,
    crates: &'a Generated,
    scale: &'a Generated,
}

/// Whether `cargo metadata --locked --offline` accepts the manifests and Cargo.lock in `dir`
/// (after the untimed run of a `version`): `Ok` or cargo's message.
fn cargo_metadata_locked(dir: &Path) -> Result<(), String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--locked",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// `git diff --name-only --merge-base main`: the changed paths, as relflow asks git for them.
fn git_diff_case(repo: &'static str, dir: &Path) -> Case {
    Case::new(
        "(part of it) git diff --name-only --merge-base main",
        repo,
        [
            "git",
            "diff",
            "--name-only",
            "--no-relative",
            "--merge-base",
            "main",
            "--",
        ]
        .map(String::from)
        .to_vec(),
        dir,
    )
}

/// The hyperfine binary: on `PATH`, in `target/tools/hyperfine`, or installed now.
fn hyperfine() -> Result<PathBuf> {
    let local = root().join("target/tools/hyperfine/bin/hyperfine");
    if local.exists() {
        return Ok(local);
    }
    if Command::new("hyperfine")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok(PathBuf::from("hyperfine"));
    }
    say("hyperfine is missing: installing it with `cargo install hyperfine@1.19.0 --locked` into target/tools/hyperfine (2.x needs a newer rustc)");
    say("(as root, `apt-get install -y hyperfine` is quicker)");
    let mut install = cargo();
    install
        .args(["install", "hyperfine@1.19.0", "--locked", "--root"])
        .arg(root().join("target/tools/hyperfine"));
    run(install)?;
    Ok(local)
}

/// Whether `cargo-relflow changeset SUB` exists, from the `changeset --help` command list.
fn subcommand_exists(relflow: &Path, sub: &str) -> Result<bool> {
    let output = Command::new(relflow)
        .args(["changeset", "--help"])
        .output()
        .with_context(|| format!("failed to run {}", relflow.display()))?;
    let help = String::from_utf8_lossy(&output.stdout);
    Ok(help
        .lines()
        .any(|line| line.starts_with("  ") && line.split_whitespace().next() == Some(sub)))
}

/// Runs the case's `--prepare` script.
fn prepare(case: &Case) -> Result<()> {
    if let Some(script) = &case.prepare {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        run(command)?;
    }
    Ok(())
}

/// Runs the case once (untimed, after its `--prepare`) and returns its exit code; hyperfine is
/// then told to ignore a non-zero code, and the table shows it.
fn check_run(case: &Case) -> Result<Option<i32>> {
    prepare(case)?;
    let (program, rest) = case.argv.split_first().context("empty command")?;
    let output = Command::new(program)
        .args(rest)
        .current_dir(&case.dir)
        .output()
        .with_context(|| format!("failed to start {program}"))?;
    let code = output.status.code();
    if code != Some(0) {
        say(&format!(
            "note: `{}` exits {code:?} here (hyperfine will ignore it): {}",
            case.argv.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(code)
}

/// Times one group of cases (one directory) in one hyperfine session.
fn time(hyperfine: &Path, cases: &[Case], json: &Path) -> Result<Vec<Timing>> {
    let dir = &cases.first().context("an empty group")?.dir;
    if cases.iter().any(|c| &c.dir != dir) {
        bail!("one hyperfine session runs in one directory");
    }
    let max_runs = cases.iter().filter_map(|c| c.max_runs).min();
    let mut command = Command::new(hyperfine);
    command
        .current_dir(dir)
        .args(["--warmup", if max_runs.is_some() { "1" } else { "3" }])
        .args(["--shell=none", "--style", "basic", "--export-json"])
        .arg(json);
    if let Some(runs) = max_runs {
        command.args(["--runs", &runs.to_string()]);
    }
    if cases.iter().any(|c| c.exit != Some(0)) {
        command.arg("--ignore-failure");
    }
    if cases.iter().any(|c| c.prepare.is_some()) {
        // One `--prepare` per command, in order (a no-op for those that do not write).
        for case in cases {
            let script = case.prepare.as_deref().unwrap_or("true");
            command.arg("--prepare").arg(format!("sh -c '{script}'"));
        }
    }
    for case in cases {
        command
            .args(["--command-name", &case.name])
            .arg(case.argv.join(" "));
    }
    run(command)?;
    let text =
        std::fs::read_to_string(json).with_context(|| format!("cannot read {}", json.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)?;
    let results = value["results"]
        .as_array()
        .context("hyperfine JSON has no results")?;
    let ms = |r: &serde_json::Value, key: &str| r[key].as_f64().unwrap_or(f64::NAN) * 1000.0;
    Ok(results
        .iter()
        .map(|r| Timing {
            median: ms(r, "median"),
            mean: ms(r, "mean"),
            stddev: ms(r, "stddev"),
            min: ms(r, "min"),
            max: ms(r, "max"),
            runs: r["times"].as_array().map_or(0, Vec::len),
        })
        .collect())
}

/// `met` or `MISSED`.
fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

/// The results table and the lines that compare them with the goals.
fn table(results: &[(Case, Timing)], lock_checks: &[(String, Result<(), String>)]) -> String {
    let mut text = String::from(
        "| command | repository | median ms | mean ± σ ms | min … max ms | runs | exit |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for (case, t) in results {
        let _ = writeln!(
            text,
            "| `{}` | {} | {:.1} | {:.1} ± {:.1} | {:.1} … {:.1} | {} | {} |",
            case.name,
            case.repo,
            t.median,
            t.mean,
            t.stddev,
            t.min,
            t.max,
            t.runs,
            case.exit.map_or_else(|| "signal".into(), |c| c.to_string())
        );
    }
    let median = |name: &str, repo: &str| {
        results
            .iter()
            .find(|(c, _)| c.name == name && c.repo == repo)
            .map(|(_, t)| t.median)
    };
    text.push('\n');
    let mut ratio = |what: &str,
                     ours: Option<f64>,
                     theirs: Option<f64>,
                     other: &str,
                     target: f64| {
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            let _ = writeln!(
                text,
                "- {what}: relflow {ours:.1} ms, {other} {theirs:.1} ms: {:.1}x faster (target ≥ {target}x: {})",
                theirs / ours,
                verdict(theirs / ours >= target)
            );
        }
    };
    ratio(
        "npm-only `status`",
        median("relflow changeset status --format json", "npm-only"),
        median("Changesets v3 status", "npm-only"),
        "Changesets v3",
        STATUS_SPEEDUP_TARGET,
    );
    ratio(
        "npm-only `version`",
        median("relflow version", "npm-only"),
        median("Changesets v3 version", "npm-only"),
        "Changesets v3",
        VERSION_SPEEDUP_TARGET,
    );
    ratio(
        "cargo-only `version` vs `sampo release`",
        median("relflow version", "cargo-only"),
        median("sampo release", "cargo-only"),
        "sampo",
        SAMPO_SPEEDUP_TARGET,
    );
    ratio(
        "cargo-only `version --dry-run` vs `sampo release --dry-run`",
        median("relflow version --dry-run", "cargo-only"),
        median("sampo release --dry-run", "cargo-only"),
        "sampo",
        SAMPO_SPEEDUP_TARGET,
    );
    match median("relflow changeset check", "polyglot") {
        Some(check) => {
            let _ = writeln!(
                text,
                "- polyglot `changeset check`: median {check:.1} ms (target < {CHECK_TARGET_MS} ms: {})",
                verdict(check < CHECK_TARGET_MS)
            );
        }
        None => text.push_str(
            "- polyglot `changeset check`: not measured (no such subcommand in this build)\n",
        ),
    }
    if let Some(scale) = median("relflow version", "scale") {
        let _ = writeln!(
            text,
            "- scale `version`: median {scale:.1} ms (target < {SCALE_TARGET_MS} ms: {})",
            verdict(scale < SCALE_TARGET_MS)
        );
    }
    for (name, result) in lock_checks {
        let _ = match result {
            Ok(()) => writeln!(
                text,
                "- cargo-only, after `{name}`: `cargo metadata --locked --offline` passes"
            ),
            Err(message) => writeln!(
                text,
                "- cargo-only, after `{name}`: `cargo metadata --locked --offline` FAILS: {}",
                message.lines().next().unwrap_or("")
            ),
        };
    }
    text
}

fn first_line(program: &Path, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| "unknown".into())
}

fn machine(load: &str) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    format!(
        "- CPU: {model}\n- `nproc`: {cpus}\n- memory: {:.1} GiB\n- kernel: {}\n- load average before timing (1, 5, 15 min): {}",
        mem_kib as f64 / 1024.0 / 1024.0,
        first_line(Path::new("uname"), &["-sr"]),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(", ")
    )
}

#[expect(clippy::too_many_arguments, reason = "one report, assembled once")]
fn report(
    options: &Options,
    repos: &Repos<'_>,
    results: &[(Case, Timing)],
    lock_checks: &[(String, Result<(), String>)],
    has_check: bool,
    hyperfine: &Path,
    node: &Path,
    sampo: Option<&Path>,
    load: &str,
) -> Result<String> {
    let date = first_line(Path::new("date"), &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let commit = first_line(
        Path::new("git"),
        &[
            "-C",
            &root().display().to_string(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    let mut args = String::new();
    if options.packages != DEFAULT_PACKAGES {
        let _ = write!(args, " --packages {}", options.packages);
    }
    if sampo.is_some() {
        args.push_str(" --sampo");
    }
    let mut text = String::new();
    let _ = writeln!(text, "# Benchmarks\n");
    let _ = writeln!(
        text,
        "Measured {date} with `cargo xtask bench{args}` (seed {}), on cargo-relflow at commit `{commit}` \
         plus the working tree of that moment, release build (`cargo build --release -p cargo-relflow`).\n",
        options.seed
    );
    let _ = writeln!(
        text,
        "## Reproduce\n\n```sh\ncargo xtask bench --sampo\n```\n"
    );
    let _ = writeln!(
        text,
        "`cargo xtask bench --packages N` scales the repositories down for a quick run (that run writes \
         `target/bench/BENCHMARKS-N.md`; only the default 1,000-package run rewrites this file). It \
         installs hyperfine if missing (`cargo install hyperfine@1.19.0 --locked --root target/tools/hyperfine`: 2.x needs a newer rustc) and \
         Node 22 + `@changesets/cli@3.0.3` (`cargo xtask tools`). `--sampo` adds sampo's `release` \
         (`cargo install sampo --locked --root target/tools/sampo` if missing; `--sampo=PATH` takes a \
         binary); without it those rows are left out.\n"
    );
    let sampo_version = sampo.map_or_else(
        || "sampo not compared".to_string(),
        |bin| first_line(bin, &["--version"]),
    );
    let _ = writeln!(
        text,
        "## Machine\n\n{}\n- tools: {}, {}, node {}, {}, {}\n",
        machine(load),
        first_line(hyperfine, &["--version"]),
        first_line(Path::new("git"), &["--version"]),
        first_line(node, &["--version"]),
        first_line(Path::new("rustc"), &["--version"]),
        sampo_version
    );
    let _ = writeln!(text, "## Results\n");
    let _ = writeln!(
        text,
        "hyperfine `--warmup 3 --shell=none` (the scale run: `--warmup 1 --runs 5`), default run \
         count; times in milliseconds. Commands that write (`version`, `sampo release`, and their \
         dry runs, to be safe) run on a work copy that `--prepare` restores before every run \
         (`git reset --hard && git clean -fdx`, untimed).\n"
    );
    text.push_str(&table(results, lock_checks));
    if !has_check {
        text.push_str(
            "\n`changeset check` was skipped: the measured build had no such subcommand.\n",
        );
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|(c, _)| c.exit != Some(0))
        .map(|(c, _)| format!("`{}` ({})", c.name, c.repo))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            text,
            "\nNot every command exited 0 (hyperfine ran with `--ignore-failure`): {}.",
            failed.join(", ")
        );
    }
    let (full, npm, crates, scale) = (repos.full, repos.npm, repos.crates, repos.scale);
    let _ = writeln!(
        text,
        "\n## The repositories\n\n\
         Generated by `xtask/src/genrepo.rs` (deterministic splitmix64) under `target/bench/`, history \
         written with `git fast-import`, branch `feature` checked out. Every package has up to 3 \
         internal dependencies on lower-indexed packages of its ecosystem; `.changeset/config.json` \
         is `{{\"baseBranch\": \"main\"}}`; pending changesets on `main` name 1-4 random packages each \
         (a third `minor`, the rest `patch`); `feature` adds one commit changing 2 files in each of a \
         few packages plus one changeset naming them.\n"
    );
    for (label, repo, what) in [
        (
            "polyglot",
            full,
            "40% Cargo crates (one workspace, `members = [\"crates/*\"]`, path dependencies with \
             versions, a Cargo.lock), 40% npm packages (`workspaces: [\"packages/*\"]`), 20% PEP 621 \
             Python projects under `python/*` (specifiers `>=1.0,<2`); `status` and `check` run here",
        ),
        (
            "npm-only",
            npm,
            "npm packages only; relflow and Changesets v3 (`node @changesets/cli/bin.js`, Node 22) \
             run `status` and `version` here, from the repository root",
        ),
        (
            "cargo-only",
            crates,
            "Cargo crates only, with a Cargo.lock, and every changeset also in sampo's format \
             (`.sampo/changesets/*.md`, `cargo/NAME: bump`; `.sampo/config.toml` turns GitHub \
             acknowledgments off); relflow `version` and sampo `release` run here",
        ),
        (
            "scale",
            scale,
            "polyglot, 5x the packages and 10x the changesets (several per commit)",
        ),
    ] {
        let changed: Vec<String> = repo
            .model
            .feature_changed
            .iter()
            .map(|&p| format!("`{}`", repo.model.packages[p].name()))
            .collect();
        let _ = writeln!(
            text,
            "- {label} (`{}`): {} packages, {} commits on `main`, {} changeset files on `feature` \
             ({} pending on `main`); {what}. Changed on `feature`: {}.",
            repo.dir
                .strip_prefix(root())
                .unwrap_or(&repo.dir)
                .display(),
            repo.written.packages,
            repo.written.main_commits,
            repo.written.changesets,
            repo.model.changesets,
            changed.join(", ")
        );
        debug_assert_eq!(repo.spec.packages, repo.written.packages);
    }
    let _ = writeln!(
        text,
        "\nThe `cargo metadata` row times, alone, the subprocess relflow's Cargo discovery can run on \
         the polyglot repository: a floor for any command that runs it (`status` does, `check` does \
         not). The `git diff` rows time the one git command `check` and `status` run to find the \
         changed paths (on a thread, while they read the packages).\n"
    );
    Ok(text)
}
