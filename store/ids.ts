/** Identifiers in MLflow's formats, and the short hash kvflow derives its own ids from. */

/** Last time and counter {@linkcode newRunId} used, so ids from one process only ever grow. */
let lastMs = -1;
let counter = 0;

/**
 * A new run id: a UUID version 7 as 32 lowercase hex characters, the shape of MLflow's uuid4 ids
 * (clients never look inside one). Its first 12 digits are the creation time in milliseconds and
 * the next 3 (after the version digit) a counter within the millisecond, so one process's ids
 * grow in creation order and runs created close together get neighbouring ids. Every key that
 * starts with a run id (a run's data, its metric points, the experiment's run index for equal
 * start times) is then written next to the previous run's instead of at a random place: on a KV
 * file that is the difference between appending to a few hot B-tree pages and reading and
 * rewriting a random page per key, which made creation slow down as an experiment grew
 * (issue 12). The last 62 bits are random, so ids stay unguessable and unique across processes.
 */
export function newRunId(): string {
  return runIds();
}

let runIds = timeOrderedId;

/**
 * Makes {@linkcode newRunId} return `next()` while `fn` runs, then restores it. For tests that
 * seed two stores with the same calls and need the same run ids in both; nothing else may create
 * runs meanwhile.
 */
export async function withRunIds<T>(next: () => string, fn: () => Promise<T>): Promise<T> {
  const previous = runIds;
  runIds = next;
  try {
    return await fn();
  } finally {
    runIds = previous;
  }
}

function timeOrderedId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs; // same millisecond, or the clock stepped back: count on from the last id
    counter++;
    if (counter > 0xfff) {
      ms++;
      counter = 0;
    }
  } else {
    counter = Math.floor(Math.random() * 0x800); // leaves room to count within the millisecond
  }
  lastMs = ms;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >> 8); // version 7, then the counter's top 4 bits
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // RFC 9562 variant
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

const ADJECTIVES = [
  "able",
  "bold",
  "brave",
  "bright",
  "calm",
  "clever",
  "crisp",
  "dapper",
  "eager",
  "fair",
  "fine",
  "gentle",
  "glad",
  "grand",
  "happy",
  "jolly",
  "keen",
  "kind",
  "lively",
  "lucky",
  "merry",
  "mighty",
  "neat",
  "nimble",
  "noble",
  "proud",
  "quick",
  "quiet",
  "rare",
  "sharp",
  "shy",
  "silent",
  "sleek",
  "smooth",
  "swift",
  "tidy",
  "warm",
  "wise",
  "witty",
  "zealous",
];
const NOUNS = [
  "ant",
  "bass",
  "bat",
  "bear",
  "bee",
  "calf",
  "carp",
  "cat",
  "colt",
  "crab",
  "crow",
  "cub",
  "deer",
  "dog",
  "dove",
  "duck",
  "eel",
  "elk",
  "fawn",
  "finch",
  "fish",
  "fox",
  "frog",
  "goat",
  "gull",
  "hare",
  "hawk",
  "hen",
  "horse",
  "jay",
  "kite",
  "lark",
  "lion",
  "lynx",
  "mole",
  "moth",
  "mouse",
  "owl",
  "ox",
  "panda",
  "pig",
  "ram",
  "roo",
  "seal",
  "shrew",
  "slug",
  "snail",
  "stork",
  "swan",
  "toad",
  "trout",
  "whale",
  "wolf",
  "wren",
  "yak",
];

/**
 * A short, stable hash of a string (cyrb53, base36, at most 11 characters). Not cryptographic:
 * it only tells values apart. Page-token fingerprints and the KV dataset slots of logged-model
 * metric keys are made with it; the slots are stored, so its output must never change.
 */
export function shortHash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** A random run name `adjective-noun-NNN` (at most 20 characters), like MLflow's. */
export function randomRunName(): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}
