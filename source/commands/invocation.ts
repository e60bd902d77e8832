import path from 'node:path';
import process from 'node:process';

/**
 * The command a user would type to run lanes again the way it was started: `lanes` when installed,
 * `npm run lanes --` from a checkout run through tsx.
 */
export function commandLine(args: string[]): string {
	const script = process.argv[1] ?? '';
	const prefix = script.endsWith('.tsx') || script.endsWith('.ts') ? 'npm run lanes --' : path.basename(script) === 'cli.js' ? 'lanes' : path.basename(script) || 'lanes';
	return [prefix, ...args.map(quote)].join(' ');
}

function quote(arg: string): string {
	return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll('\'', '\'\\\'\'')}'`;
}
