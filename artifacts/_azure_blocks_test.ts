import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { blockId, checkBlockParts, checkUploadId, newUploadId } from "./_azure_blocks.ts";

Deno.test("blockId(): one fixed length, no padding, distinct per upload and number", () => {
  const a = newUploadId();
  const b = newUploadId();
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(a, b);
  const ids = [1, 9, 10, 9999, 10_000, 50_000, 9_999_999].map((n) => blockId(a, n));
  for (const id of ids) assert.match(id, /^[A-Za-z0-9+/]{32}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(atob(blockId("0123456789abcdef", 42)), "0123456789abcdef-0000042");
  assert.notEqual(blockId(a, 1), blockId(b, 1));
});

Deno.test("checkBlockParts(): part numbers sorted; ETags not required (Put Block has none)", () => {
  assert.deepEqual(
    checkBlockParts([
      { part_number: 3, etag: "" },
      { part_number: 1, etag: "" },
      { part_number: 2, etag: '"x"' },
    ]),
    [1, 2, 3],
  );
  const bad: unknown[] = [
    [],
    "parts",
    [{ part_number: 0, etag: "" }],
    [{ part_number: 1.5, etag: "" }],
    [{ part_number: 10_001, etag: "" }],
    [{ part_number: 1, etag: "" }, { part_number: 1, etag: "" }],
    [null],
  ];
  for (const parts of bad) {
    assert.throws(
      () => checkBlockParts(parts as never),
      (err) => err instanceof MlflowError && err.code === "INVALID_PARAMETER_VALUE",
      JSON.stringify(parts),
    );
  }
});

Deno.test("checkUploadId(): only ids this repository hands out", () => {
  const id = newUploadId();
  assert.equal(checkUploadId(id), id);
  for (const bad of ["", "x", "0123456789ABCDEF", `${id}\n`, 7, null]) {
    assert.throws(() => checkUploadId(bad), MlflowError);
  }
});
