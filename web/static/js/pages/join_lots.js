// A provider's view of re-openings: the windows open today, its admins' applications and their outcome.
import { gql, mutate } from "../api.js";
import { announce, day, esc, markFieldErrors, showErrorSummary, when } from "../ui.js";

const messages = document.getElementById("messages");
const form = document.getElementById("apply-form");
const STATUS = { PENDING: "Awaiting the lead commissioner's decision", APPROVED: "Approved: you are on the lot", REFUSED: "Refused" };
const IDS = { lotId: "apply-lotId", statement: "apply-statement" };
const lotWords = (lot) => `${lot.code} ${lot.name}`;

async function load() {
  const data = await gql(`{ reopenings { id frameworkName closesOn isOpen lots { id code name } }
    joinApplications { id status statement refusalReason appliedAt frameworkName lotName membership { tier } } }`);
  const open = data.reopenings.filter((r) => r.isOpen);
  document.querySelector("#windows tbody").innerHTML = open.map((r) => `<tr>
    <th scope="row" data-label="Framework">${esc(r.frameworkName)}</th>
    <td data-label="Lots">${esc(r.lots.map(lotWords).join(", "))}</td>
    <td data-label="Closes">${esc(day(r.closesOn))}</td></tr>`).join("")
    || `<tr><td colspan="3">No framework is open to applications today.</td></tr>`;
  const select = document.getElementById("apply-lotId");
  if (select) {
    const chosen = select.value;
    select.innerHTML = `<option value="">Choose…</option>` + open.flatMap((r) => r.lots.map((lot) =>
      `<option value="${esc(lot.id)}">${esc(r.frameworkName)}: ${esc(lotWords(lot))} (closes ${esc(day(r.closesOn))})</option>`)).join("");
    select.value = chosen;
  }
  document.querySelector("#applications tbody").innerHTML = data.joinApplications.map((a) => {
    const outcome = a.status === "APPROVED" && a.membership ? `${STATUS.APPROVED} at tier ${a.membership.tier}` : STATUS[a.status];
    return `<tr><th scope="row" data-label="Lot">${esc(a.frameworkName)}: ${esc(a.lotName)}</th>
      <td data-label="Applied">${esc(when(a.appliedAt))}</td>
      <td data-label="Status">${esc(outcome)}${a.refusalReason ? `<br><span class="meta">Reason: ${esc(a.refusalReason)}</span>` : ""}</td></tr>`;
  }).join("") || `<tr><td colspan="3">No applications yet.</td></tr>`;
}

function showErrors(errors, texts = {}) {
  markFieldErrors(errors, texts, IDS);
  showErrorSummary(document.getElementById("apply-error-summary"), errors, (field) => IDS[field] ?? field);
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const lotId = document.getElementById("apply-lotId").value;
  const statement = document.getElementById("apply-statement").value.trim();
  const missing = [];
  if (!lotId) missing.push({ field: "lotId", message: "Choose the lot to join" });
  if (!statement) missing.push({ field: "statement", message: "Write what your organisation offers this lot" });
  if (missing.length) { showErrors(missing); return; }
  const [payload, errors] = await mutate(`mutation($input: ApplyToJoinLotInput!) { applyToJoinLot(input: $input) {
    application { id frameworkName lotName } errors { field code message span { start end } } } }`, { lotId, statement }, "applyToJoinLot");
  if (errors.length) { showErrors(errors, { statement }); return; }
  document.getElementById("apply-error-summary").hidden = true;
  markFieldErrors([], {});
  form.reset();
  await load();
  announce(messages, `Your application to join ${payload.application.frameworkName}: ${payload.application.lotName} is with its lead commissioners.`);
});

load().catch((error) => announce(messages, error.message, "error"));
