// A framework's life on its page: its term and extensions, windows and weights, the audit trail; taking an
// extension, adding and changing lots, and terminating a membership (with a confirm step).
import { mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary, when } from "../ui.js";

const ERRORS = "errors { field code message }";
const WEIGHT_WORDS = { distance: "Distance", specialisms: "Specialisms", languageAndCulture: "Language and culture", ofsted: "Ofsted", trackRecord: "Track record" };

export const LIFE_FIELDS = `extensionOptions termEndsOn inForce tierResponseHours emergencyResponseHours
  tierWindows { tier hours } qualityWeightPercent costWeightPercent
  matchingWeights { distance specialisms languageAndCulture ofsted trackRecord isDefault }
  predecessor { reference name } extensions { endsOn decisionReference decisionDate }
  changes { action subject madeBy madeAt before after }`;

/** The facts of its life, for the framework's facts list. */
export function lifeFacts(f) {
  const windows = [`Usual ${f.tierResponseHours} hours`, ...f.tierWindows.map((w) => `tier ${w.tier}: ${w.hours} hours`), `emergencies ${f.emergencyResponseHours} hours`];
  const weights = Object.entries(WEIGHT_WORDS).map(([key, words]) => `${words} ${f.matchingWeights[key]}`).join(", ");
  const status = f.inForce ? `In force to ${day(f.termEndsOn)}` : `Not in force (its term ends ${day(f.termEndsOn)}): it takes no new referrals`;
  const extensions = f.extensions.length
    ? `<div class="table-wrap"><table><caption>Extensions taken</caption><thead><tr><th scope="col">New end</th><th scope="col">Decision</th><th scope="col">Decided on</th></tr></thead>
      <tbody>${f.extensions.map((e) => `<tr><td>${esc(day(e.endsOn))}</td><td>${esc(e.decisionReference)}</td><td>${esc(day(e.decisionDate))}</td></tr>`).join("")}</tbody></table></div>`
    : "";
  return `<dl class="facts" id="framework-life"><dt>Status</dt><dd id="framework-status">${esc(status)}</dd>
    <dt>Extension options</dt><dd>${esc(f.extensionOptions || "None recorded")}</dd>
    ${f.predecessor ? `<dt>Succeeds</dt><dd>${esc(f.predecessor.name)} (${esc(f.predecessor.reference)})</dd>` : ""}
    <dt>Response windows</dt><dd>${esc(windows.join("; "))}</dd>
    <dt>Offers ranked on</dt><dd>Quality ${esc(f.qualityWeightPercent)}%, cost ${esc(f.costWeightPercent)}%</dd>
    <dt>Matching weights</dt><dd>${esc(weights)}${f.matchingWeights.isDefault ? " (the exchange's defaults)" : ""}</dd></dl>${extensions}`;
}

export function lotButton(lot) {
  return `<button type="button" data-edit-lot="${esc(lot.id)}">Change the lot<span class="visually-hidden"> ${esc(lot.code)}</span></button>`;
}

export function terminateButton(member, lot) {
  return `<button type="button" class="danger" data-terminate="${esc(member.id)}">Terminate<span class="visually-hidden">: ${esc(member.provider.name)} on ${esc(lot.code)}</span></button>`;
}

function shown(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (Array.isArray(value)) return value.map((item) => label("PlacementKind", item)).join(", ") || "none";
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}: ${v}`).join(", ") || "none";
  return String(value);
}

function differences(change) {
  const keys = [...new Set([...Object.keys(change.before ?? {}), ...Object.keys(change.after ?? {})])];
  return keys.map((key) => {
    const before = change.before?.[key];
    return `<li>${esc(key)}: ${before === undefined ? "" : `${esc(shown(before))} → `}${esc(shown(change.after?.[key]))}</li>`;
  }).join("");
}

/** The audit trail, newest first: who, when, what, before and after. */
export function auditTrail(f) {
  if (!f.canManage) return "";
  const rows = f.changes.map((c) => `<tr><td data-label="When">${esc(when(c.madeAt))}</td><td data-label="Who">${esc(c.madeBy)}</td>
    <td data-label="What">${esc(c.action)}${c.subject && c.subject !== f.reference ? `: ${esc(c.subject)}` : ""}</td><td data-label="Change"><ul>${differences(c)}</ul></td></tr>`).join("");
  return `<section class="card" aria-labelledby="audit-title" id="audit-trail"><h3 id="audit-title">Audit trail</h3>
    <div class="table-wrap"><table class="responsive"><caption>Every change to ${esc(f.name)}, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Before and after</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="4">No changes recorded yet.</td></tr>`}</tbody></table></div></section>`;
}

// --- the forms ----------------------------------------------------------------------------------------------

function show(summaryId, errors, ids) {
  markFieldErrors(errors, {}, ids);
  showErrorSummary(document.getElementById(summaryId), errors, (field) => ids[field] ?? ids[field.split(".")[0]] ?? field);
}

function lotIds(prefix) {
  return { code: `${prefix}-code`, name: `${prefix}-name`, placementKinds: `${prefix}-placementKinds`, ageBands: `${prefix}-ageBands`, needLevels: `${prefix}-needLevels`, id: `${prefix}-code`, frameworkId: `${prefix}-code` };
}

function readLot(form, prefix) {
  const chosen = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
  const values = { code: document.getElementById(`${prefix}-code`).value.trim(), name: document.getElementById(`${prefix}-name`).value.trim(),
    placementKinds: chosen("placementKinds"), ageBands: chosen("ageBands"), needLevels: chosen("needLevels") };
  const problems = [];
  if (!values.code) problems.push({ field: "code", message: "Enter the lot's code" });
  if (!values.name) problems.push({ field: "name", message: "Enter the lot's name" });
  if (!values.placementKinds.length) problems.push({ field: "placementKinds", message: "Choose the kinds of placement the lot covers" });
  return { values, problems };
}

function fillLot(form, prefix, lot) {
  document.getElementById(`${prefix}-code`).value = lot?.code ?? "";
  document.getElementById(`${prefix}-name`).value = lot?.name ?? "";
  for (const [name, values] of [["placementKinds", lot?.placementKinds], ["ageBands", lot?.ageBands], ["needLevels", lot?.needLevels]]) {
    for (const box of form.querySelectorAll(`input[name="${name}"]`)) box.checked = (values ?? []).includes(box.value);
  }
}

/** Wire the forms. `state()` gives { framework, lots, members } as last loaded; `reload()` reads them again. */
export function wireLife(messages, container, state, reload) {
  const extendDialog = document.getElementById("extend-dialog");
  const lotDialog = document.getElementById("lot-dialog");
  const terminateDialog = document.getElementById("terminate-dialog");
  let lotEditing = null;
  let ending = null;
  const today = () => new Date().toISOString().slice(0, 10);
  const reset = (...summaries) => { for (const id of summaries) document.getElementById(id).hidden = true; markFieldErrors([], {}); };

  // Take an extension.
  document.getElementById("extend-open").addEventListener("click", () => {
    const f = state().framework;
    document.getElementById("extend-current").textContent = `${f.name} is in force to ${day(f.termEndsOn)}. Extension options: ${f.extensionOptions || "none recorded"}.`;
    document.getElementById("extend-form").reset();
    reset("extend-error-summary");
    extendDialog.showModal();
  });
  document.getElementById("extend-cancel").addEventListener("click", () => extendDialog.close());
  document.getElementById("extend-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const ids = { endsOn: "extend-endsOn", decisionReference: "extend-decisionReference", decisionDate: "extend-decisionDate", id: "extend-endsOn" };
    const input = { id: state().framework.id, endsOn: document.getElementById("extend-endsOn").value,
      decisionReference: document.getElementById("extend-decisionReference").value.trim(), decisionDate: document.getElementById("extend-decisionDate").value };
    const problems = [["endsOn", "Enter the new end date"], ["decisionReference", "Enter the decision's reference"], ["decisionDate", "Enter the date of the decision"]]
      .filter(([name]) => !input[name]).map(([field, message]) => ({ field, message }));
    if (problems.length) { show("extend-error-summary", problems, ids); return; }
    const [, errors] = await mutate(`mutation($input: ExtendFrameworkInput!) { extendFramework(input: $input) { framework { id } ${ERRORS} } }`, input, "extendFramework");
    if (errors.length) { show("extend-error-summary", errors, ids); return; }
    extendDialog.close();
    await reload();
    announce(messages, `The framework is extended to ${day(input.endsOn)} (decision ${input.decisionReference}).`);
  });

  // Add a lot.
  const newForm = document.getElementById("lot-new-form");
  newForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ids = lotIds("lot-new");
    const { values, problems } = readLot(newForm, "lot-new");
    if (problems.length) { show("lot-new-error-summary", problems, ids); return; }
    const [payload, errors] = await mutate(`mutation($input: CreateLotInput!) { createLot(input: $input) { lot { code name } ${ERRORS} } }`,
      { frameworkId: state().framework.id, ...values }, "createLot");
    if (errors.length) { show("lot-new-error-summary", errors, ids); return; }
    reset("lot-new-error-summary");
    newForm.reset();
    await reload();
    announce(messages, `Lot ${payload.lot.code} (${payload.lot.name}) is added. Put providers on it below.`);
  });

  // Change a lot, terminate a membership: from the buttons in the lots.
  container.addEventListener("click", (event) => {
    const lotId = event.target.closest("button[data-edit-lot]")?.dataset.editLot;
    const memberId = event.target.closest("button[data-terminate]")?.dataset.terminate;
    if (lotId) {
      lotEditing = state().lots.get(lotId).lot;
      fillLot(document.getElementById("lot-edit-form"), "lot-edit", lotEditing);
      reset("lot-edit-error-summary");
      lotDialog.showModal();
    } else if (memberId) {
      ending = state().members.get(memberId);
      document.getElementById("terminate-who").textContent = `${ending.member.provider.name} on ${ending.lot.code} ${ending.lot.name}, tier ${ending.member.tier}.`;
      document.getElementById("terminate-form").reset();
      document.getElementById("terminate-leftOn").value = today();
      document.getElementById("terminate-form").hidden = false;
      document.getElementById("terminate-confirm").hidden = true;
      reset("terminate-error-summary");
      terminateDialog.showModal();
    }
  });
  document.getElementById("lot-edit-cancel").addEventListener("click", () => lotDialog.close());
  document.getElementById("lot-edit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const ids = lotIds("lot-edit");
    const { values, problems } = readLot(event.target, "lot-edit");
    if (problems.length) { show("lot-edit-error-summary", problems, ids); return; }
    const changed = Object.fromEntries(Object.entries(values).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(lotEditing[key])));
    const [payload, errors] = await mutate(`mutation($input: UpdateLotInput!) { updateLot(input: $input) { lot { code name } ${ERRORS} } }`,
      { id: lotEditing.id, ...changed }, "updateLot");
    if (errors.length) { show("lot-edit-error-summary", errors, ids); return; }
    lotDialog.close();
    await reload();
    announce(messages, `Lot ${payload.lot.code} (${payload.lot.name}) is changed.`);
  });

  // Terminate: the details, then a confirm step saying what follows.
  const ids = { leftOn: "terminate-leftOn", reason: "terminate-reason", membershipId: "terminate-leftOn" };
  document.getElementById("terminate-cancel").addEventListener("click", () => terminateDialog.close());
  document.getElementById("terminate-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const leftOn = document.getElementById("terminate-leftOn").value;
    const problems = [];
    if (!leftOn) problems.push({ field: "leftOn", message: "Enter the date the membership ends" });
    else if (leftOn > today()) problems.push({ field: "leftOn", message: "A membership ends today or on a date passed" });
    if (problems.length) { show("terminate-error-summary", problems, ids); return; }
    reset("terminate-error-summary");
    const reason = document.getElementById("terminate-reason");
    document.getElementById("terminate-confirm-text").textContent =
      `Terminate ${ending.member.provider.name}'s membership of ${ending.lot.code} ${ending.lot.name} on ${day(leftOn)} (${reason.selectedOptions[0].textContent})?`;
    event.target.hidden = true;
    document.getElementById("terminate-confirm").hidden = false;
    document.getElementById("terminate-yes").focus();
  });
  document.getElementById("terminate-back").addEventListener("click", () => {
    document.getElementById("terminate-confirm").hidden = true;
    document.getElementById("terminate-form").hidden = false;
  });
  document.getElementById("terminate-yes").addEventListener("click", async () => {
    const input = { membershipId: ending.member.id, leftOn: document.getElementById("terminate-leftOn").value, reason: document.getElementById("terminate-reason").value };
    const [payload, errors] = await mutate(`mutation($input: TerminateMembershipInput!) { terminateMembership(input: $input) {
      membership { id } withdrawnOfferIds ${ERRORS} } }`, input, "terminateMembership");
    if (errors.length) {
      document.getElementById("terminate-confirm").hidden = true;
      document.getElementById("terminate-form").hidden = false;
      show("terminate-error-summary", errors, ids);
      return;
    }
    terminateDialog.close();
    await reload();
    const withdrawn = payload.withdrawnOfferIds.length;
    announce(messages, `${ending.member.provider.name}'s membership of ${ending.lot.code} ends on ${day(input.leftOn)}.`
      + (withdrawn ? ` ${withdrawn} live ${withdrawn === 1 ? "offer was" : "offers were"} withdrawn and the provider told.` : ""));
  });
}

/** Show the controls a manager of this framework has. */
export function showLifeControls(framework) {
  const manages = Boolean(framework?.canManage);
  const edit = document.getElementById("edit-framework");
  edit.hidden = !manages;
  if (manages) edit.href = `/frameworks/edit?framework=${encodeURIComponent(framework.id)}`;
  document.getElementById("extend-open").hidden = !manages;
  document.getElementById("add-lot").hidden = !manages;
}
