// Browser-side half of `make bench` (run through chromedriver's executeAsync): builds a large
// LivePerson visit or LiveChat list, serves it to a freshly mounted sidebar through a stand-in
// fetch, and reports the time from mount() to the widget's first-data mark, i.e. response
// parsing, decoding and rendering, and how much of it computing "At a glance" took (the
// widget's `visitor-sidebar:glance` measures): `[ms, glanceMs]`.
const [kind, size, done] = arguments;

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

const body = JSON.stringify(kind === "liveperson" ? bigVisit(size[0], size[1]) : bigList(size[0]));
const realFetch = window.fetch;
window.fetch = async (input) => {
  const url = typeof input === "string" ? input : input.url;
  // The sidebar asks the proxy how agents sign in before its first data request: anonymous,
  // as the demo proxy answers (the big body there would be parsed once more and refused).
  const text = url.includes("/auth/config")
    ? JSON.stringify({ anonymous: true, modes: [] })
    : url.includes("count=1") ? String(size[0]) : body;
  return new Response(text, { status: 200, headers: { "Content-Type": "application/json" } });
};
performance.clearMarks("visitor-sidebar:first-data");
performance.clearMeasures("visitor-sidebar:glance");
const root = document.createElement("div");
document.body.append(root);
const options = kind === "liveperson"
  ? { provider: "liveperson", visitorId: "big", sid: "s1", pollIntervalMs: 3600000 }
  : { provider: "livechat", pollIntervalMs: 3600000 };
const start = performance.now();
const sidebar = window.wasmBindings.mount(root, options);
const check = () => {
  const mark = performance.getEntriesByName("visitor-sidebar:first-data")[0];
  if (!mark) return setTimeout(check, 0);
  const ms = mark.startTime - start;
  const glance = performance.getEntriesByName("visitor-sidebar:glance")
    .reduce((sum, m) => sum + m.duration, 0);
  sidebar.unmount();
  root.remove();
  window.fetch = realFetch;
  done([ms, glance]);
};
check();
