/** What a scenario reports: figures against baselines measured in the same run, and notes. */

export interface Figure {
  /** What is measured, e.g. `throughput, 50 connections`. */
  label: string;
  value: number;
  unit: string;
  /** The same measure for the baseline of this figure, taken in the same run. */
  baseline?: { label: string; value: number };
  /** `value / baseline.value`, when there is a baseline. */
  ratio?: number;
  /** The target for this figure and whether this run meets it (never checked in smoke mode). */
  target?: { text: string; met: boolean };
}

/** A Markdown table printed after the figures, for results that are one row per target. */
export interface Table {
  header: string[];
  rows: string[][];
}

export interface ScenarioResult {
  name: string;
  title: string;
  figures: Figure[];
  tables?: Table[];
  /** Settings and observations needed to read the figures (sizes, rates, knobs). */
  notes: string[];
  durationMs: number;
}

export interface BenchContext {
  /** ~1 s per scenario with small sizes: checks that it works, measures nothing. */
  smoke: boolean;
  /** Start the gateway with --cpu-prof (profiles land in `<out>/profiles`). */
  profile: boolean;
  /** Directory for logs, profiles and results (.bench-out/). */
  out: string;
  log(message: string): void;
}

export interface Scenario {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Omit<ScenarioResult, 'name' | 'title' | 'durationMs'>>;
}

/** A figure with its ratio computed from the baseline. */
export function figure(
  label: string,
  value: number,
  unit: string,
  baseline?: { label: string; value: number },
  target?: { text: string; met: boolean },
): Figure {
  return {
    label,
    value,
    unit,
    ...(baseline ? { baseline, ratio: baseline.value === 0 ? Number.NaN : value / baseline.value } : {}),
    ...(target ? { target } : {}),
  };
}
