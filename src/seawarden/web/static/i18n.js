// Texts of the user interface: Chinese by default, English on request.
export const TEXT = {
  zh: {
    app_name: "Seawarden 海事智能监管", username: "用户名", password: "密码", totp: "动态口令", login: "登录",
    language: "English", nav_map: "态势地图", nav_alerts: "告警", nav_dashboard: "仪表盘", nav_admin: "用户与机构",
    nav_audit: "审计", change_password: "修改密码", logout: "退出", replay: "区域回放", draw_zone: "绘制区域",
    zones: "区域", play: "播放", pause: "暂停", speed: "速度", close: "关闭", open_alerts: "待处理告警",
    all_states: "全部状态", state_open: "待处理", state_acknowledged: "已确认", state_closed: "已关闭",
    refresh: "刷新", vessels_by_type: "船舶类型", alerts_by_state: "告警状态", alerts_by_kind: "告警类别",
    alerts_by_zone: "各区域告警", ingest: "数据接入", users: "用户", new_user: "新建用户", roles_hint: "角色（逗号分隔）",
    organisation: "机构", create: "创建", organisations: "机构", new_organisation: "新建机构", code: "代码",
    name: "名称", parent: "上级机构", actor: "操作人", action: "操作", all_outcomes: "全部结果", search: "查询",
    export: "导出", verify: "校验", acknowledge: "确认", close_alert: "关闭", reopen: "重开", comment: "处理意见",
    track: "航迹回放", particulars: "船舶资料", mmsi: "MMSI", imo: "IMO", callsign: "呼号", shiptype: "船舶类型",
    destination: "目的港", draught: "吃水", sog: "航速", cog: "航向", time: "时间", kind: "类别", zone: "区域",
    start: "开始", end: "结束", state: "状态", severity: "级别", live: "实时", offline: "离线",
    wrong_login: "用户名或密码错误", saved: "已保存", zone_name: "区域名称", zone_kind: "区域类型",
    speed_limit: "限速（节）", draw_hint: "单击添加顶点，双击完成", delete: "删除", edit: "编辑", ok: "确定", cancel: "取消",
    old_password: "原密码", new_password: "新密码", must_change_password: "密码已过期或被重置，请先修改密码",
    collision_layer: "碰撞风险", collision_risk: "碰撞危险", encounter: "会遇态势", give_way: "让路船", risk_index: "危险度",
    enc_head_on: "对遇", enc_crossing: "交叉相遇", enc_overtaking: "追越", enc_null: "—", history: "处理记录",
    unlock: "解锁", reset_password: "重置密码", temp_password: "临时密码", disable: "停用", enable: "启用", locked: "已锁定", vessels: "船舶", positions_stored: "已存储位置",
    received: "已接收", verify_ok: "审计链完整", verify_bad: "审计链被篡改", roles: "角色", active: "启用",
    replay_at: "回放时间", other_vessel: "对方船舶", dcpa: "最近会遇距离", tcpa: "到达最近会遇时间",
    kinds: { zone_enter: "进入区域", zone_exit: "离开区域", dwell: "超时停留", overspeed: "超速", no_stop: "违规停泊",
      no_anchoring: "违规锚泊", ais_gap: "AIS关闭", loitering: "异常徘徊", fishing_ban: "禁渔区作业",
      forbidden_type: "禁止船型进入", collision_risk: "碰撞危险", dg_unapproved_operation: "危险货物未经批准作业" },
  },
  en: {
    app_name: "Seawarden", username: "User name", password: "Password", totp: "One-time code", login: "Log in",
    language: "中文", nav_map: "Map", nav_alerts: "Alerts", nav_dashboard: "Dashboard", nav_admin: "Users & organisations",
    nav_audit: "Audit", change_password: "Change password", logout: "Log out", replay: "Area replay", draw_zone: "Draw zone",
    zones: "Zones", play: "Play", pause: "Pause", speed: "Speed", close: "Close", open_alerts: "Open alerts",
    all_states: "All states", state_open: "Open", state_acknowledged: "Acknowledged", state_closed: "Closed",
    refresh: "Refresh", vessels_by_type: "Vessels by type", alerts_by_state: "Alerts by state", alerts_by_kind: "Alerts by kind",
    alerts_by_zone: "Alerts by zone", ingest: "Ingest", users: "Users", new_user: "New user", roles_hint: "Roles (comma-separated)",
    organisation: "Organisation", create: "Create", organisations: "Organisations", new_organisation: "New organisation", code: "Code",
    name: "Name", parent: "Parent", actor: "Actor", action: "Action", all_outcomes: "All outcomes", search: "Search",
    export: "Export", verify: "Verify", acknowledge: "Acknowledge", close_alert: "Close", reopen: "Reopen", comment: "Comment",
    track: "Replay track", particulars: "Particulars", mmsi: "MMSI", imo: "IMO", callsign: "Call sign", shiptype: "Ship type",
    destination: "Destination", draught: "Draught", sog: "Speed", cog: "Course", time: "Time", kind: "Kind", zone: "Zone",
    start: "Start", end: "End", state: "State", severity: "Severity", live: "Live", offline: "Offline",
    wrong_login: "Wrong user name or password", saved: "Saved", zone_name: "Zone name", zone_kind: "Zone kind",
    speed_limit: "Speed limit (kn)", draw_hint: "Click to add points, double-click to finish", delete: "Delete", edit: "Edit",
    ok: "OK", cancel: "Cancel", old_password: "Current password", new_password: "New password",
    collision_layer: "Collision risk", collision_risk: "Collision risk", encounter: "Encounter", give_way: "Give-way vessel",
    risk_index: "Risk index", enc_head_on: "Head-on", enc_crossing: "Crossing", enc_overtaking: "Overtaking", enc_null: "—",
    history: "History",
    must_change_password: "Your password expired or was reset: change it first", unlock: "Unlock",
    reset_password: "Reset password", temp_password: "Temporary password", disable: "Disable", enable: "Enable",
    locked: "Locked", vessels: "Vessels",
    positions_stored: "Positions stored", received: "Received", verify_ok: "Audit trail intact", verify_bad: "Audit trail altered",
    roles: "Roles", active: "Active", replay_at: "Replay time", other_vessel: "Other vessel", dcpa: "DCPA", tcpa: "TCPA",
    kinds: { zone_enter: "Zone entry", zone_exit: "Zone exit", dwell: "Dwell", overspeed: "Overspeed", no_stop: "Stopped where forbidden",
      no_anchoring: "Anchored where forbidden", ais_gap: "AIS off", loitering: "Loitering", fishing_ban: "Fishing in closed area",
      forbidden_type: "Vessel type not allowed", collision_risk: "Collision risk",
      dg_unapproved_operation: "DG operation without approval" },
  },
};

export let lang = localStorage.getItem("seawarden.lang") || "zh";

export function t(key) {
  return TEXT[lang][key] ?? TEXT.zh[key] ?? key;
}

export function kindName(kind) {
  return (TEXT[lang].kinds || {})[kind] || kind;
}

export function apply(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}

export function toggle() {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("seawarden.lang", lang);
  apply();
}

/** Add the texts of a view module: {key: text} in Chinese and in English. */
export function addTexts(zh, en) {
  Object.assign(TEXT.zh, zh);
  Object.assign(TEXT.en, en);
}
