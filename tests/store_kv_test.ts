import { createKvStore } from "../store/kv/mod.ts";
import { runTrackingStoreConformance } from "./store_conformance.ts";

runTrackingStoreConformance("kv", async () => {
  const kv = await Deno.openKv(":memory:");
  return { store: await createKvStore(kv), close: () => kv.close() };
});
