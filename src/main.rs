//! The `zero_g` command-line tool. Exit codes: 0 success (proof valid), 1 proof rejected or
//! prediction mismatch, 2 usage, I/O or internal error.
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
