/**
 * Shapes of the API benchmark's figures shared by its parts (plain JSON: they cross a process boundary).
 */
import type { LoadFigures } from '../lib/load';
import type { Summary } from '../lib/stats';

/** Serial one-off samples: their count and latency. */
export type SeriesFigures = { samples: number; latencyMs: Summary };

/** One request loop at concurrency 1 (latency) and 8 (rate under load). */
export type LoopPair = { serial: LoadFigures; concurrent: LoadFigures };
