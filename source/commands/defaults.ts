import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The package's own folder: where the default config and demo suite live when lanes runs from elsewhere. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A default input file: from the current folder when it has one, else the package's. */
function packaged(relative: string): string {
	if (existsSync(relative)) return relative;
	return path.relative(process.cwd(), path.join(packageRoot, relative)) || relative;
}

export const defaults = {
	config: () => packaged('config/default.json'),
	suite: () => packaged('data/demo.jsonl'),
	db: 'data/lanes.db',
};
