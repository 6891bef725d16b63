//! Progress of long-running library work, reported through a trait so that the library never
//! draws anything itself; the CLI renders it as progress bars on stderr.

/// Receives progress of long-running work.
pub trait Reporter: Sync {
    /// A stage with `total` units of work starts.
    fn on_stage(&self, _stage: &str, _total: u64) {}
    /// `delta` units of the current stage are done.
    fn on_progress(&self, _delta: u64) {}
    /// The current stage is complete.
    fn on_stage_done(&self) {}
    /// A line worth keeping in the log (e.g. an epoch's loss and validation accuracy).
    fn on_note(&self, _note: &str) {}
}

/// A [`Reporter`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoReporter;
impl Reporter for NoReporter {}
