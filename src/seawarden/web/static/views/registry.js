// The register, risk profiles, credit and public service pages: registered with registerView()
// from ../core.js. Every text goes in with textContent (el/table), never as HTML.
import { api, el, table, ask, hasRole, registerView, fmtTime } from "../core.js";
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
  rg_fishing: "渔业许可与配额", rg_new_licence: "新增捕捞许可", rg_change_licence: "变更许可", rg_gear: "作业类型",
  rg_area: "作业区域", rg_quotas: "捕捞配额", rg_new_quota: "新增配额", rg_year: "年度", rg_species: "品种",
  rg_quota_t: "配额（吨）", rg_caught_t: "已捕（吨）", rg_remaining_t: "剩余（吨）", rg_catch: "登记渔获", rg_tonnes: "吨数",
  rg_ship_ref: "船舶（ID、IMO、MMSI 或渔船编号）", rg_licence: "许可证号", rg_add_permit: "新增许可", rg_scope: "许可范围",
  rg_issuer: "发证机关", rg_issue_certificate: "签发证书", rg_renew: "换证", rg_return_certs: "发还扣留证书",
  rg_training: "培训记录", rg_add_training: "新增培训", rg_course: "课程", rg_provider: "培训机构", rg_completed: "完成日期",
  rg_exams: "考试记录", rg_add_exam: "新增考试", rg_exam_subject: "科目", rg_passed: "通过", rg_service: "服务资历",
  rg_add_service: "新增服务资历", rg_rank: "职务", rg_signed_on: "上船", rg_signed_off: "离船", rg_returned: "已发还证书",
  rg_lists: "船旗与船级社表现", rg_flags: "船旗表现（白/灰/黑名单）", rg_ros: "船级社表现", rg_load_list: "加载名单",
  rg_regime: "检查体系", rg_performance: "表现", rg_imo_audit: "IMO 审核", rg_eu: "欧盟认可", rg_loaded: "已加载",
  rg_rulesets: "信用规则版本", rg_install: "安装规则版本", rg_activate: "启用", rg_active: "当前启用", rg_version: "版本",
  rg_title: "标题", rg_activate_now: "安装后立即启用", rg_rules: "规则", rg_withheld: "扣留日期", rg_cert_grade: "证书等级", rg_exam_score: "成绩",
  rg_withhold_certs: "扣留证书", rg_withhold_which: "证书 ID（逗号分隔，空为全部有效证书）", rg_withheld_n: "已扣留证书",
  rg_edit_company: "变更企业信息", rg_address: "地址", rg_company_kind: "企业类别", rg_revoke: "撤销", rg_revoke_permit: "撤销许可",
  rg_revoked_on: "撤销日期", rg_change_quota: "调整配额", rg_st_active: "正常", rg_st_suspended: "暂停", rg_st_deregistered: "注销",
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
  rg_fishing: "Fishing licences & quotas", rg_new_licence: "New licence", rg_change_licence: "Change licence", rg_gear: "Gear",
  rg_area: "Area", rg_quotas: "Catch quotas", rg_new_quota: "New quota", rg_year: "Year", rg_species: "Species",
  rg_quota_t: "Quota (t)", rg_caught_t: "Caught (t)", rg_remaining_t: "Remaining (t)", rg_catch: "Record catch", rg_tonnes: "Tonnes",
  rg_ship_ref: "Ship (id, IMO, MMSI or fishing number)", rg_licence: "Licence number", rg_add_permit: "Add permit", rg_scope: "Scope",
  rg_issuer: "Issuer", rg_issue_certificate: "Issue certificate", rg_renew: "Renew", rg_return_certs: "Return withheld certificates",
  rg_training: "Training", rg_add_training: "Add training", rg_course: "Course", rg_provider: "Provider", rg_completed: "Completed",
  rg_exams: "Examinations", rg_add_exam: "Add examination", rg_exam_subject: "Subject", rg_passed: "Passed", rg_service: "Service",
  rg_add_service: "Add service period", rg_rank: "Rank", rg_signed_on: "Signed on", rg_signed_off: "Signed off", rg_returned: "Certificates returned",
  rg_lists: "Flag & RO performance", rg_flags: "Flag performance (White/Grey/Black)", rg_ros: "RO performance", rg_load_list: "Load list",
  rg_regime: "Regime", rg_performance: "Performance", rg_imo_audit: "IMO audit", rg_eu: "EU recognised", rg_loaded: "Loaded",
  rg_rulesets: "Credit rule sets", rg_install: "Install rule set", rg_activate: "Activate", rg_active: "Active", rg_version: "Version",
  rg_title: "Title", rg_activate_now: "Activate after installing", rg_rules: "Rules", rg_withheld: "Withheld on", rg_cert_grade: "Grade", rg_exam_score: "Score",
  rg_withhold_certs: "Withhold certificates", rg_withhold_which: "Certificate ids (comma-separated; empty: every valid one)", rg_withheld_n: "Certificates withheld",
  rg_edit_company: "Edit company", rg_address: "Address", rg_company_kind: "Company kind", rg_revoke: "Revoke", rg_revoke_permit: "Revoke permit",
  rg_revoked_on: "Revoked on", rg_change_quota: "Change quota", rg_st_active: "Active", rg_st_suspended: "Suspended", rg_st_deregistered: "Deregistered",
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

/** The non-empty answers of a dialog, with the named fields turned into numbers. */
function filled(v, numbers = []) {
  const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ""));
  for (const k of numbers) if (k in body) body[k] = Number(body[k]);
  return body;
}

/** A file upload form: a file input, extra controls (named inputs, or labels holding them)
 * and a button; `send(form)` posts the file with the controls' values. */
function uploadForm(accept, extras, label, send, out) {
  const file = el("input", { type: "file", name: "file", accept });
  const go = async () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append("file", file.files[0]);
    for (const node of extras) {
      for (const x of [node, ...node.querySelectorAll("input, select")]) {
        if (!x.name) continue;
        if (x.type === "checkbox") form.append(x.name, String(x.checked));
        else if (x.value) form.append(x.name, x.value);
      }
    }
    await send(form);
  };
  return el("div", { class: "filters", style: "padding: 0" }, file, ...extras,
    button(label, () => go().catch((e) => out.replaceChildren(el("p", { class: "error" }, e.message)))));
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
  const detail = el("div", { id: "rg-crew-detail" });
  const bar = el("div", { class: "filters", style: "padding: 0 0 8px" });
  if (isSupervisor()) {
    bar.append(button(t("rg_new_crew"), async () => {
      const v = await ask(t("rg_new_crew"), [
        { name: "name", label: t("rg_name") }, { name: "id_number", label: t("rg_id_number") },
        { name: "nationality", label: t("rg_nationality"), value: "CN" }, { name: "organisation", label: t("rg_organisation_hint") },
      ]);
      if (!v) return;
      if (await guarded(() => api("/api/registry/crews", { method: "POST", body: filled(v) }))) { box.replaceChildren(); await crewList(box); }
    }));
  }
  const rows = data.crews.map((c) => {
    const cells = [c.name, c.id_number, c.nationality, c.status, c.organisation,
      button(t("rg_career"), () => crewCareer(detail, c.id).catch((e) => alert(e.message)), { "data-crew": c.id })];
    if (isSupervisor()) {
      cells.push(button(t("rg_penalty_points"), async () => {
        const v = await ask(t("rg_penalty_points"), [
          { name: "points", label: t("rg_points") }, { name: "reason", label: t("rg_reason") },
          { name: "on_date", label: t("rg_on"), type: "date" }, { name: "legal_basis", label: t("rg_basis") },
        ]);
        if (!v) return;
        const r = await guarded(() => api(`/api/registry/crews/${c.id}/points`, { method: "POST", body: filled(v, ["points"]) }));
        if (r) { alert(`${t("rg_year_points")}: ${r.year_points}`); await crewCareer(detail, c.id); }
      }));
    }
    return cells;
  });
  box.append(bar, table(
    [["name", t("rg_name")], ["id", t("rg_id_number")], ["n", t("rg_nationality")], ["s", t("rg_status")], ["o", t("rg_org")], ["a", ""], ...(isSupervisor() ? [["p", ""]] : [])],
    rows, { id: "rg-crew-table" },
  ), detail);
}

/** A seafarer's career: certificates (issue, renew, return), training, exams, service, points. */
async function crewCareer(box, id) {
  const c = await api(`/api/registry/crews/${encodeURIComponent(id)}`);
  const base = `/api/registry/crews/${encodeURIComponent(c.crew.id)}`;
  const reload = () => crewCareer(box, id);
  const post = async (path, body) => {
    const r = await guarded(() => api(`${base}/${path}`, { method: "POST", body }));
    if (r) await reload();
    return r;
  };
  const actions = el("div", { class: "filters", style: "padding: 0" });
  if (isSupervisor()) {
    actions.append(
      button(t("rg_issue_certificate"), async () => {
        const v = await ask(t("rg_issue_certificate"), [
          { name: "number", label: t("rg_number") }, { name: "grade", label: t("rg_cert_grade") },
          { name: "issued_on", label: t("rg_issued"), type: "date" }, { name: "expires_on", label: t("rg_expires"), type: "date" },
        ]);
        if (v) await post("certificates", filled(v));
      }),
      button(t("rg_add_training"), async () => {
        const v = await ask(t("rg_add_training"), [
          { name: "course", label: t("rg_course") }, { name: "provider", label: t("rg_provider") },
          { name: "completed_on", label: t("rg_completed"), type: "date" }, { name: "certificate_no", label: t("rg_number") },
        ]);
        if (v) await post("training", filled(v));
      }),
      button(t("rg_add_exam"), async () => {
        const v = await ask(t("rg_add_exam"), [
          { name: "subject", label: t("rg_exam_subject") }, { name: "taken_on", label: t("rg_on"), type: "date" },
          { name: "passed", label: t("rg_passed"), options: [["true", t("rg_yes")], ["false", t("rg_no")]] },
          { name: "score", label: t("rg_exam_score") },
        ]);
        if (v) await post("exams", { ...filled(v, ["score"]), passed: v.passed === "true" });
      }),
      button(t("rg_add_service"), async () => {
        const v = await ask(t("rg_add_service"), [
          { name: "ship", label: t("rg_ship_ref") }, { name: "rank", label: t("rg_rank") },
          { name: "signed_on", label: t("rg_signed_on"), type: "date" }, { name: "signed_off", label: t("rg_signed_off"), type: "date" },
        ]);
        if (v) await post("service", filled(v));
      }),
    );
    if (c.certificates.some((x) => x.state === "valid")) {
      actions.append(button(t("rg_withhold_certs"), async () => {
        const v = await ask(t("rg_withhold_certs"), [
          { name: "on_date", label: t("rg_on"), type: "date", value: new Date().toISOString().slice(0, 10) },
          { name: "reason", label: t("rg_reason") }, { name: "legal_basis", label: t("rg_basis") },
          { name: "certificates", label: t("rg_withhold_which") },
        ]);
        if (!v) return;
        const { certificates, ...body } = filled(v);
        if (certificates) body.certificates = certificates.split(",").map((x) => Number(x.trim())).filter((x) => x || x === 0);
        const r = await post("certificates/withhold", body);
        if (r) alert(`${t("rg_withheld_n")}: ${r.withheld.length}`);
      }, { id: "rg-withhold-certs" }));
    }
    if (c.certificates.some((x) => x.state === "withheld")) {
      actions.append(button(t("rg_return_certs"), async () => {
        const r = await post("certificates/return");
        if (r) alert(`${t("rg_returned")}: ${r.returned.length}`);
      }, { id: "rg-return-certs" }));
    }
  }
  const certRows = c.certificates.map((x) => [x.id, x.number, x.grade, x.issued_on, x.expires_on, x.state, x.withheld_on,
    isSupervisor() && x.state !== "withheld" ? button(t("rg_renew"), async () => {
      const v = await ask(t("rg_renew"), [
        { name: "expires_on", label: t("rg_expires"), type: "date" }, { name: "issued_on", label: t("rg_issued"), type: "date" },
        { name: "number", label: t("rg_number"), value: x.number },
      ]);
      if (v) await post(`certificates/${x.id}/renew`, filled(v));
    }) : ""]);
  box.replaceChildren(card(`${c.crew.name} · ${c.crew.id_number}`,
    dl([[t("rg_year_points"), c.year_points], [t("rg_status"), c.crew.status], [t("rg_org"), c.crew.organisation]]),
    actions,
    el("h4", {}, t("rg_certificates")),
    table([["id", "ID"], ["number", t("rg_number")], ["grade", t("rg_cert_grade")], ["issued_on", t("rg_issued")], ["expires_on", t("rg_expires")],
      ["state", t("rg_state")], ["withheld_on", t("rg_withheld")], ["a", ""]], certRows, { id: "rg-crew-certificates" }),
    el("h4", {}, t("rg_training")),
    table([["course", t("rg_course")], ["provider", t("rg_provider")], ["completed_on", t("rg_completed")], ["certificate_no", t("rg_number")]], c.training),
    el("h4", {}, t("rg_exams")),
    table([["subject", t("rg_exam_subject")], ["taken_on", t("rg_on")], ["passed", t("rg_passed")], ["score", t("rg_exam_score")]],
      c.exams.map((e) => [e.subject, e.taken_on, yesNo(e.passed), e.score])),
    el("h4", {}, t("rg_service")),
    table([["ship_id", t("rg_ship")], ["rank", t("rg_rank")], ["signed_on", t("rg_signed_on")], ["signed_off", t("rg_signed_off")]], c.service),
    el("h4", {}, t("rg_penalty_points")),
    table([["on_date", t("rg_date")], ["points", t("rg_points")], ["reason", t("rg_reason")], ["legal_basis", t("rg_basis")]], c.penalties),
  ));
}

// ------------------------------------------------------------------ fishing licences and quotas

async function fishingPage(box) {
  const year = el("input", { type: "number", id: "rg-quota-year", value: String(new Date().getFullYear()), min: "1900", max: "2100", style: "width: 90px" });
  const out = el("div");
  const load = async () => {
    const data = await api(`/api/registry/licences?year=${encodeURIComponent(year.value)}`);
    const licences = data.licences.map((l) => [l.ship_name, l.fishing_no, l.number, l.gear, l.area, l.valid_from, l.valid_to,
      isSupervisor() ? button(t("rg_change_licence"), async () => {
        const v = await ask(t("rg_change_licence"), [
          { name: "gear", label: t("rg_gear"), value: l.gear }, { name: "area", label: t("rg_area"), value: l.area },
          { name: "valid_from", label: t("rg_from"), type: "date", value: l.valid_from }, { name: "valid_to", label: t("rg_to"), type: "date", value: l.valid_to },
        ]);
        if (v && await guarded(() => api(`/api/registry/licences/${l.id}`, { method: "PATCH", body: filled(v) }))) await load();
      }) : ""]);
    const quotas = data.quotas.map((q) => [q.ship_id, q.year, q.species, q.quota_t, q.caught_t, q.remaining_t,
      isSupervisor() ? el("span", {}, button(t("rg_catch"), async () => {
        const v = await ask(t("rg_catch"), [{ name: "tonnes", label: t("rg_tonnes") }]);
        if (v && await guarded(() => api(`/api/registry/quotas/${q.id}/catches`, { method: "POST", body: { tonnes: Number(v.tonnes) } }))) await load();
      }), " ", button(t("rg_change_quota"), async () => {
        const v = await ask(t("rg_change_quota"), [
          { name: "quota_t", label: t("rg_quota_t"), value: String(q.quota_t) }, { name: "reason", label: t("rg_reason") },
        ]);
        if (v && await guarded(() => api(`/api/registry/quotas/${q.id}`, { method: "PATCH", body: { quota_t: Number(v.quota_t), reason: v.reason } }))) await load();
      }, { "data-quota": String(q.id) })) : ""]);
    out.replaceChildren(
      card(t("rg_licences"), table([["s", t("rg_ship")], ["f", "No."], ["n", t("rg_licence")], ["g", t("rg_gear")], ["a", t("rg_area")],
        ["vf", t("rg_from")], ["vt", t("rg_to")], ["x", ""]], licences, { id: "rg-licences" })),
      card(t("rg_quotas"), table([["s", t("rg_ship")], ["y", t("rg_year")], ["sp", t("rg_species")], ["q", t("rg_quota_t")],
        ["c", t("rg_caught_t")], ["r", t("rg_remaining_t")], ["x", ""]], quotas, { id: "rg-quotas" })),
    );
  };
  const bar = el("div", { class: "filters", style: "padding: 0 0 8px" }, el("label", {}, t("rg_year"), " ", year),
    button(t("rg_search"), () => load().catch((e) => alert(e.message))));
  if (isSupervisor()) {
    bar.append(
      button(t("rg_new_licence"), async () => {
        const v = await ask(t("rg_new_licence"), [
          { name: "ship", label: t("rg_ship_ref") }, { name: "number", label: t("rg_licence") },
          { name: "gear", label: t("rg_gear") }, { name: "area", label: t("rg_area") },
          { name: "valid_from", label: t("rg_from"), type: "date" }, { name: "valid_to", label: t("rg_to"), type: "date" },
        ]);
        if (!v || !v.ship) return;
        const { ship, ...body } = filled(v);
        if (await guarded(() => api(`/api/registry/ships/${encodeURIComponent(ship)}/licences`, { method: "POST", body }))) await load();
      }),
      button(t("rg_new_quota"), async () => {
        const v = await ask(t("rg_new_quota"), [
          { name: "ship", label: t("rg_ship_ref") }, { name: "year", label: t("rg_year"), value: year.value },
          { name: "species", label: t("rg_species") }, { name: "quota_t", label: t("rg_quota_t") },
          { name: "licence", label: t("rg_licence") },
        ]);
        if (!v || !v.ship) return;
        const { ship, ...body } = filled(v, ["year", "quota_t"]);
        if (await guarded(() => api(`/api/registry/ships/${encodeURIComponent(ship)}/quotas`, { method: "POST", body }))) await load();
      }),
    );
  }
  box.append(bar, out);
  await load();
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
  const actions = el("div", { class: "filters", style: "padding: 0" });
  if (isSupervisor()) {
    actions.append(button(t("rg_add_permit"), async () => {
      const v = await ask(t("rg_add_permit"), [
        { name: "kind", label: t("rg_kind") }, { name: "number", label: t("rg_number") }, { name: "scope", label: t("rg_scope") },
        { name: "valid_from", label: t("rg_from"), type: "date" }, { name: "valid_to", label: t("rg_to"), type: "date" },
        { name: "issuer", label: t("rg_issuer") },
      ]);
      if (v && await guarded(() => api(`/api/registry/companies/${encodeURIComponent(c.id)}/permits`, { method: "POST", body: filled(v) }))) await showCompany(box, c.id);
    }, { id: "rg-add-permit" }), button(t("rg_edit_company"), async () => {
      const statuses = ["active", "suspended", "deregistered"];
      const first = (list, v) => [...list.filter((x) => x[0] === v), ...list.filter((x) => x[0] !== v)];
      const v = await ask(t("rg_edit_company"), [
        { name: "name", label: t("rg_name"), value: c.name }, { name: "address", label: t("rg_address"), value: c.address ?? "" },
        { name: "kind", label: t("rg_company_kind"), value: c.kind }, { name: "imo_company_no", label: "IMO", value: c.imo_company_no ?? "" },
        { name: "ism_performance", label: "ISM", options: first([["", "—"], ...["high", "medium", "low", "very_low"].map((x) => [x, x])], c.ism_performance ?? "") },
        { name: "status", label: t("rg_status"), options: first(statuses.map((x) => [x, t(`rg_st_${x}`)]), c.status) },
      ]);
      if (!v) return;
      const body = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === "" ? null : x]));
      if (await guarded(() => api(`/api/registry/companies/${encodeURIComponent(c.id)}`, { method: "PATCH", body }))) await showCompany(box, c.id);
    }, { id: "rg-edit-company" }));
  }
  const permitRows = data.permits.map((p) => [p.kind, p.number, p.scope, p.valid_from, p.valid_to, p.issuer, p.state, p.revoked_on, p.revoke_reason,
    isSupervisor() && !p.revoked_on ? button(t("rg_revoke"), async () => {
      const v = await ask(t("rg_revoke_permit"), [
        { name: "on_date", label: t("rg_on"), type: "date", value: new Date().toISOString().slice(0, 10) },
        { name: "reason", label: t("rg_reason") },
      ]);
      if (v && await guarded(() => api(`/api/registry/companies/${encodeURIComponent(c.id)}/permits/${p.id}/revoke`, { method: "POST", body: v }))) await showCompany(box, c.id);
    }, { "data-permit": String(p.id) }) : ""]);
  box.replaceChildren(
    card(c.name, dl([[t("rg_uscc"), c.uscc], ["IMO", c.imo_company_no], ["ISM", c.ism_performance], [t("rg_address"), c.address],
      [t("rg_company_kind"), c.kind], [t("rg_status"), t(`rg_st_${c.status}`)], [t("rg_org"), c.organisation]]), actions),
    credit,
    card(t("rg_fleet"), table([["name", t("rg_name")], ["imo", t("rg_imo")], ["ship_type", t("rg_type")], ["roles", t("rg_kind")]],
      data.fleet.map((s) => [s.name, s.imo, s.ship_type, s.roles.join(", ")]))),
    card(t("rg_permits"), table([["kind", t("rg_kind")], ["number", t("rg_number")], ["scope", t("rg_scope")], ["valid_from", t("rg_from")], ["valid_to", t("rg_to")],
      ["issuer", t("rg_issuer")], ["state", t("rg_state")], ["revoked_on", t("rg_revoked_on")], ["revoke_reason", t("rg_reason")], ["a", ""]], permitRows, { id: "rg-permits" })),
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

async function performanceLists(box) {
  const out = el("div");
  const load = async () => {
    const [flags, ros] = await Promise.all([api("/api/risk/lists/flags"), api("/api/risk/lists/ros")]);
    out.replaceChildren(
      card(t("rg_flags"), table([["regime", t("rg_regime")], ["flag", t("rg_flag")], ["year", t("rg_year")], ["performance", t("rg_performance")],
        ["imo_audit", t("rg_imo_audit")], ["source", t("rg_source")]], flags.entries.map((e) => [e.regime, e.flag, e.year, e.performance, yesNo(e.imo_audit), e.source]),
      { id: "rg-flag-list" })),
      card(t("rg_ros"), table([["regime", t("rg_regime")], ["ro", "RO"], ["year", t("rg_year")], ["performance", t("rg_performance")],
        ["eu", t("rg_eu")], ["source", t("rg_source")]], ros.entries.map((e) => [e.regime, e.ro, e.year, e.performance, yesNo(e.eu_recognised), e.source]))),
    );
  };
  if (isSupervisor()) {
    const report = el("div");
    const kind = el("select", { name: "kind" }, el("option", { value: "flags" }, t("rg_flags")), el("option", { value: "ros" }, t("rg_ros")));
    const regime = el("select", { name: "regime" }, el("option", { value: "paris" }, "Paris MoU"), el("option", { value: "tokyo" }, "Tokyo MoU"));
    const send = async (form) => {
      const r = await api(`/api/risk/lists/${kind.value}`, { method: "POST", body: form });
      report.replaceChildren(dl([[t("rg_loaded"), r.loaded], [t("rg_rejected"), r.rejected.length]]),
        table([["line", t("rg_line")], ["message", t("rg_message")]], r.rejected));
      await load();
    };
    box.append(card(t("rg_load_list"), el("div", { class: "filters", style: "padding: 0" }, kind),
      uploadForm(".csv,.xlsx,.json,.jsonl", [regime], t("rg_upload"), send, report), report));
  }
  box.append(out);
  await load();
}

async function ruleSets(box) {
  const out = el("div");
  const detail = el("div");
  const load = async () => {
    const data = await api("/api/credit/rulesets");
    out.replaceChildren(table(
      [["v", t("rg_version")], ["t", t("rg_title")], ["a", t("rg_active")], ["by", t("rg_owner")], ["at", t("rg_date")], ["x", ""]],
      data.rulesets.map((r) => {
        const acts = el("span", {}, button(t("rg_open"), async () => {
          const shown = await guarded(() => api(`/api/credit/rulesets/${encodeURIComponent(r.version)}`));
          if (shown) detail.replaceChildren(card(`${t("rg_rules")} ${shown.version}`, el("pre", { style: "white-space: pre-wrap; max-height: 400px; overflow: auto" }, JSON.stringify(shown.rules, null, 2))));
        }));
        if (isSupervisor() && !r.active) {
          acts.append(button(t("rg_activate"), async () => {
            if (await guarded(() => api(`/api/credit/rulesets/${encodeURIComponent(r.version)}/activate`, { method: "POST" }))) await load();
          }));
        }
        return [r.version, r.title, yesNo(r.active), r.actor, fmtTime(r.created_ms), acts];
      }),
      { id: "rg-rulesets" },
    ));
  };
  if (isSupervisor()) {
    const report = el("div");
    const activate = el("input", { type: "checkbox", name: "activate" });
    const send = async (form) => {
      const r = await api("/api/credit/rulesets", { method: "POST", body: form });
      report.replaceChildren(dl([[t("rg_version"), r.version], [t("rg_active"), yesNo(r.active)]]));
      await load();
    };
    box.append(card(t("rg_install"),
      uploadForm(".toml,.json", [el("label", { class: "check" }, activate, t("rg_activate_now"))], t("rg_upload"), send, report), report));
  }
  box.append(out, detail);
  await load();
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
    list.push(["fishing", t("rg_fishing"), fishingPage]);
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
    tabs(section, [["due", t("rg_due"), dueList], ["register", t("rg_register"), riskRegister], ["lists", t("rg_lists"), performanceLists]]);
  },
});

registerView({
  name: "credit",
  label: "nav_credit",
  roles: READERS,
  load: async (section) => {
    const list = [["scores", t("rg_scores"), creditScores], ["appeals", t("rg_appeals"), creditAppeals]];
    if (hasRole(...WATCH)) list.push(["rulesets", t("rg_rulesets"), ruleSets]);
    tabs(section, list);
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
  openCrew: async (id) => {
    const detail = document.getElementById("rg-crew-detail");
    await crewCareer(detail, id);
  },
};
