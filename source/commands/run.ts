import {readApiKeys, readConfigFile, sanitizedConfig} from '../config/load-config.js';
import {loadSuite} from '../config/load-suite.js';
import {modelMap} from '../config/schema.js';
import {selectModels} from '../config/select.js';
import {newRunId} from '../store/run-id.js';
import {openStore} from '../store/index.js';
import {connect} from './connect.js';
import {configLaneSettings, laneSpecs} from './lane-specs.js';
import {defaults} from './defaults.js';
import {executeRun, type OutputFlags} from './execute-run.js';

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
	const suite = loadSuite(suitePath);
	const store = openStore(dbPath);
	try {
		const runId = newRunId(new Date());
		const settings = configLaneSettings(config);
		store.createRun({
			id: runId,
			startedAt: Date.now(),
			configJson: sanitizedConfig(config),
			configPath,
			suitePath,
			suiteHash: suite.hash,
			models: Object.entries(config.providers).flatMap(([provider, p]) => [...modelMap(p.models)].map(([name, apiModel]) => ({name, provider, apiModel}))),
			testIds: suite.tests.map(test => test.id),
			lanes: settings,
		});
		store.acquireLock(runId);
		const connection = await connect(config, apiKeys);
		return await executeRun({
			store, dbPath, runId, config, suitePath, tests: suite.tests, prior: [], connection, flags,
			lanes: laneSpecs(config, connection.clients, settings),
		});
	} finally {
		store.close();
	}
}
