/** Silences: operator-created mutes (API, `nines silence`) active in [startsAt, endsAt). */
import { matchesAll } from './matchers.ts';
import type { Muter } from './muter.ts';
import type { Silence } from './types.ts';

/** True while the silence is in effect at `now`. */
export function silenceActive(s: Silence, now: number): boolean {
  return s.startsAt <= now && now < s.endsAt;
}

/** A muter over the silences `list()` returns (read on every call, so added/expired silences apply at once). */
export function silenceMuter(list: () => readonly Silence[]): Muter {
  return {
    mutes(labels, now) {
      const s = list().find(
        (x) => silenceActive(x, now) && x.matchers.length > 0 && matchesAll(x.matchers, labels),
      );
      return s ? { by: 'silence', id: s.id } : undefined;
    },
  };
}
