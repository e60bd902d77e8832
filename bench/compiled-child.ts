import {buildSync} from 'esbuild';
import {mkdirSync} from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');

/**
 * Compiles bench/scale-child.ts (with the source it imports) to one plain JS file and returns its path; remove
 * it when done. Users run compiled JS (`bin` is dist/cli.js), not tsx: the tsx loader alone adds about 50 MB
 * to a process's RSS, which would drown what the store and the engine cost. Packages stay external, as in
 * dist/, so the file goes under .bench/ in the project, where node_modules resolves.
 */
export function compileScaleChild(name: string): string {
	const outfile = path.join(root, '.bench', `${name}-${process.pid}.mjs`);
	mkdirSync(path.dirname(outfile), {recursive: true});
	buildSync({
		entryPoints: [path.join(root, 'bench', 'scale-child.ts')], outfile, bundle: true, platform: 'node', format: 'esm',
		target: 'node20', packages: 'external', logLevel: 'warning',
	});
	return outfile;
}
