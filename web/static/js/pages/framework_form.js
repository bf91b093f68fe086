// Create a framework (or a successor, copying a predecessor), or edit one's terms: /frameworks/new and
// /frameworks/edit?framework=<id>. Only what changed is sent on an edit; every problem is listed in the summary.
import { gql, mutate } from "../api.js";
import { announce, esc, markFieldErrors, showErrorSummary } from "../ui.js";

const form = document.getElementById("framework-form");
const summary = document.getElementById("framework-error-summary");
const messages = document.getElementById("messages");
const editing = location.pathname.endsWith("/edit");
const wanted = new URLSearchParams(location.search).get("framework");
const ERRORS = "errors { field code message }";
const TERMS = `id reference name startsOn endsOn extensionOptions minimumOfstedJudgement tierResponseHours
  emergencyResponseHours tierWindows { tier hours } qualityWeightPercent costWeightPercent canManage
  matchingWeights { distance specialisms languageAndCulture ofsted trackRecord isDefault }
  leadCouncil { id name } memberCouncils { id }`;
const TEXT = ["reference", "name", "startsOn", "endsOn", "extensionOptions", "minimumOfstedJudgement"];
const HOURS = ["tierResponseHours", "emergencyResponseHours", "qualityWeightPercent", "costWeightPercent"];
const WEIGHTS = ["distance", "specialisms", "languageAndCulture", "ofsted", "trackRecord"];
let loaded = null; // the framework being edited, as read

const field = (id) => document.getElementById(id);

async function load() {
  const data = await gql(`{ me { role council { id name } } councils { id name } frameworks { ${TERMS} } }`);
  const mine = data.me.council;
  // A commissioner creates frameworks its own council leads; an admin chooses.
  const leads = data.me.role === "PLATFORM_ADMIN" ? data.councils : data.councils.filter((c) => c.id === mine?.id);
  field("leadCouncilId").innerHTML = `<option value="">Choose…</option>` + leads.map((c) => `<option value="${esc(c.id)}">${esc(c.name)}</option>`).join("");
  if (leads.length === 1) field("leadCouncilId").value = leads[0].id;
  field("member-choices").innerHTML = data.councils.map((c) => `<label><input type="checkbox" id="member-${esc(c.id)}" value="${esc(c.id)}" data-member> ${esc(c.name)}</label>`).join("");
  const managed = data.frameworks.filter((f) => f.canManage);
  field("copyFrom").innerHTML = `<option value="">None: a new framework</option>` + managed.map((f) => `<option value="${esc(f.id)}">${esc(f.name)} (${esc(f.reference)})</option>`).join("");
  if (editing) {
    loaded = managed.find((f) => f.id === wanted);
    if (!loaded) { form.hidden = true; announce(messages, "There is no framework here you may change.", "error"); return; }
    fill(loaded);
  }
  form.removeAttribute("aria-busy");
}

function fill(f) {
  field("form-title").textContent = `Edit ${f.name}`;
  field("copy-section").hidden = true;
  field("lead-field").hidden = true;
  field("framework-submit").textContent = "Save changes";
  for (const name of TEXT) field(name).value = f[name] ?? "";
  for (const name of HOURS) field(name).value = f[name];
  for (const input of form.querySelectorAll("input[data-tier]")) input.value = f.tierWindows.find((w) => String(w.tier) === input.dataset.tier)?.hours ?? "";
  for (const name of WEIGHTS) field(`weight-${name}`).value = f.matchingWeights[name];
  const members = new Set(f.memberCouncils.map((c) => c.id));
  for (const box of form.querySelectorAll("input[data-member]")) box.checked = members.has(box.value);
}

/** The form's values as the API takes them, with the problems a person can fix before sending. */
function read() {
  const problems = [];
  const whole = (id, what) => {
    const text = field(id).value.trim();
    if (!/^\d+$/.test(text)) { problems.push({ field: id, message: `${what}: enter a whole number` }); return null; }
    return Number(text);
  };
  const values = {};
  for (const name of TEXT) values[name] = field(name).value.trim();
  values.tierResponseHours = whole("tierResponseHours", "Usual window");
  values.emergencyResponseHours = whole("emergencyResponseHours", "Emergency window");
  values.qualityWeightPercent = whole("qualityWeightPercent", "Quality");
  values.costWeightPercent = whole("costWeightPercent", "Cost");
  values.tierWindows = [...form.querySelectorAll("input[data-tier]")].filter((input) => input.value.trim())
    .map((input) => ({ tier: Number(input.dataset.tier), hours: whole(input.id, `Tier ${input.dataset.tier}`) }));
  values.matchingWeights = Object.fromEntries(WEIGHTS.map((name) => [name, whole(`weight-${name}`, field(`weight-${name}`).labels[0].textContent)]));
  values.memberCouncilIds = [...form.querySelectorAll("input[data-member]:checked")].map((box) => box.value);
  const required = [["reference", "Enter the framework's reference"], ["name", "Enter the framework's name"],
    ["startsOn", "Enter the date it starts"], ["endsOn", "Enter the date it ends"]];
  for (const [name, message] of required) if (!values[name]) problems.push({ field: name, message });
  if (!editing && !field("leadCouncilId").value) problems.push({ field: "leadCouncilId", message: "Choose the lead council" });
  return { values, problems };
}

/** On an edit, only what differs from the framework as read. */
function changes(values) {
  const changed = { id: loaded.id };
  for (const name of [...TEXT, ...HOURS]) if (values[name] !== loaded[name]) changed[name] = values[name];
  const windows = (list) => JSON.stringify([...list].sort((a, b) => a.tier - b.tier).map((w) => [w.tier, w.hours]));
  if (windows(values.tierWindows) !== windows(loaded.tierWindows)) changed.tierWindows = values.tierWindows;
  if (WEIGHTS.some((name) => values.matchingWeights[name] !== loaded.matchingWeights[name])) changed.matchingWeights = values.matchingWeights;
  const members = (ids) => JSON.stringify([...ids].sort());
  if (members(values.memberCouncilIds) !== members([...loaded.memberCouncils.map((c) => c.id)])) changed.memberCouncilIds = values.memberCouncilIds;
  return changed;
}

// An error naming tierWindows.0.hours goes to the tier it is about; matchingWeights.distance to its input.
function idOf(name, values) {
  const windowed = /^tierWindows\.(\d+)\./.exec(name);
  if (windowed) return `window-${values.tierWindows[Number(windowed[1])]?.tier ?? 1}`;
  const weight = /^matchingWeights\.(\w+)$/.exec(name);
  if (weight) return `weight-${weight[1]}`;
  if (name === "memberCouncilIds") return "memberCouncilIds";
  if (name === "id") return "reference";
  return name || "reference";
}

function showErrors(errors, values) {
  const ids = Object.fromEntries(errors.map((e) => [e.field ?? "", idOf(e.field ?? "", values)]));
  markFieldErrors(errors, {}, ids);
  showErrorSummary(summary, errors, (name) => ids[name] ?? idOf(name, values));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { values, problems } = read();
  if (problems.length) { showErrors(problems, values); return; }
  const selection = `framework { id name } ${ERRORS}`;
  let result;
  if (editing) {
    result = await mutate(`mutation($input: UpdateFrameworkInput!) { updateFramework(input: $input) { ${selection} } }`, changes(values), "updateFramework");
  } else {
    const input = { ...values, leadCouncilId: field("leadCouncilId").value };
    if (field("copyFrom").value) input.copyFrom = field("copyFrom").value;
    result = await mutate(`mutation($input: CreateFrameworkInput!) { createFramework(input: $input) { ${selection} } }`, input, "createFramework");
  }
  const [payload, errors] = result;
  if (errors.length) { showErrors(errors, values); return; }
  summary.hidden = true;
  location.assign(`/frameworks?framework=${encodeURIComponent(payload.framework.id)}&saved=${editing ? "edited" : "created"}`);
});

load().catch((error) => announce(messages, error.message, "error"));
