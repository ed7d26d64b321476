import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { runAuthStoreConformance } from "./conformance/auth/mod.ts";

runAuthStoreConformance(
  "memory",
  (opts) => Promise.resolve({ store: createMemoryAuthStore(opts) }),
);
