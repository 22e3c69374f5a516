import dagre from '@dagrejs/dagre';

/** A laid-out graph: boxes and edge polylines in SVG coordinates. */
export interface Layout {
  width: number;
  height: number;
  nodes: Array<{ id: string; x: number; y: number; width: number; height: number }>;
  /** `index` is the edge's position in the input: two edges may join the same nodes (an upstream and an intention). */
  edges: Array<{ index: number; from: string; to: string; points: Array<{ x: number; y: number }>; label?: { x: number; y: number } }>;
}

/**
 * Places nodes with dagre (a layered, Sugiyama-style layout), left to right on a wide screen and top to bottom on a
 * narrow one. Node sizes are given by the caller (from their text); the layout avoids overlaps and crossings.
 */
export function layoutGraph(
  nodes: Array<{ id: string; width: number; height: number }>,
  edges: Array<{ from: string; to: string; label?: string }>,
  direction: 'LR' | 'TB' = 'LR',
): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: 24, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((e, i) => {
    // A labelled edge gets room for its label, so dagre keeps labels off the nodes and each other.
    const label = e.label ? { width: e.label.length * 6 + 8, height: 14, labelpos: 'c' } : {};
    if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, label, `e${i}`);
  });
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: nodes.map((n) => {
      const placed = g.node(n.id);
      return { id: n.id, x: placed.x - n.width / 2, y: placed.y - n.height / 2, width: n.width, height: n.height };
    }),
    edges: g.edges().map((e) => {
      const index = Number((e.name ?? '').slice(1));
      const placed = g.edge(e) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
      return {
        index,
        from: edges[index].from,
        to: edges[index].to,
        points: (placed.points ?? []).map((p) => ({ x: p.x, y: p.y })),
        ...(edges[index].label && placed.x !== undefined && placed.y !== undefined ? { label: { x: placed.x, y: placed.y } } : {}),
      };
    }),
  };
}
