//! Sign-in and the audit log, seen from the log: every line of a session with every sign-in mode
//! (LiveChat agents accepted and refused, host JWTs valid and expired, the OIDC popup flow and
//! its minted token, a details write) is captured at trace level. No token, code, client secret
//! or visitor's personal value appears in any line, and each visitor read or write has exactly
//! one audit line naming the agent, provider, visitor, route template and status.

mod common;

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use visitor_sidebar_proxy::demo::{DEMO_JWT_AUDIENCE, DEMO_JWT_ISSUER};
use visitor_sidebar_proxy::{start_demo_with, RawConfig};
use visitor_sidebar_sim::AgentGrant;

use common::{Captured, SEED_LC_VISITOR_ID, SEED_LP_SID, SEED_LP_VISITOR_ID};

/// A details value that must never reach a log line.
const PERSONAL: &str = "Sentinel-Personal-Value-4711";

/// The agent's address as the front end in front of the proxy (loopback, trusted) reports it.
const AGENT_ADDRESS: &str = "203.0.113.77";

fn client() -> reqwest::Client {
    let mut forwarded = reqwest::header::HeaderMap::new();
    forwarded.insert(
        "x-forwarded-for",
        format!("10.9.9.9, {AGENT_ADDRESS}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(forwarded)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_in_any_log_line_and_one_audit_line_per_visitor_request() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let mut raw = RawConfig::default();
    raw.set("VS_ALLOW_ANONYMOUS", "false");
    raw.set("VS_RATE_LIMIT_PER_SEC", "0");
    raw.set("VS_TRUSTED_PROXIES", "127.0.0.1");
    let demo = start_demo_with(raw, "127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .unwrap();
    let sim = &demo.sim;
    let visit = format!(
        "{}/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}",
        demo.url()
    );
    let get = |token: String| {
        let visit = visit.clone();
        async move {
            client()
                .get(visit)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };

    let livechat = sim.issue_livechat_token(sim.agent_grant());
    let other_org = sim.issue_livechat_token(AgentGrant {
        organization_id: "another-organization".into(),
        ..sim.agent_grant()
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let host_claims = |exp: u64| json!({"sub": "host-agent-9", "aud": DEMO_JWT_AUDIENCE, "iss": DEMO_JWT_ISSUER, "exp": exp});
    let host = sim.host_key(Algorithm::RS256).sign(&host_claims(now + 600));
    let host_expired = sim.host_key(Algorithm::ES256).sign(&host_claims(now - 600));

    let mut visitor_requests = 0;
    assert_eq!(get(livechat.clone()).await, 200);
    visitor_requests += 1;
    assert_eq!(get(other_org.clone()).await, 403);
    assert_eq!(get(host.clone()).await, 200);
    visitor_requests += 1;
    assert_eq!(get(host_expired.clone()).await, 401);

    // The OIDC popup flow.
    let login = reqwest::Url::parse_with_params(
        &format!("{}/api/auth/login", demo.url()),
        [
            ("origin", "http://127.0.0.1:8080"),
            ("nonce", "0123456789abcdef0123456789abcdef"),
        ],
    )
    .unwrap();
    let r = client().get(login).send().await.unwrap();
    let authorize = r.headers()["location"].to_str().unwrap().to_owned();
    let r = client().get(&authorize).send().await.unwrap();
    let callback = r.headers()["location"].to_str().unwrap().to_owned();
    let code = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let html = client()
        .get(&callback)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find(r#"id="vs-auth-data">"#).unwrap() + r#"id="vs-auth-data">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    let minted = data["message"]["token"].as_str().unwrap().to_owned();
    assert_eq!(get(minted.clone()).await, 200);
    visitor_requests += 1;

    let details = client()
        .post(format!(
            "{}/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details",
            demo.url()
        ))
        .bearer_auth(&livechat)
        .json(&json!({"id": "my-app", "fields": [{"name": "Note", "value": PERSONAL}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(details.status(), 200);
    visitor_requests += 1;
    assert_eq!(
        sim.visitor_details(SEED_LC_VISITOR_ID)[0]["fields"][0]["value"],
        PERSONAL
    );

    let log = captured.text();
    assert!(log.contains("/api/auth/callback"), "logging was captured");
    let creds = sim.credentials();
    for (what, secret) in [
        ("LiveChat token", livechat.as_str()),
        ("another organization's LiveChat token", &other_org),
        ("host JWT", &host),
        ("expired host JWT", &host_expired),
        ("minted session token", &minted),
        ("authorization code", &code),
        ("OIDC client secret", &creds.oidc_client_secret),
        ("personal details value", PERSONAL),
        // The seed visit's visitor name.
        ("visitor name", "John Doe"),
    ] {
        assert!(!log.contains(secret), "a log line holds the {what}");
    }
    // The minted token is in none of the URLs it travelled by either.
    assert!(!authorize.contains(&minted) && !callback.contains(&minted));

    let audit: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("visitor_sidebar_proxy::audit"))
        .collect();
    assert_eq!(audit.len(), visitor_requests, "{audit:#?}");
    let account = sim.agent_grant().account_id;
    let expect = [
        (
            format!("agent=\"livechat:{account}\""),
            "provider=liveperson",
        ),
        ("agent=\"jwt:host-agent-9\"".into(), "provider=liveperson"),
        ("agent=\"oidc:agent-0001\"".into(), "provider=liveperson"),
        (format!("agent=\"livechat:{account}\""), "provider=livechat"),
    ];
    for (line, (agent, provider)) in audit.iter().zip(&expect) {
        assert!(line.contains(agent.as_str()), "{line}");
        assert!(line.contains(provider), "{line}");
        assert!(line.contains("status=200"), "{line}");
        // The right-most address the trusted front end did not write itself.
        assert!(line.contains(&format!("client={AGENT_ADDRESS}")), "{line}");
    }
    let others: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("request{") && l.contains("/api/liveperson/"))
        .filter(|l| !l.contains(&format!("client={AGENT_ADDRESS}")))
        .collect();
    assert!(
        others.is_empty(),
        "every request's log lines name the client: {others:#?}"
    );
    assert!(audit[0].contains(&format!("visitor=\"{SEED_LP_VISITOR_ID}\"")));
    assert!(audit[0].contains("route=/api/liveperson/visitors/{visitor_id}/visit"));
    assert!(
        !audit[0].contains(SEED_LP_SID),
        "the route template, not the query"
    );
    assert!(audit[3].contains(&format!("visitor=\"{SEED_LC_VISITOR_ID}\"")));
    assert!(audit[3].contains("method=POST"));
}
