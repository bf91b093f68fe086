// The provider's approved households and homes, described in the data standard's terms: added, edited, and
// their availability (an open vacancy: places free from a date) kept up to date by any of the provider's staff.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary } from "../ui.js";

const messages = document.getElementById("messages");
const summary = document.getElementById("error-summary");
const ERRORS = "errors { field code message span { start end } }";
const HOUSEHOLD = `id reference district minAge maxAge approvedPlaces placementKinds durations specialisms languages
  communication adaptations additionalSupport manageableRisksToChild manageableRisksToOthers hasPets soloOnly isActive`;
const HOME = `id name ofstedUrn beds minAge maxAge district ofstedJudgement ofstedJudgementDate specialisms
  manageableRisksToChild manageableRisksToOthers soloOnly isActive`;
const LISTS = {
  h: ["placementKinds", "durations", "specialisms", "communication", "adaptations", "additionalSupport", "manageableRisksToChild", "manageableRisksToOthers"],
  c: ["specialisms", "manageableRisksToChild", "manageableRisksToOthers"],
};
const NUMBERS = { h: ["minAge", "maxAge", "approvedPlaces"], c: ["beds", "minAge", "maxAge"] };
const TEXTS = { h: ["reference", "district"], c: ["name", "ofstedUrn", "district"] };
const FLAGS = { h: ["hasPets", "soloOnly", "isActive"], c: ["soloOnly", "isActive"] };
const REQUIRED = {
  h: { reference: "Give your own reference for the household.", district: "Give the household's postcode district, such as ME15.",
    minAge: "Give the youngest age the household is approved for.", maxAge: "Give the oldest age the household is approved for.",
    approvedPlaces: "Give the number of children the household is approved for.",
    placementKinds: "Choose at least one kind of placement the household is approved for.",
    durations: "Choose at least one duration the household offers." },
  c: { name: "Give the home's name, as registered with Ofsted.", ofstedUrn: "Give the home's Ofsted URN.",
    ofstedJudgement: "Choose the home's latest Ofsted judgement.", district: "Give the home's postcode district, such as ME15.",
    beds: "Give the number of beds.", minAge: "Give the youngest age the home takes.", maxAge: "Give the oldest age the home takes." },
};

const households = new Map();
const homes = new Map();
const openVacancy = new Map(); // "CarerHousehold|id" or "ChildrensHome|id" -> the open vacancy
let editing = { h: null, c: null };

const idFor = (prefix) => (field) => `${prefix}-${field.split(".")[0]}`;

async function loadAll() {
  households.clear();
  let after = null;
  do {
    const data = await gql(`query($after: String) { carerHouseholds(first: 100, after: $after) { edges { node { ${HOUSEHOLD} } }
      pageInfo { hasNextPage endCursor } } }`, { after });
    for (const { node } of data.carerHouseholds.edges) households.set(node.id, node);
    after = data.carerHouseholds.pageInfo.hasNextPage ? data.carerHouseholds.pageInfo.endCursor : null;
  } while (after);
  const data = await gql(`{ childrensHomes { ${HOME} }
    vacancies(first: 100) { edges { node { id places availableFrom status carerHousehold { id } childrensHome { id } } } } }`);
  homes.clear();
  for (const home of data.childrensHomes) homes.set(home.id, home);
  openVacancy.clear();
  for (const { node: v } of data.vacancies.edges) {
    if (v.status !== "OPEN") continue;
    const key = v.carerHousehold ? `CarerHousehold|${v.carerHousehold.id}` : `ChildrensHome|${v.childrensHome.id}`;
    const known = openVacancy.get(key);
    if (!known || v.availableFrom < known.availableFrom) openVacancy.set(key, v);
  }
  render();
}

function available(key) {
  const v = openVacancy.get(key);
  return v ? `${esc(v.places)} free from ${esc(day(v.availableFrom))}` : "None free";
}

function words(kind, values) {
  return values.map((v) => esc(label(kind, v))).join(", ");
}

function render() {
  document.querySelector("#households tbody").innerHTML = [...households.values()].map((h) => `<tr data-id="${esc(h.id)}">
    <td data-label="Reference">${esc(h.reference)}${h.isActive ? "" : " <span class=\"meta\">(not active)</span>"}</td>
    <td data-label="District">${esc(h.district)}</td><td data-label="Ages">${esc(h.minAge)} to ${esc(h.maxAge)}</td>
    <td data-label="Approved places">${esc(h.approvedPlaces)}</td>
    <td data-label="Approved for">${words("PlacementKind", h.placementKinds)}</td>
    <td data-label="Offers">${[...h.specialisms.map((s) => label("Need", s)), ...h.languages, h.hasPets ? "pets" : "", h.soloOnly ? "solo only" : ""].filter(Boolean).map(esc).join(", ")}</td>
    <td data-label="Available" class="available">${available(`CarerHousehold|${h.id}`)}</td>
    <td data-label="Change"><button type="button" data-act="availability" data-kind="CarerHousehold">Availability<span class="visually-hidden"> of ${esc(h.reference)}</span></button>
      <button type="button" data-act="edit-household">Edit<span class="visually-hidden"> ${esc(h.reference)}</span></button></td></tr>`).join("")
    || `<tr><td colspan="8">No carer households yet.</td></tr>`;
  document.querySelector("#homes tbody").innerHTML = [...homes.values()].map((c) => `<tr data-id="${esc(c.id)}">
    <td data-label="Home">${esc(c.name)}${c.isActive ? "" : " <span class=\"meta\">(not active)</span>"}</td>
    <td data-label="Ofsted">${esc(label("OfstedJudgement", c.ofstedJudgement))} · URN ${esc(c.ofstedUrn)}</td>
    <td data-label="District">${esc(c.district)}</td><td data-label="Ages">${esc(c.minAge)} to ${esc(c.maxAge)}</td>
    <td data-label="Beds">${esc(c.beds)}</td>
    <td data-label="Available" class="available">${available(`ChildrensHome|${c.id}`)}</td>
    <td data-label="Change"><button type="button" data-act="availability" data-kind="ChildrensHome">Availability<span class="visually-hidden"> of ${esc(c.name)}</span></button>
      <button type="button" data-act="edit-home">Edit<span class="visually-hidden"> ${esc(c.name)}</span></button></td></tr>`).join("")
    || `<tr><td colspan="7">No children's homes yet.</td></tr>`;
}

// --- the household and home forms ------------------------------------------------------------------------

function formOf(prefix) { return document.getElementById(prefix === "h" ? "household-form" : "home-form"); }

function fill(prefix, item) {
  const form = formOf(prefix);
  form.reset();
  for (const name of [...TEXTS[prefix], ...NUMBERS[prefix], "ofstedJudgementDate", "ofstedJudgement", "languages"]) {
    const el = document.getElementById(`${prefix}-${name}`);
    if (!el) continue;
    const value = item?.[name];
    el.value = value === null || value === undefined ? "" : Array.isArray(value) ? value.join(", ") : value;
  }
  for (const name of LISTS[prefix]) {
    for (const box of form.querySelectorAll(`input[name="${name}"]`)) box.checked = Boolean(item?.[name]?.includes(box.value));
  }
  for (const name of FLAGS[prefix]) document.getElementById(`${prefix}-${name}`).checked = item ? Boolean(item[name]) : name === "isActive";
}

function read(prefix) {
  const form = formOf(prefix);
  const input = {};
  for (const name of TEXTS[prefix]) input[name] = document.getElementById(`${prefix}-${name}`).value.trim();
  for (const name of NUMBERS[prefix]) {
    const raw = document.getElementById(`${prefix}-${name}`).value;
    input[name] = raw === "" ? null : Number(raw);
  }
  for (const name of LISTS[prefix]) input[name] = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((b) => b.value);
  for (const name of FLAGS[prefix]) input[name] = document.getElementById(`${prefix}-${name}`).checked;
  if (prefix === "h") {
    input.languages = document.getElementById("h-languages").value.split(",").map((s) => s.trim()).filter(Boolean);
  } else {
    input.ofstedJudgement = document.getElementById("c-ofstedJudgement").value || null;
    input.ofstedJudgementDate = document.getElementById("c-ofstedJudgementDate").value || null;
  }
  return input;
}

function missing(prefix, input) {
  return Object.entries(REQUIRED[prefix])
    .filter(([name]) => input[name] === null || input[name] === "" || (Array.isArray(input[name]) && !input[name].length))
    .map(([field, message]) => ({ field, message }));
}

function startEditing(prefix, item) {
  editing[prefix] = item?.id ?? null;
  fill(prefix, item);
  const [noun, panel] = prefix === "h" ? ["carer household", "household"] : ["children's home", "home"];
  const title = item ? `Edit ${item.reference ?? item.name}` : `Add a ${noun}`;
  document.getElementById(`${panel}-summary`).textContent = title;
  document.getElementById(`${panel}-save`).textContent = item ? "Save changes" : `Add ${panel}`;
  const details = document.getElementById(`${panel}-panel`);
  details.open = true;
  document.getElementById(`${prefix}-${prefix === "h" ? "reference" : "name"}`).focus();
}

async function save(prefix) {
  const input = read(prefix);
  const ids = Object.fromEntries(Object.keys(input).map((name) => [name, `${prefix}-${name}`]));
  const problems = missing(prefix, input);
  let errors = problems;
  if (!problems.length) {
    const [kind, field] = prefix === "h" ? ["CarerHousehold", "carerHousehold"] : ["ChildrensHome", "childrensHome"];
    const id = editing[prefix];
    const verb = id ? "update" : "create";
    const name = `${verb}${kind}`;
    const payload = id ? { id, ...input } : input;
    [, errors] = await mutate(`mutation($input: ${verb[0].toUpperCase()}${verb.slice(1)}${kind}Input!) { ${name}(input: $input) {
      ${field} { id } ${ERRORS} } }`, payload, name);
  }
  markFieldErrors(errors, input, ids);
  if (errors.length) { showErrorSummary(summary, errors, idFor(prefix)); return; }
  summary.hidden = true;
  const what = prefix === "h" ? `Household ${input.reference}` : `${input.name}`;
  announce(messages, `${what} ${editing[prefix] ? "saved" : "added"}.`);
  startEditing(prefix, null);
  document.getElementById(prefix === "h" ? "household-panel" : "home-panel").open = false;
  await loadAll();
}

document.getElementById("household-form").addEventListener("submit", (event) => { event.preventDefault(); save("h").catch(failed); });
document.getElementById("home-form").addEventListener("submit", (event) => { event.preventDefault(); save("c").catch(failed); });
for (const [prefix, panel] of [["h", "household"], ["c", "home"]]) {
  document.getElementById(`${panel}-cancel`).addEventListener("click", () => {
    startEditing(prefix, null);
    document.getElementById(`${panel}-panel`).open = false;
    summary.hidden = true;
    markFieldErrors([], {});
  });
}

// --- availability: the resource's open vacancy, posted, changed or closed ----------------------------------

const dialog = document.getElementById("availability");
let target = null;

function openAvailability(kind, id) {
  const item = kind === "CarerHousehold" ? households.get(id) : homes.get(id);
  target = { kind, id, item };
  const vacancy = openVacancy.get(`${kind}|${id}`);
  document.getElementById("availability-title").textContent = `Availability of ${item.reference ?? item.name}`;
  document.getElementById("availability-now").textContent = vacancy
    ? `Now: ${vacancy.places} free from ${day(vacancy.availableFrom)}.` : "Now: no place free.";
  document.getElementById("a-places").value = vacancy ? vacancy.places : "";
  document.getElementById("a-availableFrom").value = vacancy ? vacancy.availableFrom : new Date().toISOString().slice(0, 10);
  document.getElementById("availability-summary").hidden = true;
  markFieldErrors([], {});
  dialog.showModal();
  document.getElementById("a-places").focus();
}

async function saveAvailability() {
  const raw = document.getElementById("a-places").value;
  const places = raw === "" ? null : Number(raw);
  const availableFrom = document.getElementById("a-availableFrom").value;
  const vacancy = openVacancy.get(`${target.kind}|${target.id}`);
  const problems = [];
  if (places === null) problems.push({ field: "places", message: "Give the number of places free (0 when none is)." });
  if (places && !availableFrom) problems.push({ field: "availableFrom", message: "Give the date the places are free from." });
  let errors = problems;
  if (!problems.length && places === 0 && vacancy) {
    [, errors] = await mutate(`mutation($input: VacancyIdInput!) { closeVacancy(input: $input) { ${ERRORS} } }`, { id: vacancy.id }, "closeVacancy");
  } else if (!problems.length && places && vacancy) {
    [, errors] = await mutate(`mutation($input: UpdateVacancyInput!) { updateVacancy(input: $input) { ${ERRORS} } }`,
      { id: vacancy.id, places, availableFrom }, "updateVacancy");
  } else if (!problems.length && places) {
    const input = { places, availableFrom, [target.kind === "CarerHousehold" ? "carerHouseholdId" : "childrensHomeId"]: target.id };
    [, errors] = await mutate(`mutation($input: PostVacancyInput!) { postVacancy(input: $input) { ${ERRORS} } }`, input, "postVacancy");
  }
  const ids = { places: "a-places", availableFrom: "a-availableFrom" };
  markFieldErrors(errors, {}, ids);
  if (errors.length) { showErrorSummary(document.getElementById("availability-summary"), errors, (f) => ids[f] ?? ""); return; }
  dialog.close();
  announce(messages, `Availability of ${target.item.reference ?? target.item.name} saved: ${places ? `${places} free from ${day(availableFrom)}` : "none free"}.`);
  await loadAll();
}

document.getElementById("availability-form").addEventListener("submit", (event) => { event.preventDefault(); saveAvailability().catch(failed); });
document.getElementById("availability-cancel").addEventListener("click", () => dialog.close());

document.querySelector("main").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const id = button.closest("tr").dataset.id;
  if (button.dataset.act === "availability") openAvailability(button.dataset.kind, id);
  else if (button.dataset.act === "edit-household") startEditing("h", households.get(id));
  else if (button.dataset.act === "edit-home") startEditing("c", homes.get(id));
});

function failed(error) { announce(messages, error.message, "error"); }

loadAll().catch(failed);
