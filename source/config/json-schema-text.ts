/**
 * Reads the JSON Schema that zod generates from a schema (`z.toJSONSchema`, a public and stable format) to say
 * in words what a key expects: "a positive number", "an integer from 500 to 599", "a URL".
 */

/** The part of JSON Schema (draft 2020-12) that zod emits and these messages use. */
export type JsonSchema = {
	type?: string;
	properties?: Record<string, JsonSchema>;
	additionalProperties?: JsonSchema | boolean;
	propertyNames?: JsonSchema;
	items?: JsonSchema;
	anyOf?: JsonSchema[];
	oneOf?: JsonSchema[];
	const?: unknown;
	enum?: unknown[];
	minimum?: number;
	exclusiveMinimum?: number;
	maximum?: number;
	exclusiveMaximum?: number;
	minLength?: number;
	maxLength?: number;
	minItems?: number;
	maxItems?: number;
	format?: string;
	pattern?: string;
	description?: string;
};

/** The schema of the value at `path` in `input`, following the union branch the input takes. */
export function schemaAt(root: JsonSchema, path: readonly PropertyKey[], input: unknown): JsonSchema | undefined {
	let node: JsonSchema | undefined = branchFor(root, input);
	let value = input;
	for (const key of path) {
		if (!node) return undefined;
		if (typeof key === 'number') node = node.items;
		else node = node.properties?.[String(key)] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
		value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
		node = node && branchFor(node, value);
	}

	return node;
}

/**
 * The branch of a union that `value` is meant for: the one whose constant fields (a discriminator like
 * `"type": "azure"`) it matches, else the only one of its JSON type. The union itself when none fits.
 */
export function branchFor(node: JsonSchema, value: unknown): JsonSchema {
	const branches = node.oneOf ?? node.anyOf;
	if (!branches) return node;
	if (isRecord(value)) {
		const tagged = branches.find(branch => {
			const constants = Object.entries(branch.properties ?? {}).filter(([, property]) => 'const' in property);
			return constants.length > 0 && constants.every(([key, property]) => value[key] === property.const);
		});
		if (tagged) return tagged;
	}

	const typed = branches.filter(branch => branch.type !== undefined && typeMatches(branch.type, value));
	return typed.length === 1 ? branchFor(typed[0]!, value) : node;
}

/** Keys an object schema accepts, in schema order. */
export function allowedKeys(node: JsonSchema | undefined): string[] {
	return Object.keys(node?.properties ?? {});
}

/** What the schema expects, as a noun phrase with its article: "a positive integer", "true or false". */
export function describeSchema(node: JsonSchema | undefined): string {
	if (!node) return 'a valid value';
	const branches = node.oneOf ?? node.anyOf;
	if (branches) return [...new Set(branches.map(branch => describeSchema(branch)))].join(' or ');
	if ('const' in node) return JSON.stringify(node.const);
	if (node.enum) return listChoices(node.enum);
	switch (node.type) {
		case 'integer':
		case 'number':
			return describeNumber(node);
		case 'string':
			return describeString(node);
		case 'boolean':
			return 'true or false';
		case 'null':
			return 'null';
		case 'array':
			return describeArray(node);
		case 'object':
			return 'an object';
		default:
			return 'a valid value';
	}
}

/** `"a", "b" or "c"`. */
export function listChoices(values: readonly unknown[]): string {
	const quoted = values.map(value => JSON.stringify(value));
	return quoted.length <= 1 ? (quoted[0] ?? 'nothing') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function describeNumber(node: JsonSchema): string {
	const noun = node.type === 'integer' ? 'integer' : 'number';
	const article = noun === 'integer' ? 'an' : 'a';
	// Zod states the safe-integer range of every int(); it says nothing to a person.
	const bound = (value: number | undefined) => (value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined);
	const low = bound(node.minimum);
	const lowExclusive = bound(node.exclusiveMinimum);
	const high = bound(node.maximum);
	const highExclusive = bound(node.exclusiveMaximum);
	if (high === undefined && highExclusive === undefined) {
		if (lowExclusive === 0) return `a positive ${noun}`;
		if (low === 0) return `a non-negative ${noun}`;
	}

	if (low !== undefined && high !== undefined) return `${article} ${noun} from ${low} to ${high}`;
	const limits = [
		low === undefined ? undefined : `>= ${low}`,
		lowExclusive === undefined ? undefined : `> ${lowExclusive}`,
		high === undefined ? undefined : `<= ${high}`,
		highExclusive === undefined ? undefined : `< ${highExclusive}`,
	].filter(limit => limit !== undefined);
	return [`${article} ${noun}`, limits.join(' and ')].filter(Boolean).join(' ');
}

function describeString(node: JsonSchema): string {
	if (node.format === 'uri') return 'a URL';
	if (node.format) return `a string in ${node.format} format`;
	if (node.pattern) return `a string matching /${node.pattern}/`;
	if (node.minLength !== undefined && node.minLength > 1) return `a string of at least ${node.minLength} characters`;
	if (node.minLength === 1) return 'a non-empty string';
	return 'a string';
}

function describeArray(node: JsonSchema): string {
	const least = node.minItems ?? 0;
	// "a non-empty string" -> "non-empty strings"; anything longer reads badly in the plural.
	const item = node.items && /^an? ([\w -]+)$/.exec(describeSchema(node.items));
	const items = item && !/\d| from /.test(item[1]!) ? `${item[1]}s` : 'items';
	if (least > 1) return `an array of at least ${least} ${items}`;
	const array = least === 1 ? 'a non-empty array' : 'an array';
	return items === 'items' ? array : `${array} of ${items}`;
}

function typeMatches(type: string, value: unknown): boolean {
	switch (type) {
		case 'object':
			return isRecord(value);
		case 'array':
			return Array.isArray(value);
		case 'integer':
			return Number.isInteger(value);
		case 'null':
			return value === null;
		default:
			return typeof value === type;
	}
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
