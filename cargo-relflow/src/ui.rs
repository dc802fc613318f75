//! The printer: the one place that writes to stdout and stderr.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;

use crate::error::{Failure, Outcome};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Output settings and the methods that print.
#[derive(Debug, Clone)]
pub struct Ui {
    color: bool,
    verbose: u8,
    quiet: bool,
}

impl Ui {
    /// A printer for these flags.
    pub fn new(color: ColorChoice, verbose: u8, quiet: bool) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Ui {
            color,
            verbose,
            quiet,
        }
    }

    /// Whether `-v` was given (at least `level` times).
    pub fn is_verbose(&self, level: u8) -> bool {
        self.verbose >= level
    }

    /// Whether `-q` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Data for stdout (JSON, tables, paths): printed even with `-q`.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A status line on stderr, cargo style: a right-aligned verb, then the message.
    pub fn status(&self, verb: &str, message: &str) {
        if !self.quiet {
            self.stderr(&format!(
                "{} {message}",
                self.paint(&format!("{verb:>12}"), "1;32")
            ));
        }
    }

    /// A warning on stderr.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            self.stderr(&format!("{}: {message}", self.paint("warning", "1;33")));
        }
    }

    /// A line on stderr that explains a "no" answer; printed even with `-q`.
    pub fn error_line(&self, message: &str) {
        self.stderr(message);
    }

    /// A plain line on stderr, printed even with `-q` (the progress log of a long run).
    pub fn line(&self, text: &str) {
        self.stderr(text);
    }

    /// A note on stderr, shown with `-v`.
    pub fn verbose(&self, message: &str) {
        if self.verbose > 0 {
            self.stderr(message);
        }
    }

    /// Prints an outcome or a failure and returns the exit code.
    pub fn report(&self, result: Result<Outcome, Failure>) -> u8 {
        match result {
            Ok(Outcome::Yes) => 0,
            Ok(Outcome::No) => 1,
            Err(failure) => {
                match &failure {
                    Failure::Input(input) => {
                        let mut text =
                            format!("{}: {}", self.paint("error", "1;31"), input.message);
                        if let Some(location) = input.location() {
                            text.push_str(&format!("\n  --> {location}"));
                        }
                        if let Some(hint) = &input.hint {
                            text.push_str(&format!("\n\n{}: {hint}", self.paint("hint", "1;36")));
                        }
                        self.stderr(&text);
                    }
                    Failure::External(error) => {
                        self.stderr(&format!("{}: {error:#}", self.paint("error", "1;31")));
                    }
                }
                failure.exit_code()
            }
        }
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    #[expect(clippy::print_stderr, reason = "the printer owns stderr")]
    fn stderr(&self, text: &str) {
        eprintln!("{text}");
    }
}
