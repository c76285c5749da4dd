// The ledger pages: documents and their signatures, signing, receipts, weighbridge devices and
// the records they sign, verifying a receipt (in the browser with WebCrypto, or on the server)
// and the audit trail's anchors.
// All text is set with textContent; nothing is loaded from elsewhere.
import { api, ctx, el, table, ask, showInfo, hasRole, registerView, fmtTime } from "../core.js";
import { t, addTexts } from "../i18n.js";

addTexts({
  nav_ledger: "存证账本", ledger_documents: "文件与签署", ledger_verify: "验证回执", ledger_anchors: "审计锚定",
  ledger_log: "账本", ledger_new_document: "提交文件", ledger_doc_id: "文件编号（可留空）", ledger_role: "签署身份",
  ledger_document_json: "文件内容（JSON 对象）", ledger_sign: "签署", ledger_signatures: "签名", ledger_receipt: "回执",
  ledger_download: "下载", ledger_version: "版本", ledger_signer: "签署人密钥", ledger_custody: "密钥保管",
  ledger_signed_at: "签署时间", ledger_index: "序号", ledger_no_documents: "暂无文件", ledger_details: "查看",
  ledger_receipt_text: "回执（.tlog-proof）", ledger_receipt_file: "或上传回执文件", ledger_vkey: "账本公钥（留空则用平台公布的公钥）",
  ledger_document_file: "原文件（可选，核对摘要）", ledger_verify_browser: "在浏览器中验证", ledger_verify_server: "由服务器验证",
  ledger_ok: "回执有效", ledger_bad: "回执无效", ledger_step_parse: "解析回执", ledger_step_log_signature: "账本签名",
  ledger_step_witnesses: "见证人联署", ledger_step_checkpoint: "检查点", ledger_step_inclusion: "包含证明",
  ledger_step_document: "文件摘要", ledger_step_verdict: "结论", ledger_server_fallback: "本浏览器不支持该算法，已交由服务器验证",
  ledger_anchor_now: "立即锚定", ledger_audit_row: "审计记录", ledger_hash: "哈希", ledger_anchor_ok: "审计链与锚定一致",
  ledger_anchor_bad: "审计链与锚定不一致", ledger_submitted: "已提交，请保存文件与回执", ledger_keep_document: "下载规范化文件",
  ledger_no_receipt: "尚无检查点覆盖该条目", ledger_checkpoint: "最新检查点", ledger_size: "条目数",
  ledger_weighbridge: "地磅记录", ledger_devices: "地磅设备", ledger_records: "称重记录", ledger_device_id: "设备编号",
  ledger_device_label: "设备名称", ledger_device_key: "设备公钥（Ed25519 或 SM2）", ledger_organisation: "所属单位（留空为本单位）",
  ledger_register_device: "登记设备", ledger_revoke: "吊销", ledger_revoke_reason: "吊销原因", ledger_active: "有效",
  ledger_revoked: "已吊销", ledger_algorithm: "算法", ledger_registered: "登记", ledger_record_id: "记录编号",
  ledger_gross: "毛重 (kg)", ledger_tare: "皮重 (kg)", ledger_net: "净重 (kg)", ledger_measured_at: "称重时间",
  ledger_verify_record: "验证", ledger_no_weighbridge: "暂无地磅账本（由监管部门登记设备后生成）", ledger_no_records: "暂无称重记录",
  ledger_all_devices: "全部设备", ledger_step_device_signature: "设备签名", ledger_status: "状态",
}, {
  nav_ledger: "Ledger", ledger_documents: "Documents", ledger_verify: "Verify a receipt", ledger_anchors: "Audit anchors",
  ledger_log: "Log", ledger_new_document: "Submit a document", ledger_doc_id: "Document id (optional)", ledger_role: "Signing as",
  ledger_document_json: "Document (a JSON object)", ledger_sign: "Sign", ledger_signatures: "Signatures", ledger_receipt: "Receipt",
  ledger_download: "Download", ledger_version: "Version", ledger_signer: "Signer key", ledger_custody: "Key custody",
  ledger_signed_at: "Signed at", ledger_index: "Index", ledger_no_documents: "No documents yet", ledger_details: "Open",
  ledger_receipt_text: "Receipt (.tlog-proof)", ledger_receipt_file: "or upload a receipt file", ledger_vkey: "Log verifier key (empty: the platform's published key)",
  ledger_document_file: "Document (optional: check its digests)", ledger_verify_browser: "Verify in the browser", ledger_verify_server: "Verify on the server",
  ledger_ok: "Receipt verified", ledger_bad: "Receipt rejected", ledger_step_parse: "Parse the receipt", ledger_step_log_signature: "Log signature",
  ledger_step_witnesses: "Witness cosignatures", ledger_step_checkpoint: "Checkpoint", ledger_step_inclusion: "Inclusion proof",
  ledger_step_document: "Document digests", ledger_step_verdict: "Verdict", ledger_server_fallback: "This browser lacks the algorithm: verified on the server",
  ledger_anchor_now: "Anchor now", ledger_audit_row: "Audit row", ledger_hash: "Hash", ledger_anchor_ok: "The audit trail matches its anchors",
  ledger_anchor_bad: "The audit trail does not match its anchors", ledger_submitted: "Submitted: keep the document and the receipt", ledger_keep_document: "Download the canonical document",
  ledger_no_receipt: "No checkpoint covers this entry yet", ledger_checkpoint: "Latest checkpoint", ledger_size: "Entries",
  ledger_weighbridge: "Weighbridge", ledger_devices: "Weighbridge devices", ledger_records: "Weighing records", ledger_device_id: "Device id",
  ledger_device_label: "Label", ledger_device_key: "Device verifier key (Ed25519 or SM2)", ledger_organisation: "Organisation (empty: your own)",
  ledger_register_device: "Register a device", ledger_revoke: "Revoke", ledger_revoke_reason: "Reason for revoking", ledger_active: "active",
  ledger_revoked: "revoked", ledger_algorithm: "Algorithm", ledger_registered: "Registered", ledger_record_id: "Record id",
  ledger_gross: "Gross (kg)", ledger_tare: "Tare (kg)", ledger_net: "Net (kg)", ledger_measured_at: "Measured at",
  ledger_verify_record: "Verify", ledger_no_weighbridge: "No weighbridge log yet (one is made when a supervisor registers a device)", ledger_no_records: "No weighing records yet",
  ledger_all_devices: "All devices", ledger_step_device_signature: "Device signature", ledger_status: "Status",
});

const READERS = ["supervisor", "duty_officer", "enterprise"];
const SIGNERS = ["supervisor", "enterprise"];
const PROOF_READERS = [...READERS, "audit_admin"];

// ------------------------------------------------------------------ bytes and hashes
const HEADER = "c2sp.org/tlog-proof@v1";
const DASH = "\u2014";
const enc = new TextEncoder();

class VerifyError extends Error {}

function b64(text, what) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new VerifyError(`${what} is not base64`);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toB64(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// ------------------------------------------------------------------ formats (as seawarden.ledger)
function parseReceipt(text) {
  const split = text.indexOf("\n\n");
  if (split < 0 || split + 2 >= text.length) throw new VerifyError("receipt has no checkpoint (no blank line)");
  const lines = text.slice(0, split).split("\n");
  const checkpoint = text.slice(split + 2);
  if (lines[0] !== HEADER) throw new VerifyError(`receipt does not start with ${HEADER}`);
  let pos = 1;
  let entry = null;
  if (pos < lines.length && lines[pos].startsWith("extra ")) entry = b64(lines[pos++].slice(6), "extra data");
  if (pos >= lines.length || !lines[pos].startsWith("index ")) throw new VerifyError("receipt has no index line");
  const idx = lines[pos].slice(6);
  if (!/^(0|[1-9][0-9]*)$/.test(idx)) throw new VerifyError(`bad index ${idx}`);
  const proof = lines.slice(pos + 1).map((line) => b64(line, "proof hash"));
  if (proof.length > 64) throw new VerifyError("proof too long");
  if (entry === null) throw new VerifyError("the receipt carries no entry");
  return { index: BigInt(idx), proof, checkpoint, entry };
}

function checkName(name) {
  if (!name || /[\s+]/.test(name) || /[\x00-\x1f]/.test(name)) throw new VerifyError(`invalid key name ${name}`);
  return name;
}

const TYPES = [
  [Uint8Array.of(0x01), "ed25519", false],
  [Uint8Array.of(0x04), "ed25519", true],
  [concat(Uint8Array.of(0xff), enc.encode("sm2-sm3-v1")), "sm2", false],
  [concat(Uint8Array.of(0xff), enc.encode("sm2-sm3-cosignature-v1")), "sm2", true],
].sort((a, b) => b[0].length - a[0].length);

async function parseVkey(text) {
  text = text.trim();
  const i = text.indexOf("+");
  const j = text.indexOf("+", i + 1);
  if (i < 0 || j < 0) throw new VerifyError("a key is name+keyid+base64");
  const name = checkName(text.slice(0, i));
  const kid = text.slice(i + 1, j);
  if (!/^[0-9a-f]{8}$/.test(kid)) throw new VerifyError("a key ID is eight lower-case hex digits");
  const blob = b64(text.slice(j + 1), "key");
  const found = TYPES.find(([tb]) => blob.length >= tb.length && equal(blob.slice(0, tb.length), tb));
  if (!found) throw new VerifyError("unknown signature type");
  const [typeBytes, algorithm, cosigner] = found;
  const pub = blob.slice(typeBytes.length);
  const digest = await sha256(concat(enc.encode(name + "\n"), typeBytes, pub));
  if (hex(digest.slice(0, 4)) !== kid) throw new VerifyError("the key ID does not match the key");
  if (algorithm === "ed25519" && pub.length !== 32) throw new VerifyError("wrong key length for ed25519");
  return { name, keyId: kid, algorithm, cosigner, pub };
}

function parseNote(data) {
  if (/[\x00-\x09\x0b-\x1f]/.test(data)) throw new VerifyError("note contains control characters");
  const split = data.lastIndexOf("\n\n");
  if (split < 0) throw new VerifyError("note has no signatures (no blank line)");
  const text = data.slice(0, split + 1);
  const block = data.slice(split + 2);
  if (!block || !block.endsWith("\n")) throw new VerifyError("note has no signatures, or does not end in a newline");
  const signatures = block.slice(0, -1).split("\n").map((line) => {
    if (!line.startsWith(DASH + " ")) throw new VerifyError("malformed signature line");
    const parts = line.slice(2).split(" ");
    if (parts.length !== 2) throw new VerifyError("malformed signature line");
    const raw = b64(parts[1], "signature");
    if (raw.length < 5) throw new VerifyError("signature too short");
    return { name: checkName(parts[0]), keyId: hex(raw.slice(0, 4)), sig: raw.slice(4) };
  });
  return { text, signatures };
}

class Unsupported extends Error {}

async function ed25519Verify(pub, sig, message) {
  let key;
  try {
    key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
  } catch (e) {
    throw new Unsupported("Ed25519");
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, sig, message);
}

async function openNote(data, keys) {
  const note = parseNote(data);
  const known = new Map(keys.map((k) => [`${k.name} ${k.keyId}`, k]));
  const seen = new Set();
  const verified = [];
  const witnesses = {};
  for (const s of note.signatures) {
    const id = `${s.name} ${s.keyId}`;
    const key = known.get(id);
    if (!key) continue;
    if (seen.has(id)) throw new VerifyError(`two signatures by ${s.name}`);
    seen.add(id);
    if (key.algorithm !== "ed25519") throw new Unsupported(key.algorithm);
    let ok;
    if (!key.cosigner) ok = await ed25519Verify(key.pub, s.sig, enc.encode(note.text));
    else if (s.sig.length < 8) ok = false;
    else {
      const time = new DataView(s.sig.buffer, s.sig.byteOffset, 8).getBigUint64(0);
      ok = time < (1n << 63n) && await ed25519Verify(key.pub, s.sig.slice(8), enc.encode(`cosignature/v1\ntime ${time}\n${note.text}`));
      if (ok) witnesses[key.name] = Number(time);
    }
    if (!ok) throw new VerifyError(`the signature by ${s.name} does not verify`);
    verified.push(key);
  }
  if (!verified.length) throw new VerifyError("no signature by a known key");
  return { text: note.text, verified, witnesses };
}

function parseCheckpoint(text) {
  if (!text.endsWith("\n")) throw new VerifyError("a checkpoint ends with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw new VerifyError("a checkpoint has an origin, a size and a root hash");
  const [origin, size, root, ...ext] = lines;
  if (!origin || origin !== origin.trim()) throw new VerifyError("bad origin line");
  if (!/^(0|[1-9][0-9]*)$/.test(size) || BigInt(size) >= (1n << 63n)) throw new VerifyError(`bad tree size ${size}`);
  const rootBytes = b64(root, "root hash");
  if (rootBytes.length !== 32 || toB64(rootBytes) !== root) throw new VerifyError("the root hash is not 32 bytes of base64");
  if (ext.some((e) => !e)) throw new VerifyError("empty extension line");
  return { origin, size: BigInt(size), root: rootBytes };
}

function bitLength(n) {
  let bits = 0;
  while (n > 0n) { bits++; n >>= 1n; }
  return bits;
}

function popCount(n) {
  let c = 0;
  while (n > 0n) { c += Number(n & 1n); n >>= 1n; }
  return c;
}

// RFC 9162 section 2.1.3.2, as transparency-dev/merkle (and seawarden.ledger.proofs) do it.
async function rootFromInclusion(leaf, index, size, proof) {
  if (index >= size) throw new VerifyError(`index ${index} is beyond the tree size ${size}`);
  proof.forEach((h, i) => { if (h.length !== 32) throw new VerifyError(`proof[${i}] has ${h.length} bytes, want 32`); });
  const inner = bitLength(index ^ (size - 1n));
  const border = popCount(index >> BigInt(inner));
  if (proof.length !== inner + border) throw new VerifyError(`wrong proof size ${proof.length}, want ${inner + border}`);
  let seed = leaf;
  for (let i = 0; i < inner; i++) {
    seed = ((index >> BigInt(i)) & 1n) === 0n ? await nodeHash(seed, proof[i]) : await nodeHash(proof[i], seed);
  }
  for (const h of proof.slice(inner)) seed = await nodeHash(h, seed);
  return seed;
}

/** Verify a receipt in the browser; resolves to {ok, steps, fallback?}. */
export async function verifyInBrowser(text, vkeys, quorum = 0, documentBytes = null) {
  const steps = [];
  const step = (name, ok, detail) => { steps.push({ step: name, ok, detail }); return ok; };
  try {
    const r = parseReceipt(text);
    step("parse", true, `entry ${r.index}, ${r.entry.length} bytes, ${r.proof.length} proof hashes`);
    const keys = [];
    for (const k of vkeys) keys.push(await parseVkey(k));
    const logKeys = keys.filter((k) => !k.cosigner);
    if (!logKeys.length) return { ok: step("log_signature", false, "no verifier key of the log is known"), steps };
    const opened = await openNote(r.checkpoint, keys);
    const signers = opened.verified.filter((k) => !k.cosigner).map((k) => k.name);
    if (!signers.length) return { ok: step("log_signature", false, "no signature by the log's key"), steps };
    step("log_signature", true, `signed by ${signers.join(", ")} (Ed25519, WebCrypto)`);
    const n = Object.keys(opened.witnesses).length;
    if (n < quorum) return { ok: step("witnesses", false, `${n} cosignature(s), ${quorum} required`), steps };
    step("witnesses", true, `${n} of ${quorum} required (${Object.keys(opened.witnesses).sort().join(", ") || "none"})`);
    const cp = parseCheckpoint(opened.text);
    step("checkpoint", true, `${cp.origin}, size ${cp.size}, root ${hex(cp.root)}`);
    const leaf = await leafHash(r.entry);
    const root = await rootFromInclusion(leaf, r.index, cp.size, r.proof);
    if (!equal(root, cp.root)) return { ok: step("inclusion", false, `the proof leads to ${hex(root)}, not to the root (leaf hash ${hex(leaf)})`), steps };
    step("inclusion", true, `leaf hash ${hex(leaf)} leads to the root (sha256)`);
    if (documentBytes) {
      const statement = entryStatement(r.entry);
      const digest = hex(await sha256(documentBytes));
      if (!statement || statement.sha256 !== digest) return { ok: step("document", false, "document sha256 digest does not match the entry"), steps };
      step("document", true, "the document's digests match the entry");
    }
    return { ok: true, steps };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, steps, fallback: e.message };
    const last = ["parse", "log_signature", "witnesses", "checkpoint", "inclusion", "document"][steps.length] || "verdict";
    step(last, false, e.message);
    return { ok: false, steps };
  }
}

function entryStatement(entry) {
  try {
    const e = JSON.parse(new TextDecoder().decode(entry));
    return e.statement || e;
  } catch (e) {
    return null;
  }
}

// ------------------------------------------------------------------ helpers of the pages
function download(name, content, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function safeName(text) {
  return String(text).replace(/[^A-Za-z0-9._-]/g, "_");
}

async function receiptOf(log, index) {
  try {
    return (await api(`/api/ledger/logs/${encodeURIComponent(log)}/receipts/${index}`)).receipt;
  } catch (e) {
    return null;
  }
}

// ------------------------------------------------------------------ documents
async function documentsPage(body) {
  const logs = (await api("/api/ledger/logs")).logs;
  const select = el("select", { id: "ledger-log" }, ...logs.map((g) => el("option", { value: g.name }, `${g.name} (${g.size})`)));
  const list = el("div", { id: "ledger-documents" });
  const detail = el("div", { id: "ledger-document" });
  const toolbar = el("div", { class: "filters" }, el("label", {}, el("span", {}, t("ledger_log")), select));
  if (hasRole(...SIGNERS)) toolbar.append(el("button", { id: "ledger-new", onclick: () => submitDocument(body) }, t("ledger_new_document")));
  body.replaceChildren(toolbar, list, detail);
  const show = async () => {
    detail.replaceChildren();
    if (!select.value) { list.replaceChildren(el("p", {}, t("ledger_no_documents"))); return; }
    const log = select.value;
    const info = logs.find((g) => g.name === log);
    const docs = (await api(`/api/ledger/logs/${encodeURIComponent(log)}/documents`)).documents;
    const rows = docs.map((d) => [d.doc_id, d.version, d.roles.join(", "), d.signatures,
      el("button", { onclick: () => openDocument(detail, log, d.doc_id) }, t("ledger_details"))]);
    list.replaceChildren(
      el("p", {}, `${info.origin} · ${t("ledger_size")} ${info.size} · ${t("ledger_checkpoint")} ${info.checkpoint_size ?? "—"}`),
      docs.length ? table([["doc_id", "ID"], ["version", t("ledger_version")], ["roles", t("ledger_role")],
        ["n", t("ledger_signatures")], ["open", ""]], rows, { id: "ledger-doc-table" }) : el("p", {}, t("ledger_no_documents")),
    );
  };
  select.addEventListener("change", () => show().catch((e) => list.replaceChildren(el("p", { class: "error" }, e.message))));
  const own = logs.find((g) => g.name.startsWith("documents"));
  if (own) select.value = own.name;
  await show();
}

async function openDocument(detail, log, docId) {
  const doc = await api(`/api/ledger/logs/${encodeURIComponent(log)}/documents/${encodeURIComponent(docId)}`);
  const rows = doc.signatures.map((s) => [s.index, s.version, s.role, fmtTime(s.signed_at_ms), s.signer, s.custody,
    el("button", { onclick: async () => {
      const text = await receiptOf(log, s.index);
      if (text) download(`${safeName(docId)}-${s.index}.tlog-proof`, text);
      else showInfo(t("ledger_receipt"), el("p", {}, t("ledger_no_receipt")));
    } }, t("ledger_download"))]);
  const parts = [el("h3", {}, `${docId} · ${doc.signatures[0].sha256}`),
    table([["i", t("ledger_index")], ["v", t("ledger_version")], ["r", t("ledger_role")], ["at", t("ledger_signed_at")],
      ["s", t("ledger_signer")], ["c", t("ledger_custody")], ["d", t("ledger_receipt")]], rows, { id: "ledger-sig-table" })];
  if (hasRole(...SIGNERS)) {
    parts.push(el("button", { id: "ledger-sign", onclick: async () => {
      const v = await ask(t("ledger_sign"), [{ name: "role", label: t("ledger_role"), value: "authority" }]);
      if (!v) return;
      try {
        await api(`/api/ledger/logs/${encodeURIComponent(log)}/documents/${encodeURIComponent(docId)}/signatures`,
          { method: "POST", body: { role: v.role } });
        await openDocument(detail, log, docId);
      } catch (e) { showInfo(t("ledger_sign"), el("p", { class: "error" }, e.message)); }
    } }, t("ledger_sign")));
  }
  detail.replaceChildren(...parts);
}

async function submitDocument(body) {
  const v = await ask(t("ledger_new_document"), [
    { name: "doc_id", label: t("ledger_doc_id") },
    { name: "role", label: t("ledger_role"), value: "terminal" },
    { name: "document", label: t("ledger_document_json"), type: "textarea", value: "{\n  \"type\": \"handover\"\n}" },
  ]);
  if (!v) return;
  try {
    const payload = { role: v.role, document: JSON.parse(v.document) };
    if (v.doc_id) payload.doc_id = v.doc_id;
    const done = await api("/api/ledger/documents", { method: "POST", body: payload });
    const doc = atob(done.document_b64);
    showInfo(t("ledger_submitted"), el("div", {},
      el("p", {}, `${done.doc_id} · ${t("ledger_index")} ${done.index}`),
      el("button", { onclick: () => download(`${safeName(done.doc_id)}.json`, Uint8Array.from(doc, (c) => c.charCodeAt(0)), "application/json") }, t("ledger_keep_document")),
      done.receipt ? el("button", { onclick: () => download(`${safeName(done.doc_id)}-${done.index}.tlog-proof`, done.receipt) }, t("ledger_download")) : "",
    ));
    await documentsPage(body);
  } catch (e) {
    showInfo(t("ledger_new_document"), el("p", { class: "error" }, e.message));
  }
}

// ------------------------------------------------------------------ weighbridge
const isWeighbridgeLog = (name) => name === "weighbridge" || name.startsWith("weighbridge-");
const kg = (grams) => (Number(grams) / 1000).toFixed(1);

// The canonical JSON of a flat statement (members sorted by UTF-16 code units, NFC strings,
// integers): what the device signed, as seawarden.ledger.canonical writes it.
function canonicalFlat(obj) {
  const members = Object.keys(obj).sort().map((k) => {
    const v = obj[k];
    if (typeof v === "number" && !Number.isSafeInteger(v)) throw new VerifyError(`${k} is not an integer`);
    if (v !== null && typeof v === "object") throw new VerifyError(`${k} is not flat`);
    return `${JSON.stringify(k.normalize("NFC"))}:${JSON.stringify(typeof v === "string" ? v.normalize("NFC") : v)}`;
  });
  return enc.encode(`{${members.join(",")}}`);
}

/** Check the device's signature of the statement in a receipt's entry (Ed25519 in the browser). */
export async function verifyDeviceSignature(receiptText, deviceVkey) {
  const { entry } = parseReceipt(receiptText);
  const e = JSON.parse(new TextDecoder().decode(entry));
  if (e.custody !== "device" || !e.statement) throw new VerifyError("not a device-signed entry");
  if (deviceVkey && e.signer !== deviceVkey) throw new VerifyError("signed by another key than the registered device's");
  const key = await parseVkey(e.signer);
  if (key.algorithm !== "ed25519") throw new Unsupported(key.algorithm);
  const ok = await ed25519Verify(key.pub, b64(e.signature, "signature"), canonicalFlat(e.statement));
  if (!ok) throw new VerifyError(`the signature by ${key.name} does not verify`);
  return key.name;
}

async function verifyRecord(out, info, rec, deviceVkey) {
  const keys = info.verifier_keys;
  let result = info.hash === "sha256" ? await verifyInBrowser(rec.receipt, keys) : { ok: false, steps: [], fallback: info.hash.toUpperCase() };
  let where = "browser";
  if (!result.fallback && result.ok) {
    try {
      const name = await verifyDeviceSignature(rec.receipt, deviceVkey);
      result.steps.push({ step: "device_signature", ok: true, detail: `signed by ${name} (Ed25519, WebCrypto)` });
    } catch (e) {
      if (e instanceof Unsupported) {
        result.steps.push({ step: "device_signature", ok: true, detail: `${e.message.toUpperCase()}: checked by the server when it was logged` });
      } else {
        result = { ok: false, steps: [...result.steps, { step: "device_signature", ok: false, detail: e.message }] };
      }
    }
  }
  if (result.fallback) {
    result = await api("/api/ledger/verify", { method: "POST", body: { receipt: rec.receipt } });
    where = "server";
  }
  showSteps(out, result, where);
}

async function weighbridgePage(body) {
  const logs = (await api("/api/ledger/logs")).logs.filter((g) => isWeighbridgeLog(g.name));
  const toolbar = el("div", { class: "filters" });
  const select = el("select", { id: "ledger-wb-log" }, ...logs.map((g) => el("option", { value: g.name }, `${g.name} (${g.size})`)));
  if (logs.length) toolbar.append(el("label", {}, el("span", {}, t("ledger_log")), select));
  if (hasRole("supervisor")) toolbar.append(el("button", { id: "ledger-wb-register", onclick: () => registerDevice(body) }, t("ledger_register_device")));
  const devicesBox = el("div", { id: "ledger-wb-devices" });
  const recordsBox = el("div", { id: "ledger-wb-records" });
  const out = el("div", { id: "ledger-verify-result" });
  body.replaceChildren(toolbar, devicesBox, recordsBox, out);
  if (!logs.length) { devicesBox.replaceChildren(el("p", {}, t("ledger_no_weighbridge"))); return; }
  const own = logs.find((g) => g.organisation && g.organisation === ctx.session?.user?.organisation);
  if (own) select.value = own.name;
  const show = async (deviceFilter = "") => {
    out.replaceChildren();
    const log = select.value;
    const info = logs.find((g) => g.name === log);
    const path = `/api/ledger/logs/${encodeURIComponent(log)}`;
    const devices = (await api(`${path}/devices`)).devices;
    const byId = new Map(devices.map((d) => [d.device_id, d]));
    const devRows = devices.map((d) => [d.device_id, d.label || "", d.algorithm, el("code", { title: d.vkey }, d.vkey.slice(0, 28) + "…"),
      d.active ? t("ledger_active") : `${t("ledger_revoked")} ${fmtTime(d.revoked_ms)}${d.reason ? " · " + d.reason : ""}`,
      `${fmtTime(d.registered_ms)} · ${d.registered_by}`,
      el("span", {},
        el("button", { onclick: () => show(d.device_id).catch(fail) }, t("ledger_records")),
        d.active && hasRole(...SIGNERS) ? el("button", { "data-revoke": d.device_id, onclick: async () => {
          const v = await ask(`${t("ledger_revoke")} ${d.device_id}`, [{ name: "reason", label: t("ledger_revoke_reason") }]);
          if (!v) return;
          try {
            await api(`${path}/devices/${encodeURIComponent(d.device_id)}/revocation`, { method: "POST", body: v.reason ? { reason: v.reason } : {} });
            await show(deviceFilter);
          } catch (e) { showInfo(t("ledger_revoke"), el("p", { class: "error" }, e.message)); }
        } }, t("ledger_revoke")) : "")]);
    devicesBox.replaceChildren(
      el("h3", {}, `${t("ledger_devices")} · ${info.origin}`),
      table([["id", t("ledger_device_id")], ["l", t("ledger_device_label")], ["a", t("ledger_algorithm")], ["k", t("ledger_signer")],
        ["s", t("ledger_status")], ["r", t("ledger_registered")], ["x", ""]], devRows, { id: "ledger-wb-device-table" }));
    const query = deviceFilter ? `?device_id=${encodeURIComponent(deviceFilter)}` : "";
    const records = (await api(`${path}/weighings${query}`)).records;
    const recRows = records.map((r) => [r.record_id, r.device_id || "?", kg(r.statement.gross_g), kg(r.statement.tare_g), kg(r.statement.net_g),
      fmtTime(r.statement.measured_at_ms), r.index,
      el("span", {},
        r.receipt ? el("button", { onclick: () => download(`${safeName(r.record_id)}-${r.index}.tlog-proof`, r.receipt) }, t("ledger_download")) : t("ledger_no_receipt"),
        r.receipt ? el("button", { "data-verify": r.record_id, onclick: () => verifyRecord(out, info, r, byId.get(r.device_id)?.vkey).catch(fail) }, t("ledger_verify_record")) : "")]);
    recordsBox.replaceChildren(
      el("h3", {}, `${t("ledger_records")} · ${deviceFilter || t("ledger_all_devices")}`),
      records.length ? table([["id", t("ledger_record_id")], ["d", t("ledger_device_id")], ["g", t("ledger_gross")], ["t", t("ledger_tare")],
        ["n", t("ledger_net")], ["m", t("ledger_measured_at")], ["i", t("ledger_index")], ["x", t("ledger_receipt")]], recRows, { id: "ledger-wb-record-table" })
        : el("p", {}, t("ledger_no_records")));
  };
  const fail = (e) => recordsBox.replaceChildren(el("p", { class: "error" }, e.message));
  select.addEventListener("change", () => show().catch(fail));
  await show();
}

async function registerDevice(body) {
  const v = await ask(t("ledger_register_device"), [
    { name: "organisation", label: t("ledger_organisation") },
    { name: "device_id", label: t("ledger_device_id"), value: "WB-01" },
    { name: "label", label: t("ledger_device_label") },
    { name: "vkey", label: t("ledger_device_key"), type: "textarea" },
  ]);
  if (!v) return;
  const payload = { device_id: v.device_id.trim(), vkey: v.vkey.trim() };
  if (v.organisation.trim()) payload.organisation = v.organisation.trim();
  if (v.label.trim()) payload.label = v.label.trim();
  try {
    await api("/api/ledger/weighbridge/devices", { method: "POST", body: payload });
    await weighbridgePage(body);
  } catch (e) {
    showInfo(t("ledger_register_device"), el("p", { class: "error" }, e.message));
  }
}

// ------------------------------------------------------------------ verify
function showSteps(out, result, where) {
  const verdict = el("p", { id: "ledger-verdict", class: result.ok ? "ok" : "error", "data-ok": String(result.ok), "data-where": where },
    `${result.ok ? "✓ " + t("ledger_ok") : "✗ " + t("ledger_bad")} (${where === "browser" ? t("ledger_verify_browser") : t("ledger_verify_server")})`);
  const list = el("ol", { id: "ledger-steps" }, ...result.steps.map((s) =>
    el("li", { class: s.ok ? "ok" : "error", "data-step": s.step, "data-ok": String(s.ok) },
      `${s.ok ? "✓" : "✗"} ${t("ledger_step_" + s.step)}: ${s.detail}`)));
  out.replaceChildren(verdict, list);
}

async function verifyPage(body) {
  const receipt = el("textarea", { id: "ledger-verify-receipt", rows: "12", cols: "90", spellcheck: "false" });
  const file = el("input", { id: "ledger-verify-file", type: "file", accept: ".tlog-proof,text/plain" });
  const vkey = el("input", { id: "ledger-verify-key", size: "90" });
  const docFile = el("input", { id: "ledger-verify-document", type: "file" });
  const out = el("div", { id: "ledger-verify-result" });
  file.addEventListener("change", async () => { if (file.files[0]) receipt.value = await file.files[0].text(); });
  const docBytes = async () => (docFile.files[0] ? new Uint8Array(await docFile.files[0].arrayBuffer()) : null);
  // The log's verifier keys (typed in, or as the platform publishes them) and its hash.
  const keysFor = async (text) => {
    const origin = text.split("\n\n")[1]?.split("\n")[0];
    const published = (await api("/api/ledger/keys")).keys.filter((k) => k.origin === origin);
    const hash = published[0]?.hash || "sha256";
    return { keys: vkey.value.trim() ? [vkey.value.trim()] : published.map((k) => k.vkey), hash };
  };
  const onServer = async () => {
    const payload = { receipt: receipt.value };
    if (vkey.value.trim()) payload.keys = [vkey.value.trim()];
    const doc = await docBytes();
    if (doc) payload.document_b64 = toB64(doc);
    const r = await api("/api/ledger/verify", { method: "POST", body: payload });
    showSteps(out, r, "server");
    return r;
  };
  const inBrowser = async () => {
    const text = receipt.value.replace(/\r\n/g, "\n");
    const { keys, hash } = await keysFor(text);
    const result = hash === "sha256"
      ? await verifyInBrowser(text, keys, 0, await docBytes())
      : { ok: false, steps: [], fallback: hash.toUpperCase() };
    if (result.fallback) {
      await onServer();
      out.prepend(el("p", {}, `${t("ledger_server_fallback")} (${result.fallback})`));
      return;
    }
    showSteps(out, result, "browser");
  };
  const guard = (fn) => () => fn().catch((e) => out.replaceChildren(el("p", { class: "error", id: "ledger-verdict", "data-ok": "false" }, e.message)));
  const row = (label, input) => el("p", {}, el("label", {}, el("span", {}, t(label)), el("br"), input));
  body.replaceChildren(
    row("ledger_receipt_text", receipt),
    row("ledger_receipt_file", file),
    row("ledger_vkey", vkey),
    row("ledger_document_file", docFile),
    el("div", { class: "filters" },
      el("button", { id: "ledger-verify-browser", onclick: guard(inBrowser) }, t("ledger_verify_browser")),
      el("button", { id: "ledger-verify-server", onclick: guard(onServer) }, t("ledger_verify_server"))),
    out,
  );
}

// ------------------------------------------------------------------ audit anchors
async function anchorsPage(body) {
  const r = await api("/api/ledger/audit-anchors");
  const rows = r.anchors.map((a) => [a.index, a.seq, a.hash.slice(0, 16) + "…", a.ok ? "✓" : `✗ ${a.reason}`,
    el("button", { onclick: async () => {
      const text = await receiptOf("audit-anchors", a.index);
      if (text) download(`audit-anchor-${a.seq}.tlog-proof`, text);
    } }, t("ledger_download"))]);
  body.replaceChildren(
    el("p", { id: "ledger-anchor-status", class: r.ok ? "ok" : "error" }, r.ok ? t("ledger_anchor_ok") : t("ledger_anchor_bad")),
    el("button", { id: "ledger-anchor-now", onclick: async () => {
      try { await api("/api/ledger/audit-anchors", { method: "POST" }); } catch (e) { /* empty trail */ }
      await anchorsPage(body);
    } }, t("ledger_anchor_now")),
    table([["i", t("ledger_index")], ["s", t("ledger_audit_row")], ["h", t("ledger_hash")], ["ok", ""], ["d", t("ledger_receipt")]], rows),
  );
}

// ------------------------------------------------------------------ the view
registerView({
  name: "ledger",
  label: "nav_ledger",
  roles: ["supervisor", "duty_officer", "enterprise", "audit_admin", "system_admin", "security_admin", "public"],
  load: async (section) => {
    const body = el("div", { id: "ledger-body" });
    const tabs = [];
    const open = (name, page) => {
      for (const b of tabs) b.classList.toggle("active", b.dataset.tab === name);
      page(body).catch((e) => body.replaceChildren(el("p", { class: "error" }, e.message)));
    };
    const tab = (name, label, page) => {
      const b = el("button", { id: `ledger-tab-${name}`, "data-tab": name, onclick: () => open(name, page) }, t(label));
      tabs.push(b);
      return b;
    };
    const bar = el("div", { class: "filters" });
    if (hasRole(...READERS)) bar.append(tab("documents", "ledger_documents", documentsPage));
    if (hasRole(...READERS)) bar.append(tab("weighbridge", "ledger_weighbridge", weighbridgePage));
    bar.append(tab("verify", "ledger_verify", verifyPage));
    if (hasRole("audit_admin")) bar.append(tab("anchors", "ledger_anchors", anchorsPage));
    section.replaceChildren(bar, body);
    if (hasRole(...READERS)) open("documents", documentsPage);
    else open("verify", verifyPage);
  },
});

// Read-only hook for automated browser tests.
window.__seawardenLedger = { verifyInBrowser, verifyDeviceSignature, PROOF_READERS };
