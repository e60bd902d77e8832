import {effectiveRps} from '../providers/simulator/effective-rps.js';
import {once} from 'node:events';
import process from 'node:process';
import {readConfigFile} from '../config/load-config.js';
import {InputError} from '../errors/input-error.js';
import {simulatedSpecs} from '../providers/simulated-config.js';
import {startSimulator} from '../providers/simulator/index.js';
import {defaults} from './defaults.js';

/** `lanes sim`: serve the config's simulated providers until interrupted, so any OpenAI client can use them. */
export async function simCommand(flags: {config?: string; port?: number}): Promise<number> {
	const configPath = flags.config ?? defaults.config();
	const config = readConfigFile(configPath);
	const specs = simulatedSpecs(config);
	if (specs.length === 0) throw new InputError(`${configPath}: providers: no provider has "type": "simulated", so there is nothing to serve`);
	const simulator = await startSimulator(specs, {port: flags.port ?? config.simulator.port, timeScale: config.simulator.timeScale});
	const lines = [`lanes sim: serving ${specs.length} simulated ${specs.length === 1 ? 'provider' : 'providers'} at ${simulator.url} (Ctrl-C to stop)`];
	for (const spec of specs) {
		const target = simulator.targets.get(spec.name)!;
		const where = target.dialect === 'azure'
			? `azure   endpoint ${target.endpoint}  api-version ${target.apiVersion}  deployments: ${[...spec.models.values()].join(', ')}`
			: `openai  baseURL  ${target.baseURL}  models: ${[...spec.models.values()].join(', ')}`;
		lines.push(`  ${spec.name}: ${where}`, `    key: ${target.apiKey}  limits: ${spec.simulate.maxConcurrent} at once, ${effectiveRps(spec.simulate)}/s${spec.simulate.tpm === undefined ? '' : `, ${spec.simulate.tpm} tokens/min`}`);
	}

	lines.push(`  stats: ${simulator.url}/_sim/stats  log: ${simulator.url}/_sim/log`);
	process.stdout.write(`${lines.join('\n')}\n`);
	await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
	await simulator.close();
	return 0;
}
