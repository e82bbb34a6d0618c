//! What the engine reads of a decoded response: the one place that touches `Response`'s fields,
//! so a change of the response model meets the engine here only.

use crate::core::response::Response;

pub struct FrameFacts<'r> {
    pub event: &'r str,
    pub id: Option<&'r str>,
    pub errors: Vec<&'r str>,
}

impl<'r> FrameFacts<'r> {
    pub fn of(response: &'r Response<'_>) -> Self {
        FrameFacts {
            event: response.event.as_ref().map(|e| e.as_str()).unwrap_or(""),
            id: response.id.as_ref().map(|id| id.0.as_str()),
            errors: response
                .errors
                .iter()
                .flat_map(|list| list.0.iter().map(|e| e.as_str()))
                .collect(),
        }
    }
}
