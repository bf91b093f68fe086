// User accounts (platform admins: everyone; provider admins: their own staff) and API tokens: create a user
// with a role one may grant, make a token (its secret shown once), revoke one.
import { gql, mutate } from "../api.js";
import { announce, day, esc, label, markFieldErrors, showErrorSummary, when } from "../ui.js";

const messages = document.getElementById("messages");
const userForm = document.getElementById("user-form");
const tokenForm = document.getElementById("token-form");
let me = null;
let tokens = new Map();

async function loadUsers() {
  const data = await gql(`{ users(first: 100) { edges { node { id displayName email role lastLoginAt council { name } provider { name } } } } }`);
  document.querySelector("#users tbody").innerHTML = data.users.edges.map(({ node: u }) => `<tr>
    <th scope="row" data-label="Name">${esc(u.displayName)}</th><td data-label="Email">${esc(u.email)}</td>
    <td data-label="Role">${esc(label("Role", u.role))}</td><td data-label="Organisation">${esc(u.council?.name ?? u.provider?.name ?? "The platform")}</td>
    <td data-label="Last signed in">${u.lastLoginAt ? esc(when(u.lastLoginAt)) : "Never"}</td></tr>`).join("")
    || `<tr><td colspan="5">No accounts yet.</td></tr>`;
}

async function loadTokens() {
  const data = await gql(`{ apiTokens { id name prefix createdAt expiresAt lastUsedAt revokedAt owner { email } } }`);
  tokens = new Map(data.apiTokens.map((t) => [t.id, t]));
  const whose = me.role === "PLATFORM_ADMIN";
  document.querySelector("#tokens tbody").innerHTML = data.apiTokens.map((t) => `<tr data-token="${esc(t.id)}">
    <th scope="row" data-label="Name">${esc(t.name)}</th><td data-label="Starts with"><code>${esc(t.prefix || "–")}</code>…</td>
    ${whose ? `<td data-label="Whose">${esc(t.owner.email)}</td>` : ""}
    <td data-label="Created">${esc(when(t.createdAt))}</td><td data-label="Last used">${t.lastUsedAt ? esc(when(t.lastUsedAt)) : "Never"}</td>
    <td data-label="Expires">${esc(day(t.expiresAt))}</td>
    <td data-label="Status">${t.revokedAt ? `Revoked ${esc(when(t.revokedAt))}` : new Date(t.expiresAt) < new Date() ? "Expired" : "Active"}</td>
    <td>${t.revokedAt ? "" : `<button type="button" class="danger" data-revoke="${esc(t.id)}">Revoke<span class="visually-hidden"> ${esc(t.name)}</span></button>`}</td></tr>`).join("")
    || `<tr><td colspan="8">No API tokens yet.</td></tr>`;
}

async function loadChoices() {
  const data = await gql(`{ me { role provider { id name } } grantableRoles }`);
  me = data.me;
  if (!userForm) return; // only those who may create accounts have the users part of the page
  document.getElementById("role").innerHTML = `<option value="">Choose…</option>`
    + data.grantableRoles.map((role) => `<option value="${esc(role)}">${esc(label("Role", role))}</option>`).join("");
  if (me.role === "PLATFORM_ADMIN") {
    const orgs = await gql(`{ councils { id name } providers { id name } }`);
    const options = (items) => `<option value="">Choose…</option>` + items.map((o) => `<option value="${esc(o.id)}">${esc(o.name)}</option>`).join("");
    document.getElementById("councilId").innerHTML = options(orgs.councils);
    document.getElementById("providerId").innerHTML = options(orgs.providers);
  }
}

// Council staff belong to a council, provider staff to a provider (a provider admin's: its own), admins to none.
const COUNCIL_ROLES = ["PLACEMENT_OFFICER", "COMMISSIONER"];
const PROVIDER_ROLES = ["PROVIDER_RESPONDER", "PROVIDER_ADMIN"];
document.getElementById("role")?.addEventListener("change", (event) => {
  const role = event.target.value;
  document.getElementById("council-choice").hidden = !COUNCIL_ROLES.includes(role);
  document.getElementById("provider-choice").hidden = !(PROVIDER_ROLES.includes(role) && me.role === "PLATFORM_ADMIN");
});

function showErrors(summary, errors, ids = {}) {
  markFieldErrors(errors, {}, ids);
  showErrorSummary(document.getElementById(summary), errors, (field) => ids[field] ?? field.split(".")[0]);
}

userForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  const role = value("role");
  const input = { displayName: value("displayName"), email: value("email"), password: document.getElementById("password").value, role };
  if (COUNCIL_ROLES.includes(role)) input.councilId = value("councilId");
  if (PROVIDER_ROLES.includes(role)) input.providerId = me.role === "PLATFORM_ADMIN" ? value("providerId") : me.provider?.id;
  const missing = [["displayName", "Enter their name"], ["email", "Enter their email address"], ["role", "Choose their role"],
    ["password", "Enter a first password"]].filter(([id]) => !input[id]).map(([field, message]) => ({ field, message }));
  if ("councilId" in input && !input.councilId) missing.push({ field: "councilId", message: "Choose their council" });
  if ("providerId" in input && !input.providerId) missing.push({ field: "providerId", message: "Choose their provider" });
  if (missing.length) { showErrors("user-error-summary", missing); return; }
  const [payload, errors] = await mutate(`mutation($input: CreateUserInput!) { createUser(input: $input) {
    user { email } errors { field code message } } }`, input, "createUser");
  if (errors.length) { showErrors("user-error-summary", errors); return; }
  document.getElementById("user-error-summary").hidden = true;
  markFieldErrors([], {});
  userForm.reset();
  for (const id of ["council-choice", "provider-choice"]) document.getElementById(id).hidden = true;
  await loadUsers();
  announce(messages, `${payload.user.email} can now sign in with the password you gave them.`);
});

tokenForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = document.getElementById("tokenName").value.trim();
  const days = Number(document.getElementById("days").value || 0);
  const ids = { name: "tokenName" };
  const problems = [...(name ? [] : [{ field: "name", message: "Say what the token is for" }]),
    ...(days >= 1 && days <= 730 ? [] : [{ field: "days", message: "A token lasts between 1 and 730 days" }])];
  if (problems.length) { showErrors("token-error-summary", problems, ids); return; }
  const [payload, errors] = await mutate(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
    token tokenId expiresAt errors { field code message } } }`, { name, days }, "createApiToken");
  if (errors.length) { showErrors("token-error-summary", errors, ids); return; }
  document.getElementById("token-error-summary").hidden = true;
  markFieldErrors([], {});
  tokenForm.reset();
  // The secret lives only in this box, until it is dismissed: it is not kept anywhere else on the page.
  const panel = document.getElementById("new-token");
  document.getElementById("new-token-value").value = payload.token;
  document.getElementById("copy-state").textContent = "";
  panel.hidden = false;
  panel.focus();
  await loadTokens();
});

document.getElementById("copy-token").addEventListener("click", async () => {
  const field = document.getElementById("new-token-value");
  const state = document.getElementById("copy-state");
  try {
    await navigator.clipboard.writeText(field.value);
    state.textContent = "Copied. Paste it into the system that will use it.";
  } catch {
    field.select();
    state.textContent = "Your browser would not copy it: it is selected, press Ctrl+C (or ⌘C) to copy.";
  }
});

document.getElementById("done-token").addEventListener("click", () => {
  document.getElementById("new-token-value").value = "";
  document.getElementById("new-token").hidden = true;
  document.getElementById("tokenName").focus();
});

const dialog = document.getElementById("revoke-dialog");
document.getElementById("tokens").addEventListener("click", (event) => {
  const id = event.target.closest("button[data-revoke]")?.dataset.revoke;
  if (!id) return;
  const token = tokens.get(id);
  document.getElementById("revoke-which").textContent = `"${token.name}", starting ${token.prefix}…`;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "revoke") return;
    const [, errors] = await mutate(`mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) {
      ok errors { field code message } } }`, { tokenId: id }, "revokeApiToken");
    if (errors.length) announce(messages, errors.map((e) => e.message).join(" "), "error");
    else { await loadTokens(); announce(messages, `Revoked "${token.name}": it no longer works.`); }
  }, { once: true });
});

loadChoices().then(() => Promise.all([userForm ? loadUsers() : null, loadTokens()])).catch((error) => announce(messages, error.message, "error"));
