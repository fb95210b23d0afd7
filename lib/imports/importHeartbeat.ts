import type { ImportStore } from "./ports.ts";
import type { ImportLease, ImportProgress, ImportRef } from "./types.ts";

/** Options of {@link startImportHeartbeat}. */
export interface ImportHeartbeatOptions {
  importStore: ImportStore;
  ref: ImportRef;
  /** The attempt's lease as claimed; `owner` stays, `until` moves on with every beat. */
  lease: ImportLease;
  /** Time between beats. */
  intervalMs: number;
  /** Each beat extends the lease to now + this. */
  leaseMs: number;
  now: () => Date;
  /** How far the import has got, recorded with each beat (without `updatedAt`, which the beat sets). */
  progress: () => Omit<ImportProgress, "updatedAt">;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** A running heartbeat. */
export interface ImportHeartbeat {
  /** True once a beat found that this attempt no longer holds the import: the attempt must stop. */
  readonly lost: boolean;
  /** Stops beating; resolves when a beat in flight has ended. */
  stop(): Promise<void>;
}

/**
 * Keeps a running import's lease alive while the attempt makes progress, and records the progress: every
 * `intervalMs` one conditional write extends the lease to now + `leaseMs` — only while this attempt (`lease.owner`)
 * still holds it — and stores `{bytesRead, size, lines, updatedAt}` on the import, where `GET …/imports/{id}` and
 * `saldo imports` show it. The lease can therefore be short (a dead attempt is noticed soon) however long the file
 * takes.
 *
 * A failed write (the store briefly unavailable) is tried again at the next beat; a lost lease sets `lost` and stops.
 * Beats never overlap, and the timer does not keep the process alive.
 */
export function startImportHeartbeat(options: ImportHeartbeatOptions): ImportHeartbeat {
  const { importStore, ref, lease, now, log = () => {} } = options;
  let lost = false;
  let stopped = false;
  let beat: Promise<void> | undefined;

  const beatOnce = async () => {
    const at = now();
    const until = new Date(at.getTime() + options.leaseMs).toISOString();
    try {
      const held = await importStore.renewLease(
        ref,
        { owner: lease.owner, until },
        {
          ...options.progress(),
          updatedAt: at.toISOString(),
        },
      );
      if (!held && !stopped) {
        lost = true;
        log("import lease lost: another attempt or the sweeper took the import over", { ...ref });
        stopTimer();
      }
    } catch (error) {
      log("import heartbeat failed; trying again at the next beat", {
        ...ref,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const timer = setInterval(() => {
    if (beat !== undefined || stopped) return;
    beat = beatOnce().finally(() => (beat = undefined));
  }, options.intervalMs);
  timer.unref?.();
  const stopTimer = () => clearInterval(timer);

  return {
    get lost() {
      return lost;
    },
    async stop() {
      stopped = true;
      stopTimer();
      await beat;
    },
  };
}
