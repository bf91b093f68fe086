// The records behind contract management, on the quarter pages: allegations (recorded by the placing council or
// the provider, their outcome updated later), placement feedback (the council) and contract reviews with their
// actions (the lead commissioners, on a provider's scorecard). Every form shows the GOV.UK error summary.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary } from "../ui.js";

const root = document.getElementById("contract");
const { kind, frameworkId, providerId } = root.dataset;
const messages = document.getElementById("messages");
const ERRORS = "errors { field code message }";
const ALLEGATION = "id reportedOn category reportedBy outcome concludedOn summary resourceName placementReference canUpdate provider { name } council { name }";
const value = (id) => document.getElementById(id)?.value ?? "";
const optional = (id) => value(id) || null;
const checked = (name) => Number(document.querySelector(`input[name="${name}"]:checked`)?.value ?? 0) || null;

/** Show a mutation's errors (fields prefixed by the form's name, as the page's ids are) and focus the summary. */
function problems(form, errors, texts = {}) {
  const idOf = (field) => (field ? `${form}-${field.split(".")[0]}` : "");
  const ids = Object.fromEntries(errors.map((e) => [e.field, idOf(e.field)]));
  const unplaced = markFieldErrors(errors, texts, ids);
  showErrorSummary(document.getElementById(`${form}-error-summary`), errors, idOf);
  return unplaced;
}

function cleared(form) {
  const summary = document.getElementById(`${form}-error-summary`);
  if (summary) { summary.hidden = true; summary.innerHTML = ""; }
  markFieldErrors([], {});
}

async function placementChoices() {
  const selects = ["allegation-placementId", "feedback-placementId"].map((id) => document.getElementById(id)).filter(Boolean);
  if (!selects.length) return;
  const data = await gql("{ placements(first: 100) { edges { node { id ipaReference status } } } }");
  const options = data.placements.edges.map(({ node }) => `<option value="${esc(node.id)}">${esc(node.ipaReference)}${node.status === "ENDED" ? " (ended)" : ""}</option>`).join("");
  for (const select of selects) select.insertAdjacentHTML("beforeend", options);
}

// --- allegations -----------------------------------------------------------------------------

async function showAllegations() {
  const box = document.getElementById("allegations");
  const args = kind === "provider" ? "(providerId: $p, frameworkId: $f)" : "(frameworkId: $f)";
  const vars = kind === "provider" ? "($f: ID, $p: ID)" : "($f: ID)";
  const data = await gql(`query${vars} { allegations${args} { ${ALLEGATION} } }`, { f: frameworkId, p: providerId || undefined });
  const rows = data.allegations;
  if (!rows.length) { box.innerHTML = `<p>No allegations recorded.</p>`; return; }
  box.innerHTML = `<div class="table-wrap"><table id="allegations-table"><caption class="visually-hidden">Allegations, newest first</caption>
    <thead><tr><th scope="col">Reported</th><th scope="col">Against</th><th scope="col">Category</th><th scope="col">Reported by</th><th scope="col">Outcome</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
    <tbody>${rows.map((a) => `<tr data-allegation="${esc(a.id)}"><td>${esc(day(a.reportedOn))}</td>
      <td>${esc(a.provider?.name ?? "")}: ${esc(a.resourceName)}${a.placementReference ? `<br><span class="meta">${esc(a.placementReference)}</span>` : ""}</td>
      <td>${esc(label("AllegationCategory", a.category))}</td><td>${esc(label("AllegationReporter", a.reportedBy))}</td>
      <td class="outcome">${esc(label("AllegationOutcome", a.outcome))}${a.concludedOn ? `<br><span class="meta">concluded ${esc(day(a.concludedOn))}</span>` : ""}</td>
      <td>${a.canUpdate ? `<button type="button" data-outcome="${esc(a.id)}">Update outcome<span class="visually-hidden"> of the allegation reported ${esc(day(a.reportedOn))}</span></button>` : ""}</td></tr>`).join("")}</tbody></table></div>`;
}

document.getElementById("allegation-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  cleared("allegation");
  const input = {
    placementId: optional("allegation-placementId"), reportedOn: optional("allegation-reportedOn"),
    category: optional("allegation-category"), reportedBy: optional("allegation-reportedBy"),
    outcome: optional("allegation-outcome"), concludedOn: optional("allegation-concludedOn"), summary: value("allegation-summary"),
  };
  if (kind === "provider" && !input.placementId) input.providerId = providerId;
  const missing = [["placementId", "Choose the placement the allegation concerns.", kind === "council"], ["reportedOn", "Enter the day it was reported.", true],
    ["category", "Choose the allegation's category.", true], ["reportedBy", "Choose who reported it.", true], ["outcome", "Choose its outcome so far (still open, if not concluded).", true]]
    .filter(([field, , needed]) => needed && !input[field]).map(([field, message]) => ({ field, code: "REQUIRED", message }));
  if (missing.length) { problems("allegation", missing); return; }
  const [, errors] = await mutate(`mutation($input: RecordAllegationInput!) { recordAllegation(input: $input) { allegation { id } ${ERRORS} } }`, input, "recordAllegation");
  if (errors.length) { problems("allegation", errors, { summary: input.summary }); return; }
  event.target.reset();
  announce(messages, "Allegation recorded. It counts in the quarter it was reported.");
  await showAllegations();
});

const outcomeDialog = document.getElementById("outcome-dialog");
let updating = null;
document.getElementById("allegations")?.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-outcome]");
  if (!button) return;
  updating = button.dataset.outcome;
  document.getElementById("outcome-form").reset();
  cleared("outcome");
  outcomeDialog.showModal();
});
document.getElementById("outcome-cancel")?.addEventListener("click", () => outcomeDialog.close());
document.getElementById("outcome-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  cleared("outcome");
  const input = { allegationId: updating, outcome: optional("outcome-outcome"), concludedOn: optional("outcome-concludedOn") };
  if (!input.outcome) { problems("outcome", [{ field: "outcome", code: "REQUIRED", message: "Choose the outcome." }]); return; }
  const [, errors] = await mutate(`mutation($input: UpdateAllegationInput!) { updateAllegation(input: $input) { allegation { id outcome } ${ERRORS} } }`, input, "updateAllegation");
  if (errors.length) { problems("outcome", errors); return; }
  outcomeDialog.close();
  announce(messages, "Outcome saved.");
  await showAllegations();
});

// --- placement feedback ------------------------------------------------------------------------

const FEEDBACK = "id givenOn givenBy occasion needsMet communication stability comment placementReference provider { name } council { name }";

async function showFeedback() {
  const box = document.getElementById("feedback-list");
  if (!box) return;
  const args = kind === "provider" ? "(providerId: $p, frameworkId: $f)" : "(frameworkId: $f)";
  const vars = kind === "provider" ? "($f: ID, $p: ID)" : "($f: ID)";
  const data = await gql(`query${vars} { placementFeedback${args} { ${FEEDBACK} } }`, { f: frameworkId, p: providerId || undefined });
  const rows = data.placementFeedback;
  if (!rows.length) { box.innerHTML = `<p>No feedback recorded.</p>`; return; }
  box.innerHTML = `<div class="table-wrap" tabindex="0" role="region" aria-label="Placement feedback (scrolls sideways)"><table id="feedback-table"><caption class="visually-hidden">Placement feedback, newest first; scores 1 to 5</caption>
    <thead><tr><th scope="col">Given</th><th scope="col">Placement</th><th scope="col">By</th><th scope="col">Needs met</th><th scope="col">Communication</th><th scope="col">Stability</th><th scope="col">Comment</th></tr></thead>
    <tbody>${rows.map((f) => `<tr data-feedback="${esc(f.id)}"><td>${esc(day(f.givenOn))}<br><span class="meta">${esc(label("FeedbackOccasion", f.occasion))}</span></td>
      <td>${esc(f.placementReference)}<br><span class="meta">${esc(f.council?.name ?? "")}, ${esc(f.provider?.name ?? "")}</span></td>
      <td>${esc(label("FeedbackGiver", f.givenBy))}</td><td>${f.needsMet}</td><td>${f.communication}</td><td>${f.stability}</td>
      <td>${esc(f.comment)}</td></tr>`).join("")}</tbody></table></div>`;
}

document.getElementById("feedback-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  cleared("feedback");
  const input = {
    placementId: optional("feedback-placementId"), givenOn: optional("feedback-givenOn"), givenBy: optional("feedback-givenBy"),
    occasion: optional("feedback-occasion"), needsMet: checked("feedback-needsMet"), communication: checked("feedback-communication"),
    stability: checked("feedback-stability"), comment: value("feedback-comment"),
  };
  const missing = [["placementId", "Choose the placement."], ["givenOn", "Enter the day the feedback was given."], ["givenBy", "Choose who gave it."],
    ["occasion", "Choose when it was given."], ["needsMet", "Score how well the placement meets the child's needs, 1 to 5."],
    ["communication", "Score communication with the provider, 1 to 5."], ["stability", "Score the placement's stability, 1 to 5."]]
    .filter(([field]) => !input[field]).map(([field, message]) => ({ field, code: "REQUIRED", message }));
  if (missing.length) { problems("feedback", missing); return; }
  const [, errors] = await mutate(`mutation($input: RecordPlacementFeedbackInput!) { recordPlacementFeedback(input: $input) { feedback { id } ${ERRORS} } }`, input, "recordPlacementFeedback");
  if (errors.length) { problems("feedback", errors, { comment: input.comment }); return; }
  event.target.reset();
  announce(messages, "Feedback recorded. It counts in the quarter's feedback averages.");
  await showFeedback();
});

// --- contract reviews --------------------------------------------------------------------------

let actions = 0;
function addAction() {
  const n = actions++;
  const owners = (JSON.parse(document.getElementById("vocabulary").textContent).ReviewActionOwner ?? [])
    .map(([v, text]) => `<option value="${esc(v)}">${esc(text)}</option>`).join("");
  document.getElementById("review-actions").insertAdjacentHTML("beforeend", `<div class="form-grid review-action" data-action="${n}">
    <div><label for="review-action-${n}-what">Action ${n + 1}</label><input id="review-action-${n}-what" maxlength="500" aria-describedby="review-action-${n}-what-error"><p class="field-error" id="review-action-${n}-what-error"></p></div>
    <div><label for="review-action-${n}-owner">Owner</label><select id="review-action-${n}-owner" aria-describedby="review-action-${n}-owner-error"><option value="">Choose…</option>${owners}</select><p class="field-error" id="review-action-${n}-owner-error"></p></div>
    <div><label for="review-action-${n}-dueOn">Due on</label><input id="review-action-${n}-dueOn" type="date" aria-describedby="review-action-${n}-dueOn-error"><p class="field-error" id="review-action-${n}-dueOn-error"></p></div></div>`);
}
if (document.getElementById("review-form")) {
  addAction();
  document.getElementById("review-add-action").addEventListener("click", addAction);
}

async function showReviews() {
  const box = document.getElementById("reviews");
  if (!box) return;
  const data = await gql("query($f: ID, $p: ID) { contractReviews(frameworkId: $f, providerId: $p) { id heldOn notes actions { id what owner dueOn status } } }",
    { f: frameworkId, p: providerId });
  const reviews = data.contractReviews;
  box.innerHTML = reviews.length ? reviews.map((r) => `<div class="card review"><h3>Review held ${esc(day(r.heldOn))}</h3>${r.notes ? `<p>${esc(r.notes)}</p>` : ""}
    <ul>${r.actions.map((a) => `<li>${esc(a.what)}: ${esc(label("ReviewActionOwner", a.owner))}, due ${esc(day(a.dueOn))} (${esc(label("ReviewActionStatus", a.status))})</li>`).join("") || "<li>No actions.</li>"}</ul></div>`).join("")
    : "<p>No contract reviews recorded.</p>";
}

document.getElementById("review-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  cleared("review");
  const rows = [...document.querySelectorAll(".review-action")].map((el) => el.dataset.action);
  const written = rows.map((n) => ({ n, what: value(`review-action-${n}-what`).trim(), owner: optional(`review-action-${n}-owner`), dueOn: optional(`review-action-${n}-dueOn`) }))
    .filter((a) => a.what || a.owner || a.dueOn);
  const missing = [];
  if (!value("review-heldOn")) missing.push({ field: "heldOn", code: "REQUIRED", message: "Enter the day the review was held." });
  written.forEach((a, i) => {
    for (const [key, message] of [["what", "Say what the action is."], ["owner", "Choose who owns the action."], ["dueOn", "Enter the day the action is due."]]) {
      if (!a[key]) missing.push({ field: `actions.${i}.${key}`, code: "REQUIRED", message: `Action ${Number(a.n) + 1}: ${message}` });
    }
  });
  const idOf = (field) => {
    const [head, index, key] = field.split(".");
    return head === "actions" && written[Number(index)] ? `review-action-${written[Number(index)].n}-${key ?? "what"}` : `review-${head}`;
  };
  if (missing.length) { showErrorSummary(document.getElementById("review-error-summary"), missing, idOf); return; }
  const input = { frameworkId, providerId, heldOn: value("review-heldOn"), notes: value("review-notes"),
    actions: written.map(({ what, owner, dueOn }) => ({ what, owner, dueOn })) };
  const [, errors] = await mutate(`mutation($input: RecordContractReviewInput!) { recordContractReview(input: $input) { review { id } ${ERRORS} } }`, input, "recordContractReview");
  if (errors.length) { showErrorSummary(document.getElementById("review-error-summary"), errors, idOf); return; }
  event.target.reset();
  document.getElementById("review-actions").innerHTML = "";
  actions = 0;
  addAction();
  announce(messages, "Contract review recorded with its actions.");
  await showReviews();
});

placementChoices().catch((error) => announce(messages, error.message, "error"));
showAllegations().catch((error) => announce(messages, error.message, "error"));
showReviews().catch((error) => announce(messages, error.message, "error"));
showFeedback().catch((error) => announce(messages, error.message, "error"));
