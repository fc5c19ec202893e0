/**
 * A loopback TCP proxy between the bot and its database server, which a test can turn into a server that is not
 * there (new connections refused, as nothing listens on the port) or a network that drops the connections in use.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The loopback port the bot connects to. */
  readonly port: number;
  /** Stops listening (a connection attempt is refused) and drops every connection, as a server that went away. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /**
   * Drops every connection open through the proxy, and keeps accepting new ones: `reset` resets both ends (the peer
   * reads ECONNRESET), `end` closes them (the peer reads the end of the stream, as when a server process exits).
   */
  drop(how?: "reset" | "end"): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    // A reset end is what this proxy is for: the other end sees it, this one has nothing to report.
    socket.on("error", () => socket.destroy());
  };
  const relay = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  };
  const listen = (server: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  const drop = (how: "reset" | "end" = "reset") => {
    for (const socket of open) {
      if (how === "reset") socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  let server = createServer(relay);
  await listen(server, 0);
  const { port } = server.address() as { port: number };
  let listening = true;
  const stop = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise((resolve) => server.close(resolve));
    drop();
    await closed;
  };
  return {
    port,
    refuse: stop,
    async accept() {
      if (listening) return;
      server = createServer(relay);
      await listen(server, port);
      listening = true;
    },
    drop,
    close: stop,
  };
}
