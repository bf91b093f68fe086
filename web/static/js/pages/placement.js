// A placement's Individual Placement Agreement and its life: both sides confirm the agreement, confirm the
// actual start, propose and agree fee changes, give notice; the council records reviews and steps across.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, pence, showErrorSummary, when } from "../ui.js";

const root = document.getElementById("placement-page");
const placementId = root.dataset.placementId;
const officer = root.dataset.officer === "yes";
const acts = root.dataset.acts === "yes";
const side = root.dataset.side;
const messages = document.getElementById("messages");
const summary = document.getElementById("errors");
const IDS = { weeklyFeePence: "weeklyFee", placementId: "errors" };
let current = null;

const QUERY = `query($id: ID!) { placementAgreement(placementId: $id) {
  ipaReference councilName providerName resourceName resourceKind plannedStart actualStart weeklyFeePence
  feeLines { label amountPence } frameworkName frameworkReference noticeDays confirmed
  confirmations { side userName at }
  placementPlan { id fileName }
  child { fullName dateOfBirth nhsNumber address school socialWorkerName socialWorkerEmail socialWorkerPhone }
  placement { id status placementType startDate actualStartDate endDate noticeGivenOn noticeIntendedEnd noticeGivenBy noticeGivenByName
    noticeDays shortNotice nextReviewDue reviewOverdue childrensHome { name } referral { id reference }
    stepAcrossReferral { id reference }
    feeHistory { weeklyFeePence effectiveFrom reason proposedBy agreed }
    reviews { heldOn attendance sdqTotal notes }
    educationContinuity locationPreferred siblingsPlacedTogether careCeasedReason legalStatusChanges { legalStatus effectiveFrom } } } }`;

function term(name, value) {
  return `<dt>${esc(name)}</dt><dd>${value}</dd>`;
}

function renderAgreement(a) {
  const p = a.placement;
  const child = a.child
    ? `<h2>The child</h2><dl class="agreement-terms">
        ${term("Name", esc(a.child.fullName))}${term("Date of birth", esc(day(a.child.dateOfBirth)))}
        ${term("NHS number", esc(a.child.nhsNumber))}${term("Current address", esc(a.child.address || "–"))}
        ${term("School", esc(a.child.school || "–"))}
        ${term("Social worker", esc([a.child.socialWorkerName, a.child.socialWorkerEmail, a.child.socialWorkerPhone].filter(Boolean).join(", ") || "–"))}</dl>`
    : `<h2>The child</h2><p>Referral ${esc(p.referral.reference)}. ${officer ? "No identified record is saved for this child yet." : "The child's identified details are shown to the placing council's placement officers and the provider only."}</p>`;
  const lines = a.feeLines.length
    ? `<table class="fee-lines"><caption>Weekly fee breakdown</caption><thead><tr><th scope="col">Item</th><th scope="col">A week</th></tr></thead><tbody>
        ${a.feeLines.map((l) => `<tr><td>${esc(l.label)}</td><td>${esc(pence(l.amountPence))}</td></tr>`).join("")}
        <tr><th scope="row">Agreed weekly fee</th><td><strong>${esc(pence(a.weeklyFeePence))}</strong></td></tr></tbody></table>`
    : "";
  const confirmations = ["COUNCIL", "PROVIDER"].map((s) => {
    const c = a.confirmations.find((x) => x.side === s);
    const who = s === "COUNCIL" ? a.councilName : a.providerName;
    return term(`Confirmed for ${who}`, c ? `${esc(c.userName)}, ${esc(when(c.at))}` : "<span class=\"status\">Not yet confirmed</span>");
  }).join("");
  document.getElementById("agreement").innerHTML = `
    <p class="lede">${esc(a.ipaReference)}${a.confirmed ? ' <span class="badge">Confirmed by both</span>' : ""}</p>
    <h2>The parties</h2><dl class="agreement-terms">
      ${term("Placing council", esc(a.councilName))}${term("Provider", esc(a.providerName))}
      ${term(a.resourceKind, esc(a.resourceName))}${term("Placement type", `${esc(label("PlacementType", p.placementType))} (${esc(p.placementType)})`)}</dl>
    ${child}
    <h2>Terms</h2><dl class="agreement-terms">
      ${term("Planned start", esc(day(a.plannedStart)))}${term("Actual start", esc(a.actualStart ? day(a.actualStart) : "Not yet confirmed"))}
      ${term("Agreed weekly fee", esc(pence(a.weeklyFeePence)))}
      ${term("Framework", esc(a.frameworkName ? `${a.frameworkName} (${a.frameworkReference})` : "Spot purchase: no framework"))}
      ${term("Notice period", `${esc(a.noticeDays)} days' written notice by either party`)}
      ${term("Placement plan", a.placementPlan ? esc(a.placementPlan.fileName) : "Not yet added")}</dl>
    ${lines}
    <h2>Confirmations</h2><dl class="agreement-terms">${confirmations}</dl>`;
  const confirm = document.getElementById("confirm-agreement");
  if (confirm) confirm.hidden = !acts || a.confirmations.some((c) => c.side === side);
}

function renderLife(a) {
  const p = a.placement;
  const active = p.status === "ACTIVE";
  const facts = [
    ["Status", esc(label("PlacementStatus", p.status)) + (p.endDate ? `, ended ${esc(day(p.endDate))}` : "")],
    ["Next review due", p.nextReviewDue ? `${esc(day(p.nextReviewDue))}${p.reviewOverdue ? ' <span class="badge overdue">Overdue</span>' : ""}` : "–"],
    ["Notice", p.noticeGivenOn
      ? `Given by ${esc(label("PlacementSide", p.noticeGivenBy))}${p.noticeGivenByName ? ` (${esc(p.noticeGivenByName)})` : ""} on ${esc(day(p.noticeGivenOn))}, ending ${esc(day(p.noticeIntendedEnd))}: ${esc(p.noticeDays)} days${p.shortNotice ? ' <span class="badge short-notice">Short of 28 days</span>' : ""}`
      : "None given"],
    ["Changes of legal status", p.legalStatusChanges.map((c) => `${esc(c.legalStatus)} (${esc(label("LegalStatus", c.legalStatus))}) from ${esc(day(c.effectiveFrom))}`).join("; ") || "None recorded"],
    ["Step-across", p.stepAcrossReferral ? `<a href="/referrals/${esc(p.stepAcrossReferral.id)}">Referral ${esc(p.stepAcrossReferral.reference)}</a> (draft fostering referral)` : "None"],
  ];
  document.getElementById("life-facts").innerHTML = facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("");
  document.getElementById("life-facts").className = "agreement-terms";
  const show = (id, visible) => { const el = document.getElementById(id); if (el) el.hidden = !visible; };
  show("start-form", active && !p.actualStartDate);
  show("notice-form", active && !p.noticeGivenOn);
  show("step-form", officer && active && Boolean(p.childrensHome) && !p.stepAcrossReferral);
  show("fee-form", active);
  show("review-form", active);
  show("legal-status-form", officer);
  const yesNo = (value) => (value === null || value === undefined ? "" : value ? "yes" : "no");
  const standard = document.getElementById("standard-form");
  if (standard) {
    standard.elements.educationContinuity.value = yesNo(p.educationContinuity);
    standard.elements.locationPreferred.value = yesNo(p.locationPreferred);
    standard.elements.siblingsPlacedTogether.value = p.siblingsPlacedTogether ?? "";
    standard.elements.careCeasedReason.value = p.careCeasedReason ?? "";
  }
  const pending = p.feeHistory.find((f) => !f.agreed);
  const pendingBox = document.getElementById("fee-pending");
  if (pendingBox) {
    pendingBox.innerHTML = pending
      ? `<p>Proposed by ${esc(label("PlacementSide", pending.proposedBy))}: ${esc(pence(pending.weeklyFeePence))} a week from ${esc(day(pending.effectiveFrom))}.</p>
         ${pending.proposedBy !== side ? '<p><button type="button" class="primary" id="agree-fee">Agree the new fee</button></p>' : '<p class="meta">Waiting for the other side to agree.</p>'}`
      : "";
    document.getElementById("fee-fields").hidden = Boolean(pending);
  }
  document.querySelector("#fee-history tbody").innerHTML = p.feeHistory.map((f) => `<tr>
    <td data-label="From">${esc(day(f.effectiveFrom))}</td><td data-label="Weekly fee">${esc(pence(f.weeklyFeePence))}</td>
    <td data-label="Reason">${esc(f.proposedBy ? f.reason : "The agreement's fee")}</td>
    <td data-label="Status">${f.agreed ? "In force from its date" : "Awaiting agreement"}</td></tr>`).join("");
  document.querySelector("#reviews tbody").innerHTML = p.reviews.map((r) => `<tr>
    <td data-label="Held on">${esc(day(r.heldOn))}</td>
    <td data-label="Attended">${esc(r.attendance.map((x) => label("ReviewAttendee", x)).join(", "))}</td>
    <td data-label="SDQ total">${esc(r.sdqTotal ?? "–")}</td><td data-label="Notes">${esc(r.notes || "–")}</td></tr>`).join("")
    || `<tr><td colspan="4">No reviews yet.</td></tr>`;
}

async function load() {
  const data = await gql(QUERY, { id: placementId });
  current = data.placementAgreement;
  if (!current) { announce(messages, "This placement could not be found.", "error"); return; }
  renderAgreement(current);
  renderLife(current);
}

function fail(errors, texts = {}) {
  markFieldErrors(errors, texts, IDS);
  showErrorSummary(summary, errors, (field) => IDS[field] ?? field.split(".")[0]);
}

async function run(query, input, field, done, texts = {}) {
  const [, errors] = await mutate(query, input, field);
  if (errors.length) { fail(errors, texts); return false; }
  markFieldErrors([], {});
  summary.hidden = true;
  announce(messages, done, "success");
  await load();
  return true;
}

const dialog = document.getElementById("confirm-dialog");
let onYes = null;
function ask(text, action) {
  document.getElementById("confirm-text").textContent = text;
  onYes = action;
  dialog.showModal();
  document.getElementById("confirm-no").focus();
}
document.getElementById("confirm-no").addEventListener("click", () => dialog.close());
document.getElementById("confirm-yes").addEventListener("click", async () => {
  dialog.close();
  if (onYes) await onYes().catch((error) => announce(messages, error.message, "error"));
});

document.getElementById("print").addEventListener("click", () => window.print());

document.getElementById("confirm-agreement")?.addEventListener("click", () => ask(
  `Confirm agreement ${current.ipaReference} for your side, as it stands?`,
  () => run(`mutation($input: PlacementIdInput!) { confirmPlacementAgreement(input: $input) { errors { field code message } } }`,
    { placementId }, "confirmPlacementAgreement", "You confirmed the agreement."),
));

function required(pairs) {
  return pairs.filter(([, value]) => value === "" || value === null || (Array.isArray(value) && !value.length))
    .map(([field, , message]) => ({ field, message }));
}

document.getElementById("start-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const startedOn = document.getElementById("startedOn").value;
  const errors = required([["startedOn", startedOn, "Enter the day the child moved in."]]);
  if (errors.length) { fail(errors); return; }
  run(`mutation($input: ConfirmPlacementStartInput!) { confirmPlacementStart(input: $input) { errors { field code message } } }`,
    { placementId, startedOn }, "confirmPlacementStart", `Start confirmed: ${day(startedOn)}.`)
    .catch((error) => announce(messages, error.message, "error"));
});

document.getElementById("fee-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const pounds = document.getElementById("weeklyFee").value;
  const effectiveFrom = document.getElementById("effectiveFrom").value;
  const reason = document.getElementById("reason").value.trim();
  const errors = required([["weeklyFeePence", pounds, "Enter the new weekly fee."],
    ["effectiveFrom", effectiveFrom, "Enter the day the new fee takes effect."], ["reason", reason, "Say why the fee changes."]]);
  if (errors.length) { fail(errors); return; }
  run(`mutation($input: ChangePlacementFeeInput!) { changePlacementFee(input: $input) { errors { field code message span { start end } } } }`,
    { placementId, weeklyFeePence: Math.round(Number(pounds) * 100), effectiveFrom, reason }, "changePlacementFee",
    "New fee proposed: the other side is asked to agree it.", { reason })
    .then((ok) => { if (ok) event.target.reset(); })
    .catch((error) => announce(messages, error.message, "error"));
});

document.getElementById("fee-pending")?.addEventListener("click", (event) => {
  if (!event.target.closest("#agree-fee")) return;
  run(`mutation($input: ChangePlacementFeeInput!) { changePlacementFee(input: $input) { errors { field code message } } }`,
    { placementId, agree: true }, "changePlacementFee", "Fee change agreed.")
    .catch((error) => announce(messages, error.message, "error"));
});

document.getElementById("review-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const heldOn = document.getElementById("heldOn").value;
  const attendance = [...document.querySelectorAll("input[name=attendance]:checked")].map((el) => el.value);
  const sdq = document.getElementById("sdqTotal").value;
  const notes = document.getElementById("notes").value.trim();
  const errors = required([["heldOn", heldOn, "Enter the day the review was held."], ["attendance", attendance, "Say who attended."]]);
  if (errors.length) { fail(errors); return; }
  run(`mutation($input: RecordPlacementReviewInput!) { recordPlacementReview(input: $input) { errors { field code message span { start end } } } }`,
    { placementId, heldOn, attendance, sdqTotal: sdq === "" ? null : Number(sdq), notes }, "recordPlacementReview",
    `Review of ${day(heldOn)} recorded.`, { notes })
    .then((ok) => { if (ok) event.target.reset(); })
    .catch((error) => announce(messages, error.message, "error"));
});

document.getElementById("notice-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const givenOn = document.getElementById("givenOn").value;
  const intendedEnd = document.getElementById("intendedEnd").value;
  const errors = required([["givenOn", givenOn, "Enter the day notice is given."], ["intendedEnd", intendedEnd, "Enter the intended last day."]]);
  if (errors.length) { fail(errors); return; }
  ask(`Give notice on ${day(givenOn)} to end ${current.ipaReference} on ${day(intendedEnd)}?`, () =>
    run(`mutation($input: GiveNoticeInput!) { giveNotice(input: $input) { errors { field code message } } }`,
      { placementId, givenOn, intendedEnd }, "giveNotice", "Notice given."));
});

document.getElementById("step-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const placementKind = document.getElementById("placementKind").value;
  const errors = required([["placementKind", placementKind, "Choose the kind of fostering."]]);
  if (errors.length) { fail(errors); return; }
  ask(`Start a draft ${label("PlacementKind", placementKind).toLowerCase()} referral from ${current.ipaReference}?`, () =>
    run(`mutation($input: StartStepAcrossInput!) { startStepAcross(input: $input) { errors { field code message } } }`,
      { placementId, placementKind }, "startStepAcross", "Step-across referral started as a draft."));
});

document.getElementById("legal-status-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const legalStatus = document.getElementById("legalStatus").value;
  const effectiveFrom = document.getElementById("statusEffectiveFrom").value;
  const errors = required([["legalStatus", legalStatus, "Choose the new legal status."],
    ["statusEffectiveFrom", effectiveFrom, "Enter the day it came into force."]]);
  if (errors.length) { fail(errors); return; }
  mutate(`mutation($input: RecordLegalStatusChangeInput!) { recordLegalStatusChange(input: $input) { errors { field code message } } }`,
    { placementId, legalStatus, effectiveFrom }, "recordLegalStatusChange")
    .then(async ([, found]) => {
      if (found.length) { fail(found.map((e) => (e.field === "effectiveFrom" ? { ...e, field: "statusEffectiveFrom" } : e))); return; }
      summary.hidden = true;
      announce(messages, `Legal status ${legalStatus} recorded from ${day(effectiveFrom)}.`, "success");
      event.target.reset();
      await load();
    })
    .catch((error) => announce(messages, error.message, "error"));
});

document.getElementById("standard-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target.elements;
  const flag = (value) => (value === "" ? null : value === "yes");
  run(`mutation($input: SetPlacementStandardDetailsInput!) { setPlacementStandardDetails(input: $input) { errors { field code message } } }`,
    { placementId, educationContinuity: flag(form.educationContinuity.value), locationPreferred: flag(form.locationPreferred.value),
      siblingsPlacedTogether: form.siblingsPlacedTogether.value === "" ? null : Number(form.siblingsPlacedTogether.value),
      careCeasedReason: form.careCeasedReason.value || null },
    "setPlacementStandardDetails", "Recorded for the placements data standard.")
    .catch((error) => announce(messages, error.message, "error"));
});

load().catch((error) => announce(messages, error.message, "error"));
