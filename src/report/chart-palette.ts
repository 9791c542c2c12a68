// The colours of the report's plots: the Okabe–Ito palette, which stays distinguishable with
// the common kinds of colour-blindness. Series that share a plot also differ by dash.

export const COLORS = {
  throughput: '#0072B2',
  errors: '#D55E00',
  p50: '#0072B2',
  p99: '#E69F00',
  bars: '#56B4E9',
  barEdge: '#0072B2',
  injected: '#009E73',
} as const;

/** For the faults' schedule windows: none of them is a series colour of the time plots. */
export const BAND_COLORS = ['#CC79A7', '#009E73', '#F0E442', '#56B4E9', '#999999'] as const;
