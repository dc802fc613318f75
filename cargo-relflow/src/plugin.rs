//! Plugins: `cargo relflow NAME ...` runs `cargo-relflow-NAME ...` from PATH.

use std::ffi::OsString;
use std::process::Command;

use cargo_relflow_sync::InputError;

use crate::error::{Failure, Outcome};

/// Runs the plugin named by `args[0]` with the rest of `args`, and passes its exit code on
/// (0 as [`Outcome::Yes`], 1 as [`Outcome::No`], anything else as an external failure).
pub fn run(args: &[OsString]) -> Result<Outcome, Failure> {
    let Some((name, rest)) = args.split_first() else {
        return Err(InputError::new("no command given").into());
    };
    let name = name.to_string_lossy();
    let program = format!("cargo-relflow-{name}");
    let status = match Command::new(&program).args(rest).status() {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InputError::new(format!("no such command: `{name}`"))
                .with_hint(format!(
                    "`{program}` was not found on PATH; run `cargo relflow --help` for the built-in commands"
                ))
                .into())
        }
        Err(e) => return Err(anyhow::anyhow!("failed to run `{program}`: {e}").into()),
    };
    match status.code() {
        Some(0) => Ok(Outcome::Yes),
        Some(1) => Ok(Outcome::No),
        Some(code) => Err(anyhow::anyhow!("`{program}` exited with code {code}").into()),
        None => Err(anyhow::anyhow!("`{program}` was killed by a signal").into()),
    }
}
