//! The iframe page's entry point when `trunk serve` builds the widget for development
//! (`www/dev.html`); the release bundles (`scripts/build.sh`) are the library, started by
//! `www/loader.js`. Everything else is in the library.

fn main() {
    visitor_sidebar::start_page();
}
