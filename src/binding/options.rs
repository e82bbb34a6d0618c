//! The stream's dispatch option as the binding hands it on: the core names the modes
//! (`core::stream_options`), and they become the executor's modes here.

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
