import {Text} from 'ink';

/** The keys, as the help overlay lists them. The mapping itself is in key-commands.ts. */
export const keyHelp: ReadonlyArray<[keys: string, action: string]> = [
	['↑ ↓  tab  1-9', 'select a lane (1 = first provider in the config)'],
	['+ (=)  -', 'raise / lower the selected lane\'s concurrency by 1 (never below 1)'],
	['] [', 'raise / lower it by 5'],
	['a', 'toggle adaptive control (off: your number stands)'],
	['p', 'pause / resume the selected lane (in-flight requests finish)'],
	['P', 'pause all lanes, or resume all if all are paused'],
	['s', 'skip the rest between batches of the selected lane'],
	['q  Ctrl-C', 'stop gracefully; a second time aborts in-flight requests'],
	['?', 'this help (any key closes it)'],
];

/** One line of key hints under the lanes. */
export function KeyFooter() {
	return (
		<Text wrap="truncate-end" dimColor>
			{/* Quit and help first: on a narrow terminal the end of the line is what gets cut. */}
			q quit · ? help · ↑↓/1-9 select · +/- conc · [/] ±5 · a adaptive · p pause · P all · s skip rest
		</Text>
	);
}

/** The `?` overlay, cut to `rows` lines. */
export function HelpOverlay({rows}: {rows: number}) {
	const lines = [
		<Text key="title" wrap="truncate-end" bold>keys <Text dimColor>(any key closes this)</Text></Text>,
		...keyHelp.map(([keys, action]) => (
			<Text key={keys} wrap="truncate-end"><Text color="cyan">{keys.padEnd(15)}</Text>{action}</Text>
		)),
	];
	return <>{lines.slice(0, Math.max(0, rows))}</>;
}
