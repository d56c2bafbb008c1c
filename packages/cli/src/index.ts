export { main } from './main.js';
export type { Io } from './io.js';
export { panelsSvg, svgToPng, htmlReport } from '@amf-foresight/orchestrator';
export type { Line, Panel, Band } from '@amf-foresight/orchestrator';
