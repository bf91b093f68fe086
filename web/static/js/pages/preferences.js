// Which emails the signed-in person gets, and how: each choice is saved as it is made.
import { gql, mutate } from "../api.js";
import { announce, esc } from "../ui.js";

const messages = document.getElementById("messages");
const body = document.querySelector("#preferences tbody");
const CHOICES = [["IMMEDIATELY", "At once"], ["DIGEST", "In the morning digest"], ["OFF", "Not at all"]];

async function load() {
  const data = await gql(`{ notificationPreferences { notification delivery description isDefault } }`);
  body.innerHTML = data.notificationPreferences.map((p) => `<tr>
    <th scope="row"><label for="delivery-${esc(p.notification)}">${esc(p.description)}</label></th>
    <td><select id="delivery-${esc(p.notification)}" data-notification="${esc(p.notification)}">
      ${CHOICES.map(([value, label]) => `<option value="${value}"${value === p.delivery ? " selected" : ""}>${label}</option>`).join("")}
    </select></td></tr>`).join("") || `<tr><td colspan="2">Your role is sent no email.</td></tr>`;
}

body.addEventListener("change", async (event) => {
  const select = event.target.closest("select[data-notification]");
  if (!select) return;
  const [, errors] = await mutate(
    `mutation($input: SetNotificationPreferenceInput!) { setNotificationPreference(input: $input) { preference { delivery } errors { field code message } } }`,
    { notification: select.dataset.notification, delivery: select.value }, "setNotificationPreference");
  if (errors.length) announce(messages, errors[0].message, "error");
  else announce(messages, `Saved: ${select.closest("tr").querySelector("label").textContent}, ${select.selectedOptions[0].textContent.toLowerCase()}.`);
});

load();
