#!/usr/bin/env node
import process from 'node:process';
import meow from 'meow';
import {InputError} from './errors/input-error.js';
import {exitCodes} from './commands/exit-codes.js';
import {estimateCommand} from './commands/estimate.js';
import {reportCommand} from './commands/report.js';
import {resumeCommand} from './commands/resume.js';
import {runCommand} from './commands/run.js';
import {runsCommand} from './commands/runs.js';
import {simCommand} from './commands/sim.js';

const cli = meow(`
	Usage
	  $ lanes run      [--config FILE] [--suite FILE] [--db FILE] [--models a,b] [--providers x,y] [--plain] [--json]
	  $ lanes resume   [RUN_ID] [--db FILE] [--retry-errors] [--force] [--plain] [--json]
	  $ lanes runs     [--db FILE] [--json] [--check]
	  $ lanes report   RUN_ID [--db FILE] [--format table|csv|json] [--results]
	  $ lanes estimate [--config FILE] [--suite FILE] [--db FILE] [--tests N] [--latency-ms N] [--json]
	  $ lanes sim      [--config FILE] [--port N]

	Without a command, lanes runs the built-in demo (three simulated providers, no API keys needed).

	Options
	  --config FILE     Providers and limits (default: config/default.json)
	  --suite FILE      Tests, one JSON object per line (default: data/demo.jsonl)
	  --db FILE         Results database (default: data/lanes.db)
	  --models a,b      Only these models
	  --providers x,y   Only these providers
	  --plain           Status lines on stderr instead of the terminal UI
	  --json            Print one JSON summary on stdout when the run ends
	  --retry-errors    (resume) send errored items again too
	  --force           (resume) continue even though the suite or the models changed
	  --format          (report) table, csv or json
	  --results         (report) with --format csv: one row per result instead of per model
	  --check           (runs) check the whole database file for damage first
	  --tests N         (estimate) tests per model, instead of counting the suite
	  --latency-ms N    (estimate) latency assumed where no run measured one (default 10000)
	  --port N          (sim) port to listen on (default: the config's simulator.port, else a free one)

	Exit codes: 0 completed, 1 unexpected error, 2 bad input, 3 interrupted, 4 a lane stopped with items left.
	Keys, config reference and FAQ: readme.md
`, {
	importMeta: import.meta,
	flags: {
		config: {type: 'string'},
		suite: {type: 'string'},
		db: {type: 'string'},
		models: {type: 'string'},
		providers: {type: 'string'},
		plain: {type: 'boolean', default: false},
		json: {type: 'boolean', default: false},
		retryErrors: {type: 'boolean', default: false},
		force: {type: 'boolean', default: false},
		format: {type: 'string'},
		results: {type: 'boolean', default: false},
		check: {type: 'boolean', default: false},
		port: {type: 'number'},
		tests: {type: 'number'},
		latencyMs: {type: 'number'},
	},
});

const list = (value: string | undefined) => value?.split(',').map(item => item.trim()).filter(Boolean);

async function main(): Promise<number> {
	// React's development build checks a great deal on every render; a user's terminal UI needs none of it.
	// Set before the UI (and with it React) is first imported.
	process.env.NODE_ENV ??= 'production';
	const [command = 'run', ...rest] = cli.input;
	const {flags} = cli;
	switch (command) {
		case 'run': {
			return runCommand({...flags, models: list(flags.models), providers: list(flags.providers)});
		}

		case 'resume': {
			return resumeCommand(rest[0], flags);
		}

		case 'runs': {
			return runsCommand(flags);
		}

		case 'report': {
			return reportCommand(rest[0], flags);
		}

		case 'estimate': {
			return estimateCommand(flags);
		}

		case 'sim': {
			return simCommand(flags);
		}

		default: {
			throw new InputError(`unknown command "${command}" (expected run, resume, runs, report, estimate or sim; see lanes --help)`);
		}
	}
}

try {
	process.exitCode = await main();
} catch (error) {
	if (error instanceof InputError) {
		process.stderr.write(`lanes: ${error.message}\n`);
		process.exitCode = exitCodes.badInput;
	} else {
		process.stderr.write(`lanes: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
		if (process.env.LANES_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
		process.exitCode = exitCodes.unexpected;
	}
}

// An HTTP keep-alive socket or a stray timer must not keep a finished run from exiting.
setTimeout(() => process.exit(), 1500).unref();
