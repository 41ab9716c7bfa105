// Mimic's dashboard: reads only the control plane's JSON (same origin) and
// draws it. No framework, no build step, nothing fetched from elsewhere.
// Everything from the server is put in the page as text, never as HTML.
"use strict";

const REFRESH_MS = 1500;
// Routes other parts of Mimic may not have: asked again this rarely after a 404.
const RETRY_MISSING_MS = 30000;
const JOURNAL_ROWS = 50;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (error) { json = null; }
  return { status: response.status, ok: response.ok, json, text };
}

function errorText(answer) {
  const body = answer.json;
  if (body && typeof body === "object") {
    const inner = Object.values(body)[0];
    if (inner && inner.message) return `${answer.status}: ${inner.message}`;
  }
  return `${answer.status}: ${answer.text}`;
}

function say(id, text, isError) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}

// The clock and the tenants, both from GET /mimic/v1.1/tenants.

function resourceTable(items) {
  return el("table", {},
    el("thead", {}, el("tr", {}, ["kind", "name", "status", "region", "id"].map((h) => el("th", {}, h)))),
    el("tbody", {}, items.map((item) => el("tr", { "data-id": item.id },
      el("td", {}, item.kind),
      el("td", { class: "name" }, item.name),
      el("td", { class: `status status-${item.status}` }, item.status),
      el("td", {}, item.region || ""),
      el("td", {}, el("code", {}, item.id))))));
}

function drawTenants(overview) {
  document.getElementById("clock-now").textContent = overview.now;
  const tenantInput = document.getElementById("behavior-tenant");
  if (!tenantInput.value && overview.tenants.length) tenantInput.value = overview.tenants[0].id;
  const tenants = document.getElementById("tenants");
  if (!overview.tenants.length) {
    tenants.replaceChildren(el("p", { class: "muted" }, "No tenant yet: authenticate to make one."));
  } else {
    tenants.replaceChildren(...overview.tenants.map((tenant) => {
      const apis = Object.entries(tenant.resources);
      return el("article", { class: "tenant", "data-tenant": tenant.id },
        el("h3", {}, `Tenant ${tenant.name}`, tenant.name !== tenant.id ? ` (${tenant.id})` : "",
          el("span", { class: "muted" }, ` — users: ${tenant.users.join(", ") || "none"}`)),
        apis.length ? apis.map(([api, items]) => [el("h4", {}, api), resourceTable(items)])
          : el("p", { class: "muted" }, "Holds nothing yet."));
    }));
  }
  const accounts = document.getElementById("accounts");
  accounts.replaceChildren(...overview.accounts.map((account) => el("article", { class: "account" },
    el("h3", {}, `${account.api} account ${account.id}`), resourceTable(account.resources))));
}

// Routes that may be missing (the journal, the mesh graph): "not available" on 404.

const optional = {};

async function refreshOptional(name, path, draw, target) {
  const state = optional[name] || (optional[name] = { missingSince: 0 });
  if (state.missingSince && Date.now() - state.missingSince < RETRY_MISSING_MS) return;
  const answer = await call("GET", path);
  const node = document.getElementById(target);
  if (answer.status === 404) {
    state.missingSince = Date.now();
    node.replaceChildren(el("p", { class: "muted not-available" },
      `not available (this Mimic has no ${path})`));
    return;
  }
  state.missingSince = 0;
  if (!answer.ok || answer.json === null) {
    node.replaceChildren(el("p", { class: "message error" }, errorText(answer)));
    return;
  }
  draw(node, answer.json);
}

function drawJournal(node, body) {
  const entries = Array.isArray(body) ? body : (body.requests || []);
  if (!entries.length) {
    node.replaceChildren(el("p", { class: "muted" }, "No request yet."));
    return;
  }
  const rows = entries.slice(-JOURNAL_ROWS).reverse();
  node.replaceChildren(el("table", {},
    el("thead", {}, el("tr", {}, ["clock time", "method", "path", "status", "api"].map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((entry) => el("tr", {},
      el("td", {}, entry.clock_time || entry.time || ""),
      el("td", {}, entry.method || ""),
      el("td", {}, el("code", {}, entry.path || entry.uri || "")),
      el("td", {}, entry.status !== undefined ? entry.status : (entry.code !== undefined ? entry.code : "")),
      el("td", {}, entry.api || ""))))));
}

// The mesh graph (GET /mimic/v1.1/mesh/graph): nodes are service versions
// and replicas, edges carry requests, errors and latency between services;
// one circle per service, ejected replicas in red.
function drawGraph(node, body) {
  const services = new Map();
  for (const n of body.nodes || []) {
    const name = String(n.service || n.id || n);
    const entry = services.get(name) || { ejected: 0, replicas: 0 };
    entry.replicas += 1;
    entry.ejected += n.ejected ? 1 : 0;
    services.set(name, entry);
  }
  const edges = body.edges || [];
  for (const edge of edges) {
    for (const name of [edge.source, edge.destination || edge.target]) {
      if (name !== undefined && !services.has(String(name))) services.set(String(name), { ejected: 0, replicas: 0 });
    }
  }
  if (!services.size) {
    node.replaceChildren(el("p", { class: "muted" }, "No service in the mesh."));
    return;
  }
  const names = [...services.keys()];
  const size = 420, middle = size / 2, radius = names.length > 1 ? size / 2 - 70 : 0;
  const where = {};
  names.forEach((name, i) => {
    const angle = (2 * Math.PI * i) / names.length - Math.PI / 2;
    where[name] = [middle + radius * Math.cos(angle), middle + radius * Math.sin(angle)];
  });
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("height", String(size));
  svg.setAttribute("class", "mesh");
  const make = (tag, attributes, text) => {
    const shape = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attributes)) shape.setAttribute(k, String(v));
    if (text !== undefined) shape.textContent = text;
    svg.append(shape);
    return shape;
  };
  for (const edge of edges) {
    const from = where[String(edge.source)], to = where[String(edge.destination || edge.target)];
    if (!from || !to) continue;
    const errors = edge.errors || 0;
    make("line", { x1: from[0], y1: from[1], x2: to[0], y2: to[1], class: "mesh-edge",
      stroke: errors ? "#b3261e" : "#2463c5", "stroke-width": 2 });
    const parts = [`${edge.requests || 0} req`];
    if (edge.error_rate !== undefined) parts.push(`${(edge.error_rate * 100).toFixed(1)}% err`);
    if (edge.p99_ms !== undefined) parts.push(`p99 ${edge.p99_ms} ms`);
    make("text", { x: (from[0] + to[0]) / 2, y: (from[1] + to[1]) / 2 - 6, "text-anchor": "middle",
      class: "mesh-edge-label" }, parts.join(", "));
  }
  for (const name of names) {
    const [x, y] = where[name];
    const info = services.get(name);
    make("circle", { cx: x, cy: y, r: 18, fill: "#fff", stroke: info.ejected ? "#b3261e" : "#1d232a",
      "stroke-width": 2, class: "mesh-node", "data-service": name });
    make("text", { x, y: y + 34, "text-anchor": "middle" },
      info.ejected ? `${name} (${info.ejected} ejected)` : name);
  }
  node.replaceChildren(svg);
}

// Behaviors: the registries are the behavior routes of /mimic/v1.1/openapi.json.

let registries = [];

function registryUrl() {
  const chosen = registries[Number(document.getElementById("behavior-api").value)];
  if (!chosen) return null;
  const event = document.getElementById("behavior-event").value.trim();
  return chosen.template
    .replace("{region}", encodeURIComponent(document.getElementById("behavior-region").value.trim()))
    .replace("{tenant_id}", encodeURIComponent(document.getElementById("behavior-tenant").value.trim()))
    .replace("{event}", encodeURIComponent(event));
}

function showTargetInputs() {
  const chosen = registries[Number(document.getElementById("behavior-api").value)];
  const template = chosen ? chosen.template : "";
  document.getElementById("behavior-region-label").hidden = !template.includes("{region}");
  document.getElementById("behavior-tenant-label").hidden = !template.includes("{tenant_id}");
}

async function loadRegistries() {
  const answer = await call("GET", "/mimic/v1.1/openapi.json");
  if (!answer.ok) return;
  registries = Object.keys(answer.json.paths)
    .filter((path) => path.endsWith("/behaviors/{event}"))
    .map((template) => {
      const parts = template.split("/");
      const label = parts[1] === "mimicking" ? parts[2] : parts[3].replace(/ControlAPI$/, "").toLowerCase();
      return { label, template };
    });
  const select = document.getElementById("behavior-api");
  select.replaceChildren(...registries.map((r, i) => el("option", { value: String(i) }, r.label)));
  showTargetInputs();
}

async function showBehaviors() {
  const url = registryUrl();
  const list = document.getElementById("behavior-list");
  if (!url) return;
  const answer = await call("GET", url);
  if (!answer.ok) {
    list.replaceChildren();
    say("behavior-message", errorText(answer), true);
    return;
  }
  const behaviors = answer.json.behaviors;
  list.replaceChildren(...(behaviors.length ? behaviors.map((behavior) => el("li", { "data-id": behavior.id },
    el("code", {}, JSON.stringify(behavior)),
    el("button", { type: "button", class: "danger", onclick: () => removeBehavior(behavior.id) }, "Remove")))
    : [el("li", { class: "muted" }, "None registered.")]));
  say("behavior-message", `${behaviors.length} registered`, false);
}

async function addBehavior(event) {
  event.preventDefault();
  const url = registryUrl();
  let body;
  try { body = JSON.parse(document.getElementById("behavior-json").value); } catch (error) {
    say("behavior-message", `Not JSON: ${error.message}`, true);
    return;
  }
  const answer = await call("POST", url, body);
  if (!answer.ok) { say("behavior-message", errorText(answer), true); return; }
  await showBehaviors();
  say("behavior-message", `Added ${answer.json.id}`, false);
}

async function removeBehavior(id) {
  const answer = await call("DELETE", `${registryUrl()}/${encodeURIComponent(id)}`);
  if (answer.status !== 204) { say("behavior-message", errorText(answer), true); return; }
  await showBehaviors();
  say("behavior-message", `Removed ${id}`, false);
}

// The clock's buttons.

async function tick(seconds) {
  const answer = await call("POST", "/mimic/v1.1/tick", { amount: seconds });
  if (!answer.ok) { say("clock-message", errorText(answer), true); return; }
  say("clock-message", `Advanced ${answer.json.advanced} s`, false);
  await refresh();
}

async function reset() {
  const answer = await call("POST", "/mimic/v1.1/reset");
  say("clock-message", answer.ok ? "Reset" : errorText(answer), !answer.ok);
  await refresh();
}

let refreshing = false;

async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const answer = await call("GET", "/mimic/v1.1/tenants");
    if (answer.ok) {
      drawTenants(answer.json);
      say("status", `up to date (${new Date().toLocaleTimeString()})`, false);
    } else {
      say("status", errorText(answer), true);
    }
    await refreshOptional("journal", "/mimic/v1.1/requests", drawJournal, "journal");
    await refreshOptional("graph", "/mimic/v1.1/mesh/graph", drawGraph, "mesh-graph");
  } catch (error) {
    say("status", `Mimic does not answer (${error.message})`, true);
  } finally {
    refreshing = false;
  }
}

function start() {
  for (const button of document.querySelectorAll("#tick-buttons button")) {
    button.addEventListener("click", () => tick(Number(button.dataset.seconds)));
  }
  document.getElementById("tick-form").addEventListener("submit", (event) => {
    event.preventDefault();
    tick(Number(document.getElementById("tick-amount").value));
  });
  document.getElementById("reset-button").addEventListener("click", reset);
  document.getElementById("behavior-api").addEventListener("change", showTargetInputs);
  document.getElementById("behavior-target").addEventListener("submit", (event) => {
    event.preventDefault();
    showBehaviors();
  });
  document.getElementById("behavior-add").addEventListener("submit", addBehavior);
  loadRegistries();
  refresh();
  setInterval(refresh, REFRESH_MS);
}

start();
