import type {SimulateConfig} from '../../config/schema.js';
import {hash32, hashUnit} from './random.js';

/** A prompt form the simulator can answer, with its right answer and a plausible wrong one. */
type Form = {pattern: RegExp; right(match: RegExpMatchArray): string; wrong(right: string, match: RegExpMatchArray, pick: number): string};

const numberOffsets = [1n, -1n, 10n, -2n, 2n];

const forms: Form[] = [
	{
		pattern: /^\s*what\s+is\s+(-?\d+)\s*([+*×x-])\s*(-?\d+)\s*\?*\s*$/i,
		right(match) {
			const [left, right] = [BigInt(match[1]!), BigInt(match[3]!)];
			const operator = match[2]!;
			if (operator === '+') return String(left + right);
			if (operator === '-') return String(left - right);
			return String(left * right);
		},
		// Off by one (or ten): the mistakes a model makes with carries.
		wrong: (right, _match, pick) => String(BigInt(right) + numberOffsets[pick % numberOffsets.length]!),
	},
	{
		pattern: /^\s*reverse\s+the\s+word:\s*(.*?)\s*$/is,
		right: match => [...match[1]!].reverse().join(''),
		// Not reversing at all, or dropping a letter.
		wrong: (right, match) => (match[1] === right ? right.slice(0, -1) : match[1]!),
	},
	{
		pattern: /^\s*uppercase:\s*(.*?)\s*$/is,
		right: match => match[1]!.toUpperCase(),
		// Only the first letter capitalised.
		wrong: (_right, match) => match[1]!.charAt(0).toUpperCase() + match[1]!.slice(1).toLowerCase(),
	},
	{
		pattern: /^\s*repeat\s+exactly:\s*(.*?)\s*$/is,
		right: match => match[1]!,
		// A model "tidying up" the text.
		wrong: right => (right.endsWith('.') ? right.slice(0, -1) : `${right}.`),
	},
];

/**
 * The simulated model's answer to a prompt: the bare right answer for the forms it knows ("What is 17 + 25?",
 * "Reverse the word: abc", "Uppercase: abc", "Repeat exactly: ..."; "OK" for anything else), or a plausible
 * wrong one. Right or wrong is a fixed hash of (model, prompt) against `accuracy`, so a suite's pass count is
 * known before it runs. `model` is the config model name.
 */
export function simulatedAnswer(model: string, prompt: string, accuracy: number): string {
	const isRight = hashUnit(`${model}\u0000${prompt}`) < accuracy;
	for (const form of forms) {
		const match = prompt.match(form.pattern);
		if (!match) continue;
		const right = form.right(match);
		if (isRight) return right;
		return differentFrom(right, form.wrong(right, match, hash32(`${prompt}\u0000${model}`)));
	}

	return isRight ? 'OK' : 'Not sure.';
}

/** The share of right answers of a model: configured, or a fixed value in [0.55, 0.97] from its name. */
export function modelAccuracy(model: string, simulate: Pick<SimulateConfig, 'accuracy'>): number {
	return simulate.accuracy[model] ?? Math.round((0.55 + (hashUnit(`accuracy\u0000${model}`) * 0.42)) * 100) / 100;
}

/** A wrong answer must be wrong even for odd inputs (a palindrome, an empty word, text already uppercase). */
function differentFrom(right: string, wrong: string): string {
	if (wrong !== right) return wrong;
	return right === '' ? '?' : `${right}${right.at(-1)}`;
}
