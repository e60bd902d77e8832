import process from 'node:process';
import {readConfigFile} from '../config/load-config.js';
import {loadSuite} from '../config/load-suite.js';
import {InputError} from '../errors/input-error.js';
import {modelNames} from '../config/schema.js';
import {estimate, type Estimate} from '../estimate/estimate.js';
import {formatDuration, formatMs, formatShare, textTable} from '../text/format.js';
import {openStore} from '../store/index.js';
import {existsSync} from 'node:fs';
import {defaults} from './defaults.js';

export type EstimateFlags = {config?: string; suite?: string; db?: string; tests?: number; latencyMs?: number; json: boolean};

/** `lanes estimate`: how long a suite will take, serially and per provider lane. */
export async function estimateCommand(flags: EstimateFlags): Promise<number> {
	const configPath = flags.config ?? defaults.config();
	const config = readConfigFile(configPath);
	if (flags.tests !== undefined && (!Number.isInteger(flags.tests) || flags.tests <= 0)) throw new InputError(`--tests: expected a positive whole number, got ${flags.tests}`);
	const tests = flags.tests ?? loadSuite(flags.suite ?? defaults.suite()).tests.length;
	const dbPath = flags.db ?? defaults.db;
	let observed = new Map<string, {count: number; meanMs: number}>();
	if (existsSync(dbPath)) {
		const store = openStore(dbPath, {readonly: true});
		try {
			observed = store.latencyStats(Object.values(config.providers).flatMap(p => modelNames(p.models)));
		} finally {
			store.close();
		}
	}

	const result = estimate({config, tests, observed, assumedLatencyMs: flags.latencyMs ?? 10_000});
	process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${estimateText(result)}\n`);
	return 0;
}

export function estimateText(result: Estimate): string {
	const rows = [['provider', 'models', 'items', 'latency', 'serial', 'configured', 'at limits']];
	for (const p of result.providers) {
		rows.push([p.provider, String(p.models), String(p.items), `${formatMs(p.latencyMs)} ${p.latencySource}`, formatDuration(p.serialMs), formatDuration(p.configuredMs), p.atLimitsMs === undefined ? '?' : formatDuration(p.atLimitsMs)]);
	}

	const saved = 1 - (result.configuredMs / result.serialMs);
	const lines = [
		`Estimate for ${result.tests} tests per model`,
		'',
		textTable(rows),
		'',
		`serial (one request at a time):      ${formatDuration(result.serialMs)} (${hours(result.serialMs)})`,
		`lanes with the configured plan:      ${formatDuration(result.configuredMs)} (${hours(result.configuredMs)}, ${formatShare(saved, 1)} saved)`,
	];
	if (result.atLimitsMs !== undefined) lines.push(`lanes at the providers' limits:      ${formatDuration(result.atLimitsMs)} (${hours(result.atLimitsMs)})`);
	for (const assumption of result.assumptions) lines.push(`note: ${assumption}`);
	return lines.join('\n');
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;
