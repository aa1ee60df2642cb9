// A TCP proxy in front of the fixture's LSP, so a test can drop the network under a client: every
// connection is relayed as is, and `dropAll()` closes them all at once (the client must reconnect).
import net from "node:net";

/** Starts a proxy to 127.0.0.1:`targetPort`; resolves `{ url, connections, dropAll, close }`. */
export async function startProxy(targetPort) {
  const pairs = new Set();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair = [client, upstream];
    pairs.add(pair);
    const close = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Connections accepted so far. */
    get connections() {
      return connections;
    },
    dropAll,
    close: () =>
      new Promise((resolve) => {
        dropAll();
        server.close(resolve);
      }),
  };
}
