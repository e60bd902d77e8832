import {InputError} from '../errors/input-error.js';
import {quote} from '../config/quote.js';
import {closest} from '../config/suggest.js';
import {commandTable, flagKinds, type CommandName, type FlagKind, type FlagName} from './command-table.js';

/** The flags' values, named as the commands take them (`retry-errors` -> `retryErrors`). */
export type Flags = {
	config?: string;
	suite?: string;
	db?: string;
	models?: string[];
	providers?: string[];
	plain: boolean;
	json: boolean;
	retryErrors: boolean;
	force: boolean;
	format?: string;
	tests?: number;
	latencyMs?: number;
	port?: number;
	redis?: string;
	results: boolean;
	check: boolean;
};

export type ParsedArgs = {command: CommandName; args: string[]; flags: Flags};

type Given = {name: FlagName; token: string; value: string | number | boolean | string[]};


const commandNames = Object.keys(commandTable) as CommandName[];

/**
 * Checks and reads the command line against the command table. A typo must never start a run that ignores
 * it (`--model m1` running every model), so anything the command does not take is refused with an
 * InputError naming it: an unknown flag (with the nearest one it takes), a flag of another command, a stray
 * argument, a flag without its value or with a value of the wrong kind, a flag given twice.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
	const positionals: string[] = [];
	const given: Given[] = [];
	let unknown: string | undefined;
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') {
			positionals.push(...argv.slice(index + 1));
			break;
		}

		if (!token.startsWith('-') || token === '-') {
			positionals.push(token);
			continue;
		}

		const equals = token.indexOf('=');
		const written = (equals === -1 ? token : token.slice(0, equals)).replace(/^--?/, '');
		const inline = equals === -1 ? undefined : token.slice(equals + 1);
		const negated = written.startsWith('no-') && flagKinds[written.slice(3) as FlagName]?.type === 'boolean';
		const name = (negated ? written.slice(3) : written) as FlagName;
		const kind: FlagKind | undefined = token.startsWith('--') ? flagKinds[name] : undefined;
		if (kind === undefined) {
			// Whether it would have taken a value is unknown, so what follows cannot be read reliably.
			unknown = token.slice(0, equals === -1 ? undefined : equals);
			break;
		}

		if (kind.type === 'boolean') {
			if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new InputError(`--${name}: takes no value (it is on or off), got ${quote(inline)}`);
			given.push({name, token: token.split('=')[0]!, value: (inline !== 'false') !== negated});
			continue;
		}

		let value = inline;
		if (value === undefined && index + 1 < argv.length && !argv[index + 1]!.startsWith('--')) value = argv[++index];
		if (value === undefined || value === '') throw new InputError(`--${name}: needs a value (${expectedText(kind)})`);
		given.push({name, token: `--${name} ${quote(value)}`, value: flagValue(name, kind, value)});
	}

	const command = (positionals.shift() ?? 'run') as CommandName;
	const spec = commandTable[command];
	if (!spec) {
		const suggestion = closest(command, commandNames);
		throw new InputError(`unknown command ${quote(command)}${suggestion ? `, did you mean "${suggestion}"?` : ''} (expected ${commandNames.slice(0, -1).join(', ')} or ${commandNames.at(-1)}; see lanes --help)`);
	}

	const takes = spec.flags as readonly FlagName[];
	const takesText = takes.map(flag => `--${flag}`).join(', ');
	if (unknown !== undefined) {
		const suggestion = closest(unknown.replace(/^--?/, ''), takes);
		throw new InputError(`${command}: unknown flag ${quote(unknown).slice(1, -1)}${suggestion ? `, did you mean --${suggestion}?` : ''} (${command} takes ${takesText})`);
	}

	const seen = new Map<FlagName, string>();
	for (const flag of given) {
		if (!takes.includes(flag.name)) {
			const owners = commandNames.filter(other => (commandTable[other].flags as readonly FlagName[]).includes(flag.name));
			throw new InputError(`${command}: --${flag.name} is a flag of ${owners.map(owner => `lanes ${owner}`).join(', ')}, not of lanes ${command} (${command} takes ${takesText})`);
		}

		const first = seen.get(flag.name);
		if (first !== undefined) throw new InputError(`${command}: --${flag.name} given twice (${first}, then ${flag.token}): give it once`);
		seen.set(flag.name, flag.token);
	}

	if (positionals.length > spec.args.length) {
		const stray = positionals[spec.args.length]!;
		const allowed = spec.args.length === 0 ? 'takes no arguments' : `takes one argument, ${spec.args.join(' ')}`;
		throw new InputError(`${command}: unexpected argument ${quote(stray)} (${command} ${allowed}; flags start with --)`);
	}

	return {command, args: positionals, flags: toFlags(given)};
}

function toFlags(given: readonly Given[]): Flags {
	const flags: Record<string, unknown> = {plain: false, json: false, retryErrors: false, force: false, results: false, check: false};
	for (const {name, value} of given) flags[name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase())] = value;
	return flags as Flags;
}

function flagValue(name: FlagName, kind: FlagKind, text: string): string | number | string[] {
	const wrong = () => new InputError(`--${name}: expected ${expectedText(kind)}, got ${quote(text)}`);
	switch (kind.type) {
		case 'path':
		case 'url': {
			return text;
		}

		case 'list': {
			const names = text.split(',').map(item => item.trim()).filter(Boolean);
			if (names.length === 0) throw wrong();
			return names;
		}

		case 'choice': {
			if (!kind.choices.includes(text)) throw wrong();
			return text;
		}

		case 'count': {
			const value = Number(text);
			if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value === 0) throw wrong();
			return value;
		}

		case 'milliseconds': {
			const value = Number(text);
			if (!/^\d*\.?\d+$/.test(text) || !Number.isFinite(value) || value <= 0) throw wrong();
			return value;
		}

		case 'port': {
			const value = Number(text);
			if (!/^\d+$/.test(text) || value > 65_535) throw wrong();
			return value;
		}

		case 'boolean': {
			throw new Error('unreachable: booleans take no value');
		}
	}
}

function expectedText(kind: FlagKind): string {
	switch (kind.type) {
		case 'path': return 'a file path';
		case 'url': return 'a URL like redis://HOST:PORT/DB';
		case 'list': return 'comma-separated names, like a,b';
		case 'choice': return kind.choices.length === 2 ? kind.choices.join(' or ') : `${kind.choices.slice(0, -1).join(', ')} or ${kind.choices.at(-1)}`;
		case 'count': return 'a positive whole number';
		case 'milliseconds': return 'a positive number of milliseconds';
		case 'port': return 'a port number from 0 to 65535';
		case 'boolean': return 'nothing';
	}
}
