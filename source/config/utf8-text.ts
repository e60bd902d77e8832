import {problemsError} from '../errors/input-error.js';

const strict = new TextDecoder('utf-8', {fatal: true});

/**
 * The file's text, refusing invalid UTF-8: decoding it leniently would turn each bad byte into U+FFFD and
 * send prompts the user never wrote. Names every line that has such bytes (the first few), and the column.
 */
export function utf8Text(path: string, bytes: Buffer): string {
	try {
		return strict.decode(bytes);
	} catch {
		throw problemsError(invalidLines(bytes).map(({line, column}) => `${path}:${line}:${column}: invalid UTF-8 (the file must be UTF-8 text; re-save it as UTF-8)`));
	}
}

function invalidLines(bytes: Buffer): Array<{line: number; column: number}> {
	const found: Array<{line: number; column: number}> = [];
	let start = 0;
	for (let line = 1; start <= bytes.length; line++) {
		const end = bytes.indexOf(0x0A, start);
		const stop = end === -1 ? bytes.length : end;
		const text = bytes.subarray(start, stop);
		try {
			strict.decode(text);
		} catch {
			// The column counts characters up to the first bad byte, as an editor would show it.
			found.push({line, column: firstBadColumn(text)});
		}

		// problemsError shows only the first few.
		if (end === -1 || found.length > 5) break;
		start = end + 1;
	}

	return found;
}

/** Binary search for the longest prefix that is valid so far (a character cut at its end still counts as valid). */
function firstBadColumn(line: Buffer): number {
	const validSoFar = (length: number) => {
		try {
			new TextDecoder('utf-8', {fatal: true}).decode(line.subarray(0, length), {stream: true});
			return true;
		} catch {
			return false;
		}
	};

	let good = 0;
	let bad = line.length;
	while (bad - good > 1) {
		const middle = Math.floor((good + bad) / 2);
		if (validSoFar(middle)) good = middle;
		else bad = middle;
	}

	return [...new TextDecoder('utf-8').decode(line.subarray(0, good), {stream: true})].length + 1;
}
