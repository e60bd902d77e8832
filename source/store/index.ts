/** The run database: open it with `openStore`; nothing else in lanes touches SQLite. */
export {openStore, Store} from './run-store.js';
export {newRunId, itemKey} from './run-id.js';
export {DatabaseError} from './database-error.js';
export type {
	CreateRunInput,
	LaneSettings,
	LatencyStats,
	ModelStats,
	ProviderStats,
	RunListRow,
	RunModel,
	RunRecord,
	StoredRunStatus,
	StoreOptions,
} from './types.js';
