// The iframe page's loader (index.html loads it as a module script; no inline script, so a
// strict Content-Security-Policy can forbid those). It picks the bundle the page's URL asks for,
// loads it and starts the sidebar:
//   ?console=livechat or ?provider=livechat      the LiveChat bundle
//   ?console=liveperson or ?provider=liveperson  the LivePerson bundle
//   no provider                                  as the widget decides (Selection::from_parts):
//                                                LivePerson when a sid is given, else LiveChat
//   anything else                                both providers (the widget explains the value)
// The bundles' files are named by their content; scripts/build.sh writes their names here.

// scripts/build.sh replaces the next line with the built bundles' hashed file names.
const BUNDLES = {};

function pick(query) {
  const named = (query.get("console") || query.get("provider") || "").trim().toLowerCase();
  if (named === "livechat" || named === "liveperson") return named;
  if (named === "") return (query.get("sid") || "").trim() ? "liveperson" : "livechat";
  return "full";
}

async function start() {
  const bundle = BUNDLES[pick(new URLSearchParams(location.search))] || BUNDLES.full;
  if (!bundle) throw new Error("this page was not built with scripts/build.sh");
  const url = (path) => new URL(path, import.meta.url).href;
  // The wasm downloads while the JS glue loads.
  const wasm = fetch(url(bundle.wasm));
  const bindings = await import(url(bundle.js));
  await bindings.default({ module_or_path: wasm });
  // The benchmark and the tests reach the running bundle here.
  window.wasmBindings = bindings;
  bindings.startPage();
}

start().catch((error) => {
  const root = document.querySelector("[data-visitor-sidebar]");
  if (!root) return;
  const frame = document.createElement("div");
  frame.className = "vs-root";
  const notice = document.createElement("p");
  notice.className = "vs-notice vs-notice-error";
  notice.setAttribute("role", "alert");
  // Text, not HTML.
  notice.textContent = `The sidebar could not start: ${error.message || error}`;
  frame.append(notice);
  root.append(frame);
});
