// A provider's duty desk, as a JavaScript integration would write it: the standard
// `graphql-ws` client over `ws`, authenticated in connection_init, printing the
// first referralInbox message as one line of JSON and exiting.
//
//   node inbox.mjs ws://127.0.0.1:8000/graphql <bearer token> [after-cursor]
//
// Prints "connected" on stderr once the server has acknowledged the connection.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, after] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node inbox.mjs <ws url> <bearer token> [after-cursor]');
  process.exit(2);
}

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { connected: () => console.error('connected') },
});

const query = `subscription Inbox($after: String) {
  referralInbox(after: $after) { cursor event referral { reference status } }
}`;

try {
  const subscription = client.iterate({ query, variables: { after: after ?? null } });
  const { value, done } = await subscription.next();
  if (done) throw new Error('the subscription completed without a message');
  console.log(JSON.stringify(value));
  await subscription.return();
} catch (error) {
  // graphql-ws rejects with the socket's CloseEvent when the server closes it (code 4403: Forbidden).
  console.error(error instanceof Error ? error.stack : `closed ${error.code} ${error.reason}`);
  process.exitCode = 1;
} finally {
  await client.dispose();
}
