// The tests' custom console (custom-console.html): frames the widget at ?widget=URL and answers
// its inserts, the protocol a console embedding the iframe page speaks (README, "Embedding"):
// the sidebar posts `{type: "visitor-sidebar:insert", id, text}` to this page's origin (which
// the widget page's allowed-origins meta lists); the console puts the text into its reply box
// and answers `{type: "visitor-sidebar:inserted", id}` to the widget's origin, or with an
// `error` when it cannot.
//
// The test hook, `window.customConsole`: `inserts` (every insert message's data, in order),
// `answer` ("ok"; "error": refuse each insert; "never": answer none).
"use strict";

(() => {
  const widgetUrl = new URL(new URLSearchParams(location.search).get("widget") || "about:blank");
  const frame = document.getElementById("widget");
  const reply = document.getElementById("reply");
  const hook = { inserts: [], answer: "ok" };
  window.customConsole = hook;
  if (!/^https?:$/.test(widgetUrl.protocol)) return;

  window.addEventListener("message", (event) => {
    // Only the framed widget, from its own origin.
    if (event.source !== frame.contentWindow || event.origin !== widgetUrl.origin) return;
    const m = event.data;
    if (!m || m.type !== "visitor-sidebar:insert" || typeof m.text !== "string") return;
    hook.inserts.push({ id: m.id, text: m.text });
    if (hook.answer === "never") return;
    if (hook.answer === "error") {
      event.source.postMessage(
        { type: "visitor-sidebar:inserted", id: m.id, error: "the reply box is closed" },
        event.origin,
      );
      return;
    }
    // As a value, never as markup: the text carries visitor data.
    const draft = reply.value;
    reply.value = draft + (draft === "" || /\s$/.test(draft) ? "" : " ") + m.text;
    event.source.postMessage({ type: "visitor-sidebar:inserted", id: m.id }, event.origin);
  });
  frame.src = widgetUrl.href;
})();
