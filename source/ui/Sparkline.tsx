import {Text} from 'ink';

const ticks = '▁▂▃▄▅▆▇█';

/** The last `width` values as ▁▂▃▄▅▆▇█, scaled to the largest of them. */
export function sparkline(values: readonly number[], width: number): string {
	if (width <= 0) return '';
	const shown = values.slice(-width).map(value => (Number.isFinite(value) ? Math.max(0, value) : 0));
	const max = Math.max(0, ...shown);
	return shown
		.map(value => ticks[max === 0 ? 0 : Math.round((value / max) * (ticks.length - 1))])
		.join('');
}

type Props = {values: readonly number[]; width: number; color?: string};

/** A sparkline to nest inside a line's `<Text>`. */
export function Sparkline({values, width, color = 'cyan'}: Props) {
	return <Text color={color}>{sparkline(values, width)}</Text>;
}
