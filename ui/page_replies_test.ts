import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { MAX_PAGE_REPLY_BYTES, replyScript, startPageReplies } from "./page_replies.ts";

/** All of `replies`' elements, in the order they came. */
async function drain(r: ReturnType<typeof startPageReplies>): Promise<string[]> {
  const out: string[] = [];
  for (let next = await r.next(); next !== null; next = await r.next()) out.push(next);
  return out;
}

const ok = (body: string) => () => Promise.resolve(new Response(body, { status: 200 }));

/** A 200 reply whose body is `body` after `ms`; `cancelled` tells whether it was cancelled. */
function slow(body: string, ms: number) {
  const state = { cancelled: false };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reply = () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            timer = setTimeout(() => {
              controller.enqueue(new TextEncoder().encode(body));
              controller.close();
            }, ms);
          },
          cancel() {
            clearTimeout(timer);
            state.cancelled = true;
          },
        }),
        { status: 200 },
      ),
    );
  return { reply, state };
}

Deno.test("replyScript() leaves nothing that closes the element or breaks the attribute", () => {
  const json = JSON.stringify({ key: "</script><!--<b>", n: 1 });
  const html = replyScript('/api?a=1&b="x"<', json);
  assert.equal(
    html,
    '<script type="application/json" data-reply="/api?a=1&amp;b=&quot;x&quot;&lt;">' +
      '{"key":"\\u003c/script>\\u003c!--\\u003cb>","n":1}</script>',
  );
  // The element's text is still the same JSON.
  const text = html.slice(html.indexOf(">") + 1, -"</script>".length);
  assert.deepEqual(JSON.parse(text), JSON.parse(json));
  assert.equal(html.match(/<\/script/gi)?.length, 1);
});

Deno.test("startPageReplies() hands out each reply as it completes", async () => {
  const late = slow('{"a":1}', 40);
  const r = startPageReplies([
    { url: "/late", reply: late.reply },
    { url: "/soon", reply: ok('{"b":2}') },
  ]);
  const got = await drain(r);
  assert.equal(got.length, 2);
  assert.match(got[0], /data-reply="\/soon">\{"b":2\}</);
  assert.match(got[1], /data-reply="\/late">\{"a":1\}</);
  assert.equal(await r.next(), null);
});

Deno.test("startPageReplies() leaves out replies that fail, are not 200 or are too large", async () => {
  const logged: unknown[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const got = await drain(startPageReplies([
      {
        url: "/callers",
        reply: () => Promise.reject(new MlflowError("INVALID_PARAMETER_VALUE", "bad key")),
      },
      { url: "/404", reply: () => Promise.resolve(new Response("{}", { status: 404 })) },
      { url: "/huge", reply: ok("x".repeat(MAX_PAGE_REPLY_BYTES + 1)) },
      { url: "/broken", reply: () => Promise.reject(new Error("KV is gone")) },
      { url: "/fine", reply: ok("[]") },
    ]));
    assert.deepEqual(got, ['<script type="application/json" data-reply="/fine">[]</script>']);
    // The caller's error is the island's to show; only the server's own failure is logged.
    assert.equal(logged.length, 1);
    assert.match(String((logged[0] as unknown[])[0]), /page reply \/broken failed/);
  } finally {
    console.error = error;
  }
});

Deno.test("startPageReplies() stops waiting at its deadline and cancels the read", async () => {
  const stuck = slow("{}", 5_000);
  const started = Date.now();
  const got = await drain(startPageReplies([{ url: "/stuck", reply: stuck.reply }], 50));
  assert.deepEqual(got, []);
  assert.ok(Date.now() - started < 2_000);
  assert.equal(stuck.state.cancelled, true);
});

Deno.test("startPageReplies(): cancel() stops the reads in flight", async () => {
  const stuck = slow("{}", 5_000);
  const r = startPageReplies([{ url: "/stuck", reply: stuck.reply }]);
  const next = r.next();
  await new Promise((resolve) => setTimeout(resolve, 10));
  r.cancel();
  assert.equal(await next, null);
  assert.equal(stuck.state.cancelled, true);
});
