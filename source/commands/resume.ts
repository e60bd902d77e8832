import {existsSync} from 'node:fs';
import {parseConfig, readApiKeys, readConfigFile} from '../config/load-config.js';
import {loadSuite, suiteHash} from '../config/load-suite.js';
import {InputError} from '../errors/input-error.js';
import {modelMap, type Config} from '../config/schema.js';
import type {TestCase} from '../engine/types.js';
import {openStore, type RunRecord} from '../store/index.js';
import {connect} from './connect.js';
import {laneSpecs} from './lane-specs.js';
import {defaults} from './defaults.js';
import {executeRun, type OutputFlags} from './execute-run.js';

export type ResumeFlags = OutputFlags & {db?: string; retryErrors: boolean; force: boolean};

/**
 * `lanes resume [RUN_ID]`: sends only the items of a run that have no final result (and errored ones
 * with --retry-errors), with each lane starting from the settings it was left with.
 */
export async function resumeCommand(runId: string | undefined, flags: ResumeFlags): Promise<number> {
	const dbPath = flags.db ?? defaults.db;
	if (!existsSync(dbPath)) throw new InputError(`${dbPath}: no such database (name the one the run used with --db)`);
	const store = openStore(dbPath);
	try {
		const run = runId ? store.getRun(runId) : store.latestUnfinishedRun();
		if (!run) {
			throw new InputError(runId
				? `${dbPath}: no run "${runId}" (see \`lanes runs --db ${dbPath}\`)`
				: `${dbPath}: no run left to resume: every run completed (use --retry-errors with a run id to send errored items again)`);
		}

		const config = currentConfig(run);
		// The suite is parsed only when it changed or the run has no test texts stored (from before schema 3):
		// otherwise its tests are in the database already, and a hash of the file says it is the same.
		const unchanged = suiteHash(run.suitePath) === run.suiteHash && store.hasTestTexts(run.id);
		const suite = unchanged ? undefined : loadSuite(run.suitePath);
		const changes = [...modelChanges(run, config), ...(suite ? suiteChanges(run, suite) : [])];
		if (changes.length > 0 && !flags.force) {
			throw new InputError(`run ${run.id} cannot be resumed as it is:\n${changes.map(change => `  - ${change}`).join('\n')}\nresume with --force to continue with the items that still exist`);
		}

		const runConfig = restrictToRun(config, run);
		const apiKeys = readApiKeys(run.configPath, runConfig);
		// A resume writes to this file for hours: damage found now is a message, found later a failed run.
		store.requireIntact();
		store.acquireLock(run.id);
		let testIds = run.testIds;
		if (suite) {
			const runTests = new Set(run.testIds);
			const tests = suite.tests.filter(test => runTests.has(test.id));
			testIds = tests.map(test => test.id);
			store.replaceTests(run.id, add => {
				for (const test of tests) add(test);
			});
		}

		if (changes.length > 0) {
			// --force: the run is now what still exists, so its counts and reports stop waiting for the rest.
			const models = new Set(Object.values(runConfig.providers).flatMap(provider => [...modelMap(provider.models).keys()]));
			store.narrowRun(run.id, {models: run.models.filter(model => models.has(model.name)), testIds});
		}

		store.setRunStatus(run.id, 'running');
		const items = store.pendingItems(run.id, {retryErrors: flags.retryErrors});
		const connection = await connect(runConfig, apiKeys);
		return await executeRun({
			store, dbPath, runId: run.id, config: runConfig, suitePath: run.suitePath, items, connection, flags,
			lanes: laneSpecs(runConfig, connection.clients, run.lanes),
		});
	} finally {
		store.close();
	}
}

/** The config file as it is now (its endpoints or key variables may have been fixed), else the stored copy. */
function currentConfig(run: RunRecord): Config {
	return existsSync(run.configPath) ? readConfigFile(run.configPath) : parseConfig(run.config, `run ${run.id} (stored config)`);
}

/** What changed in the run's models: gone from the config, or moved to another provider. */
function modelChanges(run: RunRecord, config: Config): string[] {
	const providerOf = new Map<string, string>();
	for (const [provider, p] of Object.entries(config.providers)) for (const model of modelMap(p.models).keys()) providerOf.set(model, provider);
	const changes: string[] = [];
	for (const model of run.models) {
		const now = providerOf.get(model.name);
		if (now === undefined) changes.push(`${run.configPath}: model "${model.name}" (provider "${model.provider}") is no longer in the config`);
		else if (now !== model.provider) changes.push(`${run.configPath}: model "${model.name}" moved from provider "${model.provider}" to "${now}"`);
	}

	return changes;
}

/** What changed in the suite file since the run started. */
function suiteChanges(run: RunRecord, suite: {hash: string; tests: TestCase[]}): string[] {
	if (suite.hash === run.suiteHash) return [];
	const now = new Set(suite.tests.map(test => test.id));
	const before = new Set(run.testIds);
	const removed = run.testIds.filter(id => !now.has(id));
	const added = suite.tests.map(test => test.id).filter(id => !before.has(id));
	const parts = [];
	if (removed.length > 0) parts.push(`${count(removed.length, 'test')} removed (${sample(removed)})`);
	if (added.length > 0) parts.push(`${count(added.length, 'test')} added (${sample(added)})`);
	if (parts.length === 0) parts.push('the tests\' text changed (same ids)');
	return [`${run.suitePath}: the suite changed since the run started: ${parts.join(', ')}`];
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const sample = (ids: string[]) => ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')}, …`;

/** The config narrowed to the run's own models (a run may have used --models or --providers). */
function restrictToRun(config: Config, run: RunRecord): Config {
	const wanted = new Map(run.models.map(model => [model.name, model.provider]));
	const providers: Config['providers'] = {};
	for (const lane of run.lanes) {
		const provider = config.providers[lane.lane];
		if (!provider) continue;
		const models = [...modelMap(provider.models)].filter(([name]) => wanted.get(name) === lane.lane);
		if (models.length === 0) continue;
		providers[lane.lane] = {...provider, models: Object.fromEntries(models.map(([name, deployment]) => [name, {deployment}]))};
	}

	return {...config, providers};
}
