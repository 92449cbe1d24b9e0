/**
 * A resume after kill -9: the killed streamer's heartbeat still looks live for up to STALE_BEATS
 * intervals, and must not block the resume when the streamer is provably gone; a live streamer
 * must still be refused.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { SyncRecord } from '../../src/connectors/connector.js';
import { checkResumable } from '../../src/sync/start-sync.js';
import { MISSED_BEATS, pidGone, processHost, streamerGone } from '../../src/sync/streamer-liveness.js';
import type { SyncProgress } from '../../src/sync/sync-progress.js';

const BEAT = 2_000;

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

function beat(o: Partial<SyncProgress> & { ageMs: number }, now: number): SyncProgress {
  return {
    heartbeatAt: new Date(now - o.ageMs).toISOString(),
    pid: o.pid ?? process.pid,
    host: o.host,
    head: null,
    lagBytes: 0,
    lagSeconds: 0,
    pendingTransactions: 0,
    appliedPerSecond: 0,
    lastArrivalAt: new Date(now).toISOString(),
  };
}

describe('is the last streamer gone?', () => {
  it('knows a process that exited on this machine is gone, and a running one is not', async () => {
    const now = Date.now();
    const dead = await deadPid();
    expect(pidGone(dead)).toBe(true);
    expect(pidGone(process.pid)).toBe(false);
    expect(streamerGone({ progress: beat({ pid: dead, host: processHost(), ageMs: 100 }, now), heartbeatMs: BEAT, readerActive: undefined, now })).toBe(true);
    // The parent of this process runs: alive, whatever the source says.
    expect(streamerGone({ progress: beat({ pid: process.ppid, host: processHost(), ageMs: 100 }, now), heartbeatMs: BEAT, readerActive: undefined, now })).toBe(false);
  });

  it('does not trust a pid from another machine, nor a heartbeat without a host (an older streamer)', async () => {
    const now = Date.now();
    const dead = await deadPid();
    expect(streamerGone({ progress: beat({ pid: dead, host: 'ward-server-2/pid:[1]', ageMs: 100 }, now), heartbeatMs: BEAT, readerActive: undefined, now })).toBe(false);
    expect(streamerGone({ progress: beat({ pid: dead, ageMs: 100 }, now), heartbeatMs: BEAT, readerActive: undefined, now })).toBe(false);
  });

  it('takes an idle capture as proof only once the streamer has missed its beats', () => {
    const now = Date.now();
    const elsewhere = (ageMs: number) => beat({ pid: 1, host: 'elsewhere', ageMs }, now);
    expect(streamerGone({ progress: elsewhere(MISSED_BEATS * BEAT + 1), heartbeatMs: BEAT, readerActive: false, now })).toBe(true);
    // A streamer that just beat may be between its beat and its reconnect: not proof yet.
    expect(streamerGone({ progress: elsewhere(BEAT), heartbeatMs: BEAT, readerActive: false, now })).toBe(false);
    // Someone reads the capture, or the source cannot tell: alive until the heartbeat goes stale.
    expect(streamerGone({ progress: elsewhere(4 * BEAT), heartbeatMs: BEAT, readerActive: true, now })).toBe(false);
    expect(streamerGone({ progress: elsewhere(4 * BEAT), heartbeatMs: BEAT, readerActive: undefined, now })).toBe(false);
  });
});

describe('checkResumable', () => {
  const record = (progress: SyncProgress): SyncRecord => ({
    syncId: 'sync-1',
    contractDigest: 'd'.repeat(64),
    method: 'postgres',
    source: 'postgres://pas',
    streamRunId: 'run-1',
    state: 'streaming',
    position: '0/1',
    startedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    progress: JSON.stringify(progress),
  });

  it('refuses a sync with a live heartbeat unless its streamer is known to be gone', () => {
    const r = record(beat({ ageMs: 500 }, Date.now()));
    expect(() => checkResumable(r, r.contractDigest, BEAT)).toThrow(expect.objectContaining({ code: 'sync.already_streaming' }));
    expect(() => checkResumable(r, r.contractDigest, BEAT, true)).not.toThrow();
    // A stale heartbeat never blocked a resume.
    const stale = record(beat({ ageMs: 6 * BEAT }, Date.now()));
    expect(() => checkResumable(stale, stale.contractDigest, BEAT)).not.toThrow();
  });
});
