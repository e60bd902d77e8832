import {Text} from 'ink';

/** `width` cells of █ and ░ for done/total. */
export function progressBar(done: number, total: number, width: number): string {
	if (width <= 0) return '';
	const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
	// Full only when all is done: 99.9 % still shows one empty cell.
	const filled = ratio >= 1 ? width : Math.min(width - 1, Math.floor(ratio * width));
	return '█'.repeat(filled) + '░'.repeat(width - filled);
}

type Props = {done: number; total: number; width: number; color?: string};

/** A bar to nest inside a line's `<Text>`. */
export function ProgressBar({done, total, width, color = 'green'}: Props) {
	const bar = progressBar(done, total, width);
	const filled = bar.indexOf('░') === -1 ? bar.length : bar.indexOf('░');
	return (
		<Text>
			<Text color={color}>{bar.slice(0, filled)}</Text>
			<Text dimColor>{bar.slice(filled)}</Text>
		</Text>
	);
}
