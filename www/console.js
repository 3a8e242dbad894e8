// The demo agent console's script (console.html): mount() once, show() on every chat switch.
// A file, not an inline script, so the page runs under the widget's strict Content-Security-Policy.
// Both providers: this console switches between LivePerson and LiveChat chats.
import init, { mount } from "./visitor-sidebar.js";

await init();
const sidebar = mount(document.getElementById("sidebar"), { proxyUrl: "/api", provider: "livechat" });
window.visitorSidebar = sidebar;

document.getElementById("theme").addEventListener("change", (e) => sidebar.setTheme(e.target.value));

const list = document.getElementById("chats");
const status = document.getElementById("chats-status");
const title = document.getElementById("conversation-title");

function select(button, chat) {
  for (const other of list.querySelectorAll("button")) other.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  title.textContent = `Conversation with ${chat.name || "a visitor"}`;
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
