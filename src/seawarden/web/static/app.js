// The Seawarden browser client: login, live map, tracks and replay, zones, alerts,
// dashboard, administration and audit. All text is set with textContent (never HTML).
import { $, api, ask, ctx, el, fmtTime, hasRole, showInfo, views } from "./core.js";
import { apply, kindName, t, toggle } from "./i18n.js";
import "./views/dangerous_goods.js";
import "./views/registry.js";
import "./views/ledger.js";

let map = null;
let live = null;
const vessels = new Map(); // key -> row [key, mmsi, lat, lon, sog, cog, heading, time, source, class, name]
let replay = null;
let trackCount = 0;

function applyRoles() {
  for (const node of document.querySelectorAll("[data-roles]")) {
    node.classList.toggle("hidden", !hasRole(...node.dataset.roles.split(",")));
  }
}

// Navigation buttons and sections of the views registered by static/views/*.js.
function addRegisteredViews() {
  const nav = $("#nav");
  const main = document.querySelector("main");
  for (const v of views.values()) {
    if (document.getElementById(`view-${v.name}`)) continue;
    const before = nav.querySelector('[data-view="admin"]');
    nav.insertBefore(el("button", { "data-view": v.name, "data-i18n": v.label, "data-roles": v.roles.join(",") }, t(v.label)), before);
    main.append(el("section", { id: `view-${v.name}`, class: "view hidden" }));
  }
}

// ------------------------------------------------------------------ login
function showLogin() {
  $("#app").classList.add("hidden");
  $("#login").classList.remove("hidden");
  if (live) live.close();
}

async function start() {
  ctx.onUnauthorised = showLogin;
  addRegisteredViews();
  apply();
  for (const b of document.querySelectorAll(".lang-toggle")) b.addEventListener("click", () => { toggle(); if (ctx.session) refreshView(); });
  $("#login-form").addEventListener("submit", onLogin);
  try {
    const s = await api("/api/session");
    if (s.mfa_required) return showLogin();
    enter(s);
  } catch {
    showLogin();
  }
}

async function onLogin(ev) {
  ev.preventDefault();
  const form = ev.target;
  const err = $("#login-error");
  err.textContent = "";
  try {
    if (!$("#totp-row").classList.contains("hidden")) {
      await api("/api/auth/totp", { method: "POST", body: { code: form.code.value } });
      return enter(await api("/api/session"));
    }
    const s = await api("/api/auth/login", { method: "POST", body: { username: form.username.value, password: form.password.value } });
    ctx.csrf = s.csrf;
    if (s.mfa_required) {
      $("#totp-row").classList.remove("hidden");
      form.code.focus();
      return;
    }
    enter(s);
  } catch (e) {
    err.textContent = e.message.includes("locked") || e.message.includes("too many") ? e.message : t("wrong_login");
  }
}

async function enter(s) {
  ctx.session = s;
  ctx.csrf = s.csrf;
  while (ctx.session.user.password_change_due) {
    $("#login").classList.add("hidden");
    alert(t("must_change_password"));
    if ((await changePassword()) === null) {
      await api("/api/auth/logout", { method: "POST" });
      return location.reload();
    }
    ctx.session = await api("/api/session");
  }
  $("#login").classList.add("hidden");
  $("#app").classList.remove("hidden");
  $("#whoami").textContent = `${s.user.username} · ${s.user.roles.join(",")}`;
  applyRoles();
  $("#btn-logout").onclick = async () => { await api("/api/auth/logout", { method: "POST" }); location.reload(); };
  $("#btn-password").onclick = changePassword;
  for (const b of document.querySelectorAll("#nav button")) b.onclick = () => show(b.dataset.view);
  // The first page the user's roles allow (the map for the watch; a domain page otherwise).
  const first = [...document.querySelectorAll("#nav button")].find((b) => !b.classList.contains("hidden"));
  show(first ? first.dataset.view : "map");
}

async function changePassword() {
  const v = await ask(t("change_password"), [
    { name: "old", label: t("old_password"), type: "password" },
    { name: "new", label: t("new_password"), type: "password" },
  ]);
  if (!v) return null;
  try {
    await api("/api/auth/password", { method: "POST", body: v });
    alert(t("saved"));
    return true;
  } catch (e) {
    alert(e.message);
    return false;
  }
}

let current = "map";
function show(view) {
  current = view;
  for (const s of document.querySelectorAll(".view")) s.classList.toggle("hidden", s.id !== `view-${view}`);
  for (const b of document.querySelectorAll("#nav button")) b.classList.toggle("active", b.dataset.view === view);
  refreshView();
}

function refreshView() {
  if (current === "map") openMap();
  else if (current === "alerts") loadAlerts();
  else if (current === "dashboard") loadDashboard();
  else if (current === "admin") loadAdmin();
  else if (current === "audit") loadAudit();
  else if (views.has(current)) {
    const section = document.getElementById(`view-${current}`);
    views.get(current).load(section).catch((e) => section.replaceChildren(el("p", { class: "error" }, e.message)));
  }
}

// ------------------------------------------------------------------ map
const CLASS_COLOURS = [[8, "#1f9d55"], [2, "#d64545"], [4, "#3b82f6"], [16, "#a855f7"], [1, "#6b7280"]];
function colourOf(cls) {
  for (const [bit, colour] of CLASS_COLOURS) if (cls & bit) return colour;
  return "#111827";
}

function vesselFeatures() {
  const features = [];
  for (const r of vessels.values()) {
    features.push({ type: "Feature", geometry: { type: "Point", coordinates: [r[3], r[2]] },
      properties: { key: r[0], mmsi: r[1], name: r[10] || "", heading: r[6] ?? r[5] ?? 0, colour: colourOf(r[9] || 0), sog: r[4] } });
  }
  return { type: "FeatureCollection", features };
}

function arrowImage() {
  const size = 32;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.beginPath();
  g.moveTo(size / 2, 2);
  g.lineTo(size - 8, size - 4);
  g.lineTo(size / 2, size - 10);
  g.lineTo(8, size - 4);
  g.closePath();
  g.fill();
  return g.getImageData(0, 0, size, size);
}

async function openMap() {
  if (map) {
    map.resize();
    loadSideAlerts();
    return;
  }
  map = new maplibregl.Map({
    container: "map",
    center: [122.3, 29.95],
    zoom: 8.5,
    attributionControl: { compact: true, customAttribution: "Natural Earth" },
    style: {
      version: 8,
      sources: {
        land: { type: "geojson", data: "/static/vendor/land-50m.geojson" },
        borders: { type: "geojson", data: "/static/vendor/borders-50m.geojson" },
      },
      layers: [
        { id: "sea", type: "background", paint: { "background-color": "#cfe3f2" } },
        { id: "land", type: "fill", source: "land", paint: { "fill-color": "#f1efe7", "fill-outline-color": "#b9b4a5" } },
        { id: "borders", type: "line", source: "borders", paint: { "line-color": "#9c958a", "line-dasharray": [2, 2] } },
      ],
    },
  });
  const tiles = ctx.session.map && ctx.session.map.tile_url;
  if (tiles) {
    map.on("load", () => {
      map.addSource("basemap", { type: "raster", tiles: [tiles], tileSize: 256, attribution: ctx.session.map.attribution || "" });
      map.addLayer({ id: "basemap", type: "raster", source: "basemap" }, "borders");
    });
  }
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "nautical" }));
  map.on("load", async () => {
    map.addImage("arrow", arrowImage(), { sdf: true });
    map.addSource("zones", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "zones-fill", type: "fill", source: "zones", paint: { "fill-color": ["match", ["get", "kind"],
      "channel", "#60a5fa", "no_stop", "#f87171", "fishing_ban", "#34d399", "restricted", "#ef4444", "anchorage", "#fbbf24", "#a3a3a3"],
      "fill-opacity": 0.18 } });
    map.addLayer({ id: "zones-line", type: "line", source: "zones", paint: { "line-color": "#475569", "line-width": 1 } });
    map.addSource("track", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "track", type: "line", source: "track", paint: { "line-color": "#f97316", "line-width": 2.5 } });
    map.addSource("vessels", { type: "geojson", data: vesselFeatures() });
    map.addLayer({ id: "vessels", type: "symbol", source: "vessels", layout: {
      "icon-image": "arrow", "icon-size": 0.55, "icon-rotate": ["get", "heading"], "icon-rotation-alignment": "map",
      "icon-allow-overlap": true, "text-field": ["step", ["zoom"], "", 11, ["get", "name"]], "text-size": 11,
      "text-offset": [0, 1.2], "text-anchor": "top" },
      paint: { "icon-color": ["get", "colour"], "icon-halo-color": "#0f172a", "icon-halo-width": 1, "text-color": "#0f172a" } });
    map.addSource("cursor", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "cursor", type: "circle", source: "cursor", paint: { "circle-radius": 7, "circle-color": "#f97316", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
    map.addSource("draft", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "draft", type: "line", source: "draft", paint: { "line-color": "#111827", "line-dasharray": [1, 1] } });
    map.addSource("pairs", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "pairs", type: "line", source: "pairs", paint: { "line-color": ["interpolate", ["linear"], ["get", "cri"], 0, "#f59e0b", 1, "#dc2626"],
      "line-width": 3, "line-dasharray": [2, 1] } });
    map.addLayer({ id: "pairs-label", type: "symbol", source: "pairs", layout: { "symbol-placement": "line-center", "text-field": ["get", "label"],
      "text-size": 11, "text-allow-overlap": true }, paint: { "text-color": "#7f1d1d", "text-halo-color": "#fff", "text-halo-width": 1.5 } });
    map.on("click", "pairs", (e) => showPair(e.features[0].properties));
    map.on("click", "vessels", (e) => openVessel(e.features[0].properties.key));
    map.on("click", "zones-fill", (e) => { if (!drawing) openZone(e.features[0].properties); });
    map.on("mouseenter", "vessels", () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "vessels", () => { map.getCanvas().style.cursor = ""; });
    await loadZones();
    connectLive();
  });
  $("#chk-zones").onchange = (e) => {
    for (const id of ["zones-fill", "zones-line"]) map.setLayoutProperty(id, "visibility", e.target.checked ? "visible" : "none");
  };
  $("#chk-pairs").onchange = (e) => {
    clearInterval(pairTimer);
    if (e.target.checked) {
      loadPairs();
      pairTimer = setInterval(loadPairs, 20000);
    } else if (map.getSource("pairs")) {
      map.getSource("pairs").setData({ type: "FeatureCollection", features: [] });
    }
  };
  $("#btn-replay").onclick = startAreaReplay;
  $("#btn-draw").onclick = startDrawing;
  loadSideAlerts();
}

// Collision-risk pairs: a dashed line between the two vessels, DCPA and TCPA on it.
let pairTimer = null;
async function loadPairs() {
  if (!map || !map.getSource("pairs")) return;
  const at = replay ? new Date(replay.at).toISOString() : "now";
  const data = await api(`/api/collision/snapshot?at=${encodeURIComponent(at)}`);
  map.getSource("pairs").setData({ type: "FeatureCollection", features: data.pairs.map((p) => ({
    type: "Feature", geometry: { type: "LineString", coordinates: [[p.lon_a, p.lat_a], [p.lon_b, p.lat_b]] },
    properties: { ...p, label: `${p.dcpa_nm.toFixed(2)} nm · ${p.tcpa_min.toFixed(1)} min` } })) });
  $("#pair-count").textContent = String(data.pairs.length);
}

function showPair(p) {
  const card = $("#vessel-card");
  const give = p.give_way_mmsi ? String(p.give_way_mmsi) : "";
  card.replaceChildren(el("h3", {}, t("collision_risk")),
    el("dl", {}, ...[["mmsi", `${p.mmsi_a ?? ""} ${p.name_a ?? ""}`], ["other_vessel", `${p.mmsi_b ?? ""} ${p.name_b ?? ""}`],
      ["dcpa", `${p.dcpa_nm} nm`], ["tcpa", `${p.tcpa_min} min`], ["encounter", t(`enc_${p.encounter}`)], ["give_way", give],
      ["risk_index", String(p.cri)]].flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", {}, v)])),
    el("button", { onclick: () => card.classList.add("hidden") }, t("close")));
  card.classList.remove("hidden");
}

function connectLive() {
  if (live) live.close();
  live = new EventSource("/api/live");
  live.addEventListener("vessels", (e) => {
    const frame = JSON.parse(e.data);
    if (frame.full) vessels.clear();
    for (const row of frame.rows) vessels.set(row[0], row);
    if (!replay && map?.getSource("vessels")) map.getSource("vessels").setData(vesselFeatures());
    $("#live-status").textContent = `${t("live")} · ${vessels.size} ${t("vessels")}`;
    $("#live-status").className = "badge ok";
  });
  live.addEventListener("alert", (e) => {
    const a = JSON.parse(e.data);
    if (a.state === "open") addSideAlert(a, true);
  });
  live.onerror = () => { $("#live-status").textContent = t("offline"); $("#live-status").className = "badge bad"; };
}

async function loadZones() {
  const fc = await api("/api/zones");
  map.getSource("zones").setData(fc);
}

async function openVessel(key) {
  const card = $("#vessel-card");
  let info;
  try {
    info = await api(`/api/vessels/${encodeURIComponent(key)}`);
  } catch (e) {
    return;
  }
  const latest = info.latest[0];
  const p = info.particulars || {};
  const rows = [
    [t("mmsi"), latest.mmsi ?? latest.terminal], [t("name"), p.shipname ?? latest.fishing_no ?? ""], [t("imo"), p.imo ?? ""],
    [t("callsign"), p.callsign ?? ""], [t("shiptype"), p.shiptype ?? ""], [t("destination"), p.destination ?? ""],
    [t("draught"), p.draught ?? ""], [t("sog"), latest.sog ?? ""], [t("cog"), latest.cog ?? ""], [t("time"), latest.time],
  ];
  card.replaceChildren(
    el("h3", {}, t("particulars")),
    el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
    el("button", { onclick: () => playTrack(key, latest.time) }, t("track")),
    el("button", { class: "link", onclick: () => card.classList.add("hidden") }, t("close")),
  );
  card.classList.remove("hidden");
}

// ------------------------------------------------------------------ playback
function stopReplay() {
  if (replay?.timer) clearInterval(replay.timer);
  replay = null;
  $("#playback").classList.add("hidden");
  map.getSource("cursor").setData({ type: "FeatureCollection", features: [] });
  map.getSource("track").setData({ type: "FeatureCollection", features: [] });
  map.getSource("vessels").setData(vesselFeatures());
}

async function playTrack(key, lastTime) {
  const end = new Date(lastTime).getTime();
  const start = end - 6 * 3600_000;
  const data = await api(`/api/vessels/${encodeURIComponent(key)}/track?from=${new Date(start).toISOString()}&to=${new Date(end).toISOString()}`);
  const pts = data.positions.map((p) => ({ t: new Date(p.time).getTime(), c: [p.lon, p.lat] }));
  trackCount = pts.length;
  if (!pts.length) return;
  map.getSource("track").setData({ type: "Feature", geometry: { type: "LineString", coordinates: pts.map((p) => p.c) } });
  const bounds = pts.reduce((b, p) => b.extend(p.c), new maplibregl.LngLatBounds(pts[0].c, pts[0].c));
  map.fitBounds(bounds, { padding: 60, maxZoom: 13 });
  setupPlayback(pts[0].t, pts[pts.length - 1].t, (time) => {
    let i = pts.findIndex((p) => p.t > time);
    i = i < 0 ? pts.length - 1 : Math.max(i - 1, 0);
    map.getSource("cursor").setData({ type: "Feature", geometry: { type: "Point", coordinates: pts[i].c } });
  });
}

async function startAreaReplay() {
  const v = await ask(t("replay"), [{ name: "at", label: t("replay_at"), value: new Date(Date.now() - 3600_000).toISOString().slice(0, 16) + "Z" }]);
  if (!v) return;
  const startMs = new Date(v.at).getTime();
  if (Number.isNaN(startMs)) return;
  let loading = false;
  setupPlayback(startMs, startMs + 3 * 3600_000, async (time) => {
    if (loading) return;
    loading = true;
    try {
      const snap = await api(`/api/snapshot?at=${new Date(time).toISOString()}&max_age=900`);
      map.getSource("vessels").setData({ type: "FeatureCollection", features: snap.vessels.map((r) => ({ type: "Feature",
        geometry: { type: "Point", coordinates: [r.lon, r.lat] }, properties: { key: r.mmsi ?? r.terminal, heading: r.heading ?? r.cog ?? 0, colour: "#0ea5e9", name: "" } })) });
    } finally {
      loading = false;
    }
  });
}

function setupPlayback(t0, t1, render) {
  if (replay?.timer) clearInterval(replay.timer);
  replay = { t0, t1, time: t0, playing: false, timer: null, render };
  const slider = $("#pb-slider");
  $("#playback").classList.remove("hidden");
  const draw = () => {
    slider.value = String(Math.round(((replay.time - t0) / Math.max(t1 - t0, 1)) * 1000));
    $("#pb-time").textContent = fmtTime(replay.time);
    render(replay.time);
  };
  slider.oninput = () => { replay.time = t0 + (Number(slider.value) / 1000) * (t1 - t0); draw(); };
  $("#pb-play").textContent = t("play");
  $("#pb-play").onclick = () => {
    replay.playing = !replay.playing;
    $("#pb-play").textContent = replay.playing ? t("pause") : t("play");
    if (replay.timer) clearInterval(replay.timer);
    if (replay.playing) {
      replay.timer = setInterval(() => {
        replay.time = Math.min(replay.time + 500 * Number($("#pb-speed").value), t1);
        draw();
        if (replay.time >= t1) { replay.playing = false; clearInterval(replay.timer); $("#pb-play").textContent = t("play"); }
      }, 500);
    }
  };
  $("#pb-close").onclick = stopReplay;
  draw();
}

// ------------------------------------------------------------------ zones
let drawing = null;
function startDrawing() {
  drawing = [];
  map.doubleClickZoom.disable();
  $("#btn-draw").textContent = t("draw_hint");
  const onClick = (e) => {
    drawing.push([e.lngLat.lng, e.lngLat.lat]);
    map.getSource("draft").setData({ type: "Feature", geometry: { type: "LineString", coordinates: drawing } });
  };
  const onDbl = async (e) => {
    e.preventDefault();
    map.off("click", onClick);
    map.off("dblclick", onDbl);
    map.doubleClickZoom.enable();
    $("#btn-draw").textContent = t("draw_zone");
    const ring = drawing.slice();
    drawing = null;
    map.getSource("draft").setData({ type: "FeatureCollection", features: [] });
    if (ring.length < 3) return;
    ring.push(ring[0]);
    const v = await ask(t("draw_zone"), [
      { name: "name", label: t("zone_name") },
      { name: "kind", label: t("zone_kind"), options: ["restricted", "channel", "no_stop", "no_anchoring", "anchorage", "fishing_ban", "port_area", "berth", "lock_approach", "custom"] },
      { name: "speed_limit_kn", label: t("speed_limit") },
    ]);
    if (!v || !v.name) return;
    const properties = { name: v.name, kind: v.kind };
    if (v.speed_limit_kn) properties.speed_limit_kn = Number(v.speed_limit_kn);
    try {
      await api("/api/zones", { method: "POST", body: { type: "Feature", geometry: { type: "Polygon", coordinates: [ring] }, properties } });
      await loadZones();
    } catch (err) {
      alert(err.message);
    }
  };
  map.on("click", onClick);
  map.on("dblclick", onDbl);
}

async function openZone(props) {
  if (!hasRole("supervisor")) return;
  const v = await ask(`${t("edit")}: ${props.name}`, [
    { name: "name", label: t("zone_name"), value: props.name },
    { name: "speed_limit_kn", label: t("speed_limit"), value: props.speed_limit_kn ?? "" },
    { name: "delete", label: `${t("delete")} (yes)`, value: "" },
  ]);
  if (!v) return;
  const fc = await api("/api/zones");
  const feature = fc.features.find((f) => f.properties.id === props.id);
  if (!feature) return;
  try {
    if (v.delete === "yes") {
      await api(`/api/zones/${encodeURIComponent(props.id)}`, { method: "DELETE" });
    } else {
      feature.properties.name = v.name;
      if (v.speed_limit_kn) feature.properties.speed_limit_kn = Number(v.speed_limit_kn);
      await api(`/api/zones/${encodeURIComponent(props.id)}`, { method: "PUT", body: feature });
    }
    await loadZones();
  } catch (err) {
    alert(err.message);
  }
}

// ------------------------------------------------------------------ alerts
function alertLabel(a) {
  return `${kindName(a.kind)} · ${a.mmsi ?? a.vessel ?? ""}${a.zone ? " · " + a.zone : ""}`;
}

async function transition(a, state) {
  const v = await ask(`${t(state === "acknowledged" ? "acknowledge" : state === "closed" ? "close_alert" : "reopen")}: ${alertLabel(a)}`,
    [{ name: "comment", label: t("comment") }]);
  if (!v) return;
  await api(`/api/alerts/${a.id}/state`, { method: "POST", body: { state, comment: v.comment || null } });
  refreshView();
}

async function alertHistory(a) {
  const data = await api(`/api/alerts/${a.id}/history`);
  const rows = data.history.map((h) => el("tr", {}, el("td", {}, h.at), el("td", {}, h.actor), el("td", {}, h.action),
    el("td", {}, h.to_state ? t(`state_${h.to_state}`) : ""), el("td", {}, h.comment ?? "")));
  showInfo(`${t("history")}: ${alertLabel(a)}`, el("table", { class: "grid", id: "alert-history" }, ...rows));
}

function addSideAlert(a, prepend = false) {
  const li = el("li", { class: `sev-${a.severity}`, "data-alert": a.id },
    el("div", {}, alertLabel(a)),
    el("small", {}, fmtTime(a.start ?? a.start_ms)),
    el("div", {}, el("button", { onclick: () => transition(a, "acknowledged") }, t("acknowledge"))));
  li.querySelector("div").addEventListener("click", () => { if (a.lat && map) map.flyTo({ center: [a.lon, a.lat], zoom: 11 }); });
  const list = $("#side-alerts");
  const old = list.querySelector(`[data-alert="${a.id}"]`);
  if (old) old.remove();
  if (prepend) list.prepend(li); else list.append(li);
}

async function loadSideAlerts() {
  if (!hasRole("supervisor", "duty_officer")) return;
  const data = await api("/api/alerts?state=open&page_size=50");
  $("#side-alerts").replaceChildren();
  for (const a of data.alerts) addSideAlert(a);
}

async function loadAlerts() {
  const state = $("#alert-state").value;
  $("#alert-refresh").onclick = loadAlerts;
  $("#alert-state").onchange = loadAlerts;
  const data = await api(`/api/alerts?page_size=500${state ? "&state=" + state : ""}`);
  const table = $("#alert-table");
  table.replaceChildren(el("tr", {}, ...["kind", "mmsi", "zone", "start", "end", "state", "severity", ""].map((k) => el("th", {}, k ? t(k) : ""))));
  for (const a of data.alerts) {
    const actions = el("td", {});
    if (a.state === "open") actions.append(el("button", { onclick: () => transition(a, "acknowledged") }, t("acknowledge")));
    if (a.state !== "closed") actions.append(el("button", { onclick: () => transition(a, "closed") }, t("close_alert")));
    if (a.state !== "open") actions.append(el("button", { onclick: () => transition(a, "open") }, t("reopen")));
    actions.append(el("button", { onclick: () => alertHistory(a) }, t("history")));
    table.append(el("tr", { "data-alert": a.id }, el("td", {}, kindName(a.kind)), el("td", {}, String(a.mmsi ?? a.vessel)),
      el("td", {}, a.zone ?? (a.other_mmsi ? `⇄ ${a.other_mmsi}` : "")), el("td", {}, a.start), el("td", {}, a.end ?? ""),
      el("td", {}, t(`state_${a.state}`)), el("td", {}, a.severity), actions));
  }
}

// ------------------------------------------------------------------ dashboard
const charts = {};
function chart(id, type, data) {
  if (charts[id]) charts[id].destroy();
  const labels = Object.keys(data);
  charts[id] = new Chart($(id), { type, data: { labels: labels.map((l) => kindName(l)), datasets: [{ data: labels.map((l) => data[l]),
    backgroundColor: ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#f59e0b", "#0891b2", "#64748b", "#db2777", "#65a30d", "#ea580c"] }] },
    options: { animation: false, plugins: { legend: { display: type === "doughnut" } } } });
}

async function loadDashboard() {
  const d = await api("/api/dashboard");
  chart("#ch-types", "doughnut", d.vessels_by_type);
  chart("#ch-states", "bar", Object.fromEntries(Object.entries(d.alerts_by_state).map(([k, v]) => [t(`state_${k}`), v])));
  chart("#ch-kinds", "bar", d.alerts_by_kind);
  chart("#ch-zones", "bar", d.alerts_by_zone);
  const dl = $("#ingest-figures");
  dl.replaceChildren(el("dt", {}, t("vessels")), el("dd", {}, String(d.vessels)),
    el("dt", {}, t("positions_stored")), el("dd", {}, String(d.ingest.positions_stored ?? "")),
    el("dt", {}, t("received")), el("dd", {}, String(d.ingest.received ?? "")));
}

// ------------------------------------------------------------------ administration
async function loadAdmin() {
  const users = await api("/api/users");
  const ut = $("#user-table");
  ut.replaceChildren(el("tr", {}, ...["username", "roles", "organisation", "active", ""].map((k) => el("th", {}, k ? t(k) : ""))));
  const patch = async (u, body) => {
    try {
      await api(`/api/users/${u.id}`, { method: "PATCH", body });
      loadAdmin();
    } catch (err) {
      alert(err.message);
    }
  };
  for (const u of users.users) {
    const actions = el("td", {});
    if (hasRole("security_admin")) {
      if (u.locked_until_ms && u.locked_until_ms > Date.now()) actions.append(el("button", { onclick: () => patch(u, { unlock: true }) }, t("unlock")));
      actions.append(el("button", { onclick: async () => {
        const v = await ask(`${t("reset_password")}: ${u.username}`, [{ name: "password", label: t("temp_password"), type: "password" }]);
        if (v) patch(u, { password: v.password });
      } }, t("reset_password")));
    }
    if (hasRole("system_admin") && u.username !== ctx.session.user.username) {
      actions.append(el("button", { onclick: () => patch(u, { active: !u.active }) }, u.active ? t("disable") : t("enable")));
    }
    ut.append(el("tr", { "data-user": u.username }, el("td", {}, u.username), el("td", {}, u.roles.join(",")),
      el("td", {}, u.organisation ?? ""), el("td", {}, u.active ? "✓" : "✗"), actions));
  }
  const orgs = await api("/api/organisations");
  const ot = $("#org-table");
  ot.replaceChildren(el("tr", {}, ...["code", "name", "parent"].map((k) => el("th", {}, t(k)))));
  for (const o of orgs.organisations) ot.append(el("tr", {}, el("td", {}, o.code), el("td", {}, o.name), el("td", {}, o.parent ?? "")));
  $("#user-form").onsubmit = async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      await api("/api/users", { method: "POST", body: { username: f.username.value, password: f.password.value,
        roles: f.roles.value.split(",").map((s) => s.trim()), organisation: f.organisation.value || null } });
      f.reset();
      loadAdmin();
    } catch (err) {
      f.querySelector(".error").textContent = err.message;
    }
  };
  $("#org-form").onsubmit = async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      await api("/api/organisations", { method: "POST", body: { code: f.code.value, name: f.name.value, level: f.level.value, parent: f.parent.value || null } });
      f.reset();
      loadAdmin();
    } catch (err) {
      f.querySelector(".error").textContent = err.message;
    }
  };
}

async function loadAudit() {
  const form = $("#audit-form");
  const run = async () => {
    const q = new URLSearchParams();
    for (const k of ["actor", "action", "outcome"]) if (form[k].value) q.set(k, form[k].value);
    q.set("page_size", "200");
    const data = await api(`/api/audit?${q}`);
    const table = $("#audit-table");
    table.replaceChildren(el("tr", {}, ...["id", "time", "actor", "roles", "organisation", "ip", "action", "entity", "outcome"].map((k) => el("th", {}, k))));
    for (const r of data.rows) table.append(el("tr", {}, el("td", {}, String(r.id)), el("td", {}, fmtTime(r.at_ms)), el("td", {}, r.actor),
      el("td", {}, r.roles), el("td", {}, r.organisation ?? ""), el("td", {}, r.ip ?? ""), el("td", {}, r.action),
      el("td", {}, `${r.entity} ${r.entity_id ?? ""}`), el("td", {}, r.outcome)));
  };
  form.onsubmit = (e) => { e.preventDefault(); run(); };
  $("#audit-verify").onclick = async () => {
    const r = await api("/api/audit/verify");
    $("#audit-verify-result").textContent = r.ok ? `${t("verify_ok")} (${r.rows})` : `${t("verify_bad")}: #${r.first_bad} ${r.reason}`;
  };
  run();
}

// Hooks for automated browser tests (read-only views of the page's state).
window.__seawarden = {
  get map() { return map; },
  openVessel,
  firstVessel: () => vessels.keys().next().value,
  trackPoints: () => trackCount,
};

start();
