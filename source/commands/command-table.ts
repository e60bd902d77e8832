/** What a flag's value must be. */
export type FlagKind =
	| {type: 'boolean'}
	| {type: 'path'}
	| {type: 'list'}
	| {type: 'choice'; choices: readonly string[]}
	| {type: 'count'}
	| {type: 'milliseconds'}
	| {type: 'port'}
	| {type: 'url'};

/** Every flag lanes has, by the name typed after `--`. */
export const flagKinds = {
	config: {type: 'path'},
	suite: {type: 'path'},
	db: {type: 'path'},
	models: {type: 'list'},
	providers: {type: 'list'},
	plain: {type: 'boolean'},
	json: {type: 'boolean'},
	'retry-errors': {type: 'boolean'},
	force: {type: 'boolean'},
	format: {type: 'choice', choices: ['table', 'csv', 'json']},
	tests: {type: 'count'},
	'latency-ms': {type: 'milliseconds'},
	port: {type: 'port'},
	redis: {type: 'url'},
	results: {type: 'boolean'},
	check: {type: 'boolean'},
} as const satisfies Record<string, FlagKind>;

export type FlagName = keyof typeof flagKinds;

/** A command's flags and how many arguments it takes (`RUN_ID`). */
export type CommandSpec = {flags: readonly FlagName[]; args: readonly string[]};

/** Which flags and arguments each command takes: anything else is refused before the command starts. */
export const commandTable = {
	run: {flags: ['config', 'suite', 'db', 'models', 'providers', 'plain', 'json', 'redis'], args: []},
	resume: {flags: ['db', 'retry-errors', 'force', 'plain', 'json', 'redis'], args: ['RUN_ID']},
	runs: {flags: ['db', 'json', 'check'], args: []},
	report: {flags: ['db', 'format', 'results'], args: ['RUN_ID']},
	estimate: {flags: ['config', 'suite', 'db', 'tests', 'latency-ms', 'json'], args: []},
	sim: {flags: ['config', 'port'], args: []},
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commandTable;
