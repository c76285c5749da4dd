// The dangerous-goods pages: declarations and decisions, cargo and inventory, hidden dangers,
// major hazard sources, alarms (with the berth check for supervisors), container yards,
// tank readings, port rules, the authority's dashboard and map of storage units, enforcement
// records, and the tools (UN look-up, segregation check of a bay or yard list, GB 18218).
// All text is set with textContent (never HTML).
import { api, el, table, ask, showInfo, hasRole, registerView, fmtTime } from "../core.js";
import { t, addTexts } from "../i18n.js";

addTexts({
  nav_dg: "危险货物", dg_declarations: "作业申报", dg_cargo: "进出库与库存", dg_hidden: "隐患治理", dg_sources: "重大危险源",
  dg_alarms: "报警", dg_dashboard: "监管看板", dg_map: "储存单元地图", dg_enforcement: "执法检查", dg_tools: "查询与计算",
  dg_new_declaration: "新建申报", dg_terminal: "码头", dg_berth: "泊位", dg_unit: "储存单元", dg_mode: "作业方式",
  dg_ship: "船名", dg_voyage: "航次", dg_window: "作业时间", dg_status: "状态", dg_comparison: "比对结果", dg_findings: "比对发现",
  dg_lines: "货物", dg_un: "UN编号", dg_quantity: "数量（吨）", dg_personnel: "作业人员编号（逗号分隔）", dg_details: "详情",
  dg_approve: "批准", dg_reject: "驳回", dg_withdraw: "撤回", dg_decision: "审批意见", dg_decided_by: "审批人",
  dg_none: "无", dg_all: "全部", dg_record_cargo: "记录进出", dg_direction: "方向", dg_in: "入库", dg_out: "出库",
  dg_container: "箱号", dg_inventory: "库存", dg_capacity: "设计容量（吨）", dg_records: "进出记录", dg_recorded_by: "记录人",
  dg_report: "上报隐患", dg_title: "标题", dg_description: "描述", dg_criterion: "重大隐患判定条款（如 1.2）",
  dg_category: "一般隐患类别（0-5）", dg_photo: "照片", dg_level: "等级", dg_level_major: "重大", dg_level_general: "一般",
  dg_assignee: "整改责任人", dg_deadline: "整改期限", dg_assign: "指派", dg_rectify: "整改", dg_verify: "验收", dg_close: "销号",
  dg_rectification: "整改情况", dg_passed: "验收结论", dg_pass: "合格", dg_fail: "不合格", dg_escalation: "督办级别",
  dg_register: "登记危险源", dg_register_confirm: "确认登记", dg_file: "备案", dg_filing_no: "备案编号", dg_evaluate: "定期评估",
  dg_deregister: "核销", dg_reason: "原因", dg_grade: "级别", dg_next_eval: "下次评估", dg_working: "计算过程",
  dg_clear: "解除", dg_opened: "发生时间", dg_message: "内容", dg_scope: "机构代码", dg_companies: "企业", dg_terminals: "码头",
  dg_units: "储存单元", dg_sources_active: "重大危险源", dg_grade_1: "一级危险源", dg_grade_2: "二级危险源",
  dg_grade_3: "三级危险源", dg_grade_4: "四级危险源", dg_hd_open: "未闭环隐患",
  dg_hd_major: "未闭环重大隐患", dg_hd_overdue: "逾期隐患", dg_pending: "待审批申报", dg_overdue: "逾期未审批",
  dg_blocked: "被阻断申报", dg_alarms_open: "未解除报警", dg_totals: "合计", dg_children: "下级单位", dg_not_source: "非重大危险源",
  dg_record_enforcement: "记录检查", dg_kind: "类别", dg_result: "结果", dg_officer: "执法人员", dg_lookup: "UN编号查询",
  dg_segregation: "积载/堆场隔离检查", dg_upload: "上传清单（JSON、CSV 或 BAPLIE）", dg_check: "检查", dg_hazard_calc: "GB 18218 辨识与分级",
  dg_people: "500 米内人数", dg_hazard_items: "物质,数量（吨）[,类别]，每行一项", dg_calculate: "计算", dg_class: "类别/项别",
  dg_name: "名称", dg_pg: "包装类", dg_no_findings: "未发现问题", dg_units_total: "箱数", dg_dg_units: "危险货物箱",
  dg_history: "处理记录", dg_submitted_ok: "申报已提交",
  dg_st_submitted: "待审批", dg_st_blocked: "已阻断", dg_st_approved: "已批准", dg_st_rejected: "已驳回", dg_st_withdrawn: "已撤回",
  dg_st_reported: "已上报", dg_st_assigned: "整改中", dg_st_rectified: "待验收", dg_st_verified: "已验收", dg_st_closed: "已销号",
  dg_st_registered: "已登记", dg_st_filed: "已备案", dg_st_deregistered: "已核销", dg_st_open: "未解除", dg_st_cleared: "已解除",
  dg_cmp_pass: "通过", dg_cmp_warn: "警示", dg_cmp_block: "阻断",
  dg_mode_loading: "装船", dg_mode_discharging: "卸船", dg_mode_lightering: "过驳", dg_mode_storage: "储存",
  dg_mode_stuffing: "装拆箱", dg_mode_pipeline: "管道输送",
  dg_yard: "集装箱堆场", dg_yard_unit: "堆场", dg_blocks: "箱区", dg_new_block: "新建箱区", dg_block: "箱区",
  dg_bays: "贝位数（20 尺）", dg_rows: "排数", dg_tiers: "层数", dg_bay: "贝", dg_row: "排", dg_tier: "层",
  dg_place: "进箱", dg_move: "移箱", dg_remove: "出箱", dg_items: "危险货物（UN编号，逗号分隔）", dg_open: "开顶/敞开箱",
  dg_containers: "在场箱", dg_added: "新增发现", dg_removed: "消除发现", dg_current: "当前发现", dg_no_yard: "没有集装箱堆场",
  dg_readings: "储罐监测", dg_tank: "储罐", dg_latest: "最新读数", dg_limits: "设计限值", dg_value: "读数",
  dg_no_tank: "没有储罐", dg_rules: "港口规则", dg_rule: "规则", dg_in_force: "现行值", dg_default: "默认值",
  dg_own: "本单位设定", dg_inherited: "来源", dg_defaults: "默认规则", dg_edit_rules: "修改规则",
  dg_rules_json: "本单位设定（JSON，未列出的取默认值）", dg_observe: "泊位作业核查", dg_observed: "核查结果",
  dg_events: "未经批准的作业", dg_alerts_created: "新增告警",
}, {
  nav_dg: "Dangerous goods", dg_declarations: "Declarations", dg_cargo: "Cargo & inventory", dg_hidden: "Hidden dangers",
  dg_sources: "Major hazard sources", dg_alarms: "Alarms", dg_dashboard: "Supervision dashboard", dg_map: "Storage unit map",
  dg_enforcement: "Enforcement", dg_tools: "Look-up & calculation", dg_new_declaration: "New declaration", dg_terminal: "Terminal",
  dg_berth: "Berth", dg_unit: "Storage unit", dg_mode: "Operation", dg_ship: "Ship", dg_voyage: "Voyage", dg_window: "Operation time",
  dg_status: "Status", dg_comparison: "Comparison", dg_findings: "Findings", dg_lines: "Goods", dg_un: "UN number",
  dg_quantity: "Quantity (t)", dg_personnel: "Staff ids (comma-separated)", dg_details: "Details", dg_approve: "Approve",
  dg_reject: "Reject", dg_withdraw: "Withdraw", dg_decision: "Decision comment", dg_decided_by: "Decided by", dg_none: "None",
  dg_all: "All", dg_record_cargo: "Record in/out", dg_direction: "Direction", dg_in: "In", dg_out: "Out", dg_container: "Container",
  dg_inventory: "Inventory", dg_capacity: "Design capacity (t)", dg_records: "Records", dg_recorded_by: "Recorded by",
  dg_report: "Report a hidden danger", dg_title: "Title", dg_description: "Description",
  dg_criterion: "Major hidden danger criterion (e.g. 1.2)", dg_category: "General category (0-5)", dg_photo: "Photo",
  dg_level: "Level", dg_level_major: "Major", dg_level_general: "General", dg_assignee: "Responsible", dg_deadline: "Deadline",
  dg_assign: "Assign", dg_rectify: "Rectify", dg_verify: "Verify", dg_close: "Close", dg_rectification: "Rectification",
  dg_passed: "Verification", dg_pass: "Passed", dg_fail: "Failed", dg_escalation: "Escalation", dg_register: "Register a source",
  dg_register_confirm: "Register", dg_file: "File", dg_filing_no: "Filing number", dg_evaluate: "Evaluate",
  dg_deregister: "Deregister", dg_reason: "Reason", dg_grade: "Grade", dg_next_eval: "Next evaluation", dg_working: "Working",
  dg_clear: "Clear", dg_opened: "Opened", dg_message: "Message", dg_scope: "Organisation code", dg_companies: "Companies",
  dg_terminals: "Terminals", dg_units: "Storage units", dg_sources_active: "Major hazard sources", dg_grade_1: "Grade 1 sources",
  dg_grade_2: "Grade 2 sources", dg_grade_3: "Grade 3 sources", dg_grade_4: "Grade 4 sources",
  dg_hd_open: "Open hidden dangers", dg_hd_major: "Open major hidden dangers", dg_hd_overdue: "Overdue hidden dangers",
  dg_pending: "Pending declarations", dg_overdue: "Overdue decisions", dg_blocked: "Blocked declarations",
  dg_alarms_open: "Open alarms", dg_totals: "Totals", dg_children: "Units below", dg_not_source: "Not a major hazard source",
  dg_record_enforcement: "Record an inspection", dg_kind: "Kind", dg_result: "Result", dg_officer: "Officer",
  dg_lookup: "UN number look-up", dg_segregation: "Bay / yard segregation check", dg_upload: "Upload a list (JSON, CSV or BAPLIE)",
  dg_check: "Check", dg_hazard_calc: "GB 18218 identification and grading", dg_people: "People within 500 m",
  dg_hazard_items: "substance,quantity (t)[,categories], one per line", dg_calculate: "Calculate", dg_class: "Class/division",
  dg_name: "Name", dg_pg: "Packing group", dg_no_findings: "No findings", dg_units_total: "Units", dg_dg_units: "DG units",
  dg_history: "History", dg_submitted_ok: "Declaration submitted",
  dg_st_submitted: "Pending", dg_st_blocked: "Blocked", dg_st_approved: "Approved", dg_st_rejected: "Rejected",
  dg_st_withdrawn: "Withdrawn", dg_st_reported: "Reported", dg_st_assigned: "Being rectified", dg_st_rectified: "To verify",
  dg_st_verified: "Verified", dg_st_closed: "Closed", dg_st_registered: "Registered", dg_st_filed: "Filed",
  dg_st_deregistered: "Deregistered", dg_st_open: "Open", dg_st_cleared: "Cleared",
  dg_cmp_pass: "Pass", dg_cmp_warn: "Warning", dg_cmp_block: "Block",
  dg_mode_loading: "Loading", dg_mode_discharging: "Discharging", dg_mode_lightering: "Lightering", dg_mode_storage: "Storage",
  dg_mode_stuffing: "Stuffing", dg_mode_pipeline: "Pipeline",
  dg_yard: "Container yard", dg_yard_unit: "Yard", dg_blocks: "Blocks", dg_new_block: "New block", dg_block: "Block",
  dg_bays: "Bays (20 ft)", dg_rows: "Rows", dg_tiers: "Tiers", dg_bay: "Bay", dg_row: "Row", dg_tier: "Tier",
  dg_place: "Place", dg_move: "Move", dg_remove: "Remove", dg_items: "DG items (UN numbers, comma-separated)",
  dg_open: "Open container", dg_containers: "Containers", dg_added: "Findings added", dg_removed: "Findings removed",
  dg_current: "Current findings", dg_no_yard: "No container yard", dg_readings: "Tank readings", dg_tank: "Tank",
  dg_latest: "Latest readings", dg_limits: "Design limits", dg_value: "Value", dg_no_tank: "No tank",
  dg_rules: "Port rules", dg_rule: "Rule", dg_in_force: "In force", dg_default: "Default", dg_own: "Own setting",
  dg_inherited: "From", dg_defaults: "defaults", dg_edit_rules: "Edit rules",
  dg_rules_json: "Own settings (JSON; fields left out take the defaults)", dg_observe: "Check berth operations",
  dg_observed: "Berth check", dg_events: "Operations without approval", dg_alerts_created: "Alerts created",
});

const AUTHORITY = ["supervisor", "duty_officer"];
const MODES = ["loading", "discharging", "lightering", "storage", "stuffing", "pipeline"];
const GRADE_COLOURS = { 1: "#d7191c", 2: "#fdae61", 3: "#ffd92f", 4: "#2b83ba" };
const TABS = [
  ["declarations", "dg_declarations", ["supervisor", "duty_officer", "enterprise"]],
  ["cargo", "dg_cargo", ["supervisor", "duty_officer", "enterprise"]],
  ["hidden", "dg_hidden", ["supervisor", "duty_officer", "enterprise"]],
  ["sources", "dg_sources", ["supervisor", "duty_officer", "enterprise"]],
  ["alarms", "dg_alarms", ["supervisor", "duty_officer", "enterprise"]],
  ["yard", "dg_yard", ["supervisor", "duty_officer", "enterprise"]],
  ["readings", "dg_readings", ["supervisor", "duty_officer", "enterprise"]],
  ["rules", "dg_rules", ["supervisor", "duty_officer", "enterprise"]],
  ["dashboard", "dg_dashboard", AUTHORITY],
  ["map", "dg_map", ["supervisor", "duty_officer", "enterprise"]],
  ["enforcement", "dg_enforcement", AUTHORITY],
  ["tools", "dg_tools", ["supervisor", "duty_officer", "enterprise"]],
];
const RENDER = {
  declarations: renderDeclarations, cargo: renderCargo, hidden: renderHidden, sources: renderSources,
  alarms: renderAlarms, yard: renderYard, readings: renderReadings, rules: renderRules, dashboard: renderDashboard, map: renderMap, enforcement: renderEnforcement, tools: renderTools,
};

let tab = null;
let dashboardScope = null;
let dgMap = null;
let yardId = null;
let tankId = null;

// ------------------------------------------------------------------ helpers
const st = (s) => t(`dg_st_${s}`);
const btn = (label, onclick, attrs = {}) => el("button", { type: "button", onclick, ...attrs }, label);

/** The readable part of an API error (the domain's message, or the invalid fields). */
function errText(e) {
  try {
    const d = JSON.parse(e.message);
    if (d && typeof d === "object" && !Array.isArray(d) && d.message) return d.message;
    if (Array.isArray(d)) return d.map((x) => `${(x.loc || []).slice(1).join(".")}: ${x.msg}`).join("; ");
    return typeof d === "string" ? d : e.message;
  } catch {
    return e.message;
  }
}

/** Run an action; show its error in the page's message line and refresh the tab on success. */
async function act(section, fn, refresh = true) {
  const msg = section.querySelector(".dg-msg");
  msg.textContent = "";
  try {
    const r = await fn();
    if (refresh) await showTab(section);
    return r;
  } catch (e) {
    section.querySelector(".dg-msg").textContent = errText(e);
    return null;
  }
}

const toMs = (local) => (local ? new Date(local).getTime() : null);
function localInput(ms) {
  const d = new Date(ms - new Date().getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}
const num = (v) => (v === null || v === undefined ? "" : Number(v).toLocaleString(undefined, { maximumFractionDigits: 3 }));
const inventoryText = (inv) => Object.entries(inv || {}).map(([un, q]) => `UN${un} ${num(q)} t`).join("; ");

function findingsList(findings) {
  if (!findings || !findings.length) return el("p", {}, t("dg_no_findings"));
  return el("ul", { class: "dg-findings" }, ...findings.map((f) => el("li", { class: `sev-${f.severity}` },
    `[${f.severity}] ${f.rule_id}: ${f.message}`, f.cell ? ` (${f.cell})` : "")));
}

async function fileBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

async function photosOf(values) {
  const f = values.photo;
  return f && f.size ? [{ name: f.name, content_base64: await fileBase64(f) }] : [];
}

// ------------------------------------------------------------------ page
async function load(section) {
  const visible = TABS.filter(([, , roles]) => hasRole(...roles));
  if (!tab || !visible.some(([n]) => n === tab)) tab = visible[0][0];
  const bar = el("nav", { class: "filters dg-tabs" }, ...visible.map(([name, label]) =>
    btn(t(label), () => { tab = name; load(section); }, { "data-dg-tab": name, class: name === tab ? "active" : "" })));
  section.replaceChildren(bar, el("p", { class: "error dg-msg", role: "alert" }), el("div", { class: "dg-body" }));
  await showTab(section);
}

async function showTab(section) {
  const body = section.querySelector(".dg-body");
  const fresh = el("div", { class: "dg-body", "data-dg": tab });
  await RENDER[tab](fresh, section);
  body.replaceWith(fresh);
}

// ------------------------------------------------------------------ declarations
async function renderDeclarations(body, section) {
  const filter = el("select", { id: "dg-decl-status" }, el("option", { value: "" }, t("dg_all")),
    ...["submitted", "blocked", "approved", "rejected", "withdrawn"].map((s) => el("option", { value: s }, st(s))));
  filter.value = sessionStorage.getItem("dg.status") || "";
  filter.onchange = () => { sessionStorage.setItem("dg.status", filter.value); showTab(section); };
  const tools = el("div", { class: "filters" }, filter);
  if (hasRole("enterprise")) tools.append(btn(t("dg_new_declaration"), () => newDeclaration(section), { id: "dg-new-declaration" }));
  const q = filter.value ? `?status=${encodeURIComponent(filter.value)}` : "";
  const [{ declarations }, { terminals }] = await Promise.all([api(`/api/dg/declarations${q}`), api("/api/dg/terminals")]);
  const names = Object.fromEntries(terminals.map((x) => [x.id, x.name]));
  const rows = declarations.slice().reverse().map((d) => {
    const actions = el("span", {}, btn(t("dg_details"), () => showDeclaration(d.id)));
    if (hasRole("supervisor") && d.status === "submitted") {
      actions.append(btn(t("dg_approve"), () => decide(section, d, true), { class: "dg-approve" }));
    }
    if (hasRole("supervisor") && ["submitted", "blocked"].includes(d.status)) {
      actions.append(btn(t("dg_reject"), () => decide(section, d, false), { class: "dg-reject" }));
    }
    if (hasRole("enterprise") && ["submitted", "blocked"].includes(d.status)) {
      actions.append(btn(t("dg_withdraw"), () => act(section, () => api(`/api/dg/declarations/${d.id}/withdraw`, { method: "POST" }))));
    }
    const tr = el("tr", { "data-decl": String(d.id), class: `cmp-${d.comparison}` },
      ...[d.id, names[d.terminal_id] ?? d.terminal_id, d.ship_name ?? "", t(`dg_mode_${d.mode}`),
        `${fmtTime(d.start_ms)} – ${fmtTime(d.end_ms)}`, t(`dg_cmp_${d.comparison}`)].map((c) => el("td", {}, String(c))),
      el("td", { class: "dg-status" }, st(d.status)), el("td", {}, actions));
    return tr;
  });
  const grid = table([["id", "#"], ["t", t("dg_terminal")], ["s", t("dg_ship")], ["m", t("dg_mode")], ["w", t("dg_window")],
    ["c", t("dg_comparison")], ["st", t("dg_status")], ["a", ""]], [], { id: "dg-declaration-table" });
  grid.append(...rows);
  body.append(tools, grid);
}

async function showDeclaration(id) {
  const d = await api(`/api/dg/declarations/${id}`);
  const info = el("div", { id: "dg-declaration" },
    el("p", {}, `${t("dg_status")}: ${st(d.status)} · ${t("dg_comparison")}: ${t(`dg_cmp_${d.comparison}`)}`),
    el("p", {}, `${t("dg_ship")}: ${d.ship_name ?? ""} ${d.mmsi ? `MMSI ${d.mmsi}` : ""} ${d.voyage ?? ""}`),
    el("p", {}, `${t("dg_window")}: ${fmtTime(d.start_ms)} – ${fmtTime(d.end_ms)}`),
    el("h4", {}, t("dg_lines")),
    table([["un_number", t("dg_un")], ["hazard_class", t("dg_class")], ["packing_group", t("dg_pg")], ["name", t("dg_name")],
      ["quantity_t", t("dg_quantity")]], d.lines),
    el("h4", {}, t("dg_findings")), findingsList(d.findings));
  if (d.decided_by) info.append(el("p", {}, `${t("dg_decided_by")}: ${d.decided_by} ${fmtTime(d.decided_ms)} — ${d.decision_comment ?? ""}`));
  showInfo(`${t("dg_declarations")} #${d.id}`, info);
}

async function decide(section, d, approve) {
  const v = await ask(approve ? t("dg_approve") : t("dg_reject"), [{ name: "comment", label: t("dg_decision"), type: "textarea" }]);
  if (!v) return;
  await act(section, () => api(`/api/dg/declarations/${d.id}/${approve ? "approve" : "reject"}`,
    { method: "POST", body: { comment: v.comment || null } }));
}

async function newDeclaration(section) {
  const [{ terminals }, { berths }, { storage_units: units }] = await Promise.all([
    api("/api/dg/terminals"), api("/api/dg/berths"), api("/api/dg/storage-units")]);
  const start = Date.now() + 2 * 86400000;
  const v = await ask(t("dg_new_declaration"), [
    { name: "terminal_id", label: t("dg_terminal"), options: terminals.map((x) => [String(x.id), x.name]) },
    { name: "berth_id", label: t("dg_berth"), options: [["", t("dg_none")], ...berths.map((x) => [String(x.id), x.name])] },
    { name: "storage_unit_id", label: t("dg_unit"), options: [["", t("dg_none")], ...units.map((x) => [String(x.id), x.name])] },
    { name: "mode", label: t("dg_mode"), options: MODES.map((m) => [m, t(`dg_mode_${m}`)]) },
    { name: "ship_name", label: t("dg_ship") },
    { name: "mmsi", label: "MMSI" },
    { name: "voyage", label: t("dg_voyage") },
    { name: "start", label: t("start"), type: "datetime-local", value: localInput(start) },
    { name: "end", label: t("end"), type: "datetime-local", value: localInput(start + 12 * 3600000) },
    { name: "un_number", label: t("dg_un") },
    { name: "quantity_t", label: t("dg_quantity"), type: "number" },
    { name: "personnel", label: t("dg_personnel") },
  ]);
  if (!v) return;
  const body = {
    terminal_id: Number(v.terminal_id), mode: v.mode, start_ms: toMs(v.start), end_ms: toMs(v.end),
    berth_id: v.berth_id ? Number(v.berth_id) : null, storage_unit_id: v.storage_unit_id ? Number(v.storage_unit_id) : null,
    ship_name: v.ship_name || null, mmsi: v.mmsi ? Number(v.mmsi) : null, voyage: v.voyage || null,
    personnel: v.personnel.split(",").map((x) => x.trim()).filter(Boolean).map(Number),
    lines: [{ un_number: v.un_number, quantity_t: Number(v.quantity_t) }],
  };
  const d = await act(section, () => api("/api/dg/declarations", { method: "POST", body }));
  if (d) {
    showInfo(`${t("dg_submitted_ok")} #${d.id}`, el("div", {},
      el("p", {}, `${t("dg_status")}: ${st(d.status)} · ${t("dg_comparison")}: ${t(`dg_cmp_${d.comparison}`)}`), findingsList(d.findings)));
  }
}

// ------------------------------------------------------------------ cargo and inventory
async function renderCargo(body, section) {
  const [{ storage_units: units }, { records }] = await Promise.all([api("/api/dg/storage-units"), api("/api/dg/cargo?limit=200")]);
  const names = Object.fromEntries(units.map((u) => [u.id, u.name]));
  const tools = el("div", { class: "filters" });
  if (hasRole("enterprise")) {
    tools.append(btn(t("dg_record_cargo"), async () => {
      const v = await ask(t("dg_record_cargo"), [
        { name: "storage_unit_id", label: t("dg_unit"), options: units.filter((u) => u.kind !== "tank_farm").map((u) => [String(u.id), u.name]) },
        { name: "direction", label: t("dg_direction"), options: [["in", t("dg_in")], ["out", t("dg_out")]] },
        { name: "un_number", label: t("dg_un") },
        { name: "quantity_t", label: t("dg_quantity"), type: "number" },
        { name: "container_no", label: t("dg_container") },
      ]);
      if (!v) return;
      await act(section, () => api("/api/dg/cargo", { method: "POST", body: {
        storage_unit_id: Number(v.storage_unit_id), direction: v.direction, un_number: v.un_number,
        quantity_t: Number(v.quantity_t), container_no: v.container_no || null } }));
    }));
  }
  const unitRows = units.map((u) => [u.id, u.name, u.kind, u.capacity_t ?? "", btn(t("dg_inventory"), async () => {
    const inv = await api(`/api/dg/storage-units/${u.id}/inventory`);
    showInfo(`${u.name} · ${t("dg_inventory")}`, el("div", {}, el("p", {}, inventoryText(inv.inventory_t) || "0 t"),
      table([["at", t("time")], ["un", t("dg_un")], ["b", t("dg_inventory")]],
        inv.series.slice(-50).map((x) => [fmtTime(x.at_ms), x.un_number, num(x.balance_t)]))));
  })]);
  body.append(tools, el("h3", {}, t("dg_units")),
    table([["id", "#"], ["n", t("dg_name")], ["k", t("dg_kind")], ["c", t("dg_capacity")], ["i", ""]], unitRows),
    el("h3", {}, t("dg_records")),
    table([["t", t("time")], ["u", t("dg_unit")], ["d", t("dg_direction")], ["un", t("dg_un")], ["q", t("dg_quantity")],
      ["c", t("dg_container")], ["r", t("dg_recorded_by")]],
    records.map((r) => [fmtTime(r.at_ms), names[r.storage_unit_id] ?? r.storage_unit_id, t(`dg_${r.direction}`), r.un_number,
      num(r.quantity_t), r.container_no ?? "", r.recorded_by])));
}

// ------------------------------------------------------------------ hidden dangers
async function renderHidden(body, section) {
  const [{ hidden_dangers: list }, { terminals }] = await Promise.all([api("/api/dg/hidden-dangers"), api("/api/dg/terminals")]);
  const canAct = hasRole("enterprise", "supervisor");
  const tools = el("div", { class: "filters" });
  if (canAct) {
    tools.append(btn(t("dg_report"), async () => {
      const v = await ask(t("dg_report"), [
        { name: "terminal_id", label: t("dg_terminal"), options: terminals.map((x) => [String(x.id), x.name]) },
        { name: "title", label: t("dg_title") },
        { name: "description", label: t("dg_description"), type: "textarea" },
        { name: "criterion_id", label: t("dg_criterion") },
        { name: "category_no", label: t("dg_category"), type: "number", value: "1" },
        { name: "photo", label: t("dg_photo"), type: "file" },
      ]);
      if (!v) return;
      const photos = await photosOf(v);
      await act(section, () => api("/api/dg/hidden-dangers", { method: "POST", body: {
        terminal_id: Number(v.terminal_id), title: v.title, description: v.description,
        criterion_id: v.criterion_id || null, category_no: v.criterion_id ? null : Number(v.category_no), photos } }));
    }, { id: "dg-report" }));
  }
  const step = (hd, name, fields, toBody) => btn(t(`dg_${name}`), async () => {
    const v = fields.length ? await ask(t(`dg_${name}`), fields) : {};
    if (!v) return;
    const payload = await toBody(v);
    await act(section, () => api(`/api/dg/hidden-dangers/${hd.id}/${name}`, { method: "POST", body: payload }));
  });
  const rows = list.slice().reverse().map((hd) => {
    const actions = el("span", {}, btn(t("dg_history"), () => showHidden(hd.id)));
    if (canAct && ["reported", "assigned"].includes(hd.state)) {
      actions.append(step(hd, "assign", [{ name: "assignee", label: t("dg_assignee") },
        { name: "deadline", label: t("dg_deadline"), type: "datetime-local" }],
      (v) => ({ assignee: v.assignee, deadline_ms: toMs(v.deadline) })));
    }
    if (canAct && hd.state === "assigned") {
      actions.append(step(hd, "rectify", [{ name: "rectification", label: t("dg_rectification"), type: "textarea" },
        { name: "photo", label: t("dg_photo"), type: "file" }],
      async (v) => ({ rectification: v.rectification, photos: await photosOf(v) })));
    }
    if (canAct && hd.state === "rectified") {
      actions.append(step(hd, "verify", [{ name: "passed", label: t("dg_passed"), options: [["1", t("dg_pass")], ["0", t("dg_fail")]] },
        { name: "comment", label: t("comment"), type: "textarea" }], (v) => ({ passed: v.passed === "1", comment: v.comment || null })));
    }
    if (canAct && hd.state === "verified" && (hd.level !== "major" || hasRole("supervisor"))) {
      actions.append(step(hd, "close", [{ name: "comment", label: t("comment"), type: "textarea" }], (v) => ({ comment: v.comment || null })));
    }
    return el("tr", { "data-hd": String(hd.id), class: `level-${hd.level}` },
      ...[hd.id, hd.title, t(`dg_level_${hd.level}`), st(hd.state), hd.assignee ?? "", fmtTime(hd.deadline_ms),
        hd.escalation_level || ""].map((c) => el("td", {}, String(c))), el("td", {}, actions));
  });
  const grid = table([["id", "#"], ["t", t("dg_title")], ["l", t("dg_level")], ["s", t("dg_status")], ["a", t("dg_assignee")],
    ["d", t("dg_deadline")], ["e", t("dg_escalation")], ["x", ""]], []);
  grid.append(...rows);
  body.append(tools, grid);
}

async function showHidden(id) {
  const hd = await api(`/api/dg/hidden-dangers/${id}`);
  const photos = el("div", { class: "dg-photos" });
  for (const p of hd.photos) {
    const res = await fetch(`/api/dg/hidden-dangers/${id}/photos/${p.id}`, { credentials: "same-origin" });
    if (res.ok) photos.append(el("img", { src: URL.createObjectURL(await res.blob()), alt: p.stage, width: "160" }));
  }
  showInfo(`${hd.title} (${t(`dg_level_${hd.level}`)})`, el("div", { id: "dg-hidden-history" },
    el("p", {}, hd.description), hd.rectification ? el("p", {}, `${t("dg_rectification")}: ${hd.rectification}`) : "",
    table([["at", t("time")], ["actor", t("actor")], ["action", t("action")], ["to", t("dg_status")], ["c", t("comment")]],
      hd.events.map((e) => [fmtTime(e.at_ms), e.actor, e.action, e.to_state ? st(e.to_state) : "", e.comment ?? ""])), photos));
}

// ------------------------------------------------------------------ major hazard sources
async function renderSources(body, section) {
  const [{ hazard_sources: sources }, { storage_units: units }] = await Promise.all([
    api("/api/dg/hazard-sources?all=true"), api("/api/dg/storage-units")]);
  const names = Object.fromEntries(units.map((u) => [u.id, u.name]));
  const tools = el("div", { class: "filters" });
  if (hasRole("enterprise", "supervisor")) {
    tools.append(btn(t("dg_register"), async () => {
      const v = await ask(t("dg_register"), [{ name: "unit", label: t("dg_unit"),
        options: units.filter((u) => u.kind !== "tank").map((u) => [String(u.id), u.name]) }]);
      if (!v) return;
      const preview = await act(section, () => api(`/api/dg/storage-units/${v.unit}/hazard`), false);
      if (!preview) return;
      const ok = await ask(`${names[v.unit]} · ${preview.is_major_hazard ? `${t("dg_grade")} ${preview.grade}` : t("dg_not_source")}`,
        [{ name: "working", label: t("dg_working"), type: "textarea", value: preview.working.join("\n") }]);
      if (ok) await act(section, () => api("/api/dg/hazard-sources", { method: "POST", body: { storage_unit_id: Number(v.unit) } }));
    }));
  }
  const rows = sources.map((s) => {
    const actions = el("span", {}, btn(t("dg_history"), async () => {
      const d = await api(`/api/dg/hazard-sources/${s.id}`);
      showInfo(`${names[s.storage_unit_id] ?? s.storage_unit_id}`, el("div", {}, el("pre", {}, (d.working || []).join("\n")),
        table([["at", t("time")], ["a", t("actor")], ["x", t("action")], ["d", ""]],
          d.events.map((e) => [fmtTime(e.at_ms), e.actor, e.action, JSON.stringify(e.detail)]))));
    }));
    if (s.state !== "deregistered") {
      if (hasRole("supervisor") && s.state === "registered") {
        actions.append(btn(t("dg_file"), async () => {
          const v = await ask(t("dg_file"), [{ name: "filing_no", label: t("dg_filing_no") }]);
          if (v) await act(section, () => api(`/api/dg/hazard-sources/${s.id}/file`, { method: "POST", body: v }));
        }));
      }
      if (hasRole("enterprise", "supervisor")) {
        actions.append(btn(t("dg_evaluate"), () => act(section, () => api(`/api/dg/hazard-sources/${s.id}/evaluate`, { method: "POST" }))));
      }
      if (hasRole("supervisor")) {
        actions.append(btn(t("dg_deregister"), async () => {
          const v = await ask(t("dg_deregister"), [{ name: "reason", label: t("dg_reason"), type: "textarea" }]);
          if (v) await act(section, () => api(`/api/dg/hazard-sources/${s.id}/deregister`, { method: "POST", body: v }));
        }));
      }
    }
    const grade = el("td", {}, s.grade ? String(s.grade) : "");
    if (s.grade) grade.style.background = GRADE_COLOURS[s.grade];
    return el("tr", { "data-hs": String(s.id) }, ...[s.id, names[s.storage_unit_id] ?? s.storage_unit_id, num(s.S), num(s.R)]
      .map((c) => el("td", {}, String(c))), grade, ...[st(s.state), s.filing_no ?? "", fmtTime(s.next_evaluation_ms)]
      .map((c) => el("td", {}, c)), el("td", {}, actions));
  });
  const grid = table([["id", "#"], ["u", t("dg_unit")], ["s", "S"], ["r", "R"], ["g", t("dg_grade")], ["st", t("dg_status")],
    ["f", t("dg_filing_no")], ["n", t("dg_next_eval")], ["a", ""]], []);
  grid.append(...rows);
  body.append(tools, grid);
}

// ------------------------------------------------------------------ alarms
async function renderAlarms(body, section) {
  const { alarms } = await api("/api/dg/alarms");
  const rows = alarms.map((a) => [fmtTime(a.opened_ms), a.kind, a.severity, a.message, a.value ?? "",
    hasRole("enterprise", "supervisor") ? btn(t("dg_clear"), async () => {
      const v = await ask(t("dg_clear"), [{ name: "comment", label: t("comment"), type: "textarea" }]);
      if (v) await act(section, () => api(`/api/dg/alarms/${a.id}/clear`, { method: "POST", body: v }));
    }) : ""]);
  const tools = el("div", { class: "filters" });
  if (hasRole("supervisor")) {
    tools.append(btn(t("dg_observe"), async () => {
      const r = await act(section, () => api("/api/dg/observe", { method: "POST" }), false);
      if (!r) return;
      showInfo(t("dg_observed"), el("div", { id: "dg-observed" },
        el("p", {}, `${t("dg_events")}: ${r.events.length} · ${t("dg_alerts_created")}: ${r.alerts_created}`),
        table([["t", t("time")], ["m", "MMSI"], ["b", t("dg_berth")], ["r", t("dg_message")]],
          r.events.map((e) => [e.start ?? "", e.mmsi ?? "", e.berth ?? "", e.reason ?? ""]))));
      await showTab(section);
    }, { id: "dg-observe" }));
  }
  body.append(tools,
    table([["o", t("dg_opened")], ["k", t("dg_kind")], ["s", t("severity")], ["m", t("dg_message")], ["v", ""], ["a", ""]], rows));
}

// ------------------------------------------------------------------ container yards
function moveResult(r) {
  return el("div", { id: "dg-move-result" },
    el("h4", {}, t("dg_added")), findingsList(r.added),
    el("h4", {}, t("dg_removed")), findingsList(r.removed),
    el("h4", {}, t("dg_current")), findingsList(r.findings));
}

const slotFields = (blocks, c = {}) => [
  { name: "block", label: t("dg_block"), options: blocks.map((b) => [b.name, b.name]), value: c.block },
  { name: "bay", label: t("dg_bay"), type: "number", value: c.bay ?? 1 },
  { name: "row", label: t("dg_row"), type: "number", value: c.row ?? 1 },
  { name: "tier", label: t("dg_tier"), type: "number", value: c.tier ?? 1 },
];
const slotBody = (v) => ({ block: v.block, bay: Number(v.bay), row: Number(v.row), tier: Number(v.tier) });

async function renderYard(body, section) {
  const { storage_units: units } = await api("/api/dg/storage-units");
  const yardsList = units.filter((u) => u.kind === "yard");
  if (!yardsList.length) { body.append(el("p", {}, t("dg_no_yard"))); return; }
  if (!yardsList.some((u) => u.id === yardId)) yardId = yardsList[0].id;
  const pick = el("select", { id: "dg-yard-unit" }, ...yardsList.map((u) => el("option", { value: String(u.id) }, u.name)));
  pick.value = String(yardId);
  pick.onchange = () => { yardId = Number(pick.value); showTab(section); };
  const y = await api(`/api/dg/storage-units/${yardId}/yard`);
  const canAct = hasRole("enterprise", "supervisor");
  const tools = el("div", { class: "filters" }, el("label", {}, el("span", {}, t("dg_yard_unit")), pick));
  const after = async (r) => { if (r) { showInfo(t("dg_findings"), moveResult(r)); await showTab(section); } };
  if (canAct) {
    tools.append(btn(t("dg_new_block"), async () => {
      const v = await ask(t("dg_new_block"), [
        { name: "name", label: t("dg_name") },
        { name: "bays", label: t("dg_bays"), type: "number", value: 10 },
        { name: "rows", label: t("dg_rows"), type: "number", value: 6 },
        { name: "tiers", label: t("dg_tiers"), type: "number", value: 3 },
        { name: "x0", label: "x0 (m)", type: "number", value: 0 },
        { name: "y0", label: "y0 (m)", type: "number", value: 0 },
      ]);
      if (!v) return;
      await act(section, () => api(`/api/dg/storage-units/${yardId}/yard/blocks`, { method: "POST", body: {
        name: v.name, bays: Number(v.bays), rows: Number(v.rows), tiers: Number(v.tiers), x0: Number(v.x0 || 0), y0: Number(v.y0 || 0) } }));
    }, { id: "dg-new-block" }));
    if (y.blocks.length) {
      tools.append(btn(t("dg_place"), async () => {
        const v = await ask(t("dg_place"), [{ name: "container_no", label: t("dg_container") }, ...slotFields(y.blocks),
          { name: "items", label: t("dg_items") }, { name: "open", label: t("dg_open"), options: [["false", t("dg_none")], ["true", t("dg_open")]] }]);
        if (!v) return;
        const items = v.items.split(",").map((x) => x.trim()).filter(Boolean).map((un) => ({ un_number: un }));
        await after(await act(section, () => api(`/api/dg/storage-units/${yardId}/yard/containers`, { method: "POST",
          body: { container_no: v.container_no.trim(), ...slotBody(v), items, open: v.open === "true" } }), false));
      }, { id: "dg-place" }));
    }
  }
  const blockRows = y.blocks.map((b) => [b.name, b.bays, b.rows, b.tiers, `${num(b.x0)}, ${num(b.y0)}`]);
  const containerRows = y.containers.map((c) => [c.container_no, c.block, c.bay, c.row, c.tier,
    c.items.map((i) => (i.un_number ? `UN${i.un_number}` : i.class)).join(", "), fmtTime(c.in_ms),
    canAct ? el("span", {},
      btn(t("dg_move"), async () => {
        const v = await ask(`${t("dg_move")} ${c.container_no}`, slotFields(y.blocks, c));
        if (v) await after(await act(section, () => api(`/api/dg/yard-containers/${c.id}/move`, { method: "POST", body: slotBody(v) }), false));
      }, { class: "dg-move" }),
      btn(t("dg_remove"), async () => {
        await after(await act(section, () => api(`/api/dg/yard-containers/${c.id}`, { method: "DELETE" }), false));
      }, { class: "dg-remove" })) : ""]);
  body.append(tools,
    el("h3", {}, t("dg_blocks")),
    table([["n", t("dg_block")], ["b", t("dg_bays")], ["r", t("dg_rows")], ["t", t("dg_tiers")], ["o", "x0, y0"]], blockRows),
    el("h3", {}, `${t("dg_containers")} (${t("dg_units_total")}: ${y.units} · ${t("dg_dg_units")}: ${y.dg_units})`),
    table([["c", t("dg_container")], ["k", t("dg_block")], ["b", t("dg_bay")], ["r", t("dg_row")], ["t", t("dg_tier")],
      ["i", t("dg_un")], ["at", t("time")], ["a", ""]], containerRows, { id: "dg-yard-table" }),
    el("h3", {}, t("dg_current")), el("div", { id: "dg-yard-findings" }, findingsList(y.findings)));
}

// ------------------------------------------------------------------ tank readings
async function renderReadings(body, section) {
  const { storage_units: units } = await api("/api/dg/storage-units");
  const tanks = units.filter((u) => u.kind === "tank");
  if (!tanks.length) { body.append(el("p", {}, t("dg_no_tank"))); return; }
  if (!tanks.some((u) => u.id === tankId)) tankId = tanks[0].id;
  const pick = el("select", { id: "dg-tank" }, ...tanks.map((u) => el("option", { value: String(u.id) }, u.name)));
  pick.value = String(tankId);
  pick.onchange = () => { tankId = Number(pick.value); showTab(section); };
  const r = await api(`/api/dg/storage-units/${tankId}/readings?limit=200`);
  const limits = Object.entries(r.limits).filter(([, v]) => v !== null).map(([k, v]) => [k, num(v)]);
  const latest = Object.entries(r.latest).map(([q, x]) => [q, num(x.value), fmtTime(x.at_ms)]);
  body.append(el("div", { class: "filters" }, el("label", {}, el("span", {}, t("dg_tank")), pick)),
    el("div", { class: "two" },
      el("div", { class: "card" }, el("h3", {}, t("dg_latest")),
        table([["q", t("dg_kind")], ["v", t("dg_value")], ["t", t("time")]], latest, { id: "dg-latest" })),
      el("div", { class: "card" }, el("h3", {}, t("dg_limits")), table([["k", t("dg_rule")], ["v", t("dg_value")]], limits))),
    el("h3", {}, t("dg_history")),
    table([["t", t("time")], ["q", t("dg_kind")], ["v", t("dg_value")]],
      r.readings.map((x) => [fmtTime(x.at_ms), x.quantity, num(x.value)])));
}

// ------------------------------------------------------------------ port rules
const ruleText = (v) => (v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

async function renderRules(body, section) {
  const r = await api("/api/dg/port-rules");
  const own = r.overrides || {};
  const rows = Object.entries(r.fields).map(([name, f]) => el("tr", { "data-rule": name },
    el("td", {}, name), el("td", {}, f.description ?? ""), el("td", { class: "dg-rule-value" }, ruleText(r.rules[name])),
    el("td", {}, ruleText(f.default)), el("td", {}, name in own ? "✓" : "")));
  const grid = table([["n", t("dg_rule")], ["d", t("dg_description")], ["v", t("dg_in_force")], ["f", t("dg_default")],
    ["o", t("dg_own")]], [], { id: "dg-rules-table" });
  grid.append(...rows);
  const tools = el("div", { class: "filters" },
    el("span", {}, `${r.organisation} · ${t("dg_inherited")}: ${r.inherited_from ?? t("dg_defaults")}`));
  if (hasRole("supervisor")) {
    tools.append(btn(t("dg_edit_rules"), async () => {
      const v = await ask(t("dg_edit_rules"), [{ name: "overrides", label: t("dg_rules_json"), type: "textarea",
        value: JSON.stringify(own, null, 2) }]);
      if (!v) return;
      let overrides;
      try {
        overrides = JSON.parse(v.overrides || "{}");
      } catch (e) {
        section.querySelector(".dg-msg").textContent = e.message;
        return;
      }
      await act(section, () => api("/api/dg/port-rules", { method: "PUT", body: { organisation: r.organisation, overrides } }));
    }, { id: "dg-edit-rules" }));
  }
  body.append(tools, grid);
}

// ------------------------------------------------------------------ supervision dashboard
const FIGURES = [
  ["companies", "dg_companies"], ["terminals", "dg_terminals"], ["storage_units", "dg_units"],
  ["hazard_sources", "dg_sources_active"], ["grade_1", "dg_grade_1"], ["grade_2", "dg_grade_2"], ["grade_3", "dg_grade_3"],
  ["grade_4", "dg_grade_4"],
  ["hidden_dangers_open", "dg_hd_open"], ["hidden_dangers_major_open", "dg_hd_major"], ["hidden_dangers_overdue", "dg_hd_overdue"],
  ["declarations_pending", "dg_pending"], ["declarations_overdue", "dg_overdue"], ["declarations_blocked", "dg_blocked"],
  ["alarms_open", "dg_alarms_open"],
];
const figureLabel = ([, label]) => t(label);

async function renderDashboard(body, section) {
  const scope = el("input", { name: "scope", placeholder: t("dg_scope"), value: dashboardScope || "" });
  const go = btn(t("search"), () => { dashboardScope = scope.value.trim() || null; showTab(section); });
  const q = dashboardScope ? `?scope=${encodeURIComponent(dashboardScope)}` : "";
  const d = await api(`/api/dg/dashboard${q}`);
  const cards = el("div", { class: "charts dg-figures" }, ...FIGURES.map((f) => el("div", { class: "card" },
    el("h4", {}, figureLabel(f)), el("strong", { "data-figure": f[0] }, String(d.totals[f[0]] ?? 0)))));
  const head = [["name", t("name")], ...FIGURES.map((f) => [f[0], figureLabel(f)])];
  const rows = d.children.map((c) => el("tr", { "data-org": c.code, class: "clickable", onclick: () => { dashboardScope = c.code; showTab(section); } },
    el("td", {}, c.name), ...FIGURES.map(([k]) => el("td", {}, String(c[k] ?? 0)))));
  const grid = table(head, []);
  grid.append(...rows);
  body.append(el("div", { class: "filters" }, scope, go), el("h3", {}, `${d.name} (${d.scope}) · ${t("dg_totals")}`), cards,
    el("h3", {}, t("dg_children")), grid);
}

// ------------------------------------------------------------------ storage unit map
async function renderMap(body) {
  const layer = await api("/api/dg/map");
  const holder = el("div", { id: "dg-map", style: "height:460px;position:relative" });
  const legend = el("div", { class: "filters" }, ...[1, 2, 3, 4].map((g) => {
    const s = el("span", { class: "badge" }, `${g} ${t("dg_grade")}`);
    s.style.background = GRADE_COLOURS[g];
    return s;
  }), el("span", { class: "badge" }, t("dg_not_source")));
  const rows = layer.features.map((f) => {
    const p = f.properties;
    const grade = el("td", {}, p.grade ? String(p.grade) : "—");
    grade.style.background = p.colour;
    return el("tr", { "data-unit": String(p.id) }, el("td", {}, p.name), el("td", {}, p.kind), el("td", {}, p.terminal ?? ""),
      grade, el("td", {}, num(p.capacity_t)), el("td", {}, inventoryText(p.inventory_t)));
  });
  const grid = table([["n", t("dg_name")], ["k", t("dg_kind")], ["t", t("dg_terminal")], ["g", t("dg_grade")],
    ["c", t("dg_capacity")], ["i", t("dg_inventory")]], [], { id: "dg-unit-table" });
  grid.append(...rows);
  body.append(legend, holder, grid);
  if (typeof maplibregl === "undefined" || !layer.features.length) return;
  setTimeout(() => drawMap(holder, layer), 0);
}

function drawMap(holder, layer) {
  if (dgMap) dgMap.remove();
  const coords = [];
  const walk = (c) => (typeof c[0] === "number" ? coords.push(c) : c.forEach(walk));
  layer.features.forEach((f) => walk(f.geometry.coordinates));
  dgMap = new maplibregl.Map({
    container: holder,
    center: coords[0],
    zoom: 12,
    attributionControl: { compact: true, customAttribution: "Natural Earth" },
    style: {
      version: 8,
      sources: {
        land: { type: "geojson", data: "/static/vendor/land-50m.geojson" },
        units: { type: "geojson", data: layer },
      },
      layers: [
        { id: "sea", type: "background", paint: { "background-color": "#cfe3f2" } },
        { id: "land", type: "fill", source: "land", paint: { "fill-color": "#f1efe7", "fill-outline-color": "#b9b4a5" } },
        { id: "unit-fill", type: "fill", source: "units", filter: ["==", ["geometry-type"], "Polygon"],
          paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.6, "fill-outline-color": "#111827" } },
        { id: "unit-point", type: "circle", source: "units", filter: ["==", ["geometry-type"], "Point"],
          paint: { "circle-color": ["get", "colour"], "circle-radius": 8, "circle-stroke-color": "#111827", "circle-stroke-width": 1 } },
      ],
    },
  });
  dgMap.addControl(new maplibregl.NavigationControl(), "top-right");
  if (coords.length > 1) {
    const b = coords.reduce((acc, c) => acc.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]));
    dgMap.fitBounds(b, { padding: 60, maxZoom: 15, duration: 0 });
  }
  const popup = (e) => {
    const p = e.features[0].properties;
    const inv = typeof p.inventory_t === "string" ? JSON.parse(p.inventory_t) : p.inventory_t;
    const node = el("div", {}, el("strong", {}, p.name), el("div", {}, `${t("dg_terminal")}: ${p.terminal ?? ""}`),
      el("div", {}, `${t("dg_grade")}: ${p.grade === null || p.grade === undefined || p.grade === "null" ? t("dg_not_source") : p.grade}`),
      el("div", {}, `${t("dg_inventory")}: ${inventoryText(inv) || "0 t"}`));
    new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(node).addTo(dgMap);
  };
  dgMap.on("click", "unit-fill", popup);
  dgMap.on("click", "unit-point", popup);
}

// ------------------------------------------------------------------ enforcement records
async function renderEnforcement(body, section) {
  const [{ records }, { terminals }] = await Promise.all([api("/api/dg/enforcement"), api("/api/dg/terminals")]);
  const names = Object.fromEntries(terminals.map((x) => [x.id, x.name]));
  const tools = el("div", { class: "filters" });
  if (hasRole("supervisor")) {
    tools.append(btn(t("dg_record_enforcement"), async () => {
      const v = await ask(t("dg_record_enforcement"), [
        { name: "terminal_id", label: t("dg_terminal"), options: terminals.map((x) => [String(x.id), x.name]) },
        { name: "kind", label: t("dg_kind"), value: "inspection" },
        { name: "description", label: t("dg_description"), type: "textarea" },
        { name: "result", label: t("dg_result"), type: "textarea" },
      ]);
      if (!v) return;
      await act(section, () => api("/api/dg/enforcement", { method: "POST", body: {
        terminal_id: Number(v.terminal_id), kind: v.kind, description: v.description, result: v.result || null } }));
    }));
  }
  body.append(tools, table([["a", t("time")], ["t", t("dg_terminal")], ["k", t("dg_kind")], ["d", t("dg_description")],
    ["r", t("dg_result")], ["o", t("dg_officer")]],
  records.slice().reverse().map((r) => [fmtTime(r.at_ms), names[r.terminal_id] ?? r.terminal_id, r.kind, r.description,
    r.result ?? "", r.officer])));
}

// ------------------------------------------------------------------ tools
async function renderTools(body, section) {
  const un = el("input", { name: "un", placeholder: "1203" });
  const lookupOut = el("div", { id: "dg-lookup" });
  const lookupForm = el("form", { class: "filters" }, un, el("button", {}, t("search")));
  lookupForm.onsubmit = async (e) => {
    e.preventDefault();
    const r = await act(section, () => api(`/api/dg/lookup/${encodeURIComponent(un.value.trim())}`), false);
    if (r) {
      lookupOut.replaceChildren(table([["un_number", t("dg_un")], ["class", t("dg_class")], ["packing_group", t("dg_pg")],
        ["name_en", "Name"], ["name_cn", "名称"], ["subsidiary", "+"]], r.entries));
    }
  };
  const file = el("input", { type: "file", accept: ".json,.csv,.edi,.baplie,.txt" });
  const segOut = el("div", { id: "dg-segregation" });
  const segForm = el("form", { class: "filters" }, file, el("button", {}, t("dg_check")));
  segForm.onsubmit = async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return;
    const name = f.name.toLowerCase();
    const format = name.endsWith(".csv") ? "csv" : /\.(edi|baplie|edifact)$/.test(name) ? "baplie" : "json";
    const r = await act(section, async () => api("/api/dg/segregation", { method: "POST", body: { format, content: await f.text() } }), false);
    if (r) {
      segOut.replaceChildren(el("p", {}, `${t("dg_units_total")}: ${r.units} · ${t("dg_dg_units")}: ${r.dg_units}`),
        ...r.notes.map((n) => el("p", {}, n)), findingsList(r.findings));
    }
  };
  const people = el("input", { name: "people", type: "number", value: "0", min: "0" });
  const items = el("textarea", { name: "items", rows: "4", placeholder: "氯,20\n7664-41-7,100" });
  const hazOut = el("div", { id: "dg-hazard" });
  const hazForm = el("form", { class: "form" }, el("label", {}, el("span", {}, t("dg_people")), people),
    el("label", {}, el("span", {}, t("dg_hazard_items")), items), el("button", {}, t("dg_calculate")));
  hazForm.onsubmit = async (e) => {
    e.preventDefault();
    const list = items.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const [substance, q, ...cats] = l.split(",").map((x) => x.trim());
      return { substance, quantity_t: Number(q), categories: cats.filter(Boolean) };
    });
    const r = await act(section, () => api("/api/dg/hazard", { method: "POST",
      body: { people_within_500m: Number(people.value || 0), items: list } }), false);
    if (r) {
      hazOut.replaceChildren(el("p", {}, `S = ${num(r.S)} · R = ${r.R === null ? "—" : num(r.R)} · ${t("dg_grade")}: ${r.grade ?? t("dg_not_source")}`),
        el("pre", {}, r.working.join("\n")));
    }
  };
  body.append(el("div", { class: "two" },
    el("div", { class: "card" }, el("h3", {}, t("dg_lookup")), lookupForm, lookupOut),
    el("div", { class: "card" }, el("h3", {}, t("dg_hazard_calc")), hazForm, hazOut)),
  el("div", { class: "card" }, el("h3", {}, t("dg_segregation")), el("p", {}, t("dg_upload")), segForm, segOut));
}

registerView({ name: "dg", label: "nav_dg", roles: ["supervisor", "duty_officer", "enterprise"], load });
