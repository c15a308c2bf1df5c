import fc from 'fast-check';

import { InFlightIndex, WAITING_ATTEMPT } from './in-flight-index';
import type { InFlightRecord } from './in-flight-index';

/** The model: what the pop path computed before the index, by scanning and sorting every record. */
function modelDue(records: Map<number, InFlightRecord>, nowMs: number, max: number): InFlightRecord[] {
  return [...records.values()]
    .filter((record) => record.invisibleUntilMs <= nowMs)
    .sort((a, b) => a.offset - b.offset)
    .slice(0, max);
}

function modelEarliest(records: Map<number, InFlightRecord>): number | undefined {
  let earliest: number | undefined;
  for (const record of records.values()) {
    if (record.deliveryAttempt === WAITING_ATTEMPT) continue;
    if (earliest === undefined || record.invisibleUntilMs < earliest) earliest = record.invisibleUntilMs;
  }
  return earliest;
}

const record = (offset: number, invisibleUntilMs: number, deliveryAttempt = 1): InFlightRecord => ({ offset, invisibleUntilMs, deliveryAttempt, popGeneration: offset + 1 });
const waiting = (offset: number): InFlightRecord => ({ offset, invisibleUntilMs: 0, deliveryAttempt: WAITING_ATTEMPT, popGeneration: 0 });

describe('InFlightIndex', () => {
  it('dueAt - returns lapsed and WAITING records lowest offset first, up to max, and keeps them', () => {
    const index = new InFlightIndex();
    index.set(record(5, 100));
    index.set(record(3, 300));
    index.set(waiting(9));
    index.set(record(1, 200));
    expect(index.dueAt(50, 10)).toEqual([waiting(9)]);
    expect(index.dueAt(200, 10).map((entry) => entry.offset)).toEqual([1, 5, 9]);
    expect(index.dueAt(200, 2).map((entry) => entry.offset)).toEqual([1, 5]);
    expect(index.size).toBe(4);
    expect(index.earliestVisibleAtMs()).toBe(100);
  });

  it('set - replacing a lapsed record makes it invisible again; delete forgets it', () => {
    const index = new InFlightIndex();
    index.set(record(1, 100));
    index.set(record(2, 100));
    expect(index.dueAt(100, 10).map((entry) => entry.offset)).toEqual([1, 2]);
    index.set(record(1, 500));
    expect(index.dueAt(100, 10).map((entry) => entry.offset)).toEqual([2]);
    expect(index.earliestVisibleAtMs()).toBe(100);
    expect(index.delete(2)).toBe(true);
    expect(index.delete(2)).toBe(false);
    expect(index.earliestVisibleAtMs()).toBe(500);
    expect(index.dueAt(1000, 10)).toEqual([record(1, 500)]);
  });

  it('dueAt - a clock that goes back makes a lapsed record invisible again', () => {
    const index = new InFlightIndex();
    index.set(record(1, 100));
    expect(index.dueAt(150, 10)).toHaveLength(1);
    expect(index.dueAt(50, 10)).toEqual([]);
    expect(index.earliestVisibleAtMs()).toBe(100);
    expect(index.dueAt(100, 10)).toHaveLength(1);
  });

  it('earliestVisibleAtMs - ignores WAITING records; undefined when empty or only WAITING', () => {
    const index = new InFlightIndex();
    expect(index.earliestVisibleAtMs()).toBeUndefined();
    index.set(waiting(1));
    expect(index.earliestVisibleAtMs()).toBeUndefined();
    index.set(record(2, 70));
    expect(index.earliestVisibleAtMs()).toBe(70);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.dueAt(1_000, 10)).toEqual([]);
  });

  it('matches a scan-and-sort model under any sequence of sets, deletes, clears and looks', () => {
    type Command =
      | { kind: 'set'; offset: number; invisibleUntilMs: number; waiting: boolean }
      | { kind: 'delete'; offset: number }
      | { kind: 'clear' }
      | { kind: 'due'; nowMs: number; max: number };
    const command: fc.Arbitrary<Command> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), offset: fc.nat(60), invisibleUntilMs: fc.nat(200), waiting: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), offset: fc.nat(60) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('due' as const), nowMs: fc.nat(220), max: fc.integer({ min: 1, max: 40 }) }) },
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 300 }), (commands) => {
        const index = new InFlightIndex();
        const model = new Map<number, InFlightRecord>();
        for (const step of commands) {
          switch (step.kind) {
            case 'set': {
              const next = step.waiting ? waiting(step.offset) : record(step.offset, step.invisibleUntilMs, 1 + (step.invisibleUntilMs % 3));
              index.set(next);
              model.set(step.offset, next);
              break;
            }
            case 'delete':
              expect(index.delete(step.offset)).toBe(model.delete(step.offset));
              break;
            case 'clear':
              index.clear();
              model.clear();
              break;
            case 'due':
              expect(index.dueAt(step.nowMs, step.max)).toEqual(modelDue(model, step.nowMs, step.max));
              break;
          }
          expect(index.size).toBe(model.size);
          expect(index.earliestVisibleAtMs()).toBe(modelEarliest(model));
        }
        expect(index.inOffsetOrder()).toEqual([...model.values()].sort((a, b) => a.offset - b.offset));
        expect([...index.offsets()].sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
        for (const [offset, expected] of model) expect(index.get(offset)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
