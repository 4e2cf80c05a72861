/** An in-memory IncidentStore for unit tests and for the conformance suite's reference. */
import type { Incident, IncidentStore, TimelineEntry } from './types.ts';

/** Keeps incidents and timelines in maps; not durable. */
export class MemoryIncidentStore implements IncidentStore {
  private incidents = new Map<string, Incident>();
  private entries: TimelineEntry[] = [];

  async insertIncident(incident: Incident): Promise<void> {
    this.incidents.set(incident.id, structuredClone(incident));
  }
  async updateIncident(incident: Incident): Promise<void> {
    this.incidents.set(incident.id, structuredClone(incident));
  }
  async getIncident(id: string): Promise<Incident | undefined> {
    const i = this.incidents.get(id);
    return i && structuredClone(i);
  }
  async findOpenByGroup(groupKey: string): Promise<Incident | undefined> {
    return [...this.incidents.values()].find((i) => i.groupKey === groupKey && i.state !== 'resolved');
  }
  async listIncidents(q: Parameters<IncidentStore['listIncidents']>[0]): Promise<Incident[]> {
    return [...this.incidents.values()]
      .filter(
        (i) => (q.from === undefined || i.openedAt >= q.from) && (q.to === undefined || i.openedAt < q.to),
      )
      .filter((i) => !q.states || q.states.includes(i.state))
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, q.limit ?? 1000);
  }
  async appendTimeline(entry: TimelineEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }
  async timeline(incidentId: string): Promise<TimelineEntry[]> {
    return this.entries.filter((e) => e.incidentId === incidentId).sort((a, b) => a.at - b.at);
  }
}
