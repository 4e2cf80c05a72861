/**
 * `nines silence` — silences on a running server:
 *   nines silence add 'target=chat-a' ['alertname=~Target.*' …] --for 2h --comment "planned work"
 *   nines silence list
 *   nines silence expire ID
 */
import { parseArgs } from 'node:util';
import type { Silence } from '../../alert/types.ts';
import { apiTargetFrom, callApi } from '../api-client.ts';
import { println, type CliIo } from '../io.ts';

function row(s: Silence, now: number): string {
  const state = s.endsAt <= now ? 'expired' : s.startsAt > now ? 'pending' : 'active';
  const matchers = s.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(',');
  return `${s.id}  ${state.padEnd(7)}  until ${new Date(s.endsAt).toISOString()}  {${matchers}}  ${s.comment} (${s.createdBy})`;
}

/** Runs `nines silence ...`. */
export async function runSilenceCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      for: { type: 'string', default: '1h' },
      comment: { type: 'string' },
    },
  });
  const [sub, ...rest] = positionals;
  const api = () => apiTargetFrom(values);
  switch (sub) {
    case 'list': {
      const { silences } = (await callApi(api(), 'GET', '/api/v1/silences')) as { silences: Silence[] };
      if (silences.length === 0) println(io.stdout, 'no silences');
      for (const s of silences) println(io.stdout, row(s, Date.now()));
      return 0;
    }
    case 'add': {
      if (rest.length === 0 || !values.comment) {
        println(io.stderr, 'usage: nines silence add MATCHER [MATCHER…] --for 2h --comment TEXT');
        return 2;
      }
      const { silence } = (await callApi(api(), 'POST', '/api/v1/silences', {
        matchers: rest,
        endsAt: values.for,
        comment: values.comment,
      })) as { silence: Silence };
      println(io.stdout, row(silence, Date.now()));
      return 0;
    }
    case 'expire': {
      if (!rest[0]) {
        println(io.stderr, 'usage: nines silence expire ID');
        return 2;
      }
      const { silence } = (await callApi(
        api(),
        'DELETE',
        `/api/v1/silences/${encodeURIComponent(rest[0])}`,
      )) as { silence: Silence };
      println(io.stdout, row(silence, Date.now()));
      return 0;
    }
    default:
      println(io.stderr, 'usage: nines silence list | add MATCHER… --for 2h --comment TEXT | expire ID');
      return 2;
  }
}
