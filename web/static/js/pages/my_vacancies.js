// Providers post, update and close vacancies so councils see capacity early.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary } from "../ui.js";

const messages = document.getElementById("messages");
const summary = document.getElementById("error-summary");
// A vacancy names one household or home: none is chosen for the provider (a "near Maidstone" vacancy once went
// out for a Salisbury household that happened to be first in the list).
const FIELD_IDS = { carerHouseholdId: "resource", childrensHomeId: "resource" };

async function loadResources() {
  const data = await gql(`{ carerHouseholds(first: 100) { edges { node { id reference district approvedPlaces } } } childrensHomes { id name beds } }`);
  document.getElementById("resource").innerHTML = `<option value="" selected>Choose…</option>`
    + data.carerHouseholds.edges.map(({ node: h }) => `<option value="CarerHousehold|${esc(h.id)}">${esc(h.reference)} (${esc(h.district)})</option>`).join("")
    + data.childrensHomes.map((h) => `<option value="ChildrensHome|${esc(h.id)}">${esc(h.name)}</option>`).join("");
}

async function load() {
  const data = await gql(`{ vacancies(first: 100, filter: {includeClosed: true}) { edges { node { id places availableFrom availableUntil note status
    carerHousehold { reference } childrensHome { name } } } } }`);
  document.getElementById("vacancies").innerHTML = data.vacancies.edges.map(({ node: v }) => `<li class="card" data-id="${esc(v.id)}">
    <h2>${esc(v.carerHousehold?.reference ?? v.childrensHome?.name)}: ${esc(v.places)} place(s), ${esc(label("VacancyStatus", v.status).toLowerCase())}</h2>
    <p>Free from ${esc(day(v.availableFrom))}${v.availableUntil ? ` until ${esc(day(v.availableUntil))}` : ""}</p>
    ${v.note ? `<p>${esc(v.note)}</p>` : ""}
    ${v.status === "OPEN" ? `<label for="places-${esc(v.id)}">Places</label> <input id="places-${esc(v.id)}" type="number" min="1" max="6" value="${esc(v.places)}" size="3">
      <button type="button" data-act="update">Update places</button> <button type="button" class="danger" data-act="close">Close</button>` : ""}</li>`).join("")
    || `<li class="card">No vacancies posted.</li>`;
}

document.getElementById("vacancies").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const id = button.closest("li").dataset.id;
  const [, errors] = button.dataset.act === "close"
    ? await mutate(`mutation($input: VacancyIdInput!) { closeVacancy(input: $input) { errors { message } } }`, { id }, "closeVacancy")
    : await mutate(`mutation($input: UpdateVacancyInput!) { updateVacancy(input: $input) { errors { message } } }`,
      { id, places: Number(document.getElementById(`places-${id}`).value) }, "updateVacancy");
  announce(messages, errors.length ? errors[0].message : "Vacancy updated.", errors.length ? "error" : "success");
  await load();
});

document.getElementById("post-vacancy").addEventListener("submit", async (event) => {
  event.preventDefault();
  const [kind, id] = document.getElementById("resource").value.split("|");
  const note = document.getElementById("note").value;
  const input = { places: Number(document.getElementById("places").value), availableFrom: document.getElementById("availableFrom").value,
    availableUntil: document.getElementById("availableUntil").value || null, note };
  if (id) input[kind === "CarerHousehold" ? "carerHouseholdId" : "childrensHomeId"] = id;
  const problems = [];
  if (!id) problems.push({ field: "carerHouseholdId", message: "Choose the household or home with the place free." });
  if (!input.availableFrom) problems.push({ field: "availableFrom", message: "Give the date the place is free from." });
  const errors = problems.length ? problems
    : (await mutate(`mutation($input: PostVacancyInput!) { postVacancy(input: $input) { vacancy { id } errors { field code message span { start end } } } }`, input, "postVacancy"))[1];
  markFieldErrors(errors, input, FIELD_IDS);
  if (errors.length) {
    showErrorSummary(summary, errors, (field) => FIELD_IDS[field] ?? field.split(".")[0]);
    return;
  }
  summary.hidden = true;
  announce(messages, "Vacancy posted: councils on your frameworks can see it now.");
  event.target.reset();
  document.getElementById("availableFrom").value = new Date().toISOString().slice(0, 10);
  await load();
});

document.getElementById("availableFrom").value = new Date().toISOString().slice(0, 10);
loadResources().then(load).catch((error) => announce(messages, error.message, "error"));
