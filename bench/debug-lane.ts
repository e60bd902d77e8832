// Temporary: trace one condition's lanes run.
import {Engine} from '../source/engine/engine.js';
import {conditions} from './conditions.js';
import {laneSpec, makeTests, simClient, startSim} from './scenario.js';

const key = process.argv[2] ?? 'seed';
const scale = Number(process.argv[3] ?? 0.05);
const only = process.argv[4];
const condition = conditions.find(c => c.key === key)!;
const providers = condition.providers.filter(p => !only || p.name === only);
const simulator = await startSim(providers, scale);
const specs = providers.map(p => laneSpec(p, simClient(simulator, p.name), {concurrency: condition.plan[p.name] ?? 5, adaptive: true, maxConcurrency: 64}));
const engine = new Engine({lanes: specs, tests: makeTests(condition.tests), request: {timeoutMs: 60_000, maxTokens: condition.maxTokens ?? 256, temperature: 0}, retry: {maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000}, sink: {recordResult() {}}});
const start = performance.now();
const sim = (ms: number) => (ms / 1000 / scale).toFixed(1);
engine.subscribe(event => {
	const t = sim(performance.now() - start);
	if (event.type === 'limit') console.log(t, event.lane, 'limit', event.from, '->', event.to, event.cause);
	else if (event.type === 'state' || event.type === 'outage' || event.type === 'lane_stopped') console.log(t, JSON.stringify(event));
	else if (event.type === 'rate_limited') console.log(t, event.lane, '429 wait', sim(event.retryAfterMs), 'inflight', event.inFlight);
});
const status = await engine.run();
console.log('status', status, 'makespan', sim(performance.now() - start));
for (const p of providers) console.log(p.name, JSON.stringify(simulator.stats(p.name)));
await simulator.close();
process.exit(0);
