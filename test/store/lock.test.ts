import {spawn, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {pathToFileURL} from 'node:url';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, test} from 'vitest';
import {InputError} from '../../source/errors/input-error.js';
import {openStore} from '../../source/store/index.js';
import {runInput, temporaryDirectory, track} from './helpers.js';

const children: ChildProcess[] = [];

afterEach(() => {
	for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function storeWithRun() {
	const path = join(temporaryDirectory(), 'runs.db');
	const store = track(openStore(path));
	store.createRun(runInput('r1'));
	return {path, store};
}

type LockRow = {run_id: string; pid: number; hostname: string; acquired_at: number; heartbeat_at: number};

function lockRow(path: string, runId: string): LockRow | undefined {
	const db = new Database(path, {readonly: true});
	try {
		return db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?').get(runId);
	} finally {
		db.close();
	}
}

/** Writes a lock row as another process would have left it. */
function plantLock(path: string, row: LockRow): void {
	const db = new Database(path);
	try {
		db.prepare('INSERT OR REPLACE INTO run_locks (run_id, pid, hostname, acquired_at, heartbeat_at) VALUES (@run_id, @pid, @hostname, @acquired_at, @heartbeat_at)').run(row);
	} finally {
		db.close();
	}
}

/** A node process that just waits; it lives until killed. */
async function liveProcess(): Promise<ChildProcess> {
	const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], {stdio: 'ignore'});
	children.push(child);
	await once(child, 'spawn');
	return child;
}

/** The pid of a node process that has exited. */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await once(child, 'exit');
	return child.pid!;
}

describe('run locks', () => {
	test('a lock held by a live process on this host is refused, naming the process', async () => {
		const {path, store} = storeWithRun();
		const child = await liveProcess();
		plantLock(path, {run_id: 'r1', pid: child.pid!, hostname: hostname(), acquired_at: Date.UTC(2026, 0, 2), heartbeat_at: Date.UTC(2026, 0, 2)});
		expect(() => store.acquireLock('r1')).toThrow(InputError);
		expect(() => store.acquireLock('r1')).toThrow(`${path}: run r1 is being run by process ${child.pid} on ${hostname()} (since 2026-01-02T00:00:00.000Z); wait for it to finish or stop it, then try again`);
		// Its owner dies: the lock is now stale and taken over.
		child.kill('SIGKILL');
		await once(child, 'exit');
		store.acquireLock('r1');
		expect(lockRow(path, 'r1')).toMatchObject({pid: process.pid, hostname: hostname()});
	});

	test('a lock left by a dead process is taken over', async () => {
		const {path, store} = storeWithRun();
		const pid = await deadPid();
		plantLock(path, {run_id: 'r1', pid, hostname: hostname(), acquired_at: 1, heartbeat_at: Date.now()});
		const before = Date.now();
		store.acquireLock('r1');
		const row = lockRow(path, 'r1')!;
		expect(row).toMatchObject({pid: process.pid, hostname: hostname()});
		expect(row.acquired_at).toBeGreaterThanOrEqual(before);
	});

	test('a lock from another host counts while its heartbeat is fresh', () => {
		const {path, store} = storeWithRun();
		plantLock(path, {run_id: 'r1', pid: 4242, hostname: 'elsewhere', acquired_at: 1, heartbeat_at: Date.now()});
		expect(() => store.acquireLock('r1')).toThrow(/run r1 is being run by process 4242 on elsewhere/);
		plantLock(path, {run_id: 'r1', pid: 4242, hostname: 'elsewhere', acquired_at: 1, heartbeat_at: Date.now() - 61_000});
		store.acquireLock('r1');
		expect(lockRow(path, 'r1')?.hostname).toBe(hostname());
	});

	test('taking our own lock again is fine; release frees it; heartbeat renews it', () => {
		const {path, store} = storeWithRun();
		store.acquireLock('r1');
		store.acquireLock('r1');
		plantLock(path, {...lockRow(path, 'r1')!, heartbeat_at: 5});
		store.heartbeat('r1');
		expect(lockRow(path, 'r1')!.heartbeat_at).toBeGreaterThan(5);
		store.releaseLock('r1');
		expect(lockRow(path, 'r1')).toBeUndefined();
		expect(() => store.heartbeat('r1')).toThrow(`${path}: renewing the lock of run r1: this process does not hold it (it is not locked)`);
	});

	test('a lock taken over by another process is neither renewed nor released by us', () => {
		const {path, store} = storeWithRun();
		store.acquireLock('r1');
		plantLock(path, {run_id: 'r1', pid: 4242, hostname: 'elsewhere', acquired_at: 1, heartbeat_at: 1});
		expect(() => store.heartbeat('r1')).toThrow(/this process does not hold it \(process 4242 on elsewhere has taken it over\)/);
		store.releaseLock('r1');
		expect(lockRow(path, 'r1')?.pid).toBe(4242);
	});

	test('close releases the locks the store holds', () => {
		const {path, store} = storeWithRun();
		store.acquireLock('r1');
		store.close();
		expect(lockRow(path, 'r1')).toBeUndefined();
	});

	test('another process holding the lock: refused while it lives; its buffered attempts and its lock are settled when it exits', async () => {
		const {path, store} = storeWithRun();
		const directory = temporaryDirectory();
		const script = join(directory, 'hold-lock.ts');
		const storeModule = pathToFileURL(resolve('source/store/index.ts')).href;
		writeFileSync(script, `
			import {openStore} from ${JSON.stringify(storeModule)};
			const store = openStore(process.argv[2]);
			store.acquireLock('r1');
			store.recordAttempt('r1', {provider: 'sim', model: 'm1', testId: 't1', attempt: 1, outcome: 'ok', latencyMs: 5, at: 1});
			console.log('locked');
			// Exits without close(): the store's exit hook must write the attempt and release the lock.
			process.stdin.on('data', () => {});
			process.stdin.on('end', () => process.exit(0));
		`);
		const child = spawn(process.execPath, ['--import', 'tsx', script, path], {stdio: ['pipe', 'pipe', 'inherit']});
		children.push(child);
		const lines = createInterface({input: child.stdout!});
		const [line] = (await once(lines, 'line')) as [string];
		expect(line).toBe('locked');
		expect(() => store.acquireLock('r1')).toThrow(`run r1 is being run by process ${child.pid} on ${hostname()}`);
		child.stdin!.end();
		const [code] = (await once(child, 'exit')) as [number];
		expect(code).toBe(0);
		expect(lockRow(path, 'r1')).toBeUndefined();
		store.acquireLock('r1');
		expect(store.providerStats('r1').get('sim')?.requests).toBe(1);
	});
});
