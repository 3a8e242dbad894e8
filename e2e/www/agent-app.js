// The console side of LiveChat's Agent App SDK protocol, as @livechat/agent-app-sdk 1.16.0 speaks
// it (read in the package: @livechat/postmessage 0.3.2's parent and child, and
// @livechat/widget-core-sdk 1.5.1's connection), for a stand-in Agent App page:
//
// - every message is an object with "@@livechat/postmessenger": true, `owner` (the parent's
//   random id), `instance`, `type`, `data` and, for calls and their responses, `request`;
// - on the iframe's load the parent sends `{type: "handshake", data: {}, request: null}` to the
//   frame's origin, again every 500 ms until the child answers `{type: "response", request: null}`
//   (the library tries 6 times; `?handshakeTries=` here, default 40, as a loaded test machine
//   needs longer: the widget loads its wasm and then the SDK before it can answer);
// - the widget then calls the parent's `handle` method: `{type: "call", data: {method: "handle",
//   args: [{plugin_id, message: "plugin_inited", data: null}]}, request: N}`, and the parent
//   answers `{type: "response", request: N, data: {error: false, result}}`;
// - events go the other way as calls of the widget's `handle` method with
//   `{event_name: "livechat:customer_profile" | "livechat:change_theme", event_data}`;
// - the details widget's `putMessage(text)` is a `handle` call with `{message: "put_message",
//   data: text}`: the Agent App appends the text to the agent's message box (the agent sends it).
//   A method that throws is answered `{error: true, result: {real: true, error: {message}}}`,
//   which the SDK's `call` turns into a rejected promise with an `Error` of that message; tests
//   set `window.agentApp.refusePut = true` to have put_message refused that way.
//
// Visitor data is hostile: it reaches this page's DOM through textContent only.
"use strict";

(() => {
  const FINGERPRINT = "@@livechat/postmessenger";
  const PLUGIN_ID = "visitor-sidebar-demo";
  const params = new URLSearchParams(location.search);
  const widgetUrl = new URL(params.get("widget") || "/?console=livechat", location.href);
  const handshakeTries = Math.min(Math.max(Number(params.get("handshakeTries")) || 40, 1), 120);
  const frame = document.getElementById("widget");
  const statusLine = document.getElementById("link-status");
  const log = document.getElementById("log");

  // What the tests read (window.agentApp.state) and call.
  const state = {
    widget: null,
    handshakes: 0,
    connected: false,
    inited: false,
    failed: false,
    received: [], // the `handle` calls the widget made: {plugin_id, message, data}
    answered: 0, // events the widget's `handle` answered
    openChat: null,
    theme: null,
    put: [], // the texts put_message added to the message box
  };
  const composer = document.getElementById("composer");
  // Each chat keeps its own draft, as the Agent App's message box does.
  const drafts = new Map();
  let draftOf = null; // the customer ID of the open chat, whose draft the box shows

  function say(text) {
    statusLine.textContent = text;
  }

  function note(text) {
    const item = document.createElement("li");
    item.textContent = text;
    log.append(item);
  }

  if (!/^https?:$/.test(widgetUrl.protocol)) {
    say("?widget= must be an http(s) address.");
    return;
  }
  // The real Agent App adds the app's plugin_id to a widget's URL; the SDK sends it back.
  widgetUrl.searchParams.set("plugin_id", PLUGIN_ID);
  state.widget = widgetUrl.href;
  const targetOrigin = widgetUrl.origin;
  const owner = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16)).join("");
  let instance = -1;
  let requests = 0;
  const pending = new Map();
  let retry = null;

  function message(type, data, request) {
    return { [FINGERPRINT]: true, owner, instance, type, data, request };
  }

  function post(msg) {
    if (frame.contentWindow) frame.contentWindow.postMessage(msg, targetOrigin);
  }

  // A call of one of the widget's methods; resolves with its result.
  function call(method, ...args) {
    const request = requests++;
    const answer = new Promise((resolve, reject) => pending.set(request, { resolve, reject }));
    post(message("call", { method, args }, request));
    return answer;
  }

  function sendEvent(name, data) {
    note(`Agent App → widget: ${name}`);
    if (!state.connected) return Promise.reject(new Error("the widget has not answered the handshake"));
    return call("handle", { event_name: `livechat:${name}`, event_data: data }).then((result) => {
      state.answered += 1;
      return result;
    });
  }

  // The Agent App's own methods, as the widget calls them.
  const methods = {
    handle(payload) {
      state.received.push(payload);
      note(`widget → Agent App: ${payload && payload.message}`);
      if (payload && payload.plugin_id !== PLUGIN_ID) {
        note(`(plugin_id ${String(payload && payload.plugin_id)} is not ${PLUGIN_ID})`);
      }
      if (payload && payload.message === "put_message") return putMessage(payload.data);
      if (payload && payload.message === "plugin_inited") {
        state.inited = true;
        say("Details widget connected (plugin_inited).");
        // Like the console, tell a widget that starts while a chat is open whose chat it is.
        setTimeout(() => {
          if (state.openChat) sendProfile(state.openChat.profile);
          if (state.theme) sendEvent("change_theme", { theme: state.theme });
        }, 0);
      }
      return undefined;
    },
  };

  // put_message: the text at the end of the message box (after a space unless the draft is empty
  // or ends in blank), set as a value, never as markup.
  function putMessage(text) {
    if (window.agentApp.refusePut) throw new Error("The message box is not available (refusePut).");
    if (typeof text !== "string") throw new Error("put_message takes a string.");
    const draft = composer.value;
    composer.value = draft + (draft === "" || /\s$/.test(draft) ? "" : " ") + text;
    state.put.push(text);
    if (draftOf) drafts.set(draftOf, composer.value);
    return undefined;
  }
  composer.addEventListener("input", () => {
    if (draftOf) drafts.set(draftOf, composer.value);
  });

  window.addEventListener("message", (event) => {
    const m = event.data;
    if (event.source !== frame.contentWindow || event.origin !== targetOrigin) return;
    if (!m || !m[FINGERPRINT] || m.owner !== owner || m.instance !== instance) return;
    if (m.type === "response" && m.request === null) {
      if (!state.connected) {
        state.connected = true;
        clearInterval(retry);
        say("Handshake answered; waiting for plugin_inited…");
      }
    } else if (m.type === "response") {
      const waiting = pending.get(m.request);
      if (!waiting) return;
      pending.delete(m.request);
      if (m.data && m.data.error) waiting.reject(new Error(JSON.stringify(m.data.result)));
      else waiting.resolve(m.data && m.data.result);
    } else if (m.type === "call") {
      const { method, args } = m.data || {};
      let data;
      try {
        if (!Object.prototype.hasOwnProperty.call(methods, method)) throw new Error(`no method ${method}`);
        data = { error: false, result: methods[method](...(args || [])) };
      } catch (error) {
        data = { error: true, result: { real: true, error: { message: error.message } } };
      }
      // The library answers with the call's own message, recycled.
      post({ ...m, type: "response", data });
    }
  });

  // Every load of the frame (the first, or a reload) is a new widget to handshake with.
  frame.addEventListener("load", () => {
    instance += 1;
    Object.assign(state, { handshakes: 0, connected: false, inited: false, failed: false });
    clearInterval(retry);
    const attempt = () => {
      if (state.connected) return;
      if (state.handshakes >= handshakeTries) {
        clearInterval(retry);
        state.failed = true;
        say(`The Details widget did not answer ${handshakeTries} handshakes.`);
        return;
      }
      state.handshakes += 1;
      post(message("handshake", {}, null));
    };
    attempt();
    retry = setInterval(attempt, 500);
  });
  frame.src = widgetUrl.href;

  function sendProfile(profile) {
    return sendEvent("customer_profile", profile);
  }

  function setTheme(theme) {
    state.theme = theme;
    document.body.classList.toggle("dark", theme === "dark");
    return sendEvent("change_theme", { theme });
  }

  async function json(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // The customer_profile the Agent App sends for a chat, from what it knows of the customer (here:
  // the proxy's v3 customer and v2 visitor): the shape of the SDK's typings, with the docs'
  // customVariables.
  async function profileFor(chat) {
    const profile = { id: chat.customerId, name: chat.name, chat: {}, source: "chats" };
    const [customer, visitor] = await Promise.all([
      json(`/api/livechat/customers/${encodeURIComponent(chat.customerId)}`).catch(() => null),
      json(`/api/livechat/visitors/${encodeURIComponent(chat.visitorId)}`).catch(() => null),
    ]);
    if (customer) {
      if (customer.name) profile.name = customer.name;
      if (customer.email) profile.email = customer.email;
      const visit = customer.visit || customer.last_visit;
      const geo = visit && visit.geolocation;
      if (geo) {
        profile.geolocation = {};
        for (const key of ["latitude", "longitude", "country", "country_code", "region", "city", "timezone"]) {
          if (geo[key] !== undefined && geo[key] !== null) profile.geolocation[key] = String(geo[key]);
        }
      }
      const variables = {};
      for (const field of customer.session_fields || []) Object.assign(variables, field);
      if (Object.keys(variables).length) profile.customVariables = variables;
    }
    if (visitor) {
      const chatId = visitor.chat_id || (visitor.chat && visitor.chat.id);
      if (chatId) profile.chat.id = chatId;
      if (visitor.group !== undefined) profile.chat.groupID = String(visitor.group);
      if (Array.isArray(visitor.prechat_survey) && visitor.prechat_survey.length) {
        profile.chat.preChatSurvey = visitor.prechat_survey.map((q) => ({ question: q.key, answer: q.value }));
      }
    }
    return profile;
  }

  const list = document.getElementById("chats");
  const title = document.getElementById("chat-title");

  async function open(chat, button) {
    for (const other of list.querySelectorAll("button")) other.removeAttribute("aria-current");
    button.setAttribute("aria-current", "true");
    title.textContent = `Chat with ${chat.name || "a customer"}`;
    draftOf = chat.customerId;
    composer.value = drafts.get(draftOf) || "";
    const profile = await profileFor(chat);
    state.openChat = { customerId: chat.customerId, profile };
    if (state.inited) await sendProfile(profile);
  }

  async function loadChats() {
    const status = document.getElementById("chats-status");
    try {
      const chats = (await json("/api/demo/chats")).filter((c) => c.provider === "livechat" && c.customerId);
      status.textContent = `${chats.length} LiveChat chats`;
      for (const chat of chats) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.customerId = chat.customerId;
        const name = document.createElement("strong");
        name.textContent = chat.name || "Customer";
        const summary = document.createElement("span");
        summary.className = "summary";
        summary.textContent = chat.summary || "";
        button.append(name, summary);
        button.addEventListener("click", () => open(chat, button).catch((e) => note(`error: ${e.message}`)));
        item.append(button);
        list.append(item);
      }
    } catch (error) {
      status.textContent = `Cannot load the demo chats (${error.message}); is the proxy in --demo mode?`;
    }
  }

  document.getElementById("theme-light").addEventListener("click", () => setTheme("light").catch(() => {}));
  document.getElementById("theme-dark").addEventListener("click", () => setTheme("dark").catch(() => {}));
  loadChats();

  window.agentApp = { state, sendProfile, setTheme, profileFor, refusePut: false };
})();
