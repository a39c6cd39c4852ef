// Starts the @BUNDLE@ bundle. An external module rather than an inline script,
// so the Content-Security-Policy can stay `script-src 'self' 'wasm-unsafe-eval'`.
import init from "./portico-@BUNDLE@.js";

// NHS.UK styles some components differently when scripts run.
document.body.classList.add("js-enabled");

init({ module_or_path: new URL("portico-@BUNDLE@_bg.wasm", import.meta.url) }).catch(() => {
  const p = document.createElement("p");
  p.className = "nhsuk-width-container nhsuk-body";
  p.setAttribute("role", "alert");
  p.textContent = "Sorry, this page could not load. Reload the page to try again.";
  document.body.append(p);
});
