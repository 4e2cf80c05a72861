/**
 * `nines incident` — work with incidents on a running server:
 *   nines incident list [--state open,acknowledged]
 *   nines incident show ID
 *   nines incident ack|mitigate|resolve|reopen ID [--note TEXT]
 *   nines incident note ID TEXT [--public]
 *   nines incident postmortem ID [--out FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatDuration } from '../../core/duration.ts';
import type { Incident, TimelineEntry } from '../../incident/types.ts';
import { apiTargetFrom, callApi } from '../api-client.ts';
import { println, type CliIo } from '../io.ts';

const ACTIONS: Record<string, string> = {
  ack: 'acknowledge',
  acknowledge: 'acknowledge',
  mitigate: 'mitigate',
  resolve: 'resolve',
  reopen: 'reopen',
};

function row(i: Incident, now: number): string {
  return `${i.id.slice(0, 8)}  ${i.severity}  ${i.state.padEnd(12)}  ${formatDuration(Math.max(0, (i.resolvedAt ?? now) - i.openedAt)).padEnd(8)}  ${i.title}`;
}

/** Runs `nines incident ...`. */
export async function runIncidentCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      state: { type: 'string' },
      note: { type: 'string' },
      public: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const [sub, id, ...rest] = positionals;
  const api = () => apiTargetFrom(values);
  const need = (): string => {
    if (!id) throw Object.assign(new Error('missing incident id'), { usage: true });
    return id;
  };
  try {
    switch (sub) {
      case 'list': {
        const q = values.state ? `?state=${encodeURIComponent(values.state)}` : '';
        const { incidents } = (await callApi(api(), 'GET', `/api/v1/incidents${q}`)) as {
          incidents: Incident[];
        };
        if (incidents.length === 0) println(io.stdout, 'no incidents');
        for (const i of incidents) println(io.stdout, row(i, Date.now()));
        return 0;
      }
      case 'show': {
        const { incident, timeline } = (await callApi(
          api(),
          'GET',
          `/api/v1/incidents/${encodeURIComponent(need())}`,
        )) as {
          incident: Incident;
          timeline: TimelineEntry[];
        };
        println(io.stdout, row(incident, Date.now()));
        for (const e of timeline)
          println(
            io.stdout,
            `  ${new Date(e.at).toISOString()}  ${e.kind.padEnd(8)} ${e.text}${e.actor ? ` (${e.actor})` : ''}`,
          );
        return 0;
      }
      case 'note': {
        const text = rest.join(' ');
        await callApi(api(), 'POST', `/api/v1/incidents/${encodeURIComponent(need())}/notes`, {
          text,
          public: values.public ?? false,
        });
        println(io.stdout, 'note added');
        return 0;
      }
      case 'postmortem': {
        const md = (await callApi(
          api(),
          'GET',
          `/api/v1/incidents/${encodeURIComponent(need())}/postmortem`,
        )) as string;
        if (values.out) writeFileSync(values.out, md);
        else io.stdout.write(md);
        return 0;
      }
      default: {
        const action = sub ? ACTIONS[sub] : undefined;
        if (!action) {
          println(
            io.stderr,
            'usage: nines incident list|show|ack|mitigate|resolve|reopen|note|postmortem [ID] [--note TEXT]',
          );
          return 2;
        }
        const { incident } = (await callApi(
          api(),
          'POST',
          `/api/v1/incidents/${encodeURIComponent(need())}/${action}`,
          values.note ? { note: values.note } : {},
        )) as {
          incident: Incident;
        };
        println(io.stdout, row(incident, Date.now()));
        return 0;
      }
    }
  } catch (err) {
    if ((err as { usage?: boolean }).usage) {
      println(io.stderr, `nines incident ${sub}: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}
