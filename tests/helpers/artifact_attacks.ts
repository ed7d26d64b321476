/**
 * The traversal and injection shapes of mlflow-rest.md §9 and §11, as raw requests on every
 * artifact route that takes a path, and a raw-socket client to send them: shared by the attack
 * tests of each artifact backend (tests/artifacts_api_test.ts on local disk,
 * tests/artifacts_azure_test.ts on Azurite).
 *
 * @module
 */

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const MPU = "/api/2.0/mlflow-artifacts/mpu";
const API = "/api/2.0/mlflow";

/** What the shapes aim at: names outside the repository's root, and a run inside it. */
export interface AttackTarget {
  /** Where the repository's root lives (a directory, or a blob prefix). */
  dir: string;
  /** An absolute name of a canary outside the root. */
  canary: string;
  /** A run whose artifact root is proxied. */
  runId: string;
}

/** A raw HTTP response: status, the header block as text, and the body. */
export interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends one HTTP/1.1 request with the target exactly as given (no URL normalisation). */
export async function rawRequest(
  port: number,
  method: string,
  target: string,
  body?: string,
  contentType?: string,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = [
      `${method} ${target} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Connection: close",
      `Content-Length: ${new TextEncoder().encode(body ?? "").byteLength}`,
      ...(contentType ? [`Content-Type: ${contentType}`] : []),
    ];
    await conn.write(new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n${body ?? ""}`));
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const buf = new Uint8Array(64 * 1024);
    for (let n; (n = await conn.read(buf)) !== null;) chunks.push(buf.slice(0, n));
    const text = new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
    const split = text.indexOf("\r\n\r\n");
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    return { status, headers: text.slice(0, split), body: text.slice(split + 4) };
  } finally {
    conn.close();
  }
}

/** One attack: how it is written in a URL path, and in a `path=` query value. */
export interface Shape {
  name: string;
  /** Raw `{artifact_path}` values (placed after `/artifacts/` verbatim). */
  paths: (f: AttackTarget) => string[];
  /** Raw `path=` query values (placed verbatim after `path=`). */
  queries: (f: AttackTarget) => string[];
}

export const UP = 8; // deeper than any root used here, so "up" always reaches the temp dir and beyond

export const SHAPES: Shape[] = [
  {
    name: "../ traversal",
    paths: () => [`${"../".repeat(UP)}canary.txt`, `x/${"../".repeat(UP)}etc/passwd`, ".."],
    queries: () => [`${"../".repeat(UP)}canary.txt`, "..", `x/../../etc`],
  },
  {
    name: "%2e%2e%2f (encoded traversal)",
    paths: () => [
      `${"%2e%2e%2f".repeat(UP)}canary.txt`,
      `${"..%2f".repeat(UP)}etc%2fpasswd`,
      `${"%2E%2E/".repeat(UP)}canary.txt`,
    ],
    queries: () => [`${"%2e%2e%2f".repeat(UP)}canary.txt`, `${"..%2F".repeat(UP)}etc`],
  },
  {
    name: "%252e%252e%252f (double-encoded traversal, the DELETE CVE)",
    paths: () => [
      `${"%252e%252e%252f".repeat(UP)}canary.txt`,
      `${"%252E%252E%252F".repeat(UP)}etc`,
      `${"%25252e%25252e%25252f".repeat(UP)}canary.txt`,
    ],
    queries: () => [
      `${"%252e%252e%252f".repeat(UP)}canary.txt`,
      `${"%25252e%25252e%25252f".repeat(UP)}etc`,
    ],
  },
  {
    name: "backslashes",
    paths: () => [`${"..\\".repeat(UP)}canary.txt`, `${"..%5c".repeat(UP)}canary.txt`, "a\\b.txt"],
    queries: () => [`${"..\\".repeat(UP)}canary.txt`, `${"..%5C".repeat(UP)}etc`, "a%5Cb.txt"],
  },
  {
    name: "drive letters and absolute paths",
    paths: (f) => [
      "C:/canary.txt",
      "c:%5Cwindows%5Cwin.ini",
      "C:",
      `${encodeURIComponent(f.canary)}`,
      `%2F${encodeURIComponent(f.dir.slice(1))}%2Fetc`,
    ],
    queries: (f) => ["C:/", "C:", "c:%5C", f.canary, encodeURIComponent(`${f.dir}/etc`), "/"],
  },
  {
    name: "//etc/passwd (no slash-merging redirect)",
    paths: (f) => ["/etc/passwd", `${f.dir}/etc/passwd`, `/${f.dir}/canary.txt`, "a//b.txt"],
    queries: (f) => ["//etc/passwd", `/${f.dir}/canary.txt`, "a//b"],
  },
  {
    name: "# and %23",
    paths: () => ["a%23b.txt", "x.txt#frag", "%2523.txt", `x#/${"../".repeat(UP)}canary.txt`],
    queries: () => ["a%23b", "%2523", `x%23/${"../".repeat(UP)}canary.txt`],
  },
  {
    name: "; parameters",
    paths: () => ["x;y.txt", "x%3By.txt", `;/${"../".repeat(UP)}canary.txt`],
    queries: () => ["x;y", "x%3By", "%253B"],
  },
  {
    name: "control characters",
    paths: () => ["a%01b.txt", "a%0Ab.txt", "a%0D%0Ab.txt", "a%1Fb", "a%7Fb", "a%C2%85b"],
    queries: () => ["a%01b", "a%0Ab", "a%250Ab", "a%1Bb", "a%7F"],
  },
  {
    name: "NUL byte",
    paths: () => ["a%00b.txt", "canary.txt%00.png", "%2500", "a%25%30%30b"],
    queries: () => ["a%00b", "%2500", `${"../".repeat(UP)}canary.txt%00`],
  },
];

/** Every route that takes a path, as raw requests. */
export function attacks(f: AttackTarget, shape: Shape): [string, string, string?, string?][] {
  const out: [string, string, string?, string?][] = [];
  const json = "application/json";
  for (const p of shape.paths(f)) {
    out.push(["PUT", `${PROXY}/${p}`, "pwned", "text/plain"]);
    out.push(["PUT", `/ajax-api/2.0/mlflow-artifacts/artifacts/${p}`, "pwned"]);
    out.push(["GET", `${PROXY}/${p}`]);
    out.push(["DELETE", `${PROXY}/${p}`]);
    out.push(["POST", `${MPU}/create/${p}`, '{"path":"a","num_parts":1}', json]);
    out.push(["POST", `${MPU}/abort/${p}`, '{"path":"a","upload_id":"u"}', json]);
  }
  for (const q of shape.queries(f)) {
    out.push(["GET", `${PROXY}?path=${q}`]);
    out.push(["GET", `${API}/artifacts/list?run_id=${f.runId}&path=${q}`]);
    out.push(["GET", `/get-artifact?run_id=${f.runId}&path=${q}`]);
    out.push(["GET", `/get-artifact?run_uuid=${f.runId}&path=${q}`]);
    out.push([
      "POST",
      `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${f.runId}&path=${q}`,
      "pwned",
    ]);
  }
  return out;
}
