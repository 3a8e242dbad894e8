// The fake Agent Workspace's script (agent-workspace.html), served at
// /api/demo/agent-workspace.js: no inline script, so the page runs under a strict CSP.
const frame = document.getElementById("widget");
const list = document.getElementById("chats");
const status = document.getElementById("status");
const shown = document.getElementById("model");
const title = document.getElementById("conversation-title");
const composer = document.getElementById("composer");
let current = null;
// Each conversation keeps its own draft, as the Agent Workspace's message box does.
const drafts = new Map();
let draftOf = null;

// The public model of one chat, in the shapes LivePerson documents. The simulator's session
// ID sits at the widget's default session-ID path, chatInfo.rtSessionId.
function modelFor(chat, index) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return {
    chatInfo: { rtSessionId: chat.sid, accountId: "12345678", chatStartTime: Date.now(),
                chatSkill: index % 2 ? "Support" : "Sales", isMessaging: false },
    visitorInfo: { visitorId: chat.visitorId, visitorName: chat.name,
                   chattingVisitorState: "CHATTING", visitorTimezone: zone },
    surveyQuestions: { preChat: { name: { value: chat.name, displayName: "Your name" },
                                  customizedQuestions: [] }, postChat: [], agentSurvey: [] },
    customVariables: [{ "@scope": "session", "@source": "demo", name: "demoConversation",
                        displayName: "Demo conversation", value: String(index + 1) }],
  };
}

function send() {
  if (!current || !frame.contentWindow) return;
  frame.contentWindow.postMessage({ type: "lp-standin:load", model: current }, location.origin);
}

// A chat line the widget wrote (the SDK's write command, "Write ChatLine"), at the end of the
// message box. As TEXT: the real Agent Workspace renders a written chat line as HTML in
// real-time chat, which is why the widget HTML-escapes what it writes there; this fake shows the
// line as it was written, so an escaped visitor value reads as entities (`&lt;img …`), never
// as markup.
function write(text) {
  if (typeof text !== "string") return;
  const draft = composer.value;
  composer.value = draft + (draft === "" || /\s$/.test(draft) ? "" : " ") + text;
  if (draftOf) drafts.set(draftOf, composer.value);
}
composer.addEventListener("input", () => {
  if (draftOf) drafts.set(draftOf, composer.value);
});

// The SDK stand-in in the widget says when it is ready for the model, and which commands the
// widget sent.
window.addEventListener("message", (event) => {
  if (event.source !== frame.contentWindow || event.origin !== location.origin || !event.data) return;
  const { type, cmdName, data } = event.data;
  if (type === "lp-standin:ready") send();
  else if (type === "lp-standin:command" && cmdName === "Write ChatLine") write(data && data.text);
});

function select(button, chat, index) {
  for (const other of list.querySelectorAll("button")) other.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  // Visitor data is hostile: textContent only, never innerHTML.
  title.textContent = `Conversation with ${chat.name || "a visitor"}`;
  draftOf = chat.visitorId;
  composer.value = drafts.get(draftOf) || "";
  current = modelFor(chat, index);
  shown.textContent = JSON.stringify(current, null, 2);
  send();
}

try {
  const response = await fetch("/api/demo/chats");
  if (!response.ok) throw new Error(`the proxy answered ${response.status}; is it in --demo mode?`);
  const chats = (await response.json()).filter((c) => c.provider === "liveperson");
  // One the Visit Information API does not know, to show the widget's 404 notice.
  chats.push({ visitorId: "unknown-demo-visitor", sid: "0.404", name: "Visitor the Visit API does not know",
               summary: "Shows what the Agent Workspace gives, and names the IDs tried" });
  status.textContent = `${chats.length} conversations`;
  chats.forEach((chat, index) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chat";
    const name = document.createElement("strong");
    name.textContent = chat.name || "Visitor";
    const summary = document.createElement("span");
    summary.className = "summary";
    summary.textContent = chat.summary || "";
    button.append(name, summary);
    button.dataset.visitorId = chat.visitorId;
    button.addEventListener("click", () => select(button, chat, index));
    item.append(button);
    list.append(item);
  });
  const first = list.querySelector("button");
  if (first) first.click();
} catch (error) {
  status.textContent = `Cannot load the demo conversations: ${error.message}`;
}
