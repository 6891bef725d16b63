//! Progress bars on stderr for the library's [`zero_g::progress::Reporter`].

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::Duration;
use zero_g::progress::Reporter;

/// How much the CLI draws on stderr.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// No progress bars.
    pub quiet: bool,
}

impl Printer {
    /// A reporter drawing bars unless quiet (indicatif hides them when stderr is no terminal).
    pub fn reporter(&self) -> Bars {
        Bars {
            quiet: self.quiet,
            bar: Mutex::new(None),
        }
    }
}

/// One progress bar per stage.
#[derive(Debug)]
pub struct Bars {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Reporter for Bars {
    fn on_stage(&self, stage: &str, total: u64) {
        if self.quiet {
            return;
        }
        let bar = if total <= 1 {
            let b = ProgressBar::new_spinner();
            b.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap());
            b.enable_steady_tick(Duration::from_millis(120));
            b
        } else {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}/{eta}")
                    .unwrap()
                    .progress_chars("=> "),
            );
            b
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.set_message(stage.to_string());
        if let Some(old) = self.bar.lock().unwrap().replace(bar) {
            old.finish_and_clear();
        }
    }
    fn on_progress(&self, delta: u64) {
        if let Some(b) = self.bar.lock().unwrap().as_ref() {
            b.inc(delta);
        }
    }
    fn on_stage_done(&self) {
        if let Some(b) = self.bar.lock().unwrap().take() {
            b.finish_and_clear();
        }
    }
    fn on_note(&self, note: &str) {
        if self.quiet {
            return;
        }
        match self.bar.lock().unwrap().as_ref() {
            Some(b) => b.suspend(|| eprintln!("{note}")),
            None => eprintln!("{note}"),
        }
    }
}
