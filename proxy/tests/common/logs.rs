//! What the proxy logs, captured in-process: tests install a subscriber writing into a
//! [`Captured`] and search its lines.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// Log output kept in memory; clones share it (each subscriber's writer is a clone).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("log lines are UTF-8")
    }

    /// Every line written so far, each parsed as one JSON object.
    pub fn json_lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"))
            })
            .collect()
    }
}
