// GraphQL over HTTP for the portal: the session cookie authenticates, the CSRF header proves the page is ours.
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {}

export async function gql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401 || response.status === 403) {
    window.location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError("Signed out");
  }
  const body = await response.json();
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

/** Run a mutation; returns [payloadResult, userErrors]. */
export async function mutate(query, input, field) {
  const data = await gql(query, { input });
  const payload = data[field];
  return [payload, payload.errors ?? []];
}
