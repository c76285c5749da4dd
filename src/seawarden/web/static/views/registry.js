// The register, risk profiles, credit and public service pages: registered with registerView()
// from ../core.js. Every text goes in with textContent (el/table), never as HTML.
import { api, el, table, ask, showInfo, hasRole, registerView, fmtTime } from "../core.js";
import { t, addTexts } from "../i18n.js";

addTexts({
  nav_registry: "船舶登记", nav_risk: "风险管理", nav_credit: "信用监管", nav_public: "公众服务",
  rg_ships: "船舶", rg_crews: "船员", rg_companies: "企业", rg_conflicts: "身份冲突", rg_import: "导入导出",
  rg_search_hint: "船名、IMO、MMSI、呼号（含曾用）", rg_search: "查询", rg_open: "查看", rg_new_ship: "新增船舶",
  rg_name: "名称", rg_imo: "IMO", rg_mmsi: "MMSI", rg_callsign: "呼号", rg_flag: "船旗", rg_type: "船舶类型",
  rg_status: "状态", rg_org: "所属机构", rg_port: "港口", rg_identities: "身份标识及有效期", rg_kind: "类别",
  rg_value: "值", rg_from: "起", rg_to: "止", rg_source: "来源", rg_history: "全生命周期", rg_date: "日期",
  rg_event: "事件", rg_detail: "详情", rg_certificates: "证书", rg_number: "编号", rg_issued: "签发",
  rg_expires: "到期", rg_state: "状态", rg_inspections: "检查记录", rg_deficiencies: "缺陷数", rg_detained: "滞留",
  rg_risk_profile: "船舶风险画像", rg_parameter: "参数", rg_points: "分值", rg_lrs: "低风险条件",
  rg_explanation: "说明", rg_met: "满足", rg_not_met: "不满足", rg_profile: "风险等级", rg_window: "检查窗口（月）",
  rg_priority: "检查优先级", rg_last_inspection: "上次检查", rg_sources: "数据来源", rg_record_event: "记录事件",
  rg_edit: "修改", rg_add_certificate: "新增证书", rg_on: "日期", rg_ended: "结束日期", rg_build_year: "建造年份",
  rg_id_number: "证件号码", rg_nationality: "国籍", rg_career: "船员履历", rg_new_crew: "新增船员",
  rg_penalty_points: "违法记分", rg_reason: "原因", rg_year_points: "本年记分", rg_uscc: "统一社会信用代码",
  rg_grade: "信用等级", rg_score: "信用分", rg_listing: "名单", rg_new_company: "新增企业", rg_fleet: "船队",
  rg_permits: "许可", rg_credit: "信用", rg_credit_events: "信用记录", rg_appeal: "申诉", rg_compute: "计算信用分",
  rg_intensity: "监管强度", rg_inspection_rate: "抽查比例", rg_no_score: "尚未评分", rg_appeals: "申诉",
  rg_decide: "处理", rg_uphold: "支持申诉（撤销记录）", rg_reject: "驳回申诉", rg_decision: "决定说明",
  rg_conflict: "冲突", rg_key: "标识", rg_ship: "船舶", rg_note: "说明", rg_resolve: "识别身份",
  rg_link_ship: "关联到船舶（留空则仅关闭）", rg_file: "文件", rg_upload: "上传导入", rg_rows: "行数",
  rg_created: "新增", rg_updated: "更新", rg_rejected: "拒绝", rg_line: "行号", rg_field: "字段",
  rg_message: "说明", rg_export: "导出", rg_format: "格式", rg_due: "待检船舶", rg_register: "风险点台账",
  rg_level: "风险等级", rg_location: "位置", rg_hazard: "危险源", rg_likelihood: "可能性", rg_consequence: "后果",
  rg_owner: "责任人", rg_next_review: "下次评估", rg_review: "评估", rg_new_point: "新增风险点", rg_measures: "管控措施",
  rg_reviewer: "评估人", rg_close: "关闭风险点", rg_all: "含未到期", rg_basis: "依据", rg_subject: "对象",
  rg_scores: "信用等级", rg_inspections_pub: "检查结果", rg_detentions: "滞留船舶", rg_penalties: "行政处罚",
  rg_company_grades: "企业信用等级", rg_download: "下载开放数据", rg_public_note: "仅公开字段，个人信息已脱敏。",
  rg_recompute: "复算", rg_same: "复算一致", rg_differs: "复算不一致", rg_points_total: "总分", rg_none: "无",
  rg_yes: "是", rg_no: "否", rg_organisation_hint: "机构代码（可空）", rg_repair: "信用修复",
  rg_licences: "捕捞许可", rg_imports: "导入记录",
}, {
  nav_registry: "Register", nav_risk: "Risk", nav_credit: "Credit", nav_public: "Public service",
  rg_ships: "Ships", rg_crews: "Seafarers", rg_companies: "Companies", rg_conflicts: "Identity conflicts", rg_import: "Import & export",
  rg_search_hint: "Name, IMO, MMSI, call sign (also former)", rg_search: "Search", rg_open: "Open", rg_new_ship: "New ship",
  rg_name: "Name", rg_imo: "IMO", rg_mmsi: "MMSI", rg_callsign: "Call sign", rg_flag: "Flag", rg_type: "Ship type",
  rg_status: "Status", rg_org: "Organisation", rg_port: "Port", rg_identities: "Identities and validity", rg_kind: "Kind",
  rg_value: "Value", rg_from: "From", rg_to: "To", rg_source: "Source", rg_history: "Whole life", rg_date: "Date",
  rg_event: "Event", rg_detail: "Detail", rg_certificates: "Certificates", rg_number: "Number", rg_issued: "Issued",
  rg_expires: "Expires", rg_state: "State", rg_inspections: "Inspections", rg_deficiencies: "Deficiencies", rg_detained: "Detained",
  rg_risk_profile: "Ship risk profile", rg_parameter: "Parameter", rg_points: "Points", rg_lrs: "Low-risk criterion",
  rg_explanation: "Explanation", rg_met: "met", rg_not_met: "not met", rg_profile: "Risk profile", rg_window: "Inspection window (months)",
  rg_priority: "Priority", rg_last_inspection: "Last inspection", rg_sources: "Sources", rg_record_event: "Record event",
  rg_edit: "Edit", rg_add_certificate: "Add certificate", rg_on: "Date", rg_ended: "End date", rg_build_year: "Build year",
  rg_id_number: "ID number", rg_nationality: "Nationality", rg_career: "Career", rg_new_crew: "New seafarer",
  rg_penalty_points: "Penalty points", rg_reason: "Reason", rg_year_points: "Points this year", rg_uscc: "Unified social credit code",
  rg_grade: "Grade", rg_score: "Score", rg_listing: "List", rg_new_company: "New company", rg_fleet: "Fleet",
  rg_permits: "Permits", rg_credit: "Credit", rg_credit_events: "Credit records", rg_appeal: "Appeal", rg_compute: "Compute score",
  rg_intensity: "Supervision", rg_inspection_rate: "Inspection rate", rg_no_score: "Not scored yet", rg_appeals: "Appeals",
  rg_decide: "Decide", rg_uphold: "Uphold (revoke the record)", rg_reject: "Reject", rg_decision: "Decision",
  rg_conflict: "Conflict", rg_key: "Key", rg_ship: "Ship", rg_note: "Note", rg_resolve: "Resolve identities",
  rg_link_ship: "Link to ship (empty: just close)", rg_file: "File", rg_upload: "Upload", rg_rows: "Rows",
  rg_created: "Created", rg_updated: "Updated", rg_rejected: "Rejected", rg_line: "Line", rg_field: "Field",
  rg_message: "Message", rg_export: "Export", rg_format: "Format", rg_due: "Due for inspection", rg_register: "Risk register",
  rg_level: "Level", rg_location: "Location", rg_hazard: "Hazard", rg_likelihood: "Likelihood", rg_consequence: "Consequence",
  rg_owner: "Owner", rg_next_review: "Next review", rg_review: "Review", rg_new_point: "New risk point", rg_measures: "Measures",
  rg_reviewer: "Reviewer", rg_close: "Close the point", rg_all: "Include not due", rg_basis: "Basis", rg_subject: "Subject",
  rg_scores: "Grades", rg_inspections_pub: "Inspection results", rg_detentions: "Detentions", rg_penalties: "Penalties",
  rg_company_grades: "Company credit grades", rg_download: "Download open data", rg_public_note: "Public fields only; personal data masked.",
  rg_recompute: "Recompute", rg_same: "Recomputed: same", rg_differs: "Recomputed: differs", rg_points_total: "Total", rg_none: "none",
  rg_yes: "yes", rg_no: "no", rg_organisation_hint: "Organisation code (optional)", rg_repair: "Credit repair",
  rg_licences: "Fishing licences", rg_imports: "Past imports",
});

const WATCH = ["supervisor", "duty_officer"];
const READERS = ["supervisor", "duty_officer", "enterprise"];
const isSupervisor = () => hasRole("supervisor");
const text = (v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
const yesNo = (v) => (v === true ? t("rg_yes") : v === false ? t("rg_no") : "");

/** A row of tab buttons over a content box; `tabs` is [[key, label, render(box)], ...]. */
function tabs(section, list) {
  const box = el("div", { class: "rg-box", style: "padding: 0 12px 12px" });
  const bar = el("div", { class: "filters rg-tabs" });
  const open = (key) => {
    for (const b of bar.querySelectorAll("button")) b.classList.toggle("active", b.dataset.tab === key);
    const entry = list.find(([k]) => k === key);
    box.replaceChildren();
    entry[2](box).catch((e) => box.replaceChildren(el("p", { class: "error" }, e.message)));
  };
  for (const [key, label] of list) bar.append(el("button", { "data-tab": key, onclick: () => open(key) }, label));
  section.replaceChildren(bar, box);
  if (list.length) open(list[0][0]);
  return open;
}

function card(title, ...children) {
  return el("div", { class: "card", style: "margin: 10px 0" }, el("h3", { style: "margin: 0 0 8px; font-size: 15px" }, title), ...children);
}

function dl(pairs) {
  const node = el("dl", { style: "display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0" });
  for (const [k, v] of pairs) node.append(el("dt", { style: "color: #64748b" }, k), el("dd", { style: "margin: 0" }, text(v)));
  return node;
}

function button(label, onclick, attrs = {}) {
  return el("button", { ...attrs, onclick }, label);
}

async function guarded(fn) {
  try {
    return await fn();
  } catch (e) {
    alert(e.message);
    return null;
  }
}

// ------------------------------------------------------------------ ships

async function shipSearch(box) {
  const q = el("input", { id: "rg-ship-q", placeholder: t("rg_search_hint"), maxlength: "64", style: "min-width: 280px" });
  const results = el("div", { id: "rg-ship-results" });
  const detail = el("div", { id: "rg-ship-detail" });
  const run = async () => {
    const data = await api(`/api/registry/ships?${new URLSearchParams({ q: q.value, page_size: "200" })}`);
    results.replaceChildren(table(
      [["name", t("rg_name")], ["imo", t("rg_imo")], ["mmsi", t("rg_mmsi")], ["type", t("rg_type")], ["flag", t("rg_flag")], ["status", t("rg_status")], ["org", t("rg_org")], ["", ""]],
      data.ships.map((s) => {
        const open = button(t("rg_open"), () => showShip(detail, s.id).catch((e) => alert(e.message)));
        return [s.name, s.imo, s.mmsi, s.ship_type, s.flag, s.status, s.organisation, open];
      }),
      { id: "rg-ship-table" },
    ));
    for (const [i, s] of data.ships.entries()) results.querySelectorAll("tr")[i + 1].dataset.ship = s.id;
  };
  q.addEventListener("keydown", (e) => { if (e.key === "Enter") run().catch((err) => alert(err.message)); });
  const bar = el("div", { class: "filters" }, q, button(t("rg_search"), () => run().catch((e) => alert(e.message)), { id: "rg-ship-search" }));
  if (isSupervisor()) bar.append(button(t("rg_new_ship"), () => newShip().then((id) => id && showShip(detail, id))));
  box.append(bar, results, detail);
  await run();
}

async function newShip() {
  const v = await ask(t("rg_new_ship"), [
    { name: "name", label: t("rg_name") }, { name: "imo", label: t("rg_imo") }, { name: "mmsi", label: t("rg_mmsi") },
    { name: "callsign", label: t("rg_callsign") }, { name: "ship_type", label: t("rg_type"), value: "other" },
    { name: "flag", label: t("rg_flag"), value: "CN" }, { name: "build_year", label: t("rg_build_year") },
    { name: "organisation", label: t("rg_organisation_hint") },
  ]);
  if (!v) return null;
  const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
  if (body.mmsi) body.mmsi = Number(body.mmsi);
  if (body.build_year) body.build_year = Number(body.build_year);
  const s = await guarded(() => api("/api/registry/ships", { method: "POST", body }));
  return s ? s.id : null;
}

async function showShip(box, id) {
  const life = await api(`/api/registry/ships/${encodeURIComponent(id)}`);
  const s = life.ship;
  const actions = el("div", { class: "filters", style: "padding: 0" });
  if (isSupervisor()) {
    actions.append(
      button(t("rg_record_event"), async () => {
        const v = await ask(t("rg_record_event"), [
          { name: "kind", label: t("rg_kind"), options: ["inspection", "port_call", "accident", "violation", "penalty", "laid_up", "reactivated", "scrapped"] },
          { name: "on_date", label: t("rg_on"), type: "date" }, { name: "ended_on", label: t("rg_ended"), type: "date" },
          { name: "port", label: t("rg_port") }, { name: "deficiencies", label: t("rg_deficiencies") },
          { name: "detained", label: t("rg_detained"), options: [["", "—"], ["true", t("rg_yes")], ["false", t("rg_no")]] },
          { name: "legal_basis", label: t("rg_basis") },
        ]);
        if (!v) return;
        const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
        if (body.deficiencies) body.deficiencies = Number(body.deficiencies);
        if (body.detained) body.detained = body.detained === "true";
        if (await guarded(() => api(`/api/registry/ships/${s.id}/events`, { method: "POST", body }))) await showShip(box, s.id);
      }),
      button(t("rg_edit"), async () => {
        const v = await ask(t("rg_edit"), [
          { name: "name", label: t("rg_name"), value: s.name }, { name: "flag", label: t("rg_flag"), value: s.flag ?? "" },
          { name: "callsign", label: t("rg_callsign"), value: s.callsign ?? "" }, { name: "on", label: t("rg_on"), type: "date" },
        ]);
        if (!v) return;
        const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
        if (await guarded(() => api(`/api/registry/ships/${s.id}`, { method: "PATCH", body }))) await showShip(box, s.id);
      }),
      button(t("rg_add_certificate"), async () => {
        const v = await ask(t("rg_add_certificate"), [
          { name: "kind", label: t("rg_kind") }, { name: "number", label: t("rg_number") },
          { name: "issued_on", label: t("rg_issued"), type: "date" }, { name: "expires_on", label: t("rg_expires"), type: "date" },
        ]);
        if (!v) return;
        const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
        if (await guarded(() => api(`/api/registry/ships/${s.id}/certificates`, { method: "POST", body }))) await showShip(box, s.id);
      }),
    );
  }
  const profile = el("div", { id: "rg-risk" });
  box.replaceChildren(
    card(`${s.name} · ${s.imo ?? ""}`, dl([
      [t("rg_imo"), s.imo], [t("rg_mmsi"), s.mmsi], [t("rg_callsign"), s.callsign], [t("rg_type"), s.ship_type],
      [t("rg_flag"), s.flag], [t("rg_build_year"), s.build_year], [t("rg_status"), s.status], [t("rg_org"), s.organisation],
    ]), actions),
    profile,
    card(t("rg_identities"), table(
      [["kind", t("rg_kind")], ["value", t("rg_value")], ["valid_from", t("rg_from")], ["valid_to", t("rg_to")], ["source", t("rg_source")]],
      life.identities,
    )),
    card(t("rg_inspections"), table(
      [["on_date", t("rg_date")], ["port", t("rg_port")], ["regime", "regime"], ["deficiencies", t("rg_deficiencies")], ["detained", t("rg_detained")], ["ended_on", t("rg_ended")]],
      life.inspections.map((e) => [e.on_date, e.port, e.regime, e.deficiencies, yesNo(e.detained), e.ended_on]),
    )),
    card(t("rg_certificates"), table(
      [["kind", t("rg_kind")], ["number", t("rg_number")], ["issued_on", t("rg_issued")], ["expires_on", t("rg_expires")], ["state", t("rg_state")]],
      life.certificates,
    )),
    card(t("rg_history"), table([["on_date", t("rg_date")], ["what", t("rg_event")], ["detail", t("rg_detail")]], life.history, { id: "rg-history" })),
  );
  await showProfile(profile, s.id);
}

/** A ship's risk profile, one line per parameter with its points and low-risk criterion. */
async function showProfile(box, id) {
  const regime = el("select", {}, el("option", { value: "paris" }, "Paris MoU"), el("option", { value: "tokyo" }, "Tokyo MoU"));
  const body = el("div");
  const load = async () => {
    const p = await api(`/api/risk/ships/${encodeURIComponent(id)}/profile?regime=${regime.value}`);
    body.replaceChildren(
      dl([
        [t("rg_profile"), `${p.profile} (${p.points})`], [t("rg_window"), p.window_months.join("–")],
        [t("rg_priority"), p.priority], [t("rg_last_inspection"), p.last_inspection ?? t("rg_none")],
      ]),
      table(
        [["parameter", "#"], ["name", t("rg_parameter")], ["value", t("rg_value")], ["points", t("rg_points")], ["lrs", t("rg_lrs")], ["text", t("rg_explanation")]],
        p.parameters.map((ln) => [ln.parameter, ln.name, text(ln.value), ln.points, ln.lrs === null ? "—" : ln.lrs ? t("rg_met") : t("rg_not_met"), ln.text]),
        { id: "rg-risk-lines" },
      ),
      el("ul", {}, ...p.lines.slice(p.parameters.length).map((line) => el("li", {}, line))),
      el("h4", { style: "margin: 8px 0 4px" }, t("rg_sources")),
      el("ul", {}, ...Object.entries(p.sources).map(([k, v]) => el("li", {}, `${k}: ${v}`))),
    );
  };
  regime.addEventListener("change", () => load().catch((e) => body.replaceChildren(el("p", { class: "error" }, e.message))));
  box.replaceChildren(card(t("rg_risk_profile"), regime, body));
  await load();
}

// ------------------------------------------------------------------ crews

async function crewList(box) {
  const data = await api("/api/registry/crews?page_size=500");
  const bar = el("div", { class: "filters", style: "padding: 0 0 8px" });
  if (isSupervisor()) {
    bar.append(button(t("rg_new_crew"), async () => {
      const v = await ask(t("rg_new_crew"), [
        { name: "name", label: t("rg_name") }, { name: "id_number", label: t("rg_id_number") },
        { name: "nationality", label: t("rg_nationality"), value: "CN" }, { name: "organisation", label: t("rg_organisation_hint") },
      ]);
      if (!v) return;
      const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
      if (await guarded(() => api("/api/registry/crews", { method: "POST", body }))) { box.replaceChildren(); await crewList(box); }
    }));
  }
  const rows = data.crews.map((c) => {
    const cells = [c.name, c.id_number, c.nationality, c.status, c.organisation, button(t("rg_career"), () => crewCareer(c.id).catch((e) => alert(e.message)))];
    if (isSupervisor()) {
      cells.push(button(t("rg_penalty_points"), async () => {
        const v = await ask(t("rg_penalty_points"), [
          { name: "points", label: t("rg_points") }, { name: "reason", label: t("rg_reason") },
          { name: "on_date", label: t("rg_on"), type: "date" }, { name: "legal_basis", label: t("rg_basis") },
        ]);
        if (!v) return;
        const body = { ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== "")), points: Number(v.points) };
        const r = await guarded(() => api(`/api/registry/crews/${c.id}/points`, { method: "POST", body }));
        if (r) alert(`${t("rg_year_points")}: ${r.year_points}`);
      }));
    }
    return cells;
  });
  box.append(bar, table(
    [["name", t("rg_name")], ["id", t("rg_id_number")], ["n", t("rg_nationality")], ["s", t("rg_status")], ["o", t("rg_org")], ["a", ""], ...(isSupervisor() ? [["p", ""]] : [])],
    rows, { id: "rg-crew-table" },
  ));
}

async function crewCareer(id) {
  const c = await api(`/api/registry/crews/${encodeURIComponent(id)}`);
  showInfo(`${c.crew.name} · ${c.crew.id_number}`, el("div", {},
    dl([[t("rg_year_points"), c.year_points], [t("rg_status"), c.crew.status]]),
    el("h4", {}, t("rg_certificates")),
    table([["number", t("rg_number")], ["grade", t("rg_grade")], ["issued_on", t("rg_issued")], ["expires_on", t("rg_expires")], ["state", t("rg_state")]], c.certificates),
    el("h4", {}, t("rg_penalty_points")),
    table([["on_date", t("rg_date")], ["points", t("rg_points")], ["reason", t("rg_reason")], ["legal_basis", t("rg_basis")]], c.penalties),
  ));
}

// ------------------------------------------------------------------ companies and credit

async function companyList(box) {
  const data = await api("/api/registry/companies?page_size=500");
  const detail = el("div", { id: "rg-company-detail" });
  const bar = el("div", { class: "filters", style: "padding: 0 0 8px" });
  if (isSupervisor()) {
    bar.append(button(t("rg_new_company"), async () => {
      const v = await ask(t("rg_new_company"), [
        { name: "name", label: t("rg_name") }, { name: "uscc", label: t("rg_uscc") },
        { name: "ism_performance", label: "ISM", options: [["", "—"], "high", "medium", "low", "very_low"] },
        { name: "organisation", label: t("rg_organisation_hint") },
      ]);
      if (!v) return;
      const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
      const c = await guarded(() => api("/api/registry/companies", { method: "POST", body }));
      if (c) await showCompany(detail, c.id);
    }));
  }
  box.append(bar, table(
    [["name", t("rg_name")], ["uscc", t("rg_uscc")], ["grade", t("rg_grade")], ["score", t("rg_score")], ["listing", t("rg_listing")], ["org", t("rg_org")], ["", ""]],
    data.companies.map((c) => [c.name, c.uscc, c.grade ?? t("rg_no_score"), c.score, c.listing, c.organisation,
      button(t("rg_open"), () => showCompany(detail, c.id).catch((e) => alert(e.message)), { "data-company": c.id })]),
    { id: "rg-company-table" },
  ), detail);
}

async function showCompany(box, id) {
  const data = await api(`/api/registry/companies/${encodeURIComponent(id)}`);
  const c = data.company;
  const credit = el("div", { id: "rg-credit" });
  box.replaceChildren(
    card(c.name, dl([[t("rg_uscc"), c.uscc], ["IMO", c.imo_company_no], ["ISM", c.ism_performance], [t("rg_org"), c.organisation]])),
    credit,
    card(t("rg_fleet"), table([["name", t("rg_name")], ["imo", t("rg_imo")], ["ship_type", t("rg_type")], ["roles", t("rg_kind")]],
      data.fleet.map((s) => [s.name, s.imo, s.ship_type, s.roles.join(", ")]))),
    card(t("rg_permits"), table([["kind", t("rg_kind")], ["number", t("rg_number")], ["valid_from", t("rg_from")], ["valid_to", t("rg_to")], ["issuer", "issuer"]], data.permits)),
  );
  await showCredit(credit, c.id, "company");
}

/** A subject's grade with its explanation, its ledger, appeals and the actions allowed. */
async function showCredit(box, ref, kind) {
  const data = await api(`/api/credit/subjects/${encodeURIComponent(ref)}?subject_kind=${kind}`);
  const s = data.latest;
  const head = s
    ? el("div", {},
      dl([[t("rg_grade"), s.grade], [t("rg_score"), s.score], [t("rg_listing"), s.listing ?? t("rg_none")], [t("rg_intensity"), s.intensity],
        ["rule set", s.ruleset_version], [t("rg_date"), s.as_of]]),
      el("ol", { id: "rg-credit-lines" }, ...s.lines.map((line) => el("li", {}, line))),
      hasRole(...WATCH) ? button(t("rg_recompute"), async () => {
        const r = await guarded(() => api(`/api/credit/scores/${s.id}/recompute`));
        if (r) alert(r.same ? t("rg_same") : t("rg_differs"));
      }) : "")
    : el("p", {}, t("rg_no_score"));
  const actions = el("div", { class: "filters", style: "padding: 4px 0" });
  if (isSupervisor()) {
    actions.append(button(t("rg_compute"), async () => {
      if (await guarded(() => api(`/api/credit/subjects/${encodeURIComponent(ref)}/score`, { method: "POST", body: { subject_kind: kind } }))) await showCredit(box, ref, kind);
    }, { id: "rg-compute" }));
  }
  const rows = data.events.map((e) => {
    const cells = [e.on_date, e.kind, e.points, e.legal_basis, e.source, e.status];
    const acts = el("span");
    if ((isSupervisor() || hasRole("enterprise")) && e.status === "active") {
      acts.append(button(t("rg_appeal"), async () => {
        const v = await ask(t("rg_appeal"), [{ name: "reason", label: t("rg_reason"), type: "textarea" }]);
        if (v && await guarded(() => api(`/api/credit/events/${e.id}/appeal`, { method: "POST", body: v }))) await showCredit(box, ref, kind);
      }));
    }
    if (isSupervisor() && e.status === "active" && e.points < 0) {
      acts.append(button(t("rg_repair"), async () => {
        const v = await ask(t("rg_repair"), [{ name: "basis", label: t("rg_basis"), type: "textarea" }]);
        if (v && await guarded(() => api(`/api/credit/events/${e.id}/repair`, { method: "POST", body: v }))) await showCredit(box, ref, kind);
      }));
    }
    return [...cells, acts];
  });
  box.replaceChildren(card(t("rg_credit"), head, actions,
    el("h4", {}, t("rg_credit_events")),
    table([["d", t("rg_date")], ["k", t("rg_kind")], ["p", t("rg_points")], ["b", t("rg_basis")], ["s", t("rg_source")], ["st", t("rg_state")], ["a", ""]], rows),
    el("h4", {}, t("rg_appeals")),
    appealTable(data.appeals, () => showCredit(box, ref, kind)),
  ));
}

function appealTable(appeals, reload) {
  return table(
    [["id", "#"], ["e", t("rg_event")], ["f", t("rg_date")], ["r", t("rg_reason")], ["s", t("rg_state")], ["d", t("rg_decision")], ["a", ""]],
    appeals.map((a) => {
      const acts = el("span");
      if (isSupervisor() && a.state === "open") {
        acts.append(button(t("rg_decide"), async () => {
          const v = await ask(t("rg_decide"), [
            { name: "uphold", label: t("rg_decide"), options: [["true", t("rg_uphold")], ["false", t("rg_reject")]] },
            { name: "decision", label: t("rg_decision"), type: "textarea" },
          ]);
          if (!v) return;
          if (await guarded(() => api(`/api/credit/appeals/${a.id}/decide`, { method: "POST", body: { uphold: v.uphold === "true", decision: v.decision } }))) await reload();
        }));
      }
      return [a.id, a.event_id, a.filed_on, a.reason, a.state, a.decision, acts];
    }),
  );
}

async function creditScores(box) {
  const data = await api("/api/credit/scores");
  const detail = el("div");
  box.append(table(
    [["k", t("rg_subject")], ["id", "id"], ["g", t("rg_grade")], ["s", t("rg_score")], ["l", t("rg_listing")], ["i", t("rg_intensity")], ["d", t("rg_date")], ["a", ""]],
    data.scores.map((s) => [s.subject_kind, s.subject_id, s.grade, s.score, s.listing, s.intensity, s.as_of,
      button(t("rg_open"), () => showCredit(detail, s.subject_id, s.subject_kind).catch((e) => alert(e.message)))]),
  ), detail);
}

async function creditAppeals(box) {
  const data = await api("/api/credit/appeals?state=all");
  box.append(appealTable(data.appeals, async () => { box.replaceChildren(); await creditAppeals(box); }));
}

// ------------------------------------------------------------------ conflicts, import

async function conflictList(box) {
  const data = await api("/api/registry/conflicts");
  const bar = el("div", { class: "filters", style: "padding: 0 0 8px" });
  const reload = async () => { box.replaceChildren(); await conflictList(box); };
  if (isSupervisor()) {
    bar.append(button(t("rg_resolve"), async () => {
      const r = await guarded(() => api("/api/registry/identity/resolve", { method: "POST" }));
      if (r) { alert(`${r.links} / ${r.conflicts}`); await reload(); }
    }));
  }
  box.append(bar, table(
    [["id", "#"], ["k", t("rg_key")], ["c", t("rg_conflict")], ["s", t("rg_ship")], ["o", "other"], ["src", t("rg_source")], ["obs", t("rg_detail")], ["a", ""]],
    data.conflicts.map((c) => [c.id, `${c.key_kind} ${c.key}`, c.conflict, c.ship_id, c.other_ship_id, c.source, text(c.observed),
      isSupervisor() ? button(t("rg_decide"), async () => {
        const v = await ask(t("rg_decide"), [{ name: "ship", label: t("rg_link_ship"), value: c.ship_id ?? "" }, { name: "note", label: t("rg_note"), type: "textarea" }]);
        if (!v) return;
        const body = { note: v.note, ...(v.ship ? { ship: v.ship } : {}) };
        if (await guarded(() => api(`/api/registry/conflicts/${c.id}/decide`, { method: "POST", body }))) await reload();
      }) : ""]),
    { id: "rg-conflicts" },
  ));
}

async function importPage(box) {
  const report = el("div", { id: "rg-import-report" });
  if (isSupervisor()) {
    const kind = el("select", { name: "kind" }, ...["ships", "crews", "companies", "inspections"].map((k) => el("option", { value: k }, k)));
    const file = el("input", { type: "file", name: "file", accept: ".csv,.xlsx,.json,.jsonl" });
    const org = el("input", { name: "organisation", placeholder: t("rg_organisation_hint"), maxlength: "64" });
    const upload = async () => {
      if (!file.files.length) return;
      const form = new FormData();
      form.append("file", file.files[0]);
      if (org.value) form.append("organisation", org.value);
      const r = await api(`/api/registry/import/${kind.value}`, { method: "POST", body: form });
      report.replaceChildren(
        dl([[t("rg_rows"), r.rows], [t("rg_created"), r.created], [t("rg_updated"), r.updated], [t("rg_rejected"), r.rejected]]),
        table([["line", t("rg_line")], ["reason", t("rg_reason")], ["field", t("rg_field")], ["message", t("rg_message")]], r.errors),
      );
    };
    box.append(card(t("rg_import"), el("div", { class: "filters", style: "padding: 0" }, kind, file, org,
      button(t("rg_upload"), () => upload().catch((e) => report.replaceChildren(el("p", { class: "error" }, e.message))))), report));
  }
  const list = el("select", {}, ...["ships", "companies", "crews", "inspections", "events", "identities", "certificates", "permits", "licences", "quotas", "links", "conflicts", "imports"].map((k) => el("option", { value: k }, k)));
  const fmt = el("select", {}, ...["csv", "xlsx", "json"].map((k) => el("option", { value: k }, k)));
  const link = el("a", { href: "#" }, t("rg_export"));
  const update = () => link.setAttribute("href", `/api/registry/export/${list.value}?format=${fmt.value}`);
  list.addEventListener("change", update);
  fmt.addEventListener("change", update);
  update();
  box.append(card(t("rg_export"), el("div", { class: "filters", style: "padding: 0" }, list, fmt, link)));
  if (hasRole(...WATCH)) {
    const past = await api("/api/registry/imports");
    box.append(card(t("rg_imports"), table(
      [["t", t("rg_date")], ["k", t("rg_kind")], ["f", t("rg_file")], ["r", t("rg_rows")], ["i", t("rg_created")], ["x", t("rg_rejected")], ["a", t("rg_owner")]],
      past.imports.map((i) => [fmtTime(i.at_ms), i.kind, i.file, i.rows, i.imported, i.rejected, i.actor]),
    )));
  }
}

// ------------------------------------------------------------------ risk

async function dueList(box) {
  const port = el("input", { id: "rg-due-port", placeholder: t("rg_port"), maxlength: "64" });
  const all = el("input", { type: "checkbox" });
  const out = el("div");
  const run = async () => {
    if (!port.value) return;
    const data = await api(`/api/risk/due?${new URLSearchParams({ port: port.value, all: String(all.checked) })}`);
    out.replaceChildren(table(
      [["n", t("rg_name")], ["i", t("rg_imo")], ["f", t("rg_flag")], ["p", t("rg_profile")], ["pt", t("rg_points")], ["pr", t("rg_priority")],
        ["l", t("rg_last_inspection")], ["b", t("rg_basis")], ["o", "overriding"]],
      data.ships.map((s) => [s.name, s.imo, s.flag, s.profile, s.points, s.priority, s.last_inspection, s.basis, s.overriding]),
    ));
  };
  box.append(el("div", { class: "filters", style: "padding: 0 0 8px" }, port, el("label", { class: "check" }, all, t("rg_all")),
    button(t("rg_search"), () => run().catch((e) => out.replaceChildren(el("p", { class: "error" }, e.message))))), out);
}

const COLOURS = { red: "#dc2626", orange: "#f97316", yellow: "#eab308", blue: "#3b82f6" };

async function riskRegister(box) {
  const data = await api("/api/risk/points?status=all");
  const reload = async () => { box.replaceChildren(); await riskRegister(box); };
  const bar = el("div", { class: "filters", style: "padding: 0 0 8px" });
  if (isSupervisor()) {
    bar.append(button(t("rg_new_point"), async () => {
      const v = await ask(t("rg_new_point"), [
        { name: "name", label: t("rg_name") }, { name: "location", label: t("rg_location") }, { name: "hazard", label: t("rg_hazard") },
        { name: "likelihood", label: t("rg_likelihood"), options: ["1", "2", "3", "4", "5"] },
        { name: "consequence", label: t("rg_consequence"), options: ["1", "2", "3", "4", "5"] },
        { name: "measures", label: t("rg_measures"), type: "textarea" }, { name: "owner", label: t("rg_owner") },
      ]);
      if (!v) return;
      const body = { ...v, likelihood: Number(v.likelihood), consequence: Number(v.consequence), measures: v.measures.split("\n").filter(Boolean) };
      if (await guarded(() => api("/api/risk/points", { method: "POST", body }))) await reload();
    }));
  }
  box.append(bar, table(
    [["c", ""], ["n", t("rg_name")], ["l", t("rg_location")], ["h", t("rg_hazard")], ["lv", t("rg_level")], ["lc", `${t("rg_likelihood")}×${t("rg_consequence")}`],
      ["m", t("rg_measures")], ["o", t("rg_owner")], ["s", t("rg_status")], ["r", t("rg_next_review")], ["a", ""]],
    data.points.map((p) => [
      el("span", { class: "badge", style: `background: ${COLOURS[p.colour] || "#475569"}; color: #fff` }, p.colour),
      p.name, p.location, p.hazard, p.level, `${p.likelihood}×${p.consequence}`, (p.measures || []).join("; "), p.owner, p.status, p.next_review,
      isSupervisor() && p.status === "open" ? button(t("rg_review"), async () => {
        const v = await ask(t("rg_review"), [
          { name: "reviewed_on", label: t("rg_on"), type: "date" }, { name: "reviewer", label: t("rg_reviewer") },
          { name: "likelihood", label: t("rg_likelihood"), options: ["1", "2", "3", "4", "5"] },
          { name: "consequence", label: t("rg_consequence"), options: ["1", "2", "3", "4", "5"] },
          { name: "note", label: t("rg_note"), type: "textarea" },
          { name: "close", label: t("rg_close"), options: [["false", t("rg_no")], ["true", t("rg_yes")]] },
        ]);
        if (!v) return;
        const body = { ...v, likelihood: Number(v.likelihood), consequence: Number(v.consequence), close: v.close === "true" };
        if (await guarded(() => api(`/api/risk/points/${p.id}/reviews`, { method: "POST", body }))) await reload();
      }) : "",
    ]),
    { id: "rg-risk-points" },
  ));
}

// ------------------------------------------------------------------ public service

function publicTable(path, withShip) {
  return async (box) => {
    const ship = el("input", { placeholder: `${t("rg_imo")} / ${t("rg_name")}`, maxlength: "64" });
    const out = el("div");
    const run = async () => {
      const q = new URLSearchParams({ page_size: "200" });
      if (withShip && ship.value) q.set("ship", ship.value);
      const data = await api(`${path}?${q}`);
      out.replaceChildren(
        el("p", { style: "color: #64748b" }, `${t("rg_public_note")} (${data.total})`),
        table(data.fields.map((f) => [f, f]), data.rows.map((r) => data.fields.map((f) => text(r[f])))),
      );
    };
    const bar = el("div", { class: "filters", style: "padding: 0 0 8px" });
    if (withShip) bar.append(ship, button(t("rg_search"), () => run().catch((e) => alert(e.message))));
    box.append(bar, out);
    await run();
  };
}

async function openData(box) {
  const rows = ["inspections", "detentions", "penalties", "company_credit"].map((d) => [
    d,
    el("a", { href: `/api/public/opendata/${d}?format=csv` }, "CSV"),
    el("a", { href: `/api/public/opendata/${d}?format=json` }, "JSON"),
  ]);
  box.append(el("p", { style: "color: #64748b" }, t("rg_public_note")), table([["d", "dataset"], ["c", "CSV"], ["j", "JSON"]], rows));
}

// ------------------------------------------------------------------ views

registerView({
  name: "registry",
  label: "nav_registry",
  roles: READERS,
  load: async (section) => {
    const list = [
      ["ships", t("rg_ships"), shipSearch],
      ["crews", t("rg_crews"), crewList],
      ["companies", t("rg_companies"), companyList],
    ];
    if (hasRole(...WATCH)) list.push(["conflicts", t("rg_conflicts"), conflictList]);
    list.push(["import", t("rg_import"), importPage]);
    tabs(section, list);
  },
});

registerView({
  name: "risk",
  label: "nav_risk",
  roles: WATCH,
  load: async (section) => {
    tabs(section, [["due", t("rg_due"), dueList], ["register", t("rg_register"), riskRegister]]);
  },
});

registerView({
  name: "credit",
  label: "nav_credit",
  roles: READERS,
  load: async (section) => {
    tabs(section, [["scores", t("rg_scores"), creditScores], ["appeals", t("rg_appeals"), creditAppeals]]);
  },
});

registerView({
  name: "public",
  label: "nav_public",
  roles: [...READERS, "public"],
  load: async (section) => {
    tabs(section, [
      ["inspections", t("rg_inspections_pub"), publicTable("/api/public/inspections", true)],
      ["detentions", t("rg_detentions"), publicTable("/api/public/detentions", true)],
      ["penalties", t("rg_penalties"), publicTable("/api/public/penalties", false)],
      ["grades", t("rg_company_grades"), publicTable("/api/public/company-grades", false)],
      ["opendata", t("rg_download"), openData],
    ]);
  },
});

// Hooks for automated browser tests: open a ship's page or a company's page directly.
window.__seawardenRegistry = {
  openShip: async (id) => {
    const detail = document.getElementById("rg-ship-detail");
    await showShip(detail, id);
  },
};
