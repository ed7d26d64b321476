import { invalidParam } from "./errors.ts";

/**
 * The only page-token format: base64url of a small JSON object. Clients treat tokens as opaque;
 * the `v` field lets the format change later without misreading old tokens.
 */
export interface PageCursor {
  /** Offset into an ordered result. */
  offset?: number;
  /** Backend-specific resume position (e.g. a chunk number and index). */
  cursor?: (string | number)[];
  /** Fingerprint of the query the token belongs to, so a token is not reused for another query. */
  q?: string;
  /** Keyset position: the sort values of the last item returned, validated by the reader. */
  after?: unknown[];
}

/** Encodes a cursor as an opaque, URL-safe page token. */
export function encodePageToken(cursor: PageCursor): string {
  const json = JSON.stringify({ v: 1, ...cursor });
  const bytes = new TextEncoder().encode(json);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Decodes a page token; throws `INVALID_PARAMETER_VALUE` for anything this module did not make.
 * An empty or absent token means "first page" and returns `{}`.
 */
export function decodePageToken(token: string | undefined | null): PageCursor {
  if (token === undefined || token === null || token === "") return {};
  try {
    const b64 = token.replaceAll("-", "+").replaceAll("_", "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    const obj = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof obj !== "object" || obj === null || obj.v !== 1) throw new Error("version");
    const out: PageCursor = {};
    if (obj.offset !== undefined) {
      if (!Number.isSafeInteger(obj.offset) || obj.offset < 0) throw new Error("offset");
      out.offset = obj.offset;
    }
    if (obj.cursor !== undefined) {
      if (
        !Array.isArray(obj.cursor) ||
        !obj.cursor.every((p: unknown) => typeof p === "string" || typeof p === "number")
      ) throw new Error("cursor");
      out.cursor = obj.cursor;
    }
    if (obj.after !== undefined) {
      if (!Array.isArray(obj.after)) throw new Error("after");
      out.after = obj.after;
    }
    if (obj.q !== undefined) {
      if (typeof obj.q !== "string") throw new Error("q");
      out.q = obj.q;
    }
    return out;
  } catch {
    throw invalidParam(`Invalid page token '${token.slice(0, 100)}'`);
  }
}
