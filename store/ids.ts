/** Identifiers in MLflow's formats, and the short hash kvflow derives its own ids from. */

/** A new run id: a uuid4 as 32 lowercase hex characters, as MLflow makes them. */
export function newRunId(): string {
  return crypto.randomUUID().replaceAll("-", "");
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
