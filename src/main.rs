//! The `zero_g` command-line tool. Exit codes: 0 success (proof valid), 1 proof rejected or
//! prediction mismatch, 2 usage, I/O or internal error.
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Die quietly on a closed pipe (`zero_g predict … | head`) like other Unix tools, instead
    // of panicking in println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(all(feature = "asm", target_arch = "x86_64"))]
    if !(std::is_x86_feature_detected!("adx") && std::is_x86_feature_detected!("bmi2")) {
        eprintln!(
            "error: this zero_g was built with the `asm` feature, which needs a CPU with the \
             ADX and BMI2 instructions; rebuild it with \
             `cargo build --release --no-default-features --features cli`"
        );
        return ExitCode::from(2);
    }
    cli::main()
}
