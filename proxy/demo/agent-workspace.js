// The fake Agent Workspace's script (agent-workspace.html), served at
// /api/demo/agent-workspace.js: no inline script, so the page runs under a strict CSP.
const frame = document.getElementById("widget");
const list = document.getElementById("chats");
const status = document.getElementById("status");
const shown = document.getElementById("model");
const title = document.getElementById("conversation-title");
let current = null;

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

// The SDK stand-in in the widget says when it is ready for the model.
window.addEventListener("message", (event) => {
  if (event.source === frame.contentWindow && event.data && event.data.type === "lp-standin:ready") send();
});

function select(button, chat, index) {
  for (const other of list.querySelectorAll("button")) other.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  // Visitor data is hostile: textContent only, never innerHTML.
  title.textContent = `Conversation with ${chat.name || "a visitor"}`;
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
