/**
 * A seeded PRNG (mulberry32), so the tasks a run stops are the same from one run to the next and two result
 * files compare like with like.
 *
 * @example const random = seededRandom(7); random(); // a number in [0, 1), the same sequence for seed 7
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct items of `items`, chosen with `random` (a partial Fisher–Yates shuffle; `items` is not modified). */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    const index = Math.floor(random() * pool.length);
    chosen.push(pool[index]);
    pool[index] = pool[pool.length - 1];
    pool.pop();
  }
  return chosen;
}
