//! The widget's first browser tests: the seed samples decode and render through the real
//! components, and visitor-supplied addresses only become links with a safe scheme.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::*;
use std::rc::Rc;
use visitor_sidebar::components::common::{safe_href, SafeLink};
use visitor_sidebar::lenient::decode;
use visitor_sidebar::livechat::model::{VisitorList, VisitorState};
use visitor_sidebar::liveperson::model::Visit;
use visitor_sidebar::liveperson::view::VisitPanel;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_liveperson_seed_decodes_whole() {
    let visit: Visit = decode(js(LIVEPERSON_VISIT)).unwrap();
    assert_eq!(visit.app_sessions.len(), 1);
    let session = &visit.app_sessions[0];
    assert_eq!(
        session.personal().unwrap().full_name().as_deref(),
        Some("John Doe")
    );
    assert_eq!(session.pages.len(), 1);
    assert_eq!(session.pages[0].title(), Some("Test Page"));
    assert_eq!(
        session.events.len(),
        9,
        "every event kind in the sample is modelled"
    );
    assert_eq!(session.customer().unwrap().balance, Some(-400.99));
}

#[wasm_bindgen_test]
fn the_livechat_seed_decodes_whole() {
    let list: VisitorList = decode(js(LIVECHAT_VISITORS)).unwrap();
    assert_eq!(list.0.len(), 1);
    let visitor = &list.0[0];
    assert_eq!(visitor.city.as_deref(), Some("Greenville"));
    assert_eq!(visitor.state, Some(VisitorState::Chatting));
    assert_eq!(
        visitor.latitude,
        Some(35.6127),
        "latitude arrives as a string"
    );
    assert_eq!(visitor.visit_path.len(), 2);
}

#[wasm_bindgen_test]
async fn the_seed_visit_renders_its_visitor_and_journey() {
    let visit: Rc<Visit> = Rc::new(decode(js(LIVEPERSON_VISIT)).unwrap());
    let root = render(move || html! { <VisitPanel visit={visit.clone()} /> }).await;
    let shown = text(&root);
    for fact in [
        "John Doe",
        "Test Page",
        "Tel Aviv, Israel",
        "195.62.30.20",
        "Chrome 53",
        "21 s",
    ] {
        assert!(shown.contains(fact), "{fact:?} missing from:\n{shown}");
    }
    let links = query_all(&root, "a.vs-link");
    assert_eq!(
        links[0].get_attribute("href").as_deref(),
        Some("http://testfile.com/")
    );
    assert_eq!(
        links[0].get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
}

#[wasm_bindgen_test]
fn only_http_https_mailto_and_tel_become_links() {
    assert!(safe_href("https://example.com/a").is_some());
    assert!(safe_href("mailto:a@example.com").is_some());
    assert!(safe_href("tel:+12127888877").is_some());
    for hostile in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "testFile.com",
        "//evil.example/x",
    ] {
        assert_eq!(safe_href(hostile), None, "{hostile:?}");
    }
}

#[wasm_bindgen_test]
async fn a_hostile_address_is_shown_as_text_not_a_link() {
    let root = render(|| html! { <SafeLink href="javascript:alert(1)" text="click me" /> }).await;
    assert!(query_all(&root, "a").is_empty());
    assert_eq!(text(&root), "click me");
}
