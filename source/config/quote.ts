/** Characters a terminal acts on or that reorder text: DEL, the C1 controls (0x9b starts a sequence as ESC [ does), bidi controls. */
const unsafe = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * `text` as a JSON string literal that is safe to print: JSON escapes the C0 controls (ESC among them);
 * this also escapes the rest of what could move the cursor, recolour or reorder the terminal.
 */
export function quote(text: string): string {
	return escapeUnsafe(JSON.stringify(text));
}

/** JSON text (already escaping the C0 controls) with the other unsafe characters escaped as well. */
export function escapeUnsafe(json: string): string {
	return json.replaceAll(unsafe, character => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Whether `text` holds a control character (C0, DEL, C1) or a bidi control: not for a name that is printed. */
export function hasControlCharacters(text: string): boolean {
	return /[\u0000-\u001F]/.test(text) || new RegExp(unsafe.source).test(text);
}
