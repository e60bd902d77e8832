import {expect, test} from 'vitest';
import {shownBudgetId} from '../../source/shared-budget/budget-id.js';

test('the budget id the report shows leaves out credentials and the query a URL may carry', () => {
	expect(shownBudgetId('https://user:s3cret@gw.example/v1/?key=s3cret#x')).toBe('https://gw.example/v1');
	expect(shownBudgetId('team-a-gpt4')).toBe('team-a-gpt4');
});
