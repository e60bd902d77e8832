import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		setupFiles: ['test/setup-env.ts'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		// The pseudo-terminal and kill -9 tests spawn whole runs; two cores do not take more at once.
		fileParallelism: true,
		maxWorkers: 2,
	},
});
