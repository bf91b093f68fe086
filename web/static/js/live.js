// A small graphql-transport-ws client: authenticates with the session cookie, shows the connection
// state, and after a dropped connection resubscribes with the last cursor so nothing is missed.
const stateLabels = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

function showState(state) {
  const el = document.getElementById("live-state");
  if (!el) return;
  el.hidden = false;
  el.dataset.state = state;
  el.textContent = stateLabels[state] ?? state;
}

export function subscribe(query, variables, { field, onData, onError }) {
  let cursor = variables.after ?? null;
  let socket = null;
  let attempt = 0;
  let stopped = false;

  function connect() {
    showState(attempt ? "reconnecting" : "connecting");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    socket = new WebSocket(url, "graphql-transport-ws");
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: {} })));
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "connection_ack") {
        attempt = 0;
        showState("live");
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables: { ...variables, after: cursor } } }));
      } else if (data.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (data.type === "next") {
        if (data.payload.errors?.length) {
          // A tab that stopped reading is cut off with its cursor: pick up from it, like after a drop.
          if (data.payload.errors.some((error) => /fell too far behind/.test(error.message))) {
            socket.close(4000, "resubscribe");
            return;
          }
          onError?.(data.payload.errors);
          return;
        }
        const item = data.payload.data[field];
        if (item?.cursor) cursor = item.cursor;
        onData(item);
      } else if (data.type === "error") {
        onError?.(data.payload);
        socket.close(4000, "resubscribe");
      }
    });
    socket.addEventListener("close", (event) => {
      if (stopped) return;
      if (event.code === 4401 || event.code === 4403) {
        location.assign(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
        return;
      }
      attempt += 1;
      showState("reconnecting");
      setTimeout(connect, Math.min(10000, 500 * 2 ** Math.min(attempt, 5)));
    });
  }
  connect();
  return {
    stop() { stopped = true; socket?.close(1000, "done"); },
    drop() { socket?.close(4000, "test drop"); },
    get cursor() { return cursor; },
  };
}
