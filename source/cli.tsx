#!/usr/bin/env -S node --max-semi-space-size=4
import process from 'node:process';
import meow from 'meow';
import {parseArgs} from './commands/parse-args.js';
import {InputError} from './errors/input-error.js';
import {checkRedisUrl} from './shared-budget/redis-url.js';
import {exitCodes} from './commands/exit-codes.js';
import {estimateCommand} from './commands/estimate.js';
import {reportCommand} from './commands/report.js';
import {resumeCommand} from './commands/resume.js';
import {runCommand} from './commands/run.js';
import {runsCommand} from './commands/runs.js';
import {simCommand} from './commands/sim.js';

const cli = meow(`
	Usage
	  $ lanes run      [--config FILE] [--suite FILE] [--db FILE] [--models a,b] [--providers x,y] [--redis URL] [--plain] [--json]
	  $ lanes resume   [RUN_ID] [--db FILE] [--retry-errors] [--force] [--redis URL] [--plain] [--json]
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
	  --redis URL       (run, resume) share each provider's budget with other runners through this Redis
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
	// The flags are read and checked by parseArgs against the command table; meow answers --help and --version.
	flags: {},
});

async function main(): Promise<number> {
	// React's development build checks a great deal on every render; a user's terminal UI needs none of it.
	// Set before the UI (and with it React) is first imported.
	process.env.NODE_ENV ??= 'production';
	const argv = process.argv.slice(2);
	const beforeEnd = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
	// Asked anywhere (`lanes run --help`), help wins over running: meow itself answers only a lone flag.
	if (beforeEnd.includes('--help')) cli.showHelp(0);
	if (beforeEnd.includes('--version')) cli.showVersion();
	const {command, args: [runId], flags} = parseArgs(argv);
	// Checked before any command touches the database.
	if (flags.redis !== undefined) checkRedisUrl(flags.redis, '--redis');
	switch (command) {
		case 'run': {
			return runCommand(flags);
		}

		case 'resume': {
			return resumeCommand(runId, flags);
		}

		case 'runs': {
			return runsCommand(flags);
		}

		case 'report': {
			return reportCommand(runId, flags);
		}

		case 'estimate': {
			return estimateCommand(flags);
		}

		case 'sim': {
			return simCommand(flags);
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
