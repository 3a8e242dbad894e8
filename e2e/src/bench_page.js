// Browser-side half of `make bench` (run through chromedriver's executeAsync, after
// bench_reference.js): one timed render of a response body, by the widget or by the plain-JS
// reference, in the iframe page of that provider's bundle.
//
// Arguments: `kind` ("liveperson": a visit of `size` = [pages, events]; "livechat": a list of
// `size` = [visitors]; "seed": the visit whose JSON text is `size`), `who` ("widget" or
// "reference"). Answers `{bodyMs, mountMs, glanceMs, elements, texts, rows}`:
// - bodyMs: from the body's arrival to its DOM built and laid out (style and layout done, what
//   the next frame paints). For the widget, from the moment its fetch gets the Response to the
//   widget's `visitor-sidebar:first-data` mark, with a layout forced right there (the page's
//   `performance.mark` is wrapped for it); for the reference, from `response.json()` (JSON.parse
//   of the body's text) on a Response made the same way to the same layout.
// - mountMs (widget): from mount() to the first-data mark, the figure the bench printed before.
// - glanceMs (widget): what computing "At a glance" took (its `visitor-sidebar:glance` measures).
// - elements, texts, rows: the panel's DOM (elements, text nodes, `li` rows), so the bench can
//   check that both built the same thing.
const [kind, size, who, done] = arguments;
const FIRST_DATA = "visitor-sidebar:first-data";

function bigVisit(pages, events) {
  const page = (i) => ({
    id: String(1000 + i), pageTitle: `Page ${i} – Example Shop`, url: `shop.example.com/p/${i}`,
    pageBasic: { url: `https://shop.example.com/p/${i}`, title: `Page ${i} – Example Shop`, startTime: 1.7e12 + i * 1000 },
    startTime: 1.7e12 + i * 1000, timeOnPage: 1000 + i, pageLoaded: true, referrer: null,
  });
  const product = (i) => ({ product: { name: `Product ${i}`, category: "shoes", sku: `sku${i}`, price: 10 + i / 100 }, quantity: 1 + (i % 3) });
  const ctx = { page: { id: "1000" } };
  const event = (i) => {
    const t = 1.7e12 + i * 137;
    switch (i % 9) {
      case 0: return { cartStatus: { serverTimeStamp: t, total: i, numItems: 2, contexts: ctx, products: [product(i), product(i + 1)] } };
      case 1: return { lead: { serverTimeStamp: t, contexts: ctx, lead: { topic: `Lead ${i}`, value: i, leadId: `l${i}` } } };
      case 2: return { purchase: { serverTimeStamp: t, total: i, orderId: `o${i}`, contexts: ctx, cart: { products: [product(i)] } } };
      case 3: return { viewedProduct: { serverTimeStamp: t, contexts: ctx, products: [product(i)] } };
      case 4: return { serviceActivity: { serverTimeStamp: t, contexts: ctx, serviceActivity: { topic: `Topic ${i}`, status: 0, category: "finance", serviceId: `s${i}` } } };
      case 5: return { visitorError: { serverTimeStamp: t, contexts: ctx, visitorError: { message: `Error ${i}`, code: `er${i}` } } };
      case 6: return { marketingCampaignInfo: { serverTimeStamp: t, contexts: ctx, marketingCampaignInfo: { originatingChannel: 1, affiliate: "Yahoo", campaignId: `c${i}` } } };
      case 7: return { customerInfo: { serverTimeStamp: t, contexts: ctx, customerInfo: { customerStatus: "vip", balance: i, customerId: `c${i}` } } };
      default: return { personalInfo: { serverTimeStamp: t, contexts: ctx, personalInfo: { name: "Big", surname: "Visit", contacts: [{ email: "big@example.com" }] } } };
    }
  };
  return {
    id: "big-visit",
    appSessions: [{
      id: "big-visit", startTime: 1.7e12, deviceFamily: "DESKTOP", deviceOS: "WINDOWS",
      userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      geo: { country: "Israel", state: "Tel Aviv", city: "Tel Aviv" }, ipv4: "195.62.30.20",
      personalInfo: { personalInfo: { name: "Big", surname: "Visit" } },
      pages: Array.from({ length: pages }, (_, i) => page(i)),
      events: Array.from({ length: events }, (_, i) => event(i)),
    }],
  };
}

function bigList(count) {
  const states = ["browsing", "chatting", "queued", "invited", "chat closed"];
  return Array.from({ length: count }, (_, i) => ({
    id: `S${1500000000 + i}.bench${i}`, name: `Visitor ${i}`, state: states[i % states.length],
    city: "Greenville", region: "North Carolina", country: "United States", country_code: "US",
    page_title: `Page ${i % 50} – Example Shop`, page_current: `https://shop.example.com/p/${i % 50}`,
    page_entered_ts: 1487244981 + i, group: i % 4, browser: "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36",
    visit_path: [{ page: "https://shop.example.com/", title: "Home", time_ts: 1487244981 }], visits: 1 + (i % 5),
  }));
}

// Bodies are made once per page and kind: making them is not what is timed.
const bodies = (window.vsBenchBodies ??= {});
const provider = kind === "livechat" ? "livechat" : "liveperson";
const key = kind === "seed" ? "seed" : `${kind}:${size.join("x")}`;
bodies[key] ??= kind === "seed" ? size
  : JSON.stringify(kind === "liveperson" ? bigVisit(size[0], size[1]) : bigList(size[0]));
const body = bodies[key];
const countBody = kind === "livechat" ? String(size[0]) : undefined;

// The panel's elements, text nodes and rows, and how many of each kind (`tag.class` for an
// element, `#text in tag.class` for a text node): where two DOMs differ, when they do.
function census(panel) {
  let elements = 0, texts = 0;
  const shape = {};
  const name = (e) => [e.localName, ...e.classList].join(".");
  const walk = document.createTreeWalker(panel, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode;
    const kind = node.nodeType === Node.ELEMENT_NODE ? name(node) : `#text in ${name(node.parentElement)}`;
    if (node.nodeType === Node.ELEMENT_NODE) elements++;
    else texts++;
    shape[kind] = (shape[kind] ?? 0) + 1;
  }
  return { elements, texts, rows: panel.querySelectorAll("li").length, shape };
}

// Waits (polling, with a deadline) until `ready()` gives a value; answers `{error}` after 20 s.
function until(what, ready, then) {
  const deadline = performance.now() + 20000;
  const look = () => {
    const value = ready();
    if (value) return then(value);
    if (performance.now() > deadline) return done({ error: `no ${what} within 20 s` });
    setTimeout(look, 0);
  };
  look();
}

const json = (text) => new Response(text, { status: 200, headers: { "Content-Type": "application/json" } });

if (who === "reference") {
  const holder = document.createElement("aside");
  holder.className = "vs-root";
  holder.setAttribute("data-theme", "auto");
  document.body.append(holder);
  // The body as fetch hands it over, for both: bytes in a Response, parsed by `json()`.
  const [response, countResponse] = [json(body), countBody && json(countBody)];
  const start = performance.now();
  (async () => {
    const [data, total] = await Promise.all([response.json(), countResponse?.json()]);
    const panel = referenceRender(provider, data, total, holder);
    holder.getBoundingClientRect();
    const bodyMs = performance.now() - start;
    const counted = census(panel);
    holder.remove();
    done({ bodyMs, ...counted });
  })();
} else {
  let bodyAt, laidOutAt;
  const root = document.createElement("div");
  const realFetch = window.fetch;
  window.fetch = async (input) => {
    const url = typeof input === "string" ? input : input.url;
    // The sidebar asks the proxy how agents sign in before its first data request: anonymous,
    // as the demo proxy answers (the big body there would be parsed once more and refused).
    if (url.includes("/auth/config")) return json(JSON.stringify({ anonymous: true, modes: [] }));
    const isCount = url.includes("count=1");
    const response = json(isCount ? countBody : body);
    // The body arrives: its bytes are in the Response the widget now gets.
    if (!isCount) bodyAt = performance.now();
    return response;
  };
  // The first-data mark is set once the data is in the DOM: lay it out right there, as the
  // browser would before the next paint, and note when that was done.
  performance.mark = function (name, options) {
    const entry = Performance.prototype.mark.call(performance, name, options);
    if (name === FIRST_DATA && laidOutAt === undefined) {
      root.getBoundingClientRect();
      laidOutAt = performance.now();
    }
    return entry;
  };
  performance.clearMarks(FIRST_DATA);
  performance.clearMeasures("visitor-sidebar:glance");
  document.body.append(root);
  const options = provider === "liveperson"
    ? { provider, visitorId: "big", sid: "s1", pollIntervalMs: 3600000 }
    : { provider, pollIntervalMs: 3600000 };
  const start = performance.now();
  const sidebar = window.wasmBindings.mount(root, options);
  until("first data", () => performance.getEntriesByName(FIRST_DATA)[0], (mark) => {
    const mountMs = mark.startTime - start;
    const bodyMs = laidOutAt - bodyAt;
    const glanceMs = performance.getEntriesByName("visitor-sidebar:glance")
      .reduce((sum, m) => sum + m.duration, 0);
    // The list's count comes in its own answer; the DOM is counted once it shows too.
    const settled = () => {
      const panel = root.querySelector(".vs-panel");
      return panel && (provider !== "livechat" || panel.querySelector(".vs-count")) && panel;
    };
    until("settled panel", settled, (panel) => {
      const counted = census(panel);
      sidebar.unmount();
      root.remove();
      window.fetch = realFetch;
      delete performance.mark;
      done({ bodyMs, mountMs, glanceMs, ...counted });
    });
  });
}
