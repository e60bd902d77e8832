import {readApiKeys, readConfigFile, sanitizedConfig} from '../config/load-config.js';
import {readSuite} from '../config/load-suite.js';
import {InputError} from '../errors/input-error.js';
import {modelMap} from '../config/schema.js';
import {selectModels} from '../config/select.js';
import {newRunId} from '../store/run-id.js';
import {openStore} from '../store/index.js';
import {connect} from './connect.js';
import {configLaneSettings, laneSpecs} from './lane-specs.js';
import {defaults} from './defaults.js';
import {executeRun, type OutputFlags} from './execute-run.js';
import {suiteProgress} from './suite-progress.js';

export type RunFlags = OutputFlags & {
	config?: string;
	suite?: string;
	db?: string;
	models?: string[];
	providers?: string[];
};

/** `lanes run`: check every input before touching the database, record the run, then execute it. */
export async function runCommand(flags: RunFlags): Promise<number> {
	const configPath = flags.config ?? defaults.config();
	const suitePath = flags.suite ?? defaults.suite();
	const dbPath = flags.db ?? defaults.db;
	// Only the selected providers' keys are needed.
	const config = selectModels(readConfigFile(configPath), {models: flags.models, providers: flags.providers});
	const apiKeys = readApiKeys(configPath, config);
	// Read twice, streaming: once to check every line before the database is touched, once to store the tests.
	const checking = suiteProgress('checking');
	const suite = readSuite(suitePath, () => undefined, checking);
	checking.done();
	const store = openStore(dbPath);
	try {
		const runId = newRunId(new Date());
		const settings = configLaneSettings(config);
		const storing = suiteProgress('storing');
		store.createRun({
			id: runId,
			startedAt: Date.now(),
			configJson: sanitizedConfig(config),
			configPath,
			suitePath,
			suiteHash: suite.hash,
			models: Object.entries(config.providers).flatMap(([provider, p]) => [...modelMap(p.models)].map(([name, apiModel]) => ({name, provider, apiModel}))),
			testIds: suite.testIds,
			lanes: settings,
		}, add => {
			if (readSuite(suitePath, add, storing).hash !== suite.hash) throw new InputError(`${suitePath} changed while lanes was reading it; run again`);
		});
		storing.done();
		store.acquireLock(runId);
		const connection = await connect(config, apiKeys);
		return await executeRun({
			store, dbPath, runId, config, suitePath, items: store.pendingItems(runId, {retryErrors: false}), connection, flags,
			lanes: laneSpecs(config, connection.clients, settings),
		});
	} finally {
		store.close();
	}
}
