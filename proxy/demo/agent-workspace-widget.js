// The demo Agent Workspace widget page's start-up (agent-workspace-widget.html), served at
// /api/demo/agent-workspace/widget.js: no inline script, so the page runs under the widget's
// strict Content-Security-Policy.
import init, { startPage } from "/visitor-sidebar.js";
await init();
// The iframe page's start-up (it reads this page's settings); once per page.
startPage();
