import {once} from 'node:events';
import {existsSync} from 'node:fs';
import process from 'node:process';
import {InputError} from '../errors/input-error.js';
import {reportCsv, reportTable, resultsCsvHeader} from '../summary/run-report.js';
import {openStore} from '../store/index.js';
import {defaults} from './defaults.js';
import {terminalWidth} from './terminal-width.js';
import {storedReport} from '../summary/stored-report.js';

const formats = ['table', 'csv', 'json'] as const;

/** `lanes report RUN_ID`: per-model and per-provider results of a stored run. */
export async function reportCommand(runId: string | undefined, flags: {db?: string; format?: string; results?: boolean}): Promise<number> {
	const format = flags.format ?? 'table';
	if (!formats.includes(format as typeof formats[number])) throw new InputError(`--format: expected table, csv or json, got "${format}"`);
	if (flags.results && format !== 'csv') throw new InputError('--results: only with --format csv (one row per result)');
	if (!runId) throw new InputError('report: expected a run id (see `lanes runs`)');
	const dbPath = flags.db ?? defaults.db;
	if (!existsSync(dbPath)) throw new InputError(`${dbPath}: no such database (name one with --db)`);
	const store = openStore(dbPath, {readonly: true});
	try {
		const run = store.getRun(runId);
		if (!run) throw new InputError(`${dbPath}: no run "${runId}" (see \`lanes runs --db ${dbPath}\`)`);
		if (flags.results) {
			await writeChunks(process.stdout, [`${resultsCsvHeader}\n`], store.resultsCsv(run.id));
			return 0;
		}

		const report = storedReport(store, run);
		const output = format === 'json'
			? JSON.stringify(report.summary)
			: format === 'csv' ? reportCsv(report.summary, report.tokens) : reportTable(report, {width: terminalWidth()});
		process.stdout.write(`${output}\n`);
		return 0;
	} finally {
		store.close();
	}
}

/** Streams text, waiting for the pipe to drain whenever it is full: memory stays flat however many results. */
async function writeChunks(out: NodeJS.WritableStream, ...parts: Array<Iterable<string | Uint8Array>>): Promise<void> {
	for (const part of parts) for (const chunk of part) if (!out.write(chunk)) await once(out, 'drain');
}
