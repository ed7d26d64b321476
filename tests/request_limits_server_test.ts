/**
 * Issue 10 #3 and #7 against a real server process: memory under element-heavy bodies (RSS read
 * from /proc), and slow clients on raw sockets (127.0.0.1 only, every loop bounded).
 */
import assert from "node:assert/strict";
import { type RunningServer, startServer } from "./server_helpers.ts";

const SEARCH = "/api/2.0/mlflow/experiments/search";

/** The server process's resident set in MB (Linux `/proc`). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

/** `host:port` of a running server. */
function addr(server: RunningServer): { hostname: string; port: number } {
  const url = new URL(server.url);
  return { hostname: url.hostname, port: Number(url.port) };
}

/**
 * Reads from `conn` until the server closes it or `ms` pass; returns what arrived and whether
 * the connection was closed by then. With `untilReply`, it also stops once one whole response
 * is in (see replyComplete): for steps that check the reply but not the socket,
 * so they need not sit out the deadline on a connection the server rightly keeps open.
 */
async function readUntilClosed(
  conn: Deno.Conn,
  ms: number,
  untilReply = false,
): Promise<{ text: string; closed: boolean; afterMs: number }> {
  const started = performance.now();
  const decoder = new TextDecoder();
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => resolve("deadline"), ms);
  });
  try {
    for (;;) {
      const n = await Promise.race([conn.read(buf).catch(() => null), deadline]);
      if (n === "deadline") return { text, closed: false, afterMs: performance.now() - started };
      if (n === null) return { text, closed: true, afterMs: performance.now() - started };
      text += decoder.decode(buf.subarray(0, n));
      if (untilReply && replyComplete(text)) {
        return { text, closed: false, afterMs: performance.now() - started };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether `text` holds a response head and its whole body: Content-Length bytes, or (chunked)
 * one complete chunk, since kvflow writes an error reply as one chunk; the terminating chunk
 * may never come while the server still waits on the stalled request body.
 */
function replyComplete(text: string): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = text.slice(0, end);
  const body = enc.encode(text.slice(end + 4));
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) return body.length >= Number(length[1]);
  const chunk = /^([0-9a-f]+)\r\n/i.exec(text.slice(end + 4));
  return chunk !== null && body.length >= chunk[0].length + parseInt(chunk[1], 16) + 2;
}

const enc = new TextEncoder();

/** Opens a socket and sends a request head announcing `length` body bytes. */
async function openPost(
  server: RunningServer,
  path: string,
  length: number,
  method = "POST",
  contentType = "application/json",
): Promise<Deno.Conn> {
  const conn = await Deno.connect(addr(server));
  await conn.write(enc.encode(
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n` +
      `Content-Length: ${length}\r\n\r\n`,
  ));
  return conn;
}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close();
  } catch {
    // Already closed by the server.
  }
}

Deno.test({
  name:
    "regression: ten parallel 32 MB element-heavy bodies to experiments/search are 413 without RSS growth (issue 10 #3)",
  // The server subprocess's pipes are drained by the helper until stop().
  sanitizeResources: false,
  fn: async () => {
    await using server = await startServer();
    const pid = server.process.pid;
    // Warm up (routes, zod schemas), then take the baseline.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}${SEARCH}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      await res.body?.cancel();
    }
    const before = await rssMb(pid);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssMb(pid));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const body = enc.encode(`{"x":[${"{},".repeat(32_000_000 / 3)}{}]}`);
    /** A declared length (413 from the header alone) or a chunked stream (413 while reading). */
    const send = async (chunked: boolean) => {
      const res = await fetch(`${server.url}${SEARCH}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunked ? new Blob([body]).stream() : body,
        signal: AbortSignal.timeout(60_000),
      }).catch((err) => err as Error);
      // The server answers and closes before the whole body is sent; the client may then see a
      // reset instead of the 413. Either way nothing was parsed.
      if (res instanceof Error) return "reset";
      // The reply's body ends by closing the connection (routes/close_connection.ts).
      await res.body?.cancel();
      assert.equal(res.status, 413);
      return "413";
    };
    let results: string[];
    try {
      results = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 === 1)));
    } finally {
      sampling = false;
      await sampler;
    }
    const after = await rssMb(pid);
    console.log(
      `RSS before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after ${
        after.toFixed(0)
      } MB; replies ${results.join(",")}`,
    );
    assert.ok(results.includes("413"), results.join(","));
    assert.ok(peak - before < 300, `RSS grew by ${(peak - before).toFixed(0)} MB`);
    // Still serving.
    const health = await fetch(`${server.url}/health`);
    assert.equal(await health.text(), "OK");
  },
});

Deno.test({
  name:
    "regression: slow request bodies are answered 408 within the timeouts, trickling ones closed (issue 10 #7)",
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "kvflow-slow-" });
    await using server = await startServer({
      args: ["--body-idle-timeout", "1", "--body-timeout", "3", "--artifacts-destination", dir],
    });
    try {
      await t.step("a JSON body that stops after one byte", async () => {
        const conn = await openPost(server, SEARCH, 100);
        await conn.write(enc.encode("{"));
        const got = await readUntilClosed(conn, 5_000, true);
        closeQuietly(conn);
        assert.match(got.text, /^HTTP\/1\.1 408 /, got.text);
        assert.match(got.text, /"error_code":"BAD_REQUEST"/);
        assert.match(got.text, /no data received for 1 seconds/);
        // A silent client's socket is not closed: Deno.serve keeps a connection whose body read
        // was cancelled while pending (routes/close_connection.ts). A trickling one's is.
      });

      await t.step("a JSON body trickling one byte every 0.5 s", async () => {
        const conn = await openPost(server, SEARCH, 100);
        let stop = false;
        const trickle = (async () => {
          for (let i = 0; i < 30 && !stop; i++) {
            await conn.write(enc.encode(" ")).catch(() => stop = true);
            await new Promise((r) => setTimeout(r, 500));
          }
        })();
        const got = await readUntilClosed(conn, 15_000);
        stop = true;
        await trickle;
        closeQuietly(conn);
        assert.match(got.text, /^HTTP\/1\.1 408 /, got.text);
        assert.match(got.text, /not received in full within 3 seconds/);
        assert.ok(got.closed, "connection still open");
        assert.ok(got.afterMs < 10_000, `closed after ${got.afterMs} ms`);
      });

      await t.step("an artifact PUT that stops mid-body", async () => {
        const conn = await openPost(
          server,
          "/api/2.0/mlflow-artifacts/artifacts/0/slow/a.bin",
          1_000_000,
          "PUT",
          "application/octet-stream",
        );
        await conn.write(new Uint8Array(10_000));
        const got = await readUntilClosed(conn, 5_000, true);
        closeQuietly(conn);
        assert.match(got.text, /^HTTP\/1\.1 408 /, got.text);
        assert.match(got.text, /no data received for 1 seconds/);
      });
      await t.step(
        "an error answered before a small body is read is a complete reply; the connection stays",
        async () => {
          const conn = await openPost(server, "/api/2.0/mlflow/no-such-endpoint", 2);
          await conn.write(enc.encode("{}"));
          const got = await readUntilClosed(conn, 1_500);
          closeQuietly(conn);
          assert.match(got.text, /^HTTP\/1\.1 404 /, got.text);
          assert.match(got.text, /\r\ncontent-length: \d+\r\n/i, got.text);
          assert.match(got.text, /\{"error_code":"ENDPOINT_NOT_FOUND","message":"[^"]*"\}$/);
          assert.ok(!got.closed, "connection closed");
        },
      );
      await t.step(
        "an error answered before a large body is read closes the connection",
        async () => {
          // Over DRAIN_MAX_BYTES: not worth reading just to send a complete reply.
          const conn = await openPost(server, "/api/2.0/mlflow/no-such-endpoint", 2_000_000);
          await conn.write(enc.encode("{"));
          const got = await readUntilClosed(conn, 10_000);
          closeQuietly(conn);
          assert.match(got.text, /^HTTP\/1\.1 404 /, got.text);
          assert.ok(got.closed, "connection still open");
        },
      );

      await t.step("a body over its cap is 413 and the connection closes", async () => {
        const conn = await openPost(server, SEARCH, 100_000_000);
        await conn.write(enc.encode("{"));
        const got = await readUntilClosed(conn, 10_000);
        closeQuietly(conn);
        assert.match(got.text, /^HTTP\/1\.1 413 /, got.text);
        assert.match(got.text, /"error_code":"INVALID_PARAMETER_VALUE"/);
        assert.ok(got.closed, "connection still open");
      });
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the server answers /health within 1 s while 50 slow sockets are open (issue 10 #7)",
  sanitizeResources: false,
  fn: async () => {
    await using server = await startServer();
    const conns: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 25; i++) {
        // A request head that never ends (headers trickle in; Deno.serve has no header timeout).
        const conn = await Deno.connect(addr(server));
        await conn.write(enc.encode("POST /api/2.0/mlflow/experiments/search HTTP/1.1\r\nHost: x"));
        conns.push(conn);
      }
      for (let i = 0; i < 25; i++) {
        // A body that stopped after one byte (held for the 60 s default idle timeout).
        const conn = await openPost(server, SEARCH, 100);
        await conn.write(enc.encode("{"));
        conns.push(conn);
      }
      for (let round = 0; round < 3; round++) {
        await Promise.all(conns.slice(0, 25).map((c) => c.write(enc.encode("a"))));
        const started = performance.now();
        const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(10_000) });
        assert.equal(await res.text(), "OK");
        const ms = performance.now() - started;
        assert.ok(ms < 1_000, `/health took ${ms.toFixed(0)} ms`);
      }
    } finally {
      conns.forEach(closeQuietly);
    }
  },
});
