// Platform admins: the emails parked as failed, and sending one again.
import { gql, mutate } from "../api.js";
import { announce, esc, when } from "../ui.js";

const messages = document.getElementById("messages");

async function load() {
  const data = await gql(`{ parkedEmails(first: 100) { edges { node { id notification recipient attempts lastError queuedAt } } } }`);
  document.querySelector("#parked tbody").innerHTML = data.parkedEmails.edges.map(({ node: m }) => `<tr>
    <td data-label="Kind of email">${esc(m.notification.replaceAll("_", " "))}</td>
    <td data-label="To">${esc(m.recipient)}</td><td data-label="Attempts">${esc(m.attempts)}</td>
    <td data-label="Last answer">${esc(m.lastError)}</td><td data-label="Queued">${esc(when(m.queuedAt))}</td>
    <td><button type="button" data-retry="${esc(m.id)}">Send again<span class="visually-hidden"> to ${esc(m.recipient)}</span></button></td></tr>`).join("")
    || `<tr><td colspan="6">No parked emails. Everything queued has been sent or is still being tried.</td></tr>`;
}

document.getElementById("parked").addEventListener("click", async (event) => {
  const id = event.target.closest("button[data-retry]")?.dataset.retry;
  if (!id) return;
  const [, errors] = await mutate(`mutation($input: RetryParkedEmailInput!) { retryParkedEmail(input: $input) {
    errors { field message } } }`, { id }, "retryParkedEmail");
  if (errors.length) announce(messages, errors.map((e) => e.message).join(" "), "error");
  else { announce(messages, "Queued again: it will be sent now."); await load(); }
});

load().catch((error) => announce(messages, error.message, "error"));
