import { createKvStore } from "../store/kv/mod.ts";
import { runTrackingStoreConformance } from "./store_conformance.ts";
import { identityConformance } from "./conformance/identity.ts";

runTrackingStoreConformance("kv", async () => {
  const kv = await Deno.openKv(":memory:");
  return { store: await createKvStore(kv), close: () => kv.close() };
});

identityConformance("kv", async (now) => {
  const kv = await Deno.openKv(":memory:");
  return { store: await createKvStore(kv, { now }), close: () => kv.close() };
});
