// The demo agent console's script (console.html): mount() once, show() on every chat switch,
// and the reply box that the sidebar's Insert fills (mount()'s onInsert).
// A file, not an inline script, so the page runs under the widget's strict Content-Security-Policy.
// Both providers: this console switches between LivePerson and LiveChat chats.
import init, { mount } from "./visitor-sidebar.js";

await init();
const reply = document.getElementById("reply");
// Each chat keeps its own draft, as a console's message box does.
const drafts = new Map();
let openChat = null;

// The sidebar's Insert: the sentence goes at the end of the reply, after a space unless the draft
// is empty or already ends in a space or line break, for the agent to check and send. The focus
// stays where the agent is (the sidebar's button); the text is set as a value, never as markup.
function insertIntoReply(text) {
  const draft = reply.value;
  const gap = draft === "" || /\s$/.test(draft) ? "" : " ";
  reply.value = draft + gap + text;
  reply.scrollTop = reply.scrollHeight;
  if (openChat) drafts.set(openChat, reply.value);
}

const sidebar = mount(document.getElementById("sidebar"), {
  proxyUrl: "/api",
  provider: "livechat",
  onInsert: insertIntoReply,
});
window.visitorSidebar = sidebar;

reply.addEventListener("input", () => {
  if (openChat) drafts.set(openChat, reply.value);
});

document.getElementById("theme").addEventListener("change", (e) => sidebar.setTheme(e.target.value));

const list = document.getElementById("chats");
const status = document.getElementById("chats-status");
const title = document.getElementById("conversation-title");

function select(button, chat) {
  for (const other of list.querySelectorAll("button")) other.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  title.textContent = `Conversation with ${chat.name || "a visitor"}`;
  openChat = `${chat.provider}:${chat.visitorId}`;
  reply.value = drafts.get(openChat) || "";
  sidebar.show({ provider: chat.provider, visitorId: chat.visitorId, sid: chat.sid });
}

try {
  const response = await fetch("/api/demo/chats");
  if (!response.ok) throw new Error(`the proxy answered ${response.status}; is it in --demo mode?`);
  const chats = await response.json();
  status.textContent = `${chats.length} chats`;
  for (const chat of chats) {
    // Visitor data is hostile: textContent only, never innerHTML.
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "console-chat";
    const name = document.createElement("strong");
    name.textContent = chat.name || "Visitor";
    const provider = document.createElement("span");
    provider.className = "console-provider";
    provider.textContent = chat.provider === "liveperson" ? "LivePerson" : "LiveChat";
    const summary = document.createElement("span");
    summary.className = "console-summary";
    summary.textContent = chat.summary || "";
    button.append(name, provider, summary);
    button.dataset.provider = chat.provider;
    button.dataset.visitorId = chat.visitorId;
    button.addEventListener("click", () => select(button, chat));
    item.append(button);
    list.append(item);
  }
  const first = list.querySelector("button");
  if (first) first.click();
} catch (error) {
  status.textContent = `Cannot load the demo chats: ${error.message}`;
}
