//! The `cargo-relflow` binary: `cargo relflow ...` or `cargo-relflow ...`.

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: glibc grows each thread's arena a page at a time (one
/// `mprotect` each, 850 in a `changeset check` of 1,000 packages) and faults in twice the pages;
/// `status` and `version` on 1,000 npm packages run 10-18% faster (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cargo_relflow::cli::main(std::env::args_os())
}
