//! End-to-end tests of the `cargo-relflow` binary on real git repositories.

mod action;
mod bad_input;
mod changeset_add;
mod changeset_check;
mod changeset_status;
mod cli;
mod differential;
mod discovery;
mod drop_in;
mod forge;
mod init;
mod output_streams;
mod prompt;
mod publish;
mod real_shapes;
mod registries;
mod release_pr;
mod released;
mod repos;
mod robustness;
mod sync;
mod traversal;
mod version;
mod version_maps;
mod version_pre;
mod yank;
