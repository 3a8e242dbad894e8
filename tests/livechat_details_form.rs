//! The custom-details form: the proxy's own validation messages beside their inputs, the
//! request as it crosses the wire, pending then confirmed, failures that keep every value and
//! retry without retyping, and drafts that survive switching visitors.

#![cfg(all(target_arch = "wasm32", feature = "livechat"))]

mod common;

use common::fetch::*;
use common::*;
use serde_json::json;
use visitor_sidebar::livechat::view::{DetailsForm, LiveChatView};
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const OK: &str = r#"{"result": "Visitor details added"}"#;

/// The `.vs-field` whose label reads `label`.
fn field(root: &Element, label: &str) -> Element {
    query_all(root, ".vs-field")
        .into_iter()
        .find(|f| {
            f.query_selector("label")
                .unwrap()
                .is_some_and(|l| text(&l) == label)
        })
        .unwrap_or_else(|| panic!("no field labelled {label:?} in:\n{}", text(root)))
}

fn input(root: &Element, label: &str) -> Element {
    find(&field(root, label), "input")
}

/// The message shown beside the input labelled `label`, if any.
fn message(root: &Element, label: &str) -> Option<String> {
    let field = field(root, label);
    let shown = field
        .query_selector(".vs-field-error")
        .unwrap()
        .map(|m| text(&m));
    if let Some(shown) = &shown {
        // Tied to the input for screen readers too.
        let input = find(&field, "input");
        assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
        let described = input.get_attribute("aria-describedby").unwrap();
        let target = gloo_document().get_element_by_id(&described).unwrap();
        assert_eq!(&text(&target), shown);
    }
    shown
}

fn send(root: &Element) {
    click(&find(root, "button.vs-send"));
}

fn form(id: &'static str) -> impl Fn() -> Html {
    move || html! { <DetailsForm visitor_id={id} /> }
}

async fn add_row(root: &Element) {
    let rows = query_all(root, ".vs-details-row").len();
    click(&find(root, "button.vs-add-row"));
    until("a new row", || {
        query_all(root, ".vs-details-row").len() == rows + 1
    })
    .await;
}

async fn fill(root: &Element) {
    type_into(&input(root, "Name 1"), " Age ");
    type_into(&input(root, "Value 1"), "36");
    add_row(root).await;
    type_into(&input(root, "Name 2"), "CRM");
    type_into(&input(root, "Value 2"), "Open record");
    type_into(
        &input(root, "Link 2 (optional)"),
        "https://crm.example.com/c/1",
    );
    type_into(
        &input(root, "Icon address (optional, no http://)"),
        "example.com/icon.png",
    );
}

fn expected_body() -> serde_json::Value {
    json!({
        "id": "visitor-sidebar",
        "fields": [
            {"name": "Age", "value": "36"},
            {"name": "CRM", "value": "Open record", "url": "https://crm.example.com/c/1"},
        ],
        "icon": "example.com/icon.png",
    })
}

#[wasm_bindgen_test]
async fn each_rule_shows_the_proxys_message_beside_its_input_and_nothing_is_sent() {
    let proxy = FakeProxy::start(|_| (200, OK.into()));
    let root = render(form("S1.validate")).await;
    assert_eq!(
        value_of(&input(&root, "Data-set ID")),
        "visitor-sidebar",
        "the configured data-set ID by default"
    );
    type_into(&input(&root, "Data-set ID"), "my app");
    type_into(&input(&root, "Value 1"), "36");
    add_row(&root).await;
    type_into(&input(&root, "Name 2"), "CRM");
    type_into(&input(&root, "Value 2"), "x");
    type_into(&input(&root, "Link 2 (optional)"), "javascript:alert(1)");
    type_into(
        &input(&root, "Icon address (optional, no http://)"),
        "https://example.com/i.png",
    );
    assert_eq!(
        message(&root, "Data-set ID"),
        None,
        "no message before a send"
    );
    send(&root);
    until("the messages", || message(&root, "Name 1").is_some()).await;

    assert_eq!(
        message(&root, "Data-set ID").as_deref(),
        Some("The data-set ID may contain only letters, digits and punctuation, without spaces.")
    );
    assert_eq!(message(&root, "Name 1").as_deref(), Some("Enter a name."));
    assert_eq!(message(&root, "Value 1"), None);
    assert_eq!(
        message(&root, "Link 2 (optional)").as_deref(),
        Some("Links must start with http:// or https://.")
    );
    assert_eq!(
        message(&root, "Icon address (optional, no http://)").as_deref(),
        Some(
            "Give the icon address without http:// or any other scheme, e.g. example.com/icon.png."
        )
    );
    assert!(proxy.posts().is_empty(), "an invalid form is not sent");

    // Fixing a value takes its message away at once.
    type_into(&input(&root, "Name 1"), "Age");
    until("the name's message goes", || {
        message(&root, "Name 1").is_none()
    })
    .await;
    assert!(message(&root, "Link 2 (optional)").is_some());

    // Rows can be removed, down to the last one.
    click(&find(&root, "button.vs-remove-row"));
    until("one row", || query_all(&root, ".vs-details-row").len() == 1).await;
    assert!(
        query_all(&root, "button.vs-remove-row").is_empty(),
        "the last row stays"
    );
}

#[wasm_bindgen_test]
async fn a_valid_form_goes_to_the_proxy_pending_then_confirmed() {
    let proxy = FakeProxy::start(|_| (200, OK.into()));
    proxy.hold(true);
    let root = render(form("S148dea44981.d9443253fef2")).await;
    fill(&root).await;
    send(&root);
    until("the pending state", || proxy.held() == 1).await;
    until("the pending text", || {
        text(&root).contains("Sending the details to LiveChat…")
    })
    .await;
    let button = find(&root, "button.vs-send");
    assert!(
        button.has_attribute("disabled"),
        "no second send while one is pending"
    );
    assert_eq!(text(&button), "Sending…");

    let posts = proxy.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].method, "POST");
    assert_eq!(
        posts[0].url,
        "/api/livechat/visitors/S148dea44981.d9443253fef2/details"
    );
    assert_eq!(
        posts[0].json(),
        expected_body(),
        "trimmed, blank link left out"
    );

    proxy.release();
    until("the confirmation", || {
        text(&root).contains("Sent: LiveChat accepted the details at")
    })
    .await;
    assert!(!find(&root, "button.vs-send").has_attribute("disabled"));
    assert_eq!(
        value_of(&input(&root, "Name 2")),
        "CRM",
        "values stay for another send"
    );
}

#[wasm_bindgen_test]
async fn a_refusal_keeps_every_value_says_why_and_retries_without_retyping() {
    let proxy = FakeProxy::start(|_| {
        (
            409,
            error_body(
                "no_webhook_token",
                "LiveChat has not told the proxy about a chat with this visitor yet.",
            ),
        )
    });
    let root = render(form("S2.nochat")).await;
    fill(&root).await;
    send(&root);
    until("the reason", || {
        text(&root).contains("no chat_started webhook seen for this chat")
    })
    .await;
    let alert = find(&root, ".vs-details-form [role=alert]");
    assert!(text(&alert).contains("Your values are kept"));
    for (label, value) in [
        ("Name 1", " Age "),
        ("Value 1", "36"),
        ("Name 2", "CRM"),
        ("Link 2 (optional)", "https://crm.example.com/c/1"),
        (
            "Icon address (optional, no http://)",
            "example.com/icon.png",
        ),
    ] {
        assert_eq!(value_of(&input(&root, label)), value, "{label}");
    }
    assert_eq!(text(&find(&root, "button.vs-send")), "Send again");

    // The chat starts; the same values go again with one click.
    proxy.route(|_| (200, OK.into()));
    send(&root);
    until("the confirmation", || {
        text(&root).contains("Sent: LiveChat accepted")
    })
    .await;
    let posts = proxy.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].json(), posts[0].json());
    assert_eq!(posts[1].json(), expected_body());
    assert!(!text(&root).contains("no chat_started webhook"));
}

#[wasm_bindgen_test]
async fn the_proxys_field_messages_show_beside_the_inputs() {
    let _proxy = FakeProxy::start(|_| {
        let body = json!({"error": {
            "code": "validation_failed",
            "message": "Some fields are not valid; see error.fields.",
            "fields": [{"field": "fields[1].value", "message": "The value is longer than 1000 characters."}],
        }});
        (422, body.to_string())
    });
    let root = render(form("S3.proxy")).await;
    fill(&root).await;
    send(&root);
    until("the proxy's message", || {
        message(&root, "Value 2").is_some()
    })
    .await;
    assert_eq!(
        message(&root, "Value 2").as_deref(),
        Some("The value is longer than 1000 characters.")
    );
    assert!(
        text(&root).contains("The proxy refused some values: see the messages beside the fields.")
    );
    assert_eq!(value_of(&input(&root, "Value 2")), "Open record");
}

#[wasm_bindgen_test]
async fn drafts_survive_switching_visitors_and_a_late_answer_lands_in_its_own_draft() {
    let visitors = json!([
        {"id": "S10.alpha", "name": "Alpha", "state": "chatting"},
        {"id": "S11.beta", "name": "Beta", "state": "chatting"},
    ]);
    let proxy = FakeProxy::start(move |call| {
        if call.method == "POST" {
            return (200, OK.into());
        }
        match call.url.as_str() {
            "/api/livechat/visitors" => (200, visitors.to_string()),
            "/api/livechat/visitors?count=1" => (200, "2".into()),
            "/api/livechat/visitors/S10.alpha" => (200, visitors[0].to_string()),
            "/api/livechat/visitors/S11.beta" => (200, visitors[1].to_string()),
            _ => (404, error_body("not_found", "No such visitor.")),
        }
    });
    let root = render(|| html! { <LiveChatView visitor_id={None::<AttrValue>} /> }).await;
    let open = |name: &'static str| {
        let root = root.clone();
        async move {
            until("the list", || {
                query_all(&root, "button.vs-visitor-row").len() == 2
            })
            .await;
            let row = query_all(&root, "button.vs-visitor-row")
                .into_iter()
                .find(|r| text(r).contains(name))
                .unwrap();
            click(&row);
            until("the visitor", || {
                query_all(&root, "h2.vs-visitor-name")
                    .first()
                    .is_some_and(|h| text(h).contains(name))
            })
            .await;
        }
    };
    let back = || click(&find(&root, "button.vs-back"));

    open("Alpha").await;
    type_into(&input(&root, "Name 1"), "Plan");
    type_into(&input(&root, "Value 1"), "Gold");
    // A refresh of the visitor's data leaves the form alone.
    let fetched = proxy.calls().len();
    click(&find(&root, ".vs-visitor button.vs-refresh"));
    until("the refresh", || proxy.calls().len() > fetched).await;
    settle().await;
    assert_eq!(value_of(&input(&root, "Value 1")), "Gold");
    back();
    open("Beta").await;
    assert_eq!(value_of(&input(&root, "Name 1")), "", "Beta starts blank");
    type_into(&input(&root, "Name 1"), "Plan");
    type_into(&input(&root, "Value 1"), "Silver");
    proxy.hold(true);
    send(&root);
    until("Beta's send is pending", || proxy.held() == 1).await;
    back();
    open("Alpha").await;
    assert_eq!(
        value_of(&input(&root, "Value 1")),
        "Gold",
        "Alpha's draft is back"
    );

    // Beta's answer arrives while Alpha is shown: it lands in Beta's draft, not Alpha's.
    proxy.release();
    until("the answer is handled", || proxy.held() == 0).await;
    settle().await;
    assert!(!text(&root).contains("Sent:"), "{}", text(&root));
    back();
    open("Beta").await;
    until("Beta's confirmation", || {
        text(&root).contains("Sent: LiveChat accepted")
    })
    .await;
    assert_eq!(value_of(&input(&root, "Value 1")), "Silver");
    let posts = proxy.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].url, "/api/livechat/visitors/S11.beta/details");
}

#[wasm_bindgen_test]
async fn rows_keep_their_inputs_and_the_focus_when_rows_come_and_go() {
    let root = render(form("S4.rows")).await;
    // At once after mounting: the edit must already re-render the form.
    click(&find(&root, "button.vs-add-row"));
    until("a second row", || {
        query_all(&root, ".vs-details-row").len() == 2
    })
    .await;

    let first = input(&root, "Name 1");
    let second = input(&root, "Name 2");
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&first)
        .focus()
        .unwrap();
    type_into(&first, "Plan");
    add_row(&root).await;
    assert!(input(&root, "Name 1").is_same_node(Some(&first)));
    assert!(
        gloo_document()
            .active_element()
            .is_some_and(|a| a.is_same_node(Some(&first))),
        "the focus stays in the input being typed in"
    );
    assert_eq!(value_of(&first), "Plan");

    // Removing the first row moves the second up with its own inputs.
    type_into(&second, "Tier");
    click(&query_all(&root, "button.vs-remove-row")[0]);
    until("two rows", || {
        query_all(&root, ".vs-details-row").len() == 2
    })
    .await;
    assert!(input(&root, "Name 1").is_same_node(Some(&second)));
    assert_eq!(value_of(&input(&root, "Name 1")), "Tier");
}
