/** Conformance: no password, token or hash ever appears in an error message or a result. */
import assert from "node:assert/strict";
import { MlflowError } from "../../../store/errors.ts";
import type { DefineAuth } from "./_harness.ts";

const SECRET_PW = "s3cret-Pa55word-xyzzy";

/** Registers the secrecy tests. */
export function secretConformance(test: DefineAuth): void {
  test("errors and results never carry a password, a token or a hash", async (store) => {
    const alice = await store.createUser("alice", SECRET_PW, true);
    const { token } = await store.createToken("alice", "laptop");
    const session = await store.createSession(alice.id, 60_000);
    const secrets = [SECRET_PW, token, token.slice(4), session.id, "pbkdf2", "$"];
    const messages: string[] = [];
    const attempts: (() => Promise<unknown>)[] = [
      () => store.createUser("alice", SECRET_PW, false),
      () => store.createUser("bob", SECRET_PW.slice(0, 5), false),
      () => store.createUser(SECRET_PW.slice(0, 3) + ":x", SECRET_PW, false),
      () => store.updatePassword("alice", SECRET_PW.slice(0, 5)),
      () => store.updatePassword("nobody", SECRET_PW),
      () => store.revokeToken("alice", token),
      () => store.revokeToken("alice", token.slice(4)),
      () => store.createToken("alice", ""),
      () => store.getUser("nobody"),
    ];
    for (const attempt of attempts) {
      try {
        await attempt();
        assert.fail("expected an error");
      } catch (e) {
        assert.ok(e instanceof MlflowError, String(e));
        messages.push(e.message);
      }
    }
    const results = JSON.stringify([
      await store.getUser("alice"),
      await store.listUsers(),
      await store.listTokens("alice"),
      await store.getSession(session.id),
      await store.verifyPassword("alice", SECRET_PW),
      await store.verifyToken(token),
      await store.getUserById(alice.id),
    ]);
    for (const s of secrets) {
      for (const m of messages) assert.ok(!m.includes(s), `"${s}" in: ${m}`);
      assert.ok(!results.includes(s), `"${s}" in results`);
    }
  });
}
