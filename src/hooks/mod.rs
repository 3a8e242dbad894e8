//! Custom hooks: polling a proxy resource, and the ticking clock for "time on site".

pub mod use_now;
pub mod use_polled;

pub use use_now::use_now;
pub use use_polled::{use_polled, Phase, Polled, UsePolledHandle};
