import type { TopLevelSpec } from 'vega-lite';
import { loadOptionalPeer } from '../optional-peer';

/** Vega-Lite → Vega → SVG, headless: the 'none' renderer needs no canvas, and `toSVG` builds the markup in Node. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const neededFor = "The report's charts";
  const { compile } = await loadOptionalPeer('vega-lite', neededFor, () => import('vega-lite'));
  const { parse, View } = await loadOptionalPeer('vega', neededFor, () => import('vega'));
  const { spec: vegaSpec } = compile({ ...spec, config: { font: 'Helvetica, Arial, sans-serif', ...spec.config } });
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
