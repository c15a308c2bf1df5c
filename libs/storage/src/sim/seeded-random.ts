/**
 * Random is the randomness seam of simulated components: fault injection draws from it, so a
 * run replays exactly from its seed (TigerBeetle's simulator discipline).
 */
export interface Random {
  /** float returns a number in [0, 1). */
  float(): number;
  /** integer returns an integer in [0, maxExclusive). */
  integer(maxExclusive: number): number;
}

/** SeededRandom is a small deterministic generator (mulberry32): the same seed gives the same sequence. */
export class SeededRandom implements Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  integer(maxExclusive: number): number {
    return Math.floor(this.float() * maxExclusive);
  }
}
