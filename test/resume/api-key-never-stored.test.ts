import {createServer, type IncomingHttpHeaders, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startCli} from '../helpers/cli.js';
import {onlyRunId, readDb, resultCount, startWorld, type World} from '../helpers/resume-harness.js';
import {waitUntil} from '../helpers/wait.js';

const key = 'sk-test-SECRET-123456789';
/** The key without its "sk-" shape, so a redaction that only rewrites the prefix is caught too. */
const keyTail = 'SECRET-123456789';

let world: World;
let echo: Server;
const echoSaw: IncomingHttpHeaders[] = [];

beforeAll(async () => {
	// A gateway that quotes the key back in its error body and a header, as some do: lanes must not keep it.
	echo = createServer((request, response) => {
		echoSaw.push(request.headers);
		request.resume();
		response.writeHead(400, {'content-type': 'application/json', 'x-echo-key': key});
		response.end(JSON.stringify({error: {message: `Incorrect API key provided: ${key}. Authorization: Bearer ${key}`, type: 'invalid_request_error', param: null, code: null}}));
	});
	await new Promise<void>(resolve => echo.listen(0, '127.0.0.1', resolve));
	const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
	world = await startWorld({
		apiKey: key,
		providers: {
			fast: {dialect: 'openai', models: {'fast-a': 'fast-a', 'fast-b': 'fast-b'}, simulate: {latencyMs: 3000}, lane: {concurrency: 4}},
			// One request in four fails with a 5xx and is retried.
			az: {dialect: 'azure', models: {'az-one': 'dep-one'}, simulate: {latencyMs: 3000, errorRate: 0.25}, lane: {concurrency: 3}},
		},
		extraProviders: {
			echo: {type: 'openai', baseURL: `${echoUrl}/v1`, apiKeyEnv: 'LANES_TEST_KEY_FAST', models: ['echo-model'], concurrency: 2},
		},
	});
});
afterAll(async () => {
	await world?.close();
	echo?.closeAllConnections();
	await new Promise(resolve => echo?.close(resolve));
});

/** Each database file (the database, its -wal and -shm) with whether it holds the key. */
function filesHoldingKey(db: string): Array<{file: string; bytes: number; key: boolean}> {
	const dir = path.dirname(db);
	return readdirSync(dir).filter(name => name.startsWith(path.basename(db))).map(name => {
		const bytes = readFileSync(path.join(dir, name));
		return {file: name, bytes: bytes.length, key: bytes.includes(key) || bytes.includes(keyTail)};
	});
}

describe.sequential('the API key', () => {
	test('never reaches the database, its -wal file, stdout or stderr: killed mid-run, resumed, with failing requests', async () => {
		const db = world.folder.file('runs.db');
		for (const variable of Object.keys(world.env)) expect(world.env[variable]).toBe(key);
		const lanes = startCli(['run', '--config', world.configPath, '--suite', world.suitePath, '--db', db, '--plain', '--json'], world.cli);
		await waitUntil('half the items done, the echo provider answered', () => world.served() + echoSaw.length >= 80 && echoSaw.length > 0 && resultCount(db) >= 80, {
			abortIf: () => (lanes.exitedYet() ? 'lanes exited first' : undefined),
			context: lanes.describe,
		});
		lanes.child.kill('SIGKILL');
		const killed = await lanes.exited;
		expect(killed.signal, lanes.describe()).toBe('SIGKILL');

		// Killed: the write-ahead log is left as it was, with the latest commits in it.
		const afterKill = filesHoldingKey(db);
		expect(afterKill.find(file => file.file === 'runs.db-wal')?.bytes, 'a -wal file with content').toBeGreaterThan(0);
		expect(afterKill.filter(file => file.key)).toEqual([]);

		const runId = onlyRunId(db);
		const resumed = startCli(['resume', runId, '--db', db, '--plain', '--json'], world.cli);
		const finished = await resumed.exited;
		expect(finished.code, resumed.describe()).toBe(0);
		expect(filesHoldingKey(db).filter(file => file.key)).toEqual([]);
		for (const output of [killed.stdout, killed.stderr, finished.stdout, finished.stderr]) {
			expect(output.includes(key) || output.includes(keyTail)).toBe(false);
		}

		// None of that was vacuous: the key was sent, requests failed and were recorded with their messages,
		// and the scan does see text the database holds (the name of the key's variable, from the stored config).
		expect(echoSaw.some(headers => headers.authorization === `Bearer ${key}`)).toBe(true);
		const failures = readDb(db, d => ({
			echoErrors: d.prepare("SELECT error_message FROM results WHERE provider = 'echo' AND status = 'errored'").all() as Array<{error_message: string}>,
			retried5xx: (d.prepare("SELECT count(*) AS n FROM attempts WHERE outcome = 'transient' AND status >= 500").get() as {n: number}).n,
		}))!;
		expect(failures.echoErrors.length).toBe(40);
		expect(failures.echoErrors[0]!.error_message).toMatch(/^HTTP 400 from provider/);
		expect(failures.retried5xx).toBeGreaterThan(0);
		expect(filesHoldingKeyText(db, 'LANES_TEST_KEY_FAST')).toBe(true);
	}, 60_000);
});

function filesHoldingKeyText(db: string, text: string): boolean {
	const dir = path.dirname(db);
	return readdirSync(dir).filter(name => name.startsWith(path.basename(db))).some(name => readFileSync(path.join(dir, name)).includes(text));
}
