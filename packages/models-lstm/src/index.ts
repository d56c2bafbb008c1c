export { Lstm, LSTM_MIN_POINTS } from './lstm.js';
export type { LstmParams } from './lstm.js';
export { tensorflow } from './backend.js';
export type { BackendName } from './backend.js';
