// Shared pieces of the browser client: API calls with the session's CSRF token, DOM helpers,
// dialogs and the registry of domain views (dangerous goods, register, ledger, ...).
// All text is set with textContent (never HTML).
import { t } from "./i18n.js";

export const $ = (sel) => document.querySelector(sel);

/** The logged-in session ({user: {username, roles, organisation, ...}, csrf, ...}). */
export const ctx = { session: null, csrf: "", onUnauthorised: () => {} };

/** Call the API: JSON in and out; writes carry the CSRF token; errors throw with the detail. */
export async function api(path, options = {}) {
  const opts = { credentials: "same-origin", headers: {}, ...options };
  if (opts.body && typeof opts.body !== "string" && !(opts.body instanceof FormData)) {
    opts.body = JSON.stringify(opts.body);
    opts.headers["content-type"] = "application/json";
  }
  if (opts.method && opts.method !== "GET") opts.headers["x-csrf-token"] = ctx.csrf;
  const res = await fetch(path, opts);
  if (res.status === 401 && !path.startsWith("/api/auth/")) {
    ctx.onUnauthorised();
    throw new Error("401");
  }
  const data = res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error(typeof data === "object" ? JSON.stringify(data.detail) : data);
  return data;
}

/** Create an element: attributes (onclick, class, others) and text or node children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") node.addEventListener("click", v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

/** A time (epoch ms or ISO text) as "YYYY-MM-DD hh:mm:ssZ". */
export function fmtTime(ms) {
  if (ms === null || ms === undefined || ms === "") return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

/** Whether the logged-in user holds any of the roles. */
export function hasRole(...roles) {
  return Boolean(ctx.session) && roles.some((r) => ctx.session.user.roles.includes(r));
}

/** A table with a header row: columns are [key, label] pairs, rows objects or cell arrays. */
export function table(columns, rows, attrs = {}) {
  const head = el("tr", {}, ...columns.map(([, label]) => el("th", {}, label)));
  const body = rows.map((r) => el("tr", {}, ...(Array.isArray(r)
    ? r.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", {}, c === null || c === undefined ? "" : String(c))))
    : columns.map(([k]) => el("td", {}, r[k] === null || r[k] === undefined ? "" : String(r[k]))))));
  return el("table", { class: "grid", ...attrs }, head, ...body);
}

/** Ask for some fields in a modal dialog; resolves to {name: value} or null when cancelled. */
export async function ask(title, fields) {
  const dialog = $("#dialog");
  const form = $("#dialog-form");
  form.replaceChildren(el("h3", {}, title));
  for (const f of fields) {
    const input = f.options
      ? el("select", { name: f.name }, ...f.options.map((o) => (Array.isArray(o)
        ? el("option", { value: o[0] }, o[1]) : el("option", { value: o }, o))))
      : f.type === "textarea"
        ? el("textarea", { name: f.name, rows: "6" }, f.value ?? "")
        : el("input", { name: f.name, type: f.type || "text", value: f.value ?? "" });
    form.append(el("label", {}, el("span", {}, f.label), input));
  }
  form.append(el("menu", {}, el("button", { value: "cancel" }, t("cancel")), el("button", { value: "ok" }, t("ok"))));
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      resolve(Object.fromEntries(new FormData(form).entries()));
    }, { once: true });
  });
}

/** Show a node in a modal dialog with a close button. */
export function showInfo(title, body) {
  const dialog = $("#dialog");
  $("#dialog-form").replaceChildren(el("h3", {}, title), body, el("menu", {}, el("button", { value: "cancel" }, t("close"))));
  dialog.showModal();
}

/**
 * Domain views registered by the modules in static/views/: each gets a navigation button
 * (shown to `roles`) and a <section id="view-NAME">; `load(section)` runs when it is shown.
 */
export const views = new Map();

/** Register a view: {name, label (i18n key), roles: [...], load: async (section) => {}}. */
export function registerView(view) {
  views.set(view.name, view);
}
