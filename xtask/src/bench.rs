//! `cargo xtask bench [--packages N] [--seed S]`: times relflow against Changesets v3 on a
//! generated repository with hyperfine, prints a summary and writes `BENCHMARKS.md`.
//!
//! Two repositories are generated under `target/bench/` (see `genrepo.rs`): the polyglot one
//! (N packages: 40% Cargo, 40% npm, 20% Python) and an npm-only one (the same npm packages,
//! history and changeset entries), so relflow and Changesets are compared on identical input.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::genrepo::{self, Flavour, Spec};
use crate::{cargo, root, run, say, tools};

/// Default size: the issue's 1,000 packages.
const DEFAULT_PACKAGES: usize = 1000;
/// `changeset check` at this size must take less than this (median, ms).
const CHECK_TARGET_MS: f64 = 30.0;
/// `changeset status` must be at least this many times faster than Changesets v3.
const SPEEDUP_TARGET: f64 = 20.0;
/// Where hand-written notes start in `BENCHMARKS.md`; a new run keeps them.
const NOTES_MARKER: &str = "<!-- notes: kept by cargo xtask bench -->";

struct Options {
    packages: usize,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        packages: DEFAULT_PACKAGES,
        seed: 0x5EED_2024,
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
            _ => {
                bail!("usage: cargo xtask bench [--packages N] [--seed S] (unknown argument {arg})")
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
    /// Its exit code on the untimed check run.
    exit: Option<i32>,
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

/// The benchmark.
pub fn bench(args: &[String]) -> Result<()> {
    let options = parse(args)?;
    let hyperfine = hyperfine()?;
    let tools = tools()?;
    let mut build = cargo();
    build.args(["build", "--release", "-p", "cargo-relflow"]);
    run(build)?;
    let relflow = root().join("target/release/cargo-relflow");

    let out = root().join("target/bench");
    std::fs::create_dir_all(&out)?;
    let spec = Spec::for_packages(options.packages, options.seed);
    say(&format!(
        "generating {} packages under {}",
        spec.packages,
        out.display()
    ));
    let started = std::time::Instant::now();
    let model = genrepo::model(&spec);
    let full_dir = out.join(format!("polyglot-{}", spec.packages));
    let npm_dir = out.join(format!("npm-{}", spec.packages));
    let full = genrepo::write(&model, Flavour::Polyglot, &full_dir)?;
    let npm = genrepo::write(&model, Flavour::NpmOnly, &npm_dir)?;
    say(&format!(
        "generated both repositories in {:.1} s",
        started.elapsed().as_secs_f64()
    ));

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
    let mut full_cases = vec![Case {
        name: "relflow changeset status --format json".into(),
        repo: "polyglot",
        argv: rf(&full_dir, &["changeset", "status", "--format", "json"]),
        exit: None,
    }];
    if has_check {
        full_cases.push(Case {
            name: "relflow changeset check".into(),
            repo: "polyglot",
            argv: rf(&full_dir, &["changeset", "check"]),
            exit: None,
        });
    } else {
        say("SKIPPING `changeset check`: this cargo-relflow has no `changeset check` subcommand yet");
    }
    // Where the time goes: the one subprocess relflow cannot avoid for Cargo discovery.
    full_cases.push(Case {
        name: "(part of it) cargo metadata --no-deps --offline".into(),
        repo: "polyglot",
        argv: vec![
            std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            "metadata".into(),
            "--no-deps".into(),
            "--offline".into(),
            "--format-version".into(),
            "1".into(),
            "--manifest-path".into(),
            full_dir.join("Cargo.toml").display().to_string(),
        ],
        exit: None,
    });
    // Where the time goes: the one git command `check` and `status` run (in parallel with
    // their own work), from the repository root.
    full_cases.push(git_diff_case("polyglot"));
    let mut npm_cases = vec![
        Case {
            name: "relflow changeset status --format json".into(),
            repo: "npm-only",
            argv: rf(&npm_dir, &["changeset", "status", "--format", "json"]),
            exit: None,
        },
        git_diff_case("npm-only"),
        Case {
            name: "Changesets v3 status".into(),
            repo: "npm-only",
            argv: vec![
                tools.node.display().to_string(),
                tools.changesets.display().to_string(),
                "status".into(),
            ],
            exit: None,
        },
    ];

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut results = Vec::new();
    for (cases, dir, label) in [
        (&mut full_cases, &full_dir, "polyglot"),
        (&mut npm_cases, &npm_dir, "npm"),
    ] {
        for case in cases.iter_mut() {
            case.exit = check_run(&case.argv, dir)?;
        }
        let json = out.join(format!("hyperfine-{label}-{}.json", spec.packages));
        let timings = time(&hyperfine, cases, dir, &json)?;
        results.extend(cases.drain(..).zip(timings));
    }

    let report = report(
        &options,
        &spec,
        &model,
        &full,
        &npm,
        &results,
        has_check,
        &hyperfine,
        &tools.node,
        &load,
    )?;
    say(&format!("summary:\n{}", table(&results)));
    let file = out.join(format!("BENCHMARKS-{}.md", spec.packages));
    std::fs::write(&file, &report)?;
    if spec.packages == DEFAULT_PACKAGES {
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

/// `git diff --name-only --merge-base main`: the changed paths, as relflow asks git for them.
fn git_diff_case(repo: &'static str) -> Case {
    Case {
        name: "(part of it) git diff --name-only --merge-base main".into(),
        repo,
        argv: [
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
        exit: None,
    }
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
    say("hyperfine is missing: installing it with `cargo install hyperfine --locked` into target/tools/hyperfine");
    say("(as root, `apt-get install -y hyperfine` is quicker)");
    let mut install = cargo();
    install
        .args(["install", "hyperfine", "--locked", "--root"])
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

/// Runs `argv` once in `dir` (untimed) and returns its exit code; hyperfine is then told to
/// ignore a non-zero code, and the table shows it.
fn check_run(argv: &[String], dir: &Path) -> Result<Option<i32>> {
    let (program, rest) = argv.split_first().context("empty command")?;
    let output = Command::new(program)
        .args(rest)
        .current_dir(dir)
        .output()
        .with_context(|| format!("failed to start {program}"))?;
    let code = output.status.code();
    if code != Some(0) {
        say(&format!(
            "note: `{}` exits {code:?} here (hyperfine will ignore it): {}",
            argv.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(code)
}

fn time(hyperfine: &Path, cases: &[Case], dir: &Path, json: &Path) -> Result<Vec<Timing>> {
    let mut command = Command::new(hyperfine);
    command
        .current_dir(dir)
        .args([
            "--warmup",
            "3",
            "--shell=none",
            "--style",
            "basic",
            "--export-json",
        ])
        .arg(json);
    if cases.iter().any(|c| c.exit != Some(0)) {
        command.arg("--ignore-failure");
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

fn table(results: &[(Case, Timing)]) -> String {
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
    if let (Some(relflow), Some(changesets)) = (
        median("relflow changeset status --format json", "npm-only"),
        median("Changesets v3 status", "npm-only"),
    ) {
        let _ = write!(
            text,
            "\nnpm-only repository: relflow / Changesets = {:.3} (relflow `status` is {:.1}x faster than Changesets v3 `status`; target ≥ {SPEEDUP_TARGET}x: {})\n",
            relflow / changesets,
            changesets / relflow,
            if changesets / relflow >= SPEEDUP_TARGET { "met" } else { "MISSED" }
        );
    }
    match median("relflow changeset check", "polyglot") {
        Some(check) => {
            let _ = writeln!(
                text,
                "polyglot repository: `changeset check` median {check:.1} ms (target < {CHECK_TARGET_MS} ms: {})",
                if check < CHECK_TARGET_MS { "met" } else { "MISSED" }
            );
        }
        None => text.push_str("polyglot repository: `changeset check` not measured (no such subcommand in this build)\n"),
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
    spec: &Spec,
    model: &genrepo::Model,
    full: &genrepo::Written,
    npm: &genrepo::Written,
    results: &[(Case, Timing)],
    has_check: bool,
    hyperfine: &Path,
    node: &Path,
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
    let size = if options.packages == DEFAULT_PACKAGES {
        String::new()
    } else {
        format!(" --packages {}", options.packages)
    };
    let mut text = String::new();
    let _ = writeln!(text, "# Benchmarks\n");
    let _ = writeln!(
        text,
        "Measured {date} with `cargo xtask bench{size}` (seed {}), on cargo-relflow at commit `{commit}` \
         plus the working tree of that moment, release build (`cargo build --release -p cargo-relflow`).\n",
        options.seed
    );
    let _ = writeln!(
        text,
        "## Reproduce\n\n```sh\ncargo xtask bench{size}\n```\n"
    );
    let _ = writeln!(
        text,
        "`cargo xtask bench --packages N` scales the repository down for a quick run (that run writes \
         `target/bench/BENCHMARKS-N.md`; only the default 1,000-package run rewrites this file). It \
         installs hyperfine if missing (`cargo install hyperfine --locked --root target/tools/hyperfine`) and \
         Node 22 + `@changesets/cli@3.0.3` (`cargo xtask tools`).\n"
    );
    let _ = writeln!(
        text,
        "## Machine\n\n{}\n- tools: {}, {}, node {}, {}\n",
        machine(load),
        first_line(hyperfine, &["--version"]),
        first_line(Path::new("git"), &["--version"]),
        first_line(node, &["--version"]),
        first_line(Path::new("rustc"), &["--version"])
    );
    let _ = writeln!(text, "## Results\n");
    let _ = writeln!(
        text,
        "hyperfine `--warmup 3 --shell=none`, default run count; times in milliseconds.\n"
    );
    text.push_str(&table(results));
    if !has_check {
        text.push_str(
            "\n`changeset check` was skipped: the measured build had no such subcommand.\n",
        );
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|(c, _)| c.exit != Some(0))
        .map(|(c, _)| c.name.as_str())
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            text,
            "\nNot every command exited 0 (hyperfine ran with `--ignore-failure`): {}.",
            failed.join(", ")
        );
    }
    let _ = writeln!(
        text,
        "\n## The repositories\n\n\
         Generated by `xtask/src/genrepo.rs` (deterministic splitmix64) under `target/bench/`, history \
         written with `git fast-import`, branch `feature` checked out.\n\n\
         - polyglot (`target/bench/polyglot-{n}`): {} packages = {} Cargo crates (one workspace, \
         `members = [\"crates/*\"]`, path dependencies with versions), {} npm packages (`workspaces: \
         [\"packages/*\"]`), {} PEP 621 Python projects under `python/*` (specifiers `>=1.0,<2`); up to 3 \
         internal dependencies each, same ecosystem, on lower-indexed packages; `.changeset/config.json` \
         `{{\"baseBranch\": \"main\"}}`; {} commits on `main`, {} pending changesets there (1-4 random \
         packages each); `feature` adds one commit changing 2 files in each of {} packages plus one \
         changeset naming them ({} changeset files in all).\n\
         - npm-only (`target/bench/npm-{n}`): the same {} npm packages, the npm part of the same history \
         ({} commits on `main`) and the npm entries of the same changesets (changesets with no npm entry \
         dropped: {} changeset files), the same `feature` commit restricted to npm. Both relflow and \
         Changesets v3 (`node @changesets/cli/bin.js status`, Node 22) run there, from the repository root.\n",
        full.packages,
        spec.packages * 2 / 5,
        spec.packages * 2 / 5,
        spec.packages - 2 * (spec.packages * 2 / 5),
        full.main_commits,
        model.changesets,
        model.feature_changed.len(),
        full.changesets,
        npm.packages,
        npm.main_commits,
        npm.changesets,
        n = spec.packages,
    );
    let changed: Vec<String> = model
        .feature_changed
        .iter()
        .map(|&p| format!("`{}`", model.packages[p].name()))
        .collect();
    let _ = writeln!(
        text,
        "Packages changed on `feature`: {}.\n",
        changed.join(", ")
    );
    let _ = writeln!(
        text,
        "The `cargo metadata` row times, alone, the subprocess relflow's Cargo discovery can run on \
         the polyglot repository: a floor for any command that runs it (`status` does, `check` does \
         not). The `git diff` rows time the one git command `check` and `status` run to find the \
         changed paths (on a thread, while they read the packages).\n"
    );
    Ok(text)
}
