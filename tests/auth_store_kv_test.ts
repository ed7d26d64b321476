import { createKvAuthStore } from "../store/auth/kv/mod.ts";
import { runAuthStoreConformance } from "./conformance/auth/mod.ts";

runAuthStoreConformance("kv", async (opts) => {
  const kv = await Deno.openKv(":memory:");
  return { store: createKvAuthStore(kv, opts), close: () => kv.close() };
});
