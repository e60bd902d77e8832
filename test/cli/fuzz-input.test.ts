import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {InputError} from '../../source/errors/input-error.js';
import {readConfigFile} from '../../source/config/load-config.js';
import {loadSuite} from '../../source/config/load-suite.js';
import {parseArgs} from '../../source/commands/parse-args.js';
import {repoRoot, runCli, tempDir} from '../helpers/cli.js';

/**
 * Random damage to good inputs: each must load, or be refused with an InputError (exit 2 and a message);
 * never another exception (a crash, "unexpected error", a stack trace). Seeded, so a failure repeats.
 */
const temp = tempDir();
const goodConfig = readFileSync(path.join(repoRoot, 'config', 'default.json'), 'utf8');
const goodSuite = readFileSync(path.join(repoRoot, 'data', 'demo.jsonl'), 'utf8');

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state + 0x6D_2B_79_F5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

const oddValues: unknown[] = [null, true, 0, -1, 1.5, 1e9, 99_999, -0.0001, '', 'five', '\u001B[2J', '\u009B31m', [], {}, [1, 'a'], {x: 1}, 'x'.repeat(5000)];

/** A structural change somewhere in a JSON value: replace, delete or add a key; or change an array. */
function mutateValue(value: unknown, next: () => number): unknown {
	const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
	if (Array.isArray(value)) {
		if (value.length === 0 || next() < 0.3) return next() < 0.5 ? [] : [...value, pick(oddValues)];
		const copy = [...value];
		const index = Math.floor(next() * copy.length);
		copy[index] = next() < 0.6 ? mutateValue(copy[index], next) : pick(oddValues);
		return copy;
	}

	if (value && typeof value === 'object') {
		const copy: Record<string, unknown> = {...value as Record<string, unknown>};
		const keys = Object.keys(copy);
		const roll = next();
		if (keys.length === 0 || roll < 0.1) copy[pick(['concurrrency', 'qps', 'models', 'type', '\u001B', 'maxResponseBytes'])] = pick(oddValues);
		else if (roll < 0.25) delete copy[pick(keys)];
		else {
			const key = pick(keys);
			copy[key] = next() < 0.7 ? mutateValue(copy[key], next) : pick(oddValues);
		}

		return copy;
	}

	return pick(oddValues);
}

/** A textual change: delete, duplicate or insert bytes (invalid UTF-8 among them), or cut the text short. */
function mutateText(text: string, next: () => number): Buffer {
	const bytes = Buffer.from(text);
	const at = Math.floor(next() * bytes.length);
	const roll = next();
	if (roll < 0.25) return bytes.subarray(0, at);
	if (roll < 0.5) return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(next() * 20))]);
	const inserted = Buffer.from([[0xFF], [0xC3], [0x00], [0x22], [0x7B], [0x0A], [0x5C], [0xE2, 0x82]][Math.floor(next() * 8)]!);
	return Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
}

function expectInputErrorOrSuccess(load: () => unknown, what: string): void {
	try {
		load();
	} catch (error) {
		expect(error, `${what}: ${(error as Error).stack}`).toBeInstanceOf(InputError);
		expect((error as Error).message.length, what).toBeGreaterThan(0);
		expect((error as Error).message, what).not.toMatch(/[\u001B\u009B]/);
	}
}

describe('fuzzed inputs are loaded or refused with a message, nothing else', () => {
	test('configs: 400 structural and textual mutations', () => {
		const next = random(8);
		const parsed: unknown = JSON.parse(goodConfig);
		for (let index = 0; index < 400; index++) {
			const content = index % 2 === 0 ? `${JSON.stringify(mutateValue(parsed, next), null, 2)}\n` : mutateText(goodConfig, next);
			const file = temp.file(`config-${index}.json`);
			// Bytes as they are: invalid UTF-8 included.
			writeFileSync(file, content);
			expectInputErrorOrSuccess(() => readConfigFile(file), `mutation ${index}: ${String(content).slice(0, 300)}`);
		}
	});

	test('suites: 400 mutations of lines and bytes', () => {
		const next = random(9);
		const lines = goodSuite.trim().split('\n').map(line => JSON.parse(line) as unknown);
		for (let index = 0; index < 400; index++) {
			let content: string | Buffer;
			if (index % 2 === 0) {
				const copy = [...lines];
				const at = Math.floor(next() * copy.length);
				copy[at] = mutateValue(copy[at], next);
				content = `${copy.map(line => JSON.stringify(line)).join('\n')}\n`;
			} else {
				content = mutateText(goodSuite, next);
			}

			const file = temp.file(`suite-${index}.jsonl`);
			writeFileSync(file, content);
			expectInputErrorOrSuccess(() => loadSuite(file), `mutation ${index}`);
		}
	});

	test('command lines: 2000 random ones', () => {
		const next = random(10);
		const words = ['run', 'resume', 'runs', 'report', 'estimate', 'sim', 'rn', 'x', '--', '-', '-x', '--db', '--db=', '--config', '--suite', '--suit', '--models', '--models=,', '--plain', '--no-plain', '--json=yes', '--format', 'csv', '--tests', 'abc', '7', '--port', '99999', '--latency-ms', '-5', '--retry-errors', '--force', '--frob', '=', '\u001B[2J'];
		for (let index = 0; index < 2000; index++) {
			const argv = Array.from({length: Math.floor(next() * 7)}, () => words[Math.floor(next() * words.length)]!);
			expectInputErrorOrSuccess(() => parseArgs(argv), `lanes ${argv.join(' ')}`);
		}
	});
});

test('at the CLI: mutated configs give exit 0 or 2 and never a stack trace', async () => {
	const next = random(11);
	const parsed: unknown = JSON.parse(goodConfig);
	for (let index = 0; index < 6; index++) {
		const config = temp.write(`cli-config-${index}.json`, `${JSON.stringify(mutateValue(parsed, next))}\n`);
		// estimate reads the config and the suite as run does, and sends nothing.
		const result = await runCli(['estimate', '--config', config, '--tests', '3']);
		expect([0, 2], result.stderr).toContain(result.code);
		expect(result.stderr).not.toContain('    at ');
		expect(result.stderr).not.toMatch(/unexpected error/i);
		if (result.code === 2) expect(result.stderr).toContain(config);
	}
});
