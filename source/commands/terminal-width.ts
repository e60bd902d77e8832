import process from 'node:process';

/** The width to fit a table to: the terminal's when stdout is one; none when it goes to a file or a pipe. */
export function terminalWidth(): number | undefined {
	return process.stdout.isTTY ? process.stdout.columns || 80 : undefined;
}
