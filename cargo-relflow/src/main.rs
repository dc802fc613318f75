//! The `cargo-relflow` binary: `cargo relflow ...` or `cargo-relflow ...`.

use std::process::ExitCode;

fn main() -> ExitCode {
    cargo_relflow::cli::main(std::env::args_os())
}
