//! Every word a metric label carries, as an enum: fixed in code, so that no request, visitor or
//! upstream answer can mint a label value. The derive writes a variant's name as the value, so
//! the variants are named as the labels read (`lp_visit`, `GET`). The labels that are not words
//! are made in `mod.rs` from fixed matches too: a route template, an HTTP status or its class,
//! LivePerson's documented internal codes, the version.

use prometheus_client::encoding::EncodeLabelValue;

/// The request's method (`method`); any other is `other`.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum HttpMethod {
    GET,
    POST,
    HEAD,
    OPTIONS,
    PUT,
    DELETE,
    PATCH,
    other,
}

/// Who an upstream call went to (`provider`), and the name readiness tracks answers by.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Provider {
    liveperson,
    livechat,
    /// LiveChat's accounts server (agents' tokens).
    livechat_accounts,
    /// The host console's JWKS.
    host_jwks,
    /// The company's identity provider.
    oidc,
}

/// What an upstream call was for (`operation`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Operation {
    /// LivePerson's visit state.
    visit,
    /// LivePerson's Domain API.
    domain_api,
    /// Readiness's probe of LivePerson or LiveChat.
    probe,
    /// LiveChat's visitor list.
    visitors,
    /// LiveChat's v3 customer.
    customer,
    /// LiveChat's custom details.
    details,
    /// LiveChat's accounts server asked whose a token is.
    token_info,
    /// A JWKS (the host's, or the identity provider's).
    jwks,
    /// The identity provider's discovery document.
    discovery,
    /// The identity provider's code exchange.
    token,
}

/// What a response-cache key is for (`cache`), never the IDs in the key.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum CacheKind {
    /// A LivePerson visit (`lp:visit:{visitor}:{sid}`).
    lp_visit,
    /// A LiveChat visitor list (`lc:list?{query}`).
    lc_list,
    /// One LiveChat visitor (`lc:visitor:{id}`).
    lc_visitor,
    /// One LiveChat v3 customer (`lc:customer:{id}`).
    lc_customer,
}

/// The content coding a cached answer was compressed into (`coding`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Coding {
    br,
    gzip,
}

/// How a cache lookup was served (`result`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum CacheResult {
    /// From this process's memory.
    hit,
    /// From Redis, loaded by another replica.
    shared_hit,
    /// It waited for a load another request started, here or on another replica.
    coalesced,
    /// It called the upstream.
    miss,
}

/// How an agent signed in (`mode`): the mode of an accepted credential, the shape of a refused
/// one (which proved nothing).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum SignInMode {
    anonymous,
    /// One of `VS_ACCESS_TOKENS`.
    token,
    /// A host JWT (accepted), or a JWT's shape (refused).
    jwt,
    livechat,
    /// The proxy's own session token, after company sign-in.
    oidc,
    /// Refused: no `Authorization`.
    none,
    /// Refused: anything but a JWT's shape.
    opaque,
}

/// What became of a credential checked on a visitor route (`outcome`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum SignInOutcome {
    accepted,
    missing,
    invalid,
    expired,
    forbidden,
    unavailable,
    rate_limited,
}

/// What became of a company sign-in callback (`outcome`), by the status it answered.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum CompanySignIn {
    accepted,
    refused,
    forbidden,
    rate_limited,
    unavailable,
    failed,
}

/// The rate limit that refused a request (`limit`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Limit {
    /// An upstream's 429 pause, answered by the proxy itself.
    upstream,
    /// Wrong webhook secrets from one client.
    webhook_secret,
    /// A client's budget of failed sign-ins.
    failed_sign_in,
    /// The per-client rate limit (`VS_RATE_LIMIT_PER_SEC`).
    client,
    /// LiveChat tokens one client may have checked per minute.
    token_check,
    /// Company sign-ins one client may start per minute.
    sign_in_start,
}

/// Why a webhook token was dropped before it expired (`reason`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum TokenRemoved {
    /// Its chat's `chat_ended` webhook came.
    chat_ended,
    /// LiveChat refused it (the chat had ended).
    rejected,
}

/// A store readiness checks (`store`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum StoreKind {
    disk,
    redis,
}

/// One of readiness's checks (`check`).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Check {
    config,
    liveperson,
    livechat,
    store_disk,
    store_redis,
}
