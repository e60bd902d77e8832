import {existsSync} from 'node:fs';
import process from 'node:process';
import {InputError} from '../errors/input-error.js';
import {formatShare, textTable} from '../text/format.js';
import {openStore} from '../store/index.js';
import {defaults} from './defaults.js';

/** `lanes runs`: every run in the database, newest first. */
export async function runsCommand(flags: {db?: string; json: boolean; check?: boolean}): Promise<number> {
	const dbPath = flags.db ?? defaults.db;
	if (!existsSync(dbPath)) throw new InputError(`${dbPath}: no such database (run \`lanes run\` first, or name one with --db)`);
	const store = openStore(dbPath, {readonly: true});
	try {
		// On request only: it reads every page, and listing must stay quick whatever the size of the file.
		if (flags.check) {
			store.requireIntact();
			process.stderr.write(`${dbPath}: integrity check ok\n`);
		}

		const runs = store.listRuns();
		if (flags.json) {
			process.stdout.write(`${JSON.stringify(runs.map(run => ({...run, passRate: run.done === 0 ? null : run.passed / run.done})))}\n`);
			return 0;
		}

		if (runs.length === 0) {
			process.stdout.write(`no runs in ${dbPath}\n`);
			return 0;
		}

		const rows = [['run', 'started', 'status', 'progress', 'passed', 'failed', 'errored', 'pass rate']];
		for (const run of runs) {
			rows.push([
				run.id, new Date(run.startedAt).toISOString().replace('T', ' ').slice(0, 19), run.status,
				`${run.done}/${run.items} ${formatShare(run.done, run.items)}`, String(run.passed), String(run.failed), String(run.errored), formatShare(run.passed, run.done),
			]);
		}

		process.stdout.write(`${textTable(rows)}\n`);
		return 0;
	} finally {
		store.close();
	}
}
