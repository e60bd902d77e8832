import {statSync} from 'node:fs';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {countingKeyEnv, startCountingProvider, type CountingProvider} from '../helpers/counting-provider.js';
import {onlyJsonObject} from './fixtures.js';

const temp = tempDir();
const tests = [{id: 't1', prompt: 'Say OK', expected: 'OK'}, {id: 't2', prompt: 'Say OK again', expected: 'OK'}];
const suite = temp.write('suite.jsonl', jsonl(tests));
let provider: CountingProvider | undefined;
afterEach(async () => provider?.close());

const completion = (content: string) => JSON.stringify({id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{index: 0, message: {role: 'assistant', content}, finish_reason: 'stop'}]});

type StoredResult = {test_id: string; status: string; answer: string | null; attempts: number; error_class: string | null; error_message: string | null};

function storedResults(db: string): StoredResult[] {
	const database = new Database(db, {readonly: true});
	try {
		return database.prepare('SELECT test_id, status, answer, attempts, error_class, error_message FROM results ORDER BY test_id').all() as StoredResult[];
	} finally {
		database.close();
	}
}

async function runAgainst(name: string, extraConfig: object = {}, suitePath = suite) {
	const config = temp.write(`${name}.json`, {...provider!.config(['m-one']), ...extraConfig});
	const db = temp.file(`${name}.db`);
	const result = await runCli(['run', '--config', config, '--suite', suitePath, '--db', db, '--json'], {env: countingKeyEnv});
	return {result, db};
}

describe('a provider answering more than request.maxResponseBytes', () => {
	test('a 200 with a 20 MB body: the item errors once as permanent, saying so; the database stays small', async () => {
		const huge = completion('x'.repeat(20 * 1024 * 1024));
		provider = await startCountingProvider((_request, response) => {
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(huge);
		});
		const {result, db} = await runAgainst('huge');
		expect(result.code, result.stderr).toBe(0);
		expect(onlyJsonObject(result.stdout).totals).toMatchObject({items: 2, errored: 2});
		// Permanent: one request per item, not retry.maxAttempts.
		expect(provider.requests()).toBe(2);
		for (const row of storedResults(db)) {
			expect(row).toMatchObject({status: 'errored', answer: null, attempts: 1, error_class: 'permanent'});
			expect(row.error_message).toContain('maxResponseBytes');
		}

		expect(statSync(db).size).toBeLessThan(2 * 1024 * 1024);
	});

	test('the limit is the config\'s: the same answer is read under one limit and refused under a smaller one', async () => {
		provider = await startCountingProvider((_request, response) => {
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(completion('OK'));
		});
		const bytes = Buffer.byteLength(completion('OK'));
		const under = await runAgainst('under-limit', {request: {maxResponseBytes: bytes}});
		expect(onlyJsonObject(under.result.stdout).totals).toMatchObject({items: 2, passed: 2});
		const over = await runAgainst('over-limit', {request: {maxResponseBytes: bytes - 1}});
		expect(onlyJsonObject(over.result.stdout).totals).toMatchObject({items: 2, errored: 2});
	});

	test('without a content-length (chunked), reading still stops at the limit', async () => {
		provider = await startCountingProvider((_request, response) => {
			response.writeHead(200, {'content-type': 'application/json'});
			const chunk = 'x'.repeat(64 * 1024);
			response.write(`{"id": "c", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "${chunk}`);
			// Endless: only a client that stops reading ends this exchange.
			const timer = setInterval(() => response.write(chunk), 1);
			response.on('close', () => clearInterval(timer));
		});
		const {result, db} = await runAgainst('endless', {request: {maxResponseBytes: 256 * 1024}});
		expect(result.code, result.stderr).toBe(0);
		expect(storedResults(db).map(row => row.error_class)).toEqual(['permanent', 'permanent']);
	});
});

describe('a request the provider refuses for its size fails once, as permanent', () => {
	test('413', async () => {
		provider = await startCountingProvider((_request, response) => {
			response.writeHead(413, {'content-type': 'application/json'});
			response.end(JSON.stringify({error: {message: 'request entity too large'}}));
		});
		const {result, db} = await runAgainst('413');
		expect(result.code, result.stderr).toBe(0);
		expect(provider.requests()).toBe(2);
		for (const row of storedResults(db)) expect(row).toMatchObject({status: 'errored', attempts: 1, error_class: 'permanent'});
	});

	test('the connection closed while the request body is being sent', async () => {
		// A proxy refusing large bodies: it hangs up on any request before reading it.
		provider = await startCountingProvider(request => request.socket.destroy(), {beforeBody: true});
		const big = temp.write('big.jsonl', jsonl([{id: 'big', prompt: `Repeat exactly: ${'y'.repeat(16 * 1024 * 1024)}`}]));
		const {result, db} = await runAgainst('hangup', {}, big);
		expect(result.code, result.stderr).toBe(0);
		expect(provider.requests()).toBe(1);
		const [row] = storedResults(db);
		expect(row).toMatchObject({status: 'errored', attempts: 1, error_class: 'permanent'});
		expect(row!.error_message).toContain('while the request was being sent');
	});
});

test('a provider echoing the API key in its answer: the key is not stored', async () => {
	provider = await startCountingProvider((_request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(completion(`OK, your key is ${countingKeyEnv.LANES_COUNTING_KEY}`));
	});
	const {result, db} = await runAgainst('echo');
	expect(result.code, result.stderr).toBe(0);
	const rows = storedResults(db);
	expect(rows.map(row => row.answer)).toEqual(['OK, your key is ***', 'OK, your key is ***']);
	expect(result.stdout + result.stderr).not.toContain(countingKeyEnv.LANES_COUNTING_KEY);
});
