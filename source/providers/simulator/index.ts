/** The built-in simulated provider set: the product's default providers, served over real HTTP. */
export {startSimulator, SIMULATOR_AZURE_API_VERSION} from './server.js';
export {simulatedAnswer, modelAccuracy} from './answers.js';
export {DEFAULT_SIMULATOR_KEY} from './provider-state.js';
export type {SimulatedProviderSpec, Simulator, SimulatorOptions, SimStats, SimRequestLog} from './types.js';
