import {describe, expect, test} from 'vitest';
import {modelAccuracy, simulatedAnswer} from '../../source/providers/simulator/answers.js';

describe('simulatedAnswer', () => {
	test('a model that is always right answers the known forms', () => {
		expect(simulatedAnswer('m', 'What is 17 + 25?', 1)).toBe('42');
		expect(simulatedAnswer('m', 'What is 6 * 7?', 1)).toBe('42');
		expect(simulatedAnswer('m', 'What is 5 - 9?', 1)).toBe('-4');
		expect(simulatedAnswer('m', 'What is -3 * -4?', 1)).toBe('12');
		expect(simulatedAnswer('m', 'What is 99999999999 * 99999999999?', 1)).toBe('9999999999800000000001');
		expect(simulatedAnswer('m', 'Reverse the word: lanes', 1)).toBe('senal');
		expect(simulatedAnswer('m', 'Uppercase: hello world', 1)).toBe('HELLO WORLD');
		expect(simulatedAnswer('m', 'Repeat exactly: The quick brown fox', 1)).toBe('The quick brown fox');
		expect(simulatedAnswer('m', 'Tell me a joke', 1)).toBe('OK');
	});

	test('a model that is always wrong gives a plausible wrong answer', () => {
		const sum = simulatedAnswer('m', 'What is 17 + 25?', 0);
		expect(sum).not.toBe('42');
		expect(Math.abs(Number(sum) - 42)).toBeLessThanOrEqual(10);
		expect(simulatedAnswer('m', 'Reverse the word: lanes', 0)).toBe('lanes');
		expect(simulatedAnswer('m', 'Uppercase: hello', 0)).toBe('Hello');
		expect(simulatedAnswer('m', 'Repeat exactly: hi', 0)).toBe('hi.');
		expect(simulatedAnswer('m', 'Tell me a joke', 0)).not.toBe('OK');
	});

	test('wrong answers stay wrong for odd inputs', () => {
		expect(simulatedAnswer('m', 'Reverse the word: level', 0)).not.toBe('level');
		expect(simulatedAnswer('m', 'Reverse the word: a', 0)).not.toBe('a');
		expect(simulatedAnswer('m', 'Uppercase: ABC', 0)).not.toBe('ABC');
		expect(simulatedAnswer('m', 'Uppercase: 123', 0)).not.toBe('123');
	});

	test('right or wrong is fixed per (model, prompt) and the share follows accuracy', () => {
		const prompts = Array.from({length: 1000}, (_, index) => `What is ${index} + ${index * 3}?`);
		const right = (model: string) => prompts.filter((prompt, index) => simulatedAnswer(model, prompt, 0.8) === String(index * 4)).length;
		expect(right('alpha')).toBe(right('alpha'));
		expect(right('alpha')).toBeGreaterThan(760);
		expect(right('alpha')).toBeLessThan(840);
		// Another model gets other items right.
		const differ = prompts.filter(prompt => simulatedAnswer('alpha', prompt, 0.5) !== simulatedAnswer('beta', prompt, 0.5)).length;
		expect(differ).toBeGreaterThan(100);
	});
});

describe('modelAccuracy', () => {
	test('configured accuracy wins', () => {
		expect(modelAccuracy('m', {accuracy: {m: 0.3}})).toBe(0.3);
	});

	test('otherwise a fixed value in [0.55, 0.97] from the name', () => {
		const values = ['gpt-4o-mini', 'gpt-5-nano', 'qwen-max', 'deepseek-v3', 'claude'].map(model => modelAccuracy(model, {accuracy: {}}));
		for (const value of values) {
			expect(value).toBeGreaterThanOrEqual(0.55);
			expect(value).toBeLessThanOrEqual(0.97);
		}

		expect(new Set(values).size).toBeGreaterThan(1);
		expect(modelAccuracy('gpt-4o-mini', {accuracy: {}})).toBe(values[0]);
	});
});
