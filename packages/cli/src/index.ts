export { main } from './main.js';
export type { Io } from './io.js';
export { panelsSvg, svgToPng, htmlReport } from './plot.js';
export type { Line, Panel } from './plot.js';
