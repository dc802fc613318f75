//! The registry servers the publish tests run on 127.0.0.1, installed under `target/tools/`:
//! verdaccio (npm, run with the Node 22 of `tools()`), a Python venv with pypiserver and twine,
//! and ferro-cargo-registry-server (a sparse cargo registry). Each is installed once; a second
//! run only checks that it is there. See `../shared/reference/registries.md` for why these.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cargo, root, run, say};

/// verdaccio's version: 6.10.4 runs under Node 22; every 6.x needs the `node-fetch` override.
const VERDACCIO: &str = "verdaccio@6.10.4";
/// The Python packages of the venv, pinned to the versions the reference saw working.
const PYTHON_PACKAGES: [&str; 7] = [
    "pypiserver==2.4.2",
    "twine==7.0.0",
    "build==1.6.1",
    "passlib==1.7.4",
    "hatchling==1.33.0",
    "setuptools==84.2.1",
    "wheel==0.48.0",
];
/// The cargo registry server.
const CARGO_REGISTRY: (&str, &str) = ("ferro-cargo-registry-server", "1.0.0");

/// Paths of the installed registry servers; `cargo xtask test` passes them to the tests as
/// `RELFLOW_VERDACCIO`, `RELFLOW_PYTHON_VENV` and `RELFLOW_CARGO_REGISTRY_SERVER`.
pub struct RegistryTools {
    /// verdaccio's start script (run it with Node 22).
    pub verdaccio: PathBuf,
    /// The venv with `bin/pypi-server`, `bin/twine` and `bin/python`.
    pub python_venv: PathBuf,
    /// The `ferro-cargo-registry-server` binary.
    pub cargo_registry: PathBuf,
}

impl RegistryTools {
    /// The environment variables the tests read.
    pub fn env(&self) -> [(&'static str, &PathBuf); 3] {
        [
            ("RELFLOW_VERDACCIO", &self.verdaccio),
            ("RELFLOW_PYTHON_VENV", &self.python_venv),
            ("RELFLOW_CARGO_REGISTRY_SERVER", &self.cargo_registry),
        ]
    }
}

/// Installs whatever of the three is missing.
pub fn registry_tools() -> Result<RegistryTools> {
    Ok(RegistryTools {
        verdaccio: verdaccio()?,
        python_venv: python_venv()?,
        cargo_registry: cargo_registry()?,
    })
}

fn verdaccio() -> Result<PathBuf> {
    let dir = root().join("target/tools/verdaccio");
    let script = dir.join("node_modules/verdaccio/bin/verdaccio");
    let wanted = VERDACCIO.rsplit('@').next().unwrap_or_default();
    let installed = std::fs::read_to_string(dir.join("node_modules/verdaccio/package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|json| json["version"] == wanted);
    if installed && script.exists() {
        return Ok(script);
    }
    std::fs::create_dir_all(&dir)?;
    // Every 6.x verdaccio-audit asks for `node-fetch@cjs`, a dist-tag that no longer exists.
    std::fs::write(
        dir.join("package.json"),
        "{\n  \"private\": true,\n  \"name\": \"relflow-test-verdaccio\",\n  \"overrides\": { \"node-fetch\": \"2.7.0\" }\n}\n",
    )?;
    say(&format!(
        "installing {VERDACCIO} into target/tools/verdaccio (first run only)"
    ));
    let mut npm = Command::new("npm");
    npm.current_dir(&dir)
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
            VERDACCIO,
        ])
        .env("npm_config_userconfig", "/dev/null");
    run(npm)?;
    if !script.exists() {
        bail!("npm install finished but {} is missing", script.display());
    }
    Ok(script)
}

fn python_venv() -> Result<PathBuf> {
    let venv = root().join("target/tools/python");
    let stamp = venv.join("relflow-packages.txt");
    let wanted = PYTHON_PACKAGES.join("\n");
    let bins = ["bin/python", "bin/pypi-server", "bin/twine"];
    if std::fs::read_to_string(&stamp).is_ok_and(|text| text == wanted)
        && bins.iter().all(|bin| venv.join(bin).exists())
    {
        return Ok(venv);
    }
    say("creating a Python venv with pypiserver and twine in target/tools/python (first run only)");
    let mut create = Command::new("python3");
    create.args(["-m", "venv", "--clear"]).arg(&venv);
    run(create).context("`python3 -m venv` failed (on Debian: apt-get install python3-venv)")?;
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(PYTHON_PACKAGES);
    run(pip)?;
    for bin in bins {
        if !venv.join(bin).exists() {
            bail!(
                "pip install finished but {} is missing",
                venv.join(bin).display()
            );
        }
    }
    std::fs::write(&stamp, wanted)?;
    Ok(venv)
}

fn cargo_registry() -> Result<PathBuf> {
    let (name, version) = CARGO_REGISTRY;
    let install_root = root().join("target/tools/cargo");
    let binary = install_root.join("bin").join(name);
    // `cargo install` records what it installed; reading that needs no network.
    let recorded = std::fs::read_to_string(install_root.join(".crates.toml"))
        .is_ok_and(|text| text.contains(&format!("\"{name} {version} ")));
    if recorded && binary.exists() {
        return Ok(binary);
    }
    say(&format!(
        "installing {name}@{version} into target/tools/cargo (first run only, about a minute)"
    ));
    let mut install = cargo();
    install
        .args(["install", "--locked", "--root"])
        .arg(&install_root)
        .arg(format!("{name}@{version}"));
    run(install)?;
    if !binary.exists() {
        bail!("cargo install finished but {} is missing", binary.display());
    }
    Ok(binary)
}
