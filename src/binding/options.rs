//! The stream's options as the binding hands them on: the core reads them (`core::stream_options`),
//! and its dispatch names become the executor's modes here.

use super::dispatch::DispatchMode;
use crate::core::stream_options::Dispatch;

impl From<Dispatch> for DispatchMode {
    fn from(dispatch: Dispatch) -> DispatchMode {
        match dispatch {
            Dispatch::Inline => DispatchMode::Inline,
            Dispatch::Task => DispatchMode::Task,
            Dispatch::Queue => DispatchMode::Queue,
        }
    }
}
