/** Where and why a JSON text does not parse: 1-based line and column, and a reason a person can act on. */
export type JsonSyntaxError = {
	/** Offset in the text (UTF-16 code units) of the character to fix. */
	offset: number;
	line: number;
	column: number;
	/** For example `trailing comma before "}"` or `unexpected token '}'`. */
	reason: string;
};

export type ParsedJson = {ok: true; value: unknown} | {ok: false; error: JsonSyntaxError};

/** JSON.parse that says where the text is broken instead of throwing. A leading byte order mark is ignored. */
export function parseJson(text: string): ParsedJson {
	const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
	try {
		return {ok: true, value: JSON.parse(source)};
	} catch (error) {
		return {ok: false, error: syntaxError(source, error instanceof Error ? error.message : String(error))};
	}
}

/** Turns a V8 JSON.parse message into a position and a reason. */
function syntaxError(text: string, message: string): JsonSyntaxError {
	// Node 20 says "... in JSON at position N" for some errors; newer V8 adds "(line L column C)".
	const positioned = /^(.*?) in JSON at position (\d+)/s.exec(message);
	let offset: number;
	let reason: string;
	if (positioned) {
		reason = positioned[1]!;
		offset = Number(positioned[2]);
	} else {
		// "Unexpected token '}', "..." is not valid JSON" carries no position: find it ourselves.
		reason = message.startsWith('Unexpected end of JSON input') ? 'unexpected end of input' : message.replace(/, (?:\.\.\.)?".*$/s, '');
		offset = errorOffset(text);
	}

	reason = reason.charAt(0).toLowerCase() + reason.slice(1);
	const hinted = hint(text, offset);
	if (hinted) ({offset, reason} = hinted);
	return {offset, ...lineColumn(text, offset), reason};
}

/** The mistakes people make most in hand-written JSON, said plainly. */
function hint(text: string, offset: number): {offset: number; reason: string} | undefined {
	const char = text[offset];
	// Point just after the last thing written, not at the end of trailing blank lines.
	if (offset >= text.length && text.trim() !== '') return {offset: previousNonSpace(text, text.length) + 1, reason: 'unexpected end of input; is a closing "}" or "]" missing?'};
	if (char === '}' || char === ']') {
		const comma = previousNonSpace(text, offset);
		if (text[comma] === ',') return {offset: comma, reason: `trailing comma before "${char}"`};
	}

	if (char === '/' && (text[offset + 1] === '/' || text[offset + 1] === '*')) return {offset, reason: 'comments are not allowed in JSON'};
	if (char === '\'') return {offset, reason: 'use double quotes (") for strings and keys'};
	return undefined;
}

function previousNonSpace(text: string, offset: number): number {
	let index = offset - 1;
	while (index >= 0 && isSpace(text[index])) index--;
	return index;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): {line: number; column: number} {
	let line = 1;
	let lineStart = 0;
	for (let index = 0; index < offset && index < text.length; index++) {
		if (text[index] === '\n') {
			line++;
			lineStart = index + 1;
		}
	}

	return {line, column: offset - lineStart + 1};
}

/** The line at `line` with a caret under `column`, indented, for a multi-line message. */
export function excerpt(text: string, line: number, column: number): string {
	const source = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '');
	const width = 100;
	// Show a window around the column on long (minified) lines.
	const start = source.length > width ? Math.max(0, Math.min(column - 1 - (width / 2), source.length - width)) : 0;
	const shown = (start > 0 ? '...' : '') + source.slice(start, start + width) + (start + width < source.length ? '...' : '');
	const caretAt = column - 1 - start + (start > 0 ? 3 : 0);
	// Keep tabs under tabs so the caret lines up in any terminal.
	const pad = shown.slice(0, caretAt).replace(/[^\t]/g, ' ');
	const gutter = String(line);
	return `  ${gutter} | ${shown}\n  ${' '.repeat(gutter.length)} | ${pad}^`;
}

function isSpace(char: string | undefined): boolean {
	return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

/** Offset of the first character that makes `text` invalid JSON (text.length when it ends too early), or -1. */
export function errorOffset(text: string): number {
	let index = 0;
	const fail = (): never => {
		throw new BrokenAt(index);
	};

	const skipSpace = () => {
		while (isSpace(text[index])) index++;
	};

	const digits = () => {
		if (!/\d/.test(text[index] ?? '')) fail();
		while (/\d/.test(text[index] ?? '')) index++;
	};

	const string = () => {
		index++; // Opening quote.
		for (;;) {
			const char = text[index];
			if (char === undefined || char < ' ') fail();
			if (char === '"') {
				index++;
				return;
			}

			if (char === '\\') {
				index++;
				if (text[index] === 'u') {
					for (let k = 0; k < 4; k++) {
						index++;
						if (!/[\da-fA-F]/.test(text[index] ?? '')) fail();
					}
				} else if (!'"\\/bfnrt'.includes(text[index] ?? 'x')) {
					fail();
				}
			}

			index++;
		}
	};

	const value = (): void => {
		skipSpace();
		const char = text[index];
		if (char === '{') return container('}', true);
		if (char === '[') return container(']', false);
		if (char === '"') return string();
		if (char === '-' || /\d/.test(char ?? '')) {
			if (char === '-') index++;
			if (text[index] === '0') index++;
			else digits();
			if (text[index] === '.') {
				index++;
				digits();
			}

			if (text[index] === 'e' || text[index] === 'E') {
				index++;
				if (text[index] === '+' || text[index] === '-') index++;
				digits();
			}

			return;
		}

		const word = char === 't' ? 'true' : char === 'f' ? 'false' : char === 'n' ? 'null' : fail();
		for (const expected of word) {
			if (text[index] !== expected) fail();
			index++;
		}
	};

	const container = (close: string, keyed: boolean) => {
		index++;
		skipSpace();
		if (text[index] === close) {
			index++;
			return;
		}

		for (;;) {
			if (keyed) {
				skipSpace();
				if (text[index] !== '"') fail();
				string();
				skipSpace();
				if (text[index] !== ':') fail();
				index++;
			}

			value();
			skipSpace();
			if (text[index] === ',') {
				index++;
				continue;
			}

			if (text[index] !== close) fail();
			index++;
			return;
		}
	};

	try {
		value();
		skipSpace();
		if (index < text.length) fail();
		return -1;
	} catch (error) {
		if (error instanceof BrokenAt) return error.offset;
		throw error;
	}
}

class BrokenAt {
	constructor(readonly offset: number) {}
}
