// The child's identified details, held apart from the referral: the council keeps them (form, documents,
// who has seen them, revoke); the chosen provider reads them once its offer is accepted. Every read is audited.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary, when } from "../ui.js";

const FIELDS = ["fullName", "dateOfBirth", "nhsNumber", "address", "school", "socialWorkerName",
  "socialWorkerEmail", "socialWorkerPhone", "councilChildId"];
const RECORD = `query($id: ID!) { childRecord(referralId: $id) { ${FIELDS.join(" ")} accessRevokedAt providerAccessUntil
  documents { id kind fileName contentType sizeBytes uploadedAt sharedAt } } }`;
const AUDIT = `query($id: ID!) { accessAudit(referralId: $id) { at action userName organisationName documentName } }`;
const SAVE = `mutation($input: SaveChildRecordInput!) { saveChildRecord(input: $input) {
  childRecord { fullName } errors { field code message } } }`;
const ADD = `mutation($input: AddReferralDocumentInput!) { addReferralDocument(input: $input) {
  document { id } errors { field code message } } }`;
const REVOKE = `mutation($input: RevokeChildRecordAccessInput!) { revokeChildRecordAccess(input: $input) {
  childRecord { accessRevokedAt } errors { field code message } } }`;
const SHARE = `mutation($input: ShareDocumentsInput!) { shareDocuments(input: $input) {
  documents { id } errors { field code message } } }`;
const SHARED = `query($id: ID!) { sharedDocuments(referralId: $id) { id kind fileName contentType sizeBytes uploadedAt } }`;
const DOWNLOAD = `query($id: ID!) { referralDocument(id: $id) { document { fileName contentType } contentBase64 } }`;

const size = (bytes) => (bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KB`);

function documentItems(documents) {
  if (!documents.length) return "<li>No documents yet.</li>";
  return documents.map((d) => `<li>${esc(label("ChildDocumentKind", d.kind))}:
    <button type="button" class="link-button" data-download="${esc(d.id)}">${esc(d.fileName)}</button>
    <span class="meta">(${esc(size(d.sizeBytes))}, added ${esc(day(d.uploadedAt))}${d.sharedAt ? ", shared with shortlisted providers" : ""})</span></li>`).join("");
}

/** Fetch a document (the download is audited) and hand it to the browser as a file. */
async function download(documentId) {
  const found = (await gql(DOWNLOAD, { id: documentId })).referralDocument;
  if (!found) return;
  const bytes = Uint8Array.from(atob(found.contentBase64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: found.document.contentType }));
  const link = Object.assign(document.createElement("a"), { href: url, download: found.document.fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function onDownloads(list) {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-download]");
    if (button) download(button.dataset.download);
  });
}

// --- the council: keep the record ------------------------------------------------------------

async function council(section) {
  const referralId = section.dataset.referralId;
  const form = document.getElementById("child-form");
  const messages = document.getElementById("child-messages");
  const summary = document.getElementById("child-errors");
  const documents = document.getElementById("child-documents");
  const revoke = document.getElementById("revoke-access");
  const dialog = document.getElementById("revoke-dialog");
  let record = null;
  onDownloads(documents);
  // Nothing can be typed until what is saved is shown: the first load fills every field (empty if none).
  const controls = [...form.elements];
  for (const control of controls) control.disabled = true;

  async function load() {
    const [data, audit] = [await gql(RECORD, { id: referralId }), await gql(AUDIT, { id: referralId })];
    record = data.childRecord;
    for (const name of FIELDS) form.elements[name].value = record?.[name] ?? "";
    documents.innerHTML = record ? documentItems(record.documents) : "<li>Save the child's details first.</li>";
    document.getElementById("document-form").hidden = !record;
    const access = document.getElementById("child-access");
    if (!record) access.textContent = "Nothing saved yet.";
    else if (record.accessRevokedAt) access.textContent = `You revoked the provider's access on ${when(record.accessRevokedAt)}.`;
    else access.textContent = record.providerAccessUntil
      ? `The provider caring for the child can open them until ${day(record.providerAccessUntil)}.`
      : "Once you accept an offer, that provider can open them until you revoke its access.";
    revoke.hidden = !record || Boolean(record.accessRevokedAt);
    document.querySelector("#access-audit tbody").innerHTML = audit.accessAudit.slice().reverse().map((row) => `<tr>
      <td data-label="When">${esc(when(row.at))}</td><td data-label="Who">${esc(row.userName)}</td>
      <td data-label="Organisation">${esc(row.organisationName)}</td>
      <td data-label="What">${esc(label("ChildRecordAction", row.action))}${row.documentName ? `: ${esc(row.documentName)}` : ""}</td></tr>`).join("")
      || `<tr><td colspan="4">Nobody yet.</td></tr>`;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = { referralId };
    for (const name of FIELDS) input[name] = form.elements[name].value.trim();
    const missing = ["fullName", "dateOfBirth", "nhsNumber"].filter((name) => !input[name])
      .map((name) => ({ field: name, message: { fullName: "Give the child's full name.",
        dateOfBirth: "Give the child's date of birth.", nhsNumber: "Give the child's NHS number (10 digits)." }[name] }));
    const [, errors] = missing.length ? [null, missing] : await mutate(SAVE, input, "saveChildRecord");
    markFieldErrors(errors, input);
    if (errors.length) { showErrorSummary(summary, errors); return; }
    summary.hidden = true;
    announce(messages, "The child's details are saved.");
    await load();
  });

  document.getElementById("document-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorsAt = document.getElementById("document-errors");
    const kind = document.getElementById("documentKind").value;
    const file = document.getElementById("documentFile").files[0];
    const problems = [];
    if (!kind) problems.push({ field: "documentKind", message: "Choose the kind of document." });
    if (!file) problems.push({ field: "documentFile", message: "Choose the file to add." });
    let errors = problems;
    if (!problems.length) {
      const buffer = new Uint8Array(await file.arrayBuffer());
      let binary = "";
      for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
      const input = { referralId, kind, fileName: file.name, contentBase64: btoa(binary), contentType: file.type || null };
      [, errors] = await mutate(ADD, input, "addReferralDocument");
    }
    const ids = { contentBase64: "documentFile", contentType: "documentFile", fileName: "documentFile", kind: "documentKind" };
    markFieldErrors(errors, {}, ids);
    if (errors.length) { showErrorSummary(errorsAt, errors, (field) => ids[field] ?? field); return; }
    errorsAt.hidden = true;
    event.target.reset();
    announce(messages, `${file.name} is added.`);
    await load();
  });

  const share = document.getElementById("share-dialog");
  const shareErrors = document.getElementById("share-errors");
  document.getElementById("share-documents").addEventListener("click", () => {
    const choices = (record?.documents ?? []).filter((d) => !d.sharedAt);
    document.getElementById("share-choices").innerHTML = choices.map((d, i) => `<div>
      <input type="checkbox" id="share-${i}" name="documentIds" value="${esc(d.id)}">
      <label for="share-${i}">${esc(label("ChildDocumentKind", d.kind))}: ${esc(d.fileName)}</label></div>`).join("")
      || "<p>No document to share yet.</p>";
    document.getElementById("share-form").reset();
    shareErrors.hidden = true;
    markFieldErrors([], {});
    share.showModal();
  });
  share.querySelector("[data-close]").addEventListener("click", () => share.close());
  document.getElementById("share-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...share.querySelectorAll("input[name=documentIds]:checked")].map((box) => box.value);
    const input = { referralId, documentIds: chosen, markedAnonymised: document.getElementById("markedAnonymised").checked };
    const names = Object.fromEntries((record?.documents ?? []).map((d) => [d.id, d.fileName]));
    let errors = [];
    if (!chosen.length) errors.push({ field: "documentIds", message: "Choose the documents to share." });
    if (!input.markedAnonymised) errors.push({ field: "markedAnonymised", message: "Confirm that the documents identify nobody before sharing them." });
    if (!errors.length) [, errors] = await mutate(SHARE, input, "shareDocuments");
    // An error on "documentIds.2" is about the third chosen document: say which.
    errors = errors.map((e) => (e.field?.startsWith("documentIds.")
      ? { ...e, field: "documentIds", message: `${names[chosen[Number(e.field.split(".")[1])]] ?? "A document"}: ${e.message}` } : e));
    markFieldErrors(errors, {});
    if (errors.length) { showErrorSummary(shareErrors, errors, (field) => (field === "documentIds" ? "share-choices" : field)); return; }
    share.close();
    announce(messages, "The documents are shared with the shortlisted providers.");
    await load();
  });

  revoke.addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "revoke") return;
    const [, errors] = await mutate(REVOKE, { referralId }, "revokeChildRecordAccess");
    if (errors.length) { announce(messages, errors.map((e) => e.message).join(" "), "error"); return; }
    announce(messages, "The provider can no longer open the child's details.");
    await load();
  });
  await load();
  for (const control of controls) control.disabled = false;
}

// --- the chosen provider: read it ---------------------------------------------------------------

async function provider(section) {
  const record = (await gql(RECORD, { id: section.dataset.referralId })).childRecord;
  if (!record) return;
  const rows = [["Name", record.fullName], ["Date of birth", day(record.dateOfBirth)], ["NHS number", record.nhsNumber],
    ["Current address", record.address], ["School", record.school], ["Social worker", record.socialWorkerName],
    ["Social worker's email", record.socialWorkerEmail], ["Social worker's phone", record.socialWorkerPhone],
    ["Council's id for the child", record.councilChildId]];
  document.getElementById("child-details-list").innerHTML = rows.filter(([, value]) => value)
    .map(([term, value]) => `<dt>${esc(term)}</dt><dd>${esc(value)}</dd>`).join("");
  const documents = document.getElementById("child-details-documents");
  documents.innerHTML = documentItems(record.documents);
  onDownloads(documents);
  section.hidden = false;
}

async function sharedWithMe(section) {
  const documents = (await gql(SHARED, { id: section.dataset.referralId })).sharedDocuments;
  if (!documents.length) return;
  const list = document.getElementById("shared-documents-list");
  list.innerHTML = documentItems(documents);
  onDownloads(list);
  section.hidden = false;
}

const kept = document.getElementById("child-record");
const disclosed = document.getElementById("child-details");
const sharedSection = document.getElementById("shared-documents");
if (kept) council(kept);
if (disclosed) provider(disclosed);
if (sharedSection) sharedWithMe(sharedSection);
