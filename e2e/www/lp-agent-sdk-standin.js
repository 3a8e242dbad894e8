// A test-only stand-in for LivePerson's `client-SDK.min.js` (the Agent Workspace Widget SDK),
// for the end-to-end tests and the demo's fake Agent Workspace. Never part of `dist/`.
//
// It implements the surface LivePerson documents (developers.liveperson.com, "Agent Workspace
// Widget SDK": Methods, Public Model Structure, Best Practices and Troubleshooting) on a public
// model held here:
// - `lpTag.agentSDK.init(options)`: the handshake; nothing else works before it ("No channel
//   defined…"). `options.notificationCallback`, `visitorFocusedCallback` and
//   `visitorBlurredCallback` are kept (no notifications are sent, as in LivePerson's SDK).
// - `bind(key, onUpdate, onNotify)`: `onUpdate({key, newValue})` at once when there is a value,
//   then on every change, always with the whole value; then `onNotify()` (an error string
//   instead when it fails). `unbind(key, onUpdate, onNotify)` needs the very same callback.
// - `get(key, onSuccess, onError)`: the value, `null` when there is none.
// - `command(cmdName, data, notifyWhenDone)` with `cmdNames` (`write`, `writeSC`, `notify`,
//   `sendFile`); `dispose()`; `onNotify`, `onVisitorFocused`, `onVisitorBlurred`.
// Answers arrive asynchronously and as copies (LivePerson's SDK talks to the Agent Workspace
// with postMessage), and a callback that throws is logged, not passed on.
//
// The test hook, `window.__lpStandin`:
// - `push(path, value)`: sets the model at a dotted path (null removes) and tells every binding
//   on that path, above it or below it;
// - `load(model)`: replaces the whole model (a new conversation) and tells every binding whose
//   value changed, in the order they were bound;
// - `bindings()`: the keys bound now, one entry per binding; `calls()`: every call made, in order;
//   `commands()`: the commands sent; `answerCommands(how)`: "ok", "error" (each command is
//   refused) or "never" (no command is ever answered); `reset()`: back to an empty, uninitialised SDK.
// A parent window (the demo's fake Agent Workspace) may do the same by postMessage:
// `{type: "lp-standin:load", model}` or `{type: "lp-standin:push", path, value}`; the stand-in
// tells it `{type: "lp-standin:ready"}` once loaded, and `{type: "lp-standin:command", cmdName,
// data}` for each command the Agent Workspace took (so the fake shows a written line in its
// message box). Messages from any other window are ignored.
//
// `?connect=never` on this script's URL makes an SDK whose `init` never reaches the Agent
// Workspace: no call ever answers, as when the widget is opened outside LivePerson.
(function () {
  "use strict";

  var script = document.currentScript;
  var mode = "auto";
  if (script && script.src) {
    mode = new URL(script.src, location.href).searchParams.get("connect") || "auto";
  }

  var model = {};
  var connected = false;
  var bindings = [];
  var calls = [];
  var commands = [];
  // How commands are answered: "ok", "error" (the Agent Workspace refuses), "never".
  var commandAnswer = "ok";
  var handlers = { notify: [], focused: [], blurred: [] };

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function segments(path) {
    return String(path).split(".");
  }

  function read(path) {
    var at = model;
    var parts = segments(path);
    for (var i = 0; i < parts.length; i++) {
      if (at === null || typeof at !== "object" || !Object.prototype.hasOwnProperty.call(at, parts[i])) {
        return undefined;
      }
      at = at[parts[i]];
    }
    return at;
  }

  function write(path, value) {
    var parts = segments(path);
    var at = model;
    for (var i = 0; i < parts.length - 1; i++) {
      if (at[parts[i]] === null || typeof at[parts[i]] !== "object") at[parts[i]] = {};
      at = at[parts[i]];
    }
    if (value === null || value === undefined) delete at[parts[parts.length - 1]];
    else at[parts[parts.length - 1]] = copy(value);
  }

  // `a` is `b`, or one of them is an ancestor of the other.
  function related(a, b) {
    return a === b || b.indexOf(a + ".") === 0 || a.indexOf(b + ".") === 0;
  }

  function later(fn) {
    setTimeout(fn, 0);
  }

  function call(callback, what, args) {
    if (typeof callback !== "function") return;
    try {
      callback.apply(null, args);
    } catch (e) {
      console.error("Callback provided for " + what + " encountered an error", e);
    }
  }

  // How LivePerson's SDK words the refusals its troubleshooting page lists.
  function refusal(method, key, needsKey) {
    if (!connected) return 'No channel defined when calling "' + method + '". Maybe you are missing a call to "init"?';
    if (needsKey && !key) return 'No key/cmdName provided when calling "' + method + '"';
    return null;
  }

  function deliver(binding, value) {
    later(function () {
      if (bindings.indexOf(binding) < 0) return;
      call(binding.onUpdate, binding.key, [{ key: binding.key, newValue: value === undefined ? null : copy(value) }]);
    });
  }

  var sdk = {
    cmdNames: {
      write: "Write ChatLine",
      writeSC: "Write StructuredContent",
      notify: "Send Notification",
      sendFile: "Send File",
    },

    init: function (options) {
      calls.push(["init"]);
      options = options || {};
      if (options.notificationCallback) handlers.notify.push(options.notificationCallback);
      if (options.visitorFocusedCallback) handlers.focused.push(options.visitorFocusedCallback);
      if (options.visitorBlurredCallback) handlers.blurred.push(options.visitorBlurredCallback);
      // The handshake with the Agent Workspace: never done in `?connect=never`.
      if (mode !== "never") connected = true;
    },

    bind: function (key, onUpdate, onNotify) {
      calls.push(["bind", key]);
      if (mode === "never") return;
      var problem = refusal("bind", key, true);
      if (problem) {
        later(function () { call(onNotify, "bind", [problem]); });
        return;
      }
      var binding = { key: key, onUpdate: onUpdate };
      bindings.push(binding);
      var value = read(key);
      if (value !== undefined) deliver(binding, value);
      later(function () { call(onNotify, "bind", []); });
    },

    unbind: function (key, onUpdate, onNotify) {
      calls.push(["unbind", key]);
      if (mode === "never") return;
      var problem = refusal("unbind", key, true);
      var index = -1;
      for (var i = 0; i < bindings.length && !problem; i++) {
        if (bindings[i].key === key && bindings[i].onUpdate === onUpdate) {
          index = i;
          break;
        }
      }
      if (!problem && index < 0) problem = 'Error calling "unbind" on the following key: ' + key;
      if (index >= 0) bindings.splice(index, 1);
      later(function () { call(onNotify, "unbind", problem ? [problem] : []); });
    },

    get: function (key, onSuccess, onError) {
      calls.push(["get", key]);
      if (mode === "never") return;
      var problem = refusal("get", key, true);
      var value = read(key);
      later(function () {
        if (problem) call(onError, "get", [problem]);
        else call(onSuccess, "get", [value === undefined ? null : copy(value)]);
      });
    },

    command: function (cmdName, data, notifyWhenDone) {
      calls.push(["command", cmdName]);
      if (mode === "never") return;
      var problem = refusal("command", cmdName, true);
      if (!problem && commandAnswer === "error") problem = "The conversation is closed.";
      if (!problem) commands.push({ cmdName: cmdName, data: copy(data) });
      if (commandAnswer === "never") return;
      later(function () {
        if (!problem) tellParent({ type: "lp-standin:command", cmdName: cmdName, data: copy(data) });
        call(notifyWhenDone, "command", problem ? [problem] : []);
      });
    },

    dispose: function () {
      calls.push(["dispose"]);
      bindings = [];
      connected = false;
    },

    onNotify: function (handler) { handlers.notify.push(handler); },
    onVisitorFocused: function (handler) { handlers.focused.push(handler); },
    onVisitorBlurred: function (handler) { handlers.blurred.push(handler); },
  };

  // To the page that frames this one, aimed at its origin where the browser tells it
  // (`location.ancestorOrigins`: a written line is visitor data), else at any origin ("*"; this
  // stand-in only ever runs in tests and the demo).
  function tellParent(message) {
    if (window.parent === window) return;
    var origins = location.ancestorOrigins;
    var origin = origins && origins.length && origins[0] !== "null" ? origins[0] : "*";
    window.parent.postMessage(message, origin);
  }

  function push(path, value) {
    write(path, value);
    bindings.slice().forEach(function (binding) {
      if (related(binding.key, path)) deliver(binding, read(binding.key));
    });
  }

  function load(next) {
    var before = bindings.map(function (b) { return JSON.stringify(read(b.key)); });
    model = copy(next || {});
    bindings.slice().forEach(function (binding, i) {
      if (JSON.stringify(read(binding.key)) !== before[i]) deliver(binding, read(binding.key));
    });
  }

  window.lpTag = window.lpTag || {};
  window.lpTag.agentSDK = sdk;
  window.__lpStandin = {
    push: push,
    load: load,
    model: function () { return copy(model); },
    bindings: function () { return bindings.map(function (b) { return b.key; }); },
    calls: function () { return calls.slice(); },
    commands: function () { return copy(commands); },
    answerCommands: function (how) { commandAnswer = how; },
    reset: function () {
      commandAnswer = "ok";
      model = {};
      connected = false;
      bindings = [];
      calls = [];
      commands = [];
    },
  };

  window.addEventListener("message", function (event) {
    if (window.parent === window || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.type === "lp-standin:load") load(data.model);
    else if (data.type === "lp-standin:push" && typeof data.path === "string") push(data.path, data.value);
  });
  tellParent({ type: "lp-standin:ready" });
})();
