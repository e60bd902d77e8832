import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type TerminalSize = {columns: number; rows: number};

const read = (stdout: NodeJS.WriteStream): TerminalSize => ({
	// Not a TTY (piped, some test streams): assume the smallest terminal the TUI supports.
	columns: stdout.columns || 80,
	rows: stdout.rows || 24,
});

/** The terminal's size, updated on 'resize'. */
export function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));
	useEffect(() => {
		const onResize = () => {
			const next = read(stdout);
			setSize(previous => (previous.columns === next.columns && previous.rows === next.rows ? previous : next));
		};

		onResize();
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
