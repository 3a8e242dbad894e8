// The plain-JS reference of `make bench` (issue 23): what the browser alone needs to turn the
// same response body into the same visible DOM the widget builds for it. JSON.parse, then
// createElement and text nodes; no framework, no decoding step, formatters built once. The bench
// times it beside the widget (interleaved, same page, same CSS) and prints both DOMs' counts, so
// the ratio of the two says how far the widget is from the limit on this machine today.
//
// It mirrors the widget's first screen for the data, element for element and text node for text
// node: src/liveperson/view/* with "At a glance" (src/components/glance.rs,
// src/liveperson/glance.rs) for a visit, src/livechat/view/{mod,visitors_list,visitor_row}.rs
// for the visitors list. The same first screen means the same limits: the latest 50 pages of a
// journey, a closed timeline with no lines built, one page of 50 visitors. Not a second widget:
// no polling, no state, no event handlers (an agent's clicks are not timed). Loaded before
// bench_page.js, which calls `referenceRender`.

const REFERENCE = { firstPages: 50, listPage: 50, glanceBudget: 400, valueChars: 60 };

// ---- DOM ----

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const name in attrs) {
      const value = attrs[name];
      if (value == null || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
  }
  put(node, children);
  return node;
}

// Children: nodes, strings (text nodes), arrays of them; null, undefined, false and 0 (what
// `cond && child` gives) are nothing.
function put(node, children) {
  for (const child of children) {
    if (child == null || child === false || child === 0) continue;
    if (Array.isArray(child)) put(node, child);
    else if (typeof child === "string") node.appendChild(document.createTextNode(child));
    else node.appendChild(child);
  }
}

// ---- Reading the body as the widget's lenient models do (blank text is no text) ----

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const obj = (v) => (isObj(v) ? v : undefined);
const list = (v) => (Array.isArray(v) ? v.filter(isObj) : []);
function text(v) {
  if (typeof v === "string") return v.trim() === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}
function num(v) {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
function flag(v) {
  const t = text(v)?.trim();
  return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : undefined;
}

// ---- Formatting (src/format.rs), formatters built once ----

const formats = {
  time: new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit" }),
  dateTime: new Intl.DateTimeFormat([], { dateStyle: "medium", timeStyle: "short" }),
  calendar: new Intl.DateTimeFormat([], { dateStyle: "medium", timeZone: "UTC" }),
  amount: new Intl.NumberFormat([], { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  currencies: new Map(),
};

function when(ms) {
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return date.toDateString() === new Date().toDateString()
    ? formats.time.format(date) : formats.dateTime.format(date);
}
const count = (v) => String(v);
const amount = (v) => formats.amount.format(v);
function money(value, currency) {
  const code = currency?.trim();
  if (!code) return amount(value);
  let f = formats.currencies.get(code);
  if (f === undefined) {
    try { f = new Intl.NumberFormat([], { style: "currency", currency: code }); } catch { f = null; }
    formats.currencies.set(code, f);
  }
  return f ? f.format(value) : `${amount(value)} ${code}`;
}
function calendarDate(parts) {
  const [y, m, d] = [num(parts?.year), num(parts?.month), num(parts?.day)];
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 1 && y <= 9999)) return undefined;
  return formats.calendar.format(new Date(Date.UTC(y, m - 1) + (d - 1) * 86400000));
}
function join(parts, sep) {
  const known = parts.filter((p) => typeof p === "string" && p.trim() !== "");
  return known.length ? known.join(sep) : undefined;
}
function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  const all = Math.floor(ms / 1000);
  const [d, h, m, s] = [Math.floor(all / 86400), Math.floor(all / 3600) % 24, Math.floor(all / 60) % 60, all % 60];
  if (d === 0 && h === 0 && m === 0) return `${s} s`;
  if (d === 0 && h === 0) return s === 0 ? `${m} min` : `${m} min ${s} s`;
  if (d === 0) return m === 0 ? `${h} h` : `${h} h ${m} min`;
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}
function humanise(code) {
  if (["MAC_OSX", "MAC_OS", "MACOSX", "OSX"].includes(code)) return "macOS";
  if (code === "IOS") return "iOS";
  return code.split("_").filter((w) => w).map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join(" ");
}
const yesNo = (f) => (f === undefined ? undefined : f ? "Yes" : "No");
const clip = (value) => {
  const folded = value.split(/\s+/).filter((w) => w).join(" ");
  const chars = [...folded];
  if (chars.length <= REFERENCE.valueChars) return folded;
  return chars.slice(0, REFERENCE.valueChars - 1).join("").trimEnd() + "…";
};

// src/user_agent.rs: browser and system in words.
function userAgent(ua) {
  const major = (token) => {
    const at = ua.indexOf(token);
    if (at < 0) return undefined;
    const digits = /^\d+/.exec(ua.slice(at + token.length));
    return digits?.[0];
  };
  const version = (token) => {
    const at = ua.indexOf(token);
    if (at < 0) return undefined;
    const v = /^[\d_.]*/.exec(ua.slice(at + token.length))[0].replaceAll("_", ".").replace(/^\.+|\.+$/g, "");
    return v || undefined;
  };
  const named = (name, v) => (v ? `${name} ${v}` : name);
  let browser;
  const rules = [["Edg/", "Edge"], ["EdgA/", "Edge"], ["EdgiOS/", "Edge"], ["Edge/", "Edge"], ["OPR/", "Opera"],
    ["SamsungBrowser/", "Samsung Internet"], ["YaBrowser/", "Yandex Browser"], ["Vivaldi/", "Vivaldi"],
    ["FxiOS/", "Firefox"], ["Firefox/", "Firefox"], ["CriOS/", "Chrome"], ["Chromium/", "Chromium"],
    ["Chrome/", "Chrome"], ["MSIE ", "Internet Explorer"]];
  const rule = rules.find(([token]) => ua.includes(token));
  if (rule) browser = named(rule[1], major(rule[0]));
  else if (ua.includes("Trident/")) browser = named("Internet Explorer", major("rv:"));
  else if (ua.includes("Safari/")) browser = named("Safari", major("Version/"));
  let os;
  const windows = version("Windows NT ");
  const ios = version("iPhone OS ") ?? version("CPU OS ");
  if (windows) os = `Windows ${{ "10.0": "10/11", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.1": "XP", "5.2": "XP" }[windows] ?? windows}`;
  else if (ua.includes("Windows")) os = "Windows";
  else if (ios) os = `${ua.includes("iPad") ? "iPadOS" : "iOS"} ${ios}`;
  else if (version("Android ")) os = `Android ${version("Android ")}`;
  else if (ua.includes("Android")) os = "Android";
  else if (version("Mac OS X ")) os = `macOS ${version("Mac OS X ")}`;
  else if (ua.includes("Macintosh")) os = "macOS";
  else if (ua.includes("CrOS")) os = "ChromeOS";
  else if (ua.includes("Linux")) os = "Linux";
  return join([browser, os], " on ");
}

// ---- Building blocks (src/components/common.rs) ----

const SAFE_SCHEMES = ["http:", "https:", "mailto:", "tel:"];
function safeLink(address, linkText, cls) {
  let href;
  try {
    const url = new URL(address.trim());
    if (SAFE_SCHEMES.includes(url.protocol)) href = url.href;
  } catch { /* not an absolute URL: text */ }
  const classes = (base) => (cls ? `${base} ${cls}` : base);
  return href
    ? el("a", { class: classes("vs-link"), href, title: address, target: "_blank", rel: "noopener noreferrer" }, linkText ?? address)
    : el("span", { class: classes("vs-unlinked"), title: address }, linkText ?? address);
}
const fact = (label, ...value) => el("div", { class: "vs-fact" }, el("dt", null, label), el("dd", null, value));
const rows = (items) => items.filter(([, v]) => v && v.trim() !== "").map(([label, v]) => fact(label, el("span", { class: "vs-text" }, v)));
function facts(items) {
  const shown = rows(items);
  return shown.length ? el("dl", { class: "vs-facts" }, shown) : null;
}
function section(title, { badge, open = true, cls }, ...body) {
  return el("details", { class: `vs-section ${cls}`, open },
    el("summary", null, el("h3", { class: "vs-section-title" }, title),
      badge !== undefined && el("span", { class: "vs-badge" }, badge)),
    el("div", { class: "vs-section-body" }, body));
}
const ticking = (value) => el("span", { class: "vs-text vs-ticking", "data-ticking": "" }, value);
const statusBar = () => el("div", { class: "vs-status" },
  el("button", { type: "button", class: "vs-button vs-refresh", "aria-label": "Refresh visitor data" }, "Refresh"));

// ---- A LivePerson visit ----

const page = {
  title: (p) => text(p.pageTitle) ?? text(obj(p.pageBasic)?.title),
  opened: (p) => num(p.startTime) ?? num(obj(p.pageBasic)?.startTime),
  cameFrom: (p) => text(p.referrer) ?? text(obj(p.pageBasic)?.referrer),
  address: (p) => text(obj(p.pageBasic)?.url) ?? text(p.url),
};
const EVENT_KINDS = ["marketingCampaignInfo", "lead", "cartStatus", "purchase", "viewedProduct",
  "customerInfo", "personalInfo", "serviceActivity", "visitorError", "searchContent"];
// An event is `{kind: {...}}`; unknown kinds are dropped, as the widget drops them.
function events(s) {
  const known = [];
  for (const e of list(s.events)) {
    const kind = Object.keys(e)[0];
    if (Object.keys(e).length === 1 && EVENT_KINDS.includes(kind) && isObj(e[kind])) {
      known.push({ kind, body: e[kind], at: num(e[kind].serverTimeStamp) });
    }
  }
  return known;
}
// The indices in ascending order of key, ties in list order (the widget's `order_by`).
const orderBy = (keys) => keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));

function visitSession(visit) {
  const sessions = list(visit.appSessions);
  let newest = -1;
  sessions.forEach((s, i) => {
    const t = num(s.startTime) ?? -Number.MAX_VALUE;
    if (newest < 0 || t >= (num(sessions[newest].startTime) ?? -Number.MAX_VALUE)) newest = i;
  });
  return { sessions, newest };
}

// The facts of "At a glance" for one app session (src/liveperson/glance.rs).
function glanceFacts(s, pages, evs) {
  const out = [];
  const times = pages.map((p) => page.opened(p) ?? -Number.MAX_VALUE);
  let current = -1;
  times.forEach((t, i) => { if (current < 0 || t >= times[current]) current = i; });
  if (current >= 0) {
    const p = pages[current];
    const name = pageName(page.title(p), page.address(p));
    if (name) {
      const address = page.address(p);
      const seen = address ? pages.filter((q) => page.address(q) === address).length : 1;
      out.push({ kind: "Now", name: "page", text: seen > 1 ? `${name} ×${seen}` : name, since: page.opened(p) });
    }
  }
  // Money.
  const bought = evs.filter((e) => e.kind === "purchase");
  const purchases = bought.length
    ? orderBy(bought.map((e) => e.at ?? -Number.MAX_VALUE)).map((i) => ({
      total: num(bought[i].body.total), currency: text(obj(bought[i].body.cart)?.currency),
      order: text(bought[i].body.orderId), at: bought[i].at,
    }))
    : list(s.purchases).map((p) => ({ total: num(p.total), currency: text(obj(p.cart)?.currency), order: text(p.orderId) }));
  const cart = obj(obj(s.cart)?.cartStatus);
  const cartTotal = num(cart?.total), cartItems = num(cart?.numItems);
  let cartBought = false;
  if (cart && (cartTotal > 0 || cartItems > 0)) {
    const sameTotal = cartTotal !== undefined && purchases.some((b) => b.total !== undefined && Math.abs(b.total - cartTotal) < 0.005);
    let change;
    for (const e of evs) if (e.kind === "cartStatus" && e.at !== undefined && (!change || e.at >= change.at)) change = e;
    const changed = change && num(change.body.total) === cartTotal ? change.at : undefined;
    const lastBuy = purchases.reduce((m, b) => (b.at !== undefined && (m === undefined || b.at > m) ? b.at : m), undefined);
    cartBought = sameTotal || (changed !== undefined && lastBuy !== undefined && lastBuy >= changed);
    const a = cartTotal !== undefined ? money(cartTotal, text(cart.currency)) : undefined;
    const c = cartItems > 0 ? `${count(cartItems)} ${cartItems === 1 ? "item" : "items"}` : undefined;
    let t = a && c ? `${a} in cart · ${c}` : a ? `${a} in cart` : c ? `${c} in cart` : "Items in cart";
    if (cartBought) t += " · bought";
    out.push({ kind: "Money", name: "cart", text: t });
  }
  const last = purchases[purchases.length - 1];
  if (last && !cartBought && last.total !== undefined) {
    const a = money(last.total, last.currency);
    out.push({ kind: "Money", name: "purchase", text: last.order ? `Last purchase ${a} · order ${clip(last.order)}` : `Last purchase ${a}` });
  }
  const latest = (kind, field, fallback) => {
    let found;
    for (const e of evs) {
      if (e.kind !== kind || !isObj(e.body[field])) continue;
      const at = e.at ?? -Number.MAX_VALUE;
      if (!found || at >= found.at) found = { at, value: e.body[field] };
    }
    const rest = list(fallback);
    return found ? found.value : rest[rest.length - 1];
  };
  const lead = latest("lead", "lead", s.leads);
  if (lead) {
    const topic = text(lead.topic) && clip(text(lead.topic));
    const value = num(lead.value) > 0 ? amount(num(lead.value)) : undefined;
    const t = topic && value ? `Lead “${topic}” · value ${value}` : topic ? `Lead “${topic}”` : value ? `Lead · value ${value}` : undefined;
    if (t) out.push({ kind: "Money", name: "lead", text: t });
  }
  // Trouble.
  const error = latest("visitorError", "visitorError", s.visitorError);
  if (error && flag(error.resolved) !== true) {
    const what = text(error.message) ?? text(error.code);
    if (what) out.push({ kind: "Trouble", name: "error", text: `Error: ${clip(what)}` });
  }
  const service = latest("serviceActivity", "serviceActivity", s.serviceActivity);
  const status = service && num(service.status);
  const words = [["complete", false], ["in progress", true], ["approved", false], ["cancelled", false],
    ["not approved", false], ["reviewed", true], ["missing details", true], ["closed", false], ["removed", false],
    ["assigned", true], ["waiting for the customer", true], ["waiting for a response", true], ["pending", true],
    ["resolved", false]][Number.isInteger(status) && status >= 0 ? status : -1];
  if (words?.[1]) {
    const topic = text(service.topic) && clip(text(service.topic));
    out.push({ kind: "Trouble", name: "service", text: topic ? `Open request “${topic}” · ${words[0]}` : `Open request · ${words[0]}` });
  }
  // Who.
  const customer = obj(obj(s.customerInfo)?.customerInfo);
  const customerType = text(customer?.customerType) && clip(text(customer.customerType));
  const customerStatus = text(customer?.customerStatus) && clip(text(customer.customerStatus));
  if (customerType || customerStatus) {
    out.push({ kind: "Who", name: "who", text: join([customerType && `${customerType} customer`, customerStatus], " · ") });
  }
  // Came from.
  const marketing = obj(obj(s.marketingCampaignInfo)?.marketingCampaignInfo);
  const search = text(obj(s.searchEngine)?.keywords);
  const campaign = join([text(marketing?.campaignId), text(marketing?.affiliate)], " · ");
  let referrer = text(s.externalReferrer);
  if (!referrer && pages.length) referrer = page.cameFrom(pages[orderBy(times)[0]]);
  let from;
  if (search) from = `Searched “${clip(search)}”`;
  else if (campaign) from = `Campaign ${clip(campaign)}`;
  else if (referrer) from = siteOf(referrer);
  if (from) out.push({ kind: "Came from", name: "from", text: from });
  const place = geoPlace(obj(s.geo));
  if (place) out.push({ kind: "Where", name: "where", text: clip(place) });
  let spent = 0;
  return out.filter((f) => (spent += f.kind.length + [...f.text].length + 1) <= REFERENCE.glanceBudget);
}

function pageName(title, address) {
  if (title) return clip(title);
  if (!address) return undefined;
  let path;
  for (const candidate of [address.trim(), `https://${address.trim()}`]) {
    try { path = new URL(candidate).pathname; break; } catch { /* try the next */ }
  }
  return clip(path && path !== "/" ? path : address);
}

function siteOf(address) {
  try {
    const url = new URL(address.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    const host = url.hostname.replace(/^www\./, "");
    return host || undefined;
  } catch { return undefined; }
}

function geoPlace(g) {
  const city = text(g?.city);
  const state = text(g?.state) !== city ? text(g?.state) : undefined;
  const country = text(g?.country) !== city && text(g?.country) !== state ? text(g?.country) : undefined;
  return join([city, state, country], ", ");
}

function glance(items, now) {
  if (!items.length) return null;
  return el("section", { class: "vs-glance", "aria-label": "At a glance" },
    el("ul", { class: "vs-glance-facts" }, items.map((f) => el("li", { class: "vs-glance-fact", "data-fact": f.name },
      el("span", { class: "vs-glance-kind" }, f.kind),
      el("span", { class: "vs-glance-text" },
        el("span", { class: "vs-text", title: f.text }, f.text),
        f.since !== undefined && el("span", { class: "vs-glance-clock" }, " · ", ticking(duration(Math.max(0, now - f.since))))),
      el("span", { class: "vs-glance-actions" },
        el("button", { type: "button", class: "vs-glance-copy", "aria-label": `Copy ${f.kind}: ${f.text}` }, "Copy"))))));
}

function header(visit, s, pages, evs, now) {
  const personal = obj(obj(s.personalInfo)?.personalInfo);
  const name = join([text(personal?.name), text(personal?.surname)], " ") ?? "Unnamed visitor";
  const ua = text(s.userAgent);
  const mobile = obj(s.mobileDeviceInfo);
  const device = join([text(s.deviceFamily) && humanise(text(s.deviceFamily)), text(s.deviceOS) && humanise(text(s.deviceOS)),
    flag(mobile?.mobile) === true ? "mobile" : undefined], " · ");
  const engine = obj(s.searchEngine);
  const search = engine && join([text(engine.searchEngine), text(engine.keywords) && `“${text(engine.keywords)}”`], " · ");
  const marketing = obj(obj(s.marketingCampaignInfo)?.marketingCampaignInfo);
  const start = num(s.startTime);
  const referrer = text(s.externalReferrer);
  return el("header", { class: "vs-visitor-header vs-lp-header" },
    el("h2", { class: "vs-visitor-name vs-text" }, name),
    glance(glanceFacts(s, pages, evs), now),
    el("dl", { class: "vs-facts" },
      rows([["Device", device], ["Browser", ua && userAgent(ua)], ["Location", geoPlace(obj(s.geo))],
        ["IP", text(s.ipv4) ?? text(s.lpv4)]]),
      start !== undefined && fact("On site", el("span", { class: "vs-lp-on-site" }, ticking(duration(Math.max(0, now - start))),
        when(start) ? ` (since ${when(start)})` : "")),
      referrer && fact("Referrer", safeLink(referrer, undefined, "vs-text")),
      rows([["Search", search], ["Source", marketing && join([text(marketing.affiliate), text(marketing.campaignId)], " · ")]])));
}

function journey(pages) {
  const n = pages.length;
  if (n === 0) return null;
  const times = pages.map((p) => page.opened(p) ?? -Number.MAX_VALUE);
  let current = -1;
  times.forEach((t, i) => { if (current < 0 || t >= times[current]) current = i; });
  let order = orderBy(times);
  const limited = n > REFERENCE.firstPages;
  if (limited) order = order.slice(n - REFERENCE.firstPages);
  order.reverse();
  const badge = count(n);
  return section("Journey", { badge, cls: "vs-lp-journey" },
    n > 1 && el("div", { class: "vs-lp-toolbar" },
      el("button", { type: "button", class: "vs-button vs-lp-order", "aria-pressed": "true" }, "Newest first")),
    el("ol", { class: "vs-journey" }, order.map((i) => {
      const p = pages[i];
      const isCurrent = i === current;
      const address = page.address(p), opened = page.opened(p), from = page.cameFrom(p);
      const onPage = num(p.timeOnPage);
      const openedText = opened !== undefined ? when(opened) : undefined;
      return el("li", { class: isCurrent ? "vs-page vs-current" : "vs-page", "aria-current": isCurrent && "true" },
        el("span", { class: "vs-page-title vs-text" }, page.title(p) ?? "Untitled page"),
        isCurrent && el("span", { class: "vs-tag" }, "current"),
        address && safeLink(address, undefined, "vs-page-url"),
        el("dl", { class: "vs-facts vs-inline" },
          onPage !== undefined && el("div", { class: "vs-fact" }, el("dt", null, "Time on page"), el("dd", null, duration(onPage))),
          openedText && el("div", { class: "vs-fact" }, el("dt", null, "Opened"), el("dd", null, openedText)),
          from && el("div", { class: "vs-fact" }, el("dt", null, "From"), el("dd", null, safeLink(from)))));
    })),
    limited && el("p", { class: "vs-lp-more" }, `Showing the latest ${REFERENCE.firstPages} of ${badge} pages. `,
      el("button", { type: "button", class: "vs-button" }, `Show all ${badge} pages`)));
}

function customer(s) {
  const items = [];
  let contacts = [];
  const p = obj(obj(s.personalInfo)?.personalInfo);
  if (p) {
    items.push(["Name", join([text(p.name), text(p.surname)], " ")]);
    const age = obj(p.customerAge);
    if (age) {
      const [y, m, d] = [num(age.customerYearOfBirth), num(age.customerMonthOfBirth), num(age.customerDateOfBirth)];
      const born = y !== undefined && m !== undefined && d !== undefined ? calendarDate({ year: y, month: m, day: d })
        : y !== undefined ? count(y) : undefined;
      const years = num(age.customerAgeInYears) !== undefined ? count(Math.floor(num(age.customerAgeInYears))) : undefined;
      items.push(["Age", years && born ? `${years} (born ${born})` : years ?? (born && `born ${born}`)]);
    }
    const link = (label, scheme, value) => {
      const v = value?.trim();
      return v ? fact(label, safeLink(`${scheme}${v.replace(/\s/g, "")}`, v)) : null;
    };
    const people = list(p.contacts);
    for (const c of people) contacts.push(link("Email", "mailto:", text(c.email)), link("Phone", "tel:", text(c.phone)));
    contacts = contacts.filter((c) => c);
    items.push(["Gender", text(p.gender) && humanise(text(p.gender))], ["Company", text(p.company)], ["Language", text(p.language)]);
  }
  const c = obj(obj(s.customerInfo)?.customerInfo);
  if (c) {
    items.push(["Status", text(c.customerStatus)], ["Type", text(c.customerType)],
      ["Balance", num(c.balance) !== undefined ? amount(num(c.balance)) : undefined], ["Customer ID", text(c.customerId)],
      ["Last payment", calendarDate(obj(c.lastPaymentDate))], ["Registered", calendarDate(obj(c.registrationDate))],
      ["Login status", text(c.loginStatus)], ["User name", text(c.userName)], ["Account", text(c.accountName)],
      ["Role", text(c.role)], ["Company branch", text(c.companyBranch)], ["Company size", text(c.companySize)],
      ["Social ID", text(c.socialId)], ["IMEI", text(c.imei)], ["Store number", text(c.storeNumber)],
      ["Store ZIP code", text(c.storeZipCode)]);
  }
  const first = rows(items.slice(0, 2)), rest = rows(items.slice(2));
  if (!contacts.length && !first.length && !rest.length) return null;
  return section("Customer", { cls: "vs-lp-customer" }, el("dl", { class: "vs-facts" }, first, contacts, rest));
}

function product(p, quantity) {
  const name = text(p?.name) ?? "Unnamed product";
  const about = p && join([text(p.category), text(p.sku) && `SKU ${text(p.sku)}`], " · ");
  const price = num(p?.price) !== undefined ? amount(num(p.price)) : undefined;
  const figures = quantity !== undefined ? (price ? `${count(quantity)} × ${price}` : `× ${count(quantity)}`) : price;
  return el("li", { class: "vs-lp-product" },
    el("span", { class: "vs-text vs-lp-product-name" }, name),
    about && [" ", el("span", { class: "vs-text vs-lp-muted" }, about)],
    figures && [" ", el("span", { class: "vs-lp-figures" }, figures)]);
}
const products = (lines) => (lines.length ? el("ul", { class: "vs-lp-products" },
  lines.map((l) => product(obj(l.product), num(l.quantity)))) : null);
const amountOf = (v) => (num(v) !== undefined ? amount(num(v)) : undefined);
const countOf = (v) => (num(v) !== undefined ? count(num(v)) : undefined);

function commerce(s) {
  const wrapper = obj(s.cart);
  const cart = obj(wrapper?.cartStatus);
  const cartFacts = facts([["Items", countOf(cart?.numItems)], ["Total", amountOf(cart?.total)],
    ["Last change", amountOf(wrapper?.lastTotalChange)]]);
  const cartLines = list(cart?.products);
  const hasCart = cartFacts || cartLines.length;
  const purchases = list(s.purchases);
  const viewed = list(s.viewedProduct).map((v) => obj(v.product)).filter((p) => p);
  if (!hasCart && !purchases.length && !viewed.length) return null;
  return section("Cart & purchases", { cls: "vs-lp-commerce", badge: purchases.length ? `${purchases.length} bought` : undefined },
    hasCart && [el("h4", { class: "vs-lp-sub" }, "Cart"), cartFacts, products(cartLines)],
    purchases.length && [el("h4", { class: "vs-lp-sub" }, "Purchases"), el("ul", { class: "vs-lp-items" }, purchases.map((p) => {
      const pc = obj(p.cart);
      return el("li", { class: "vs-lp-item" },
        el("span", { class: "vs-text vs-lp-item-title" }, text(p.orderId) ? `Order ${text(p.orderId)}` : "Order"),
        facts([["Total", amountOf(p.total) ?? amountOf(pc?.total)], ["Items", countOf(pc?.numItems)],
          ["Purchase no.", text(p.purchaseSeqId)], ["Repeated order ID", flag(p.repeatedOrderId) ? "Yes" : undefined]]),
        products(list(pc?.products)));
    }))],
    viewed.length && [el("h4", { class: "vs-lp-sub" }, "Viewed products"),
      el("ul", { class: "vs-lp-products" }, viewed.map((p) => product(p)))]);
}

const item = (title, fallback, body) => el("li", { class: "vs-lp-item" },
  el("span", { class: "vs-text vs-lp-item-title" }, title ?? fallback), body);

function leadsAndService(s) {
  const leads = list(s.leads), service = list(s.serviceActivity);
  if (!leads.length && !service.length) return null;
  return section("Leads & service", { badge: count(leads.length + service.length), cls: "vs-lp-leads" },
    leads.length && [el("h4", { class: "vs-lp-sub" }, "Leads"), el("ul", { class: "vs-lp-items" }, leads.map((l) => item(text(l.topic), "Lead",
      facts([["Value", amountOf(l.value)], ["Lead ID", text(l.leadId)], ["Ticket ID", text(l.ticketId)],
        ["Lead no.", text(l.leadSeqId)], ["Repeated lead ID", flag(l.repeatedLeadId) ? "Yes" : undefined]]))))],
    service.length && [el("h4", { class: "vs-lp-sub" }, "Service activity"), el("ul", { class: "vs-lp-items" }, service.map((a) => item(text(a.topic), "Service activity",
      facts([["Status", countOf(a.status)], ["Category", text(a.category)], ["Service ID", text(a.serviceId)],
        ["Activity no.", text(a.serviceSeqId)], ["Repeated", flag(a.repeatedServiceActivity) ? "Yes" : undefined]]))))]);
}

function visitorErrors(s) {
  const errors = list(s.visitorError);
  if (!errors.length) return null;
  return section("Visitor errors", { badge: count(errors.length), cls: "vs-lp-errors" },
    el("ul", { class: "vs-lp-items" }, errors.map((e) => el("li", { class: "vs-lp-item vs-lp-error" },
      el("strong", { class: "vs-lp-error-label" }, "Error"), " ",
      el("span", { class: "vs-text" }, text(e.message) ?? "No message"),
      facts([["Code", text(e.code)], ["Level", text(e.level)], ["Context", text(e.contextId)], ["Resolved", yesNo(flag(e.resolved))]])))));
}

function engagements(s) {
  const slots = list(s.engagements);
  if (!slots.length) return null;
  const accepted = slots.reduce((n, slot) => n + list(slot.impressionAccepted).length, 0);
  return section("Engagements", { badge: accepted ? `${slots.length} · ${count(accepted)} accepted` : String(slots.length), open: false, cls: "vs-lp-engagements" },
    el("ul", { class: "vs-lp-items" }, slots.map((slot) => {
      const e = obj(slot.engagement), entity = obj(e?.engagementEntity), campaign = obj(e?.campaignEntity), goal = obj(e?.goalEntity);
      const impressions = list(slot.impressionAccepted);
      const skill = text(obj(entity?.engagementSkill)?.skillName);
      return el("li", { class: "vs-lp-item" },
        el("span", { class: "vs-text vs-lp-item-title" }, text(entity?.id) ? `Engagement ${text(entity.id)}` : "Engagement"),
        impressions.length && [" ", el("span", { class: "vs-tag" }, "accepted")],
        facts([["State", countOf(e?.state)], ["Campaign", campaign && join([text(campaign.id), text(e?.campaignControl)], " · ")],
          ["Channel", entity && join([countOf(entity.channel) && `channel ${countOf(entity.channel)}`, countOf(entity.type) && `type ${countOf(entity.type)}`], " · ")],
          ["Skill", skill !== "*!@NULL*!@" ? skill : undefined], ["Goal", text(goal?.id)], ["Zone", text(e?.zoneId)],
          ["Page", text(e?.pageId)], ["Offsite", flag(entity?.isOffsiteEngagement) ? "Yes" : undefined], ["Slot", text(slot.id)]]),
        impressions.length && el("ul", { class: "vs-lp-impressions" }, impressions.map((i) => el("li", { class: "vs-text" },
          join(["Accepted", num(i.activityTime) !== undefined ? when(num(i.activityTime)) : undefined,
            text(i.pageId) && `on page ${text(i.pageId)}`], " ")))));
    })));
}

function about(visit, s) {
  const geo = obj(s.geo), marketing = obj(obj(s.marketingCampaignInfo)?.marketingCampaignInfo), mobile = obj(s.mobileDeviceInfo);
  const body = facts([["Visit ID", text(visit.id)], ["App session ID", text(s.id)],
    ["Started", num(s.startTime) !== undefined ? when(num(s.startTime)) : undefined], ["User agent", text(s.userAgent)],
    ["Device OS", text(s.deviceOS)], ["Device family", text(s.deviceFamily)], ["Mobile device", yesNo(flag(mobile?.mobile))],
    ["Device detected", yesNo(flag(mobile?.detected))], ["IPv4", text(s.ipv4)], ["LPv4", text(s.lpv4)],
    ["Country code", text(geo?.countryCode)], ["ISP", text(geo?.isp)], ["Organisation", text(geo?.org)],
    ["Affiliate", text(marketing?.affiliate)], ["Campaign", text(marketing?.campaignId)],
    ["Originating channel", countOf(marketing?.originatingChannel)]]);
  return body && section("About this visit", { open: false, cls: "vs-lp-about" }, body);
}

function referenceVisit(visit) {
  const now = Date.now();
  const { sessions, newest } = visitSession(obj(visit) ?? {});
  const panel = el("div", { class: "vs-panel vs-liveperson" }, statusBar());
  if (newest < 0) {
    put(panel, [el("p", { class: "vs-empty" }, "LivePerson returned this visit without any session data.")]);
    return panel;
  }
  const s = sessions[newest];
  const pages = list(s.pages);
  const evs = events(s);
  const picker = sessions.length > 1 && el("label", { class: "vs-field vs-lp-sessions" },
    el("span", null, `App session (${sessions.length} in this visit)`),
    el("select", null, orderBy(sessions.map((x) => -(num(x.startTime) ?? -Number.MAX_VALUE))).map((i) => {
      const started = num(sessions[i].startTime) !== undefined ? when(num(sessions[i].startTime)) : undefined;
      const label = (started ? `Started ${started}` : `Session ${i + 1}`) + (i === newest ? " (newest)" : "");
      return el("option", { value: String(i), selected: i === newest }, label);
    })));
  put(panel, [picker, header(visit, s, pages, evs, now), journey(pages), customer(s), commerce(s),
    leadsAndService(s), visitorErrors(s), engagements(s),
    evs.length && section("Timeline", { badge: count(evs.length), open: false, cls: "vs-lp-timeline" }),
    about(visit, s)]);
  return panel;
}

// ---- A LiveChat visitors list ----

function referenceList(visitors, total) {
  const now = Date.now();
  const listed = list(visitors).filter((v) => text(v.id));
  const groups = [...new Set(list(visitors).map((v) => num(v.group))
    .filter((g) => Number.isInteger(g) && g >= 0 && g <= 4294967295))].sort((a, b) => a - b);
  const select = (label, options, selected) => el("label", { class: "vs-field" }, el("span", null, label),
    el("select", null, options.map(([value, shown]) => el("option", { value, selected: value === selected }, shown))));
  const pages = Math.max(1, Math.ceil(listed.length / REFERENCE.listPage));
  const shown = listed.slice(0, REFERENCE.listPage);
  const summary = listed.length ? `1–${shown.length} of ${count(listed.length)}` : "No visitors right now.";
  return el("div", { class: "vs-panel vs-livechat" }, el("div", null,
    el("section", { class: "vs-visitors", "aria-labelledby": "vs-visitors-title" },
      el("div", { class: "vs-list-head" }, el("h2", { id: "vs-visitors-title", class: "vs-title" }, "Visitors"),
        total !== undefined && el("span", { class: "vs-count" }, `${count(total)} visitors`)),
      el("div", { class: "vs-filters" },
        select("State", [["all", "All"], ["chatting", "Chatting"], ["queued", "Queued"]], "all"),
        select("Group", [["", "All groups"], ...groups.map((g) => [String(g), `Group ${g}`])], ""),
        el("label", { class: "vs-field vs-search" }, el("span", null, "Search"),
          el("input", { type: "search", placeholder: "Name, city, country or page" }))),
      statusBar(),
      el("p", { class: "vs-list-summary", role: "status" }, summary),
      el("ul", { class: "vs-visitor-rows" }, shown.map((v) => {
        const id = text(v.id);
        const starts = list(v.visit_path).map((step) => num(step.time_ts)).filter((t) => t !== undefined);
        const seconds = num(v.last_visit_ts) ?? (starts.length ? Math.min(...starts) : undefined);
        const started = seconds > 1e9 ? seconds * 1000 : undefined;
        const title = text(v.page_title) ?? text(v.page_current);
        return el("li", null, el("button", { type: "button", class: "vs-visitor-row", "data-visitor-id": id },
          el("span", { class: "vs-row-name vs-text" }, text(v.name) ?? "Visitor"),
          text(v.state) && el("span", { class: "vs-tag" }, text(v.state)),
          text(v.country) && el("span", { class: "vs-row-country vs-text" }, text(v.country)),
          started !== undefined && el("span", { class: "vs-row-time" }, el("span", { class: "vs-sr-only" }, "Time on site: "),
            ticking(duration(Math.max(0, now - started)))),
          title && el("span", { class: "vs-row-page vs-text", title }, title)));
      })),
      pages > 1 && el("nav", { class: "vs-pager", "aria-label": "Visitor list pages" },
        el("button", { type: "button", class: "vs-button", disabled: true }, "‹ Previous"),
        el("span", { class: "vs-pager-at" }, `Page 1 of ${pages}`),
        el("button", { type: "button", class: "vs-button" }, "Next ›")))));
}

// The reference's panel for a parsed response body (`kind` "liveperson" or "livechat"; a list
// also takes the count answer's), built into `into`.
function referenceRender(kind, data, countData, into) {
  const panel = kind === "livechat" ? referenceList(data, num(countData)) : referenceVisit(data);
  into.appendChild(panel);
  return panel;
}
