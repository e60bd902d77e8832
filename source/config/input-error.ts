/**
 * Bad input from the user (config, suite, flags, database file): the CLI prints the message and exits 2,
 * never a stack trace. The message names the file, the key path or line, what was expected and what was found.
 */
export class InputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InputError';
	}
}
