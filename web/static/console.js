// The console works without this script; it adds live updates: the build
// log streamed over server-sent events, and parts of pages (processes,
// charts) refreshed in place.
"use strict";

function followBuildLog(pre) {
  const source = new EventSource(pre.dataset.stream);
  pre.dataset.state = "connecting";
  source.addEventListener("open", () => { pre.dataset.state = "streaming"; });
  source.addEventListener("log", (e) => {
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(document.createTextNode(JSON.parse(e.data)));
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  });
  source.addEventListener("status", (e) => {
    const status = JSON.parse(e.data).status;
    const badge = document.querySelector("#build-status .badge");
    if (!badge) return;
    badge.textContent = status;
    badge.className = "badge " + (status === "succeeded" ? "ok" : status === "failed" ? "bad" : "busy");
  });
  source.addEventListener("done", () => {
    source.close();
    pre.dataset.state = "done";
  });
}

function refreshPart(el) {
  const url = el.dataset.live || window.location.href;
  const id = el.dataset.target;
  const every = Math.max(1, Number(el.dataset.every) || 5) * 1000;
  const tick = async () => {
    if (document.visibilityState === "visible") {
      try {
        const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (resp.ok) {
          const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
          const fresh = doc.getElementById(id);
          const old = document.getElementById(id);
          if (fresh && old) old.replaceWith(document.importNode(fresh, true));
        }
      } catch (_) { /* the next tick tries again */ }
    }
    setTimeout(tick, every);
  };
  setTimeout(tick, every);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-stream]").forEach(followBuildLog);
  document.querySelectorAll("[data-live]").forEach(refreshPart);
});
