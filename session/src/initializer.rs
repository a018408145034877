//! The initializer: what a brand-new session starts with.
use serde_json::Value;

use crate::record::Data;

// ANCHOR: initializer
/// Fills the data of a new session; web.py's `initializer`, which was a dict to copy or a
/// function to call.
///
/// Implemented for `()` (start empty), for a JSON object (`serde_json::json!({"count":
/// 0})`, copied in like web.py's dict), for a [`Data`] map, and for any
/// `Fn(&mut Data)` closure.
pub trait Initializer: Send + Sync + 'static {
    /// Puts the starting values into `data`, which is empty.
    fn initialize(&self, data: &mut Data);
}
// ANCHOR_END: initializer

impl Initializer for () {
    fn initialize(&self, _data: &mut Data) {}
}

impl Initializer for Data {
    fn initialize(&self, data: &mut Data) {
        data.extend(self.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}

/// A JSON object is copied in key by key; any other JSON value has no keys and adds
/// nothing.
impl Initializer for Value {
    fn initialize(&self, data: &mut Data) {
        if let Value::Object(map) = self {
            map.initialize(data);
        }
    }
}

impl<F> Initializer for F
where
    F: Fn(&mut Data) + Send + Sync + 'static,
{
    fn initialize(&self, data: &mut Data) {
        self(data)
    }
}
