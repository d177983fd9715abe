// Shows that the shell hands the page its server: the address and a live health check.
const status = document.getElementById("status");
async function show() {
  const tauri = window.__TAURI_INTERNALS__;
  if (!tauri) {
    status.textContent = "Open this page in the ClawChat app.";
    return;
  }
  try {
    const session = await tauri.invoke("desktop_session");
    const health = await fetch(`${session.base_url}/api/health`).then((r) => r.json());
    status.textContent = `Server at ${session.base_url}: ${health.status ?? "answering"}`;
    document.body.dataset.ready = "true";
  } catch (e) {
    status.textContent = `The server did not answer: ${e}`;
  }
}
show();
