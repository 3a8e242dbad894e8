//! The iframe page's entry point (`index.html`); everything else is in the library.

fn main() {
    visitor_sidebar::start_page();
}
