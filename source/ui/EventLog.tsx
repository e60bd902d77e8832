import {Text} from 'ink';
import type {EventLine, Tone} from '../event-log/event-lines.js';
import {formatClock, truncate} from '../text/format.js';

const toneColor: Record<Tone, string | undefined> = {info: undefined, warn: 'yellow', error: 'red'};

type Props = {lines: readonly EventLine[]; count: number; columns: number};

/**
 * A rule, then the newest `count` event lines (newest last), each cut to the width here rather than by Ink,
 * which would cache every line it cuts. Renders nothing for `count` 0.
 */
export function EventLog({lines, count, columns}: Props) {
	if (count <= 0) return null;
	const shown = lines.slice(-count);
	return (
		<>
			<Text wrap="truncate-end" dimColor>{'── events ' + '─'.repeat(Math.max(0, columns - 10))}</Text>
			{shown.length === 0 && <Text wrap="truncate-end" dimColor>no events yet</Text>}
			{shown.map(line => (
				<Text key={line.id} wrap="truncate-end" color={toneColor[line.tone]}>
					<Text dimColor>{formatClock(line.at)}</Text> {truncate(line.text, columns - 9)}
				</Text>
			))}
		</>
	);
}
