//! What a command ends with, and how failures are classified for exit codes.

use cargo_relflow_sync::discover::DiscoverError;
use cargo_relflow_sync::InputError;

/// A command that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success: exit code 0.
    Yes,
    /// It ran and the answer is "no" (check failed, sync out of date): exit code 1.
    No,
}

/// A command that could not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad input: a flag, a file, the configuration (exit code 2).
    #[error(transparent)]
    Input(#[from] InputError),
    /// An external step failed: git, cargo, npm, a registry (exit code 3).
    #[error("{0:#}")]
    External(#[from] anyhow::Error),
}

impl From<DiscoverError> for Failure {
    fn from(error: DiscoverError) -> Self {
        match error {
            DiscoverError::Input(input) => Failure::Input(input),
            DiscoverError::External(message) => Failure::External(anyhow::anyhow!(message)),
        }
    }
}

impl Failure {
    /// The exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::External(_) => 3,
        }
    }
}
