import {hostname} from 'node:os';
import type {LockRow} from './rows.js';

/** Who we are, as a lock holder. */
export type LockOwner = {pid: number; hostname: string};

/** This process, as it appears in the locks it takes. */
export const thisProcess: LockOwner = {pid: process.pid, hostname: hostname()};

/** How often a held lock's heartbeat is renewed. */
export const HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * A lock from another host whose heartbeat is older than this is taken to be abandoned: we cannot ask that
 * host whether the process lives, so silence has to do (six missed heartbeats).
 */
export const REMOTE_LOCK_STALE_MS = 60_000;

/**
 * Whether the holder of a lock may still be running the run. On this host the process table decides;
 * a lock from another host counts as live while its heartbeat is fresh.
 */
export function holderIsLive(lock: LockRow, self: LockOwner, now: number): boolean {
	if (lock.hostname === self.hostname) return processExists(lock.pid);
	return now - lock.heartbeat_at < REMOTE_LOCK_STALE_MS;
}

/** Signal 0 checks existence without touching the process; EPERM means it exists but belongs to another user. */
export function processExists(pid: number): boolean {
	// 0 and negative pids address process groups, not a process: a row holding one is no live lock.
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as {code?: string}).code === 'EPERM';
	}
}

/** The refusal, naming who holds the run and since when, and what the user can do. */
export function lockHeldMessage(path: string, lock: LockRow): string {
	const since = new Date(lock.acquired_at).toISOString();
	return `${path}: run ${lock.run_id} is being run by process ${lock.pid} on ${lock.hostname} (since ${since}); wait for it to finish or stop it, then try again`;
}
