/**
 * `npm run bench`: measures lanes as ratios against baselines taken in the same run (the machines are
 * shared and noisy), prints a report and writes the same numbers to .bench/results.json.
 * `npm run bench -- adaptive store` runs only those sections.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {benchAdaptive} from './adaptive.js';
import {benchControl, benchControlVirtual} from './control.js';
import {targetLine, type SectionResult} from './format.js';
import {benchOverhead} from './overhead.js';
import {benchScale} from './scale.js';
import {benchShared} from './shared.js';
import {benchStore} from './store.js';
import {benchTui} from './tui.js';

const sections: Record<string, () => Promise<SectionResult>> = {
	adaptive: benchAdaptive,
	control: benchControl,
	virtual: benchControlVirtual,
	overhead: benchOverhead,
	scale: benchScale,
	shared: benchShared,
	store: benchStore,
	tui: benchTui,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter(name => !(name in sections));
if (unknown.length > 0) {
	process.stderr.write(`bench: unknown section ${unknown.join(', ')} (expected ${Object.keys(sections).join(', ')})\n`);
	process.exit(2);
}

const started = performance.now();
const write = (line = '') => process.stdout.write(`${line}\n`);
write(`lanes bench: ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load ${os.loadavg().map(load => load.toFixed(2)).join(' ')}`);
write('Every figure is a ratio against a baseline measured in this same run; absolute numbers are for this machine only.');

const results: Array<{name: string; result: SectionResult}> = [];
let failed = false;
for (const [name, run] of Object.entries(sections)) {
	if (wanted.length > 0 && !wanted.includes(name)) continue;
	const sectionStart = performance.now();
	write();
	let result: SectionResult;
	try {
		result = await run();
	} catch (error) {
		failed = true;
		const message = error instanceof Error ? error.stack ?? error.message : String(error);
		result = {title: name, lines: [`FAILED: ${message}`], json: {error: String(error)}, targets: [{name: `${name} ran`, met: false, detail: 'the section threw'}]};
	}

	write(`== ${result.title} (${((performance.now() - sectionStart) / 1000).toFixed(0)} s) ==`);
	for (const line of result.lines) write(line);
	write();
	for (const target of result.targets) write(targetLine(target));
	results.push({name, result});
}

const targets = results.flatMap(({result}) => result.targets);
const missed = targets.filter(target => !target.met);
write();
write(`== Summary: ${targets.length - missed.length} of ${targets.length} targets met; total ${((performance.now() - started) / 1000).toFixed(0)} s ==`);
for (const target of targets) write(targetLine(target));

const out = path.join('.bench', 'results.json');
mkdirSync(path.dirname(out), {recursive: true});
writeFileSync(out, `${JSON.stringify({
	at: new Date().toISOString(),
	node: process.version,
	cpus: os.cpus().length,
	loadavg: os.loadavg(),
	totalSeconds: Math.round((performance.now() - started) / 100) / 10,
	sections: Object.fromEntries(results.map(({name, result}) => [name, {title: result.title, ...result.json, targets: result.targets}])),
}, null, '\t')}\n`);
write(`Load average at the end: ${os.loadavg().map(load => load.toFixed(2)).join(' ')} (on ${os.cpus().length} cores; other work on the machine makes every figure noisier).`);
write(`Numbers written to ${out}`);
// Keep-alive sockets of the SDK clients must not hold the process open. A missed target is a finding, not a
// failure: only a section that could not run makes the exit code non-zero.
process.exit(failed ? 1 : 0);
